"""Module -> segments: every learner-visible string, split so it fits a translation model.

A segment is one sentence (or one title, choice, alt text...) with a stable
key ``(module, block, field, index)``. Markdown structure (headings, list
markers, blockquotes, table pipes, fenced code) stays in a *skeleton* that is
never translated; putting translated segments back into the skeleton gives the
translated field. Code (``code`` blocks' source, fenced and inline code), ids,
file names and URLs are never segments.

>>> from mblib.content import Module
>>> m = Module(id="m", title="Charts", blocks=[{"id": "t", "type": "text",
...     "body": "## Why\\n\\nBars start at zero. Lines need not.\\n\\n```python\\nplot()\\n```\\n"}])
>>> [(s.id, s.source) for s in module_segments(m)]
[('_module/title/0', 'Charts'), ('t/body/0', 'Why'), ('t/body/1', 'Bars start at zero.'), ('t/body/2', 'Lines need not.')]
>>> f = split_field("## Why\\n\\nBars start at zero. Lines need not.\\n", "block")
>>> f.join({1: "Les barres partent de zéro."}) == "## Why\\n\\nLes barres partent de zéro. Lines need not.\\n"
True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .protect import markup_spans

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module

FieldKind = Literal["block", "inline", "plain"]
MODULE_BLOCK = "_module"  # block part of the key for module-level fields (no block id starts with '_')

# How each learner-visible field is rendered: "block" Markdown, "inline" Markdown, or "plain" text.
# Nested lists are written "list.field"; every name in a block class's ``text_fields`` is here (a test checks).
FIELD_KINDS: dict[str, dict[str, FieldKind]] = {
    "text": {"body": "block"},
    "image": {"alt": "plain", "caption": "inline"},
    "video": {"title": "plain", "transcript": "block", "captions.label": "plain"},
    "callout": {"title": "plain", "body": "block"},
    "quiz": {"question": "inline", "explanation": "block", "choices.text": "inline", "choices.feedback": "inline"},
    "flashcards": {"title": "plain", "cards.front": "inline", "cards.back": "inline"},
    "accordion": {"title": "plain", "items.title": "inline", "items.body": "block"},
    "checklist": {"title": "plain", "items.text": "inline"},
    "code": {"caption": "block"},
}
MODULE_FIELDS: dict[str, FieldKind] = {"title": "plain", "summary": "inline", "objectives": "inline"}


def source_hash(text: str) -> str:
    """Short, stable hash of a segment's source text (stored as provenance).

    >>> source_hash("Hello")
    '185f8db32271fe25'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Segment:
    """One translatable unit: its key parts, source text and how its field is rendered."""

    module: str
    block: str
    field: str
    index: int
    source: str
    kind: FieldKind = "inline"

    @property
    def id(self) -> str:
        """``block/field/index``: unique within a module, stable across edits elsewhere."""
        return f"{self.block}/{self.field}/{self.index}"

    @property
    def hash(self) -> str:
        return source_hash(self.source)


@dataclass(frozen=True)
class FieldText:
    """A field split into skeleton strings and segment texts: ``parts`` holds ``str`` (skeleton)
    or ``int`` (the index of a segment in ``segments``)."""

    parts: tuple[str | int, ...]
    segments: tuple[str, ...]

    def join(self, targets: Mapping[int, str]) -> str:
        """Reassemble: segment ``i`` becomes ``targets[i]`` when given, else its source."""
        return "".join(p if isinstance(p, str) else targets.get(p, self.segments[p]) for p in self.parts)


@dataclass(frozen=True)
class FieldRef:
    """Where a learner-visible field lives in a module: data path, key parts, kind and text."""

    block: str
    field: str
    path: tuple[Any, ...]
    kind: FieldKind
    text: str


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_PREFIX = re.compile(r"^(\s*(?:>\s?)*\s*(?:#{1,6}[ \t]+|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d{1,9}[.)][ \t]+)?)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HR = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_ABBREV = {"e.g", "i.e", "etc", "vs", "cf", "approx", "dr", "mr", "mrs", "ms", "no", "fig", "st", "p", "pp"}
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*(\s+)(?=[\"'“‘(\[*_`<]*[A-Z0-9À-Ý])")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences (the whitespace between them stays with the preceding one).

    Never splits inside code, links, tags or emphasis, nor after common abbreviations.

    >>> split_sentences("Check the axis, e.g. where it starts. Then **compare. Both** bars! Done")
    ['Check the axis, e.g. where it starts. ', 'Then **compare. Both** bars! ', 'Done']
    """
    spans = markup_spans(text)
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        at = m.start(1)
        if any(s.start < at < s.end for s in spans):
            continue
        before = [s for s in spans if s.end <= at]
        if sum(s.kind == "open" for s in before) != sum(s.kind == "close" for s in before):
            continue
        word = re.search(r"([\w.]+)[.!?…][\"'”’)\]]*$", text[:at])
        if word and (word.group(1).lower() in _ABBREV or re.fullmatch(r"[A-Za-z]", word.group(1))):
            continue
        cuts.append(m.end(1))
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:]) if text[a:b]]


def _add_prose(parts: list[str | int], segs: list[str], text: str, split: bool = True) -> None:
    """Append ``text`` as segments (sentences), keeping outer whitespace in the skeleton."""
    for sentence in split_sentences(text) if split else [text]:
        core = sentence.strip()
        if not core or not re.search(r"[^\W\d_]", core):
            parts.append(sentence)
            continue
        lead = sentence[: len(sentence) - len(sentence.lstrip())]
        trail = sentence[len(sentence.rstrip()) :]
        if lead:
            parts.append(lead)
        parts.append(len(segs))
        segs.append(core)
        if trail:
            parts.append(trail)


def split_field(text: str, kind: FieldKind) -> FieldText:
    """Split one field's text into skeleton and segments (see the module docstring).

    >>> f = split_field("1. **Read** the title.\\n2. Find the axis.", "block")
    >>> f.segments
    ('**Read** the title.', 'Find the axis.')
    >>> f.join({}) == "1. **Read** the title.\\n2. Find the axis."
    True
    """
    parts: list[str | int] = []
    segs: list[str] = []
    if kind == "plain":
        _add_prose(parts, segs, text, split=False)
    elif kind == "inline":
        _add_prose(parts, segs, text)
    else:
        fence: str | None = None
        prev_blank = True
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            nl = line[len(body) :]
            if fence is not None:
                parts.append(line)
                if body.strip().startswith(fence) and set(body.strip()) == {fence[0]}:
                    fence = None
                continue
            m = _FENCE.match(body)
            if m:
                fence = m.group(1)
                parts.append(line)
                prev_blank = False
                continue
            if (
                not body.strip()
                or _HR.match(body)
                or _TABLE_SEP.match(body)
                or (prev_blank and re.match(r"^(?: {4}|\t)", body))
            ):
                parts.append(line)  # blank line, rule, table separator, indented code
                prev_blank = not body.strip()
                continue
            prev_blank = False
            if body.lstrip().startswith("|"):  # a table row: each cell is prose
                for cell in re.split(r"(\|)", body):
                    if cell == "|" or not cell.strip():
                        parts.append(cell)
                    else:
                        _add_prose(parts, segs, cell)
                parts.append(nl)
                continue
            prefix = _PREFIX.match(body).group(1)  # type: ignore[union-attr]
            parts.append(prefix)
            content = body[len(prefix) :]
            closing = re.search(r"[ \t]+#+[ \t]*$", content) if prefix.strip().startswith("#") else None
            tail = ""
            if closing:
                content, tail = content[: closing.start()], content[closing.start() :]
            _add_prose(parts, segs, content)
            parts.append(tail + nl)
    merged: list[str | int] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    return FieldText(tuple(merged), tuple(segs))


def module_fields(module: Module) -> Iterator[FieldRef]:
    """Every learner-visible field of a module, in reading order (empty ones skipped)."""
    for name, kind in MODULE_FIELDS.items():
        value = getattr(module, name)
        if isinstance(value, list):
            for i, v in enumerate(value):
                if v:
                    yield FieldRef(MODULE_BLOCK, f"{name}.{i}", (name, i), kind, v)
        elif value:
            yield FieldRef(MODULE_BLOCK, name, (name,), kind, value)
    for bi, block in enumerate(module.blocks):
        for fname, kind in FIELD_KINDS.get(block.type, {}).items():
            if "." not in fname:
                value = getattr(block, fname, None)
                if value:
                    yield FieldRef(block.id, fname, ("blocks", bi, fname), kind, value)
                continue
            listname, sub = fname.split(".")
            for j, item in enumerate(getattr(block, listname, [])):
                value = getattr(item, sub, None)
                item_key = getattr(item, "id", None) or str(j)
                if value:
                    yield FieldRef(
                        block.id, f"{listname}.{item_key}.{sub}", ("blocks", bi, listname, j, sub), kind, value
                    )


def module_segments(module: Module) -> list[Segment]:
    """All segments of a module, in reading order."""
    out: list[Segment] = []
    for ref in module_fields(module):
        for i, text in enumerate(split_field(ref.text, ref.kind).segments):
            out.append(Segment(module.id, ref.block, ref.field, i, text, ref.kind))
    return out


__all__ = [
    "FIELD_KINDS",
    "FieldRef",
    "FieldText",
    "MODULE_BLOCK",
    "Segment",
    "module_fields",
    "module_segments",
    "source_hash",
    "split_field",
    "split_sentences",
]
