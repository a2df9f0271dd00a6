"""Workspace glossary: terms with fixed translations and terms never to translate.

Kept in ``translations/glossary.yaml``::

    do_not_translate: [mblib, Excel]
    terms:
      - source: bar chart
        fr: diagramme en barres
        de: Balkendiagramm

Terms are enforced (protected before the engine runs and put back as the
fixed translation) and checked afterwards: a target that lacks a term its
source has is flagged.

>>> g = Glossary(do_not_translate=["mblib"], terms=[{"source": "bar chart", "fr": "diagramme en barres"}])
>>> g.terms_for("fr")
[('bar chart', 'diagramme en barres'), ('mblib', None)]
>>> g.check("A bar chart in mblib", "Un graphique dans mblib", "fr")
["glossary: 'bar chart' should be translated as 'diagramme en barres'"]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from ..content.blocks import Model
from ..errors import Location, MblibError

GLOSSARY_FILE = "translations/glossary.yaml"


class GlossaryError(MblibError):
    """The glossary file is malformed."""


class Glossary(Model):
    """Fixed translations per language (``terms``) and terms kept as they are (``do_not_translate``)."""

    model_config = Model.model_config | {"extra": "forbid"}

    do_not_translate: list[str] = Field(default_factory=list)
    terms: list[dict[str, str]] = Field(default_factory=list, description="{source: ..., <lang>: ...}")

    @classmethod
    def load(cls, root: str | Path) -> Glossary:
        """The workspace glossary (empty when the file does not exist)."""
        from ..content.yamlio import load_yaml_text

        path = Path(root) / GLOSSARY_FILE
        if not path.is_file():
            return cls()
        loaded = load_yaml_text(path.read_text(encoding="utf-8"), GLOSSARY_FILE)
        try:
            g = cls.model_validate(loaded.data or {})
        except ValidationError as err:
            e = err.errors(include_url=False)[0]
            loc = tuple(e["loc"])
            line, col = loaded.locate(loc)
            raise GlossaryError(
                f"{e['msg']}",
                location=Location(file=GLOSSARY_FILE, line=line, column=col, field=".".join(map(str, loc))),
                hint="write 'terms:' as a list of {source: TERM, fr: TRANSLATION} and "
                "'do_not_translate:' as a list of terms",
            ) from None
        for i, t in enumerate(g.terms):
            if not t.get("source"):
                line, col = loaded.locate(("terms", i))
                raise GlossaryError(
                    "a glossary term has no 'source'",
                    location=Location(file=GLOSSARY_FILE, line=line, column=col, field=f"terms[{i}]"),
                    hint="add 'source: TERM' to it",
                )
        return g

    def terms_for(self, lang: str) -> list[tuple[str, str | None]]:
        """``(source term, fixed target or None)`` for one language, longest terms first."""
        out: list[tuple[str, str | None]] = [(t["source"], t[lang]) for t in self.terms if t.get(lang)]
        out += [(t, None) for t in self.do_not_translate]
        return sorted(out, key=lambda p: -len(p[0]))

    def check(self, source: str, target: str, lang: str) -> list[str]:
        """Problems of one translated segment: terms its source has that its target lost."""
        problems = []
        for term, fixed in self.terms_for(lang):
            if not re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", source, re.IGNORECASE):
                continue
            expect = fixed if fixed is not None else term
            if expect.lower() not in target.lower():
                problems.append(
                    f"glossary: '{term}' should be translated as '{expect}'"
                    if fixed is not None
                    else f"glossary: '{term}' must stay untranslated"
                )
        return problems

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)


__all__ = ["GLOSSARY_FILE", "Glossary", "GlossaryError"]
