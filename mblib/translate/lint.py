"""Translation checks for lint: stale, flagged, invalid, orphaned and missing translations.

Content lint (:mod:`mblib.content.lint`) knows nothing of translations; this module adds
their checks and :func:`lint_with_translations` combines both (docs/architecture.md, "Layers").

>>> import pathlib
>>> from mblib.content import Workspace
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> [p for p in lint_with_translations(ws) if p.severity == "error"]
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..content.lint import lint_workspace, sort_problems
from ..errors import Location, MblibError, Problem
from .errors import TranslationError
from .store import load_translations, missing_segments, stale_segments, translation_languages

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace


def lint_translations(workspace: Workspace) -> list[Problem]:
    """Stale segments (warning), glossary/markup flags (warning) and untranslated segments (info)
    of every translations file (:func:`lint_with_translations` adds them to content lint)."""
    out: list[Problem] = []
    for lang in translation_languages(workspace):
        for path in sorted((workspace.root / "translations" / lang).glob("*.yaml")):
            rel = f"translations/{lang}/{path.name}"
            module = workspace.modules.get(path.stem)
            if module is None:
                out.append(
                    Problem(
                        f"translations for unknown module '{path.stem}'",
                        Location(file=rel),
                        "delete the file or restore the module",
                        "warning",
                        "translation.orphan",
                    )
                )
                continue
            try:
                tf = load_translations(workspace, module.id, lang)
            except (TranslationError, MblibError) as e:
                out.append(Problem(e.message, e.location, e.hint, "error", "translation.invalid"))
                continue
            for s in stale_segments(module, tf):
                out.append(
                    Problem(
                        f"{lang} translation of '{s.id}' is stale: its source changed since",
                        Location(file=rel, block_id=s.block, field=s.field, module_id=module.id),
                        f"run: mb translate {module.id} --to {lang}   (or review it in TranslationReview)",
                        "warning",
                        "translation.stale",
                    )
                )
            for key, entry in tf.segments.items():
                for flag in entry.flags:
                    block, field = key.split("/")[0], key.split("/")[1]
                    out.append(
                        Problem(
                            f"{lang} translation of '{key}': {flag}",
                            Location(file=rel, block_id=block, field=field, module_id=module.id),
                            "correct it in TranslationReview or in the file, then mark it reviewed",
                            "warning",
                            "translation.flagged",
                        )
                    )
            missing = missing_segments(module, tf)
            if missing:
                out.append(
                    Problem(
                        f"{len(missing)} segment(s) of '{module.id}' have no {lang} translation "
                        f"(first: {missing[0].id}); pages show the source text there",
                        Location(file=rel, module_id=module.id),
                        f"run: mb translate {module.id} --to {lang}",
                        "info",
                        "translation.missing",
                    )
                )
    return out


def lint_with_translations(workspace: Workspace, *, only: set[str] | None = None) -> list[Problem]:
    """Content lint (:func:`mblib.content.lint_workspace`) plus the translation checks of a workspace
    with a ``translations/`` folder, errors first: what ``mb lint`` reports."""
    out = lint_workspace(workspace, only=only)
    if (workspace.root / "translations").is_dir():
        out.extend(p for p in lint_translations(workspace) if only is None or p.code in only)
    return sort_problems(out)


__all__ = ["lint_translations", "lint_with_translations"]
