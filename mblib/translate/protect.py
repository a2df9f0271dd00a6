"""Markup protection: what a translation engine must never change.

Inline code, URLs, HTML tags and entities, emphasis and link markup,
``{placeholders}`` and glossary terms are replaced by numbered tokens
``<0>``, ``<1>``... before a segment goes to the engine, and put back exactly
afterwards. Emphasis and link markers hug the words they wrap again, even when
the engine put spaces around their tokens.

>>> p = protect("Run `df.head()` on **{name}**, see https://example.org.")
>>> p.text
'Run <0> on <1><2><3>, see <4>.'
>>> p.restore("Lancez <0> sur <1> <2> <3>, voir <4>.")
'Lancez `df.head()` sur **{name}**, voir https://example.org.'
>>> p.restore("Lancez sur <1><2><3>.")  # a lost token is appended and reported
'Lancez sur **{name}**. `df.head()` https://example.org'
>>> p.lost
['`df.head()`', 'https://example.org']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

TokenKind = Literal["atom", "open", "close"]

_PATTERNS = [
    ("code", r"(?P<ticks>`+)(?:(?!(?P=ticks)).)+?(?P=ticks)"),
    ("image", r"!\[[^\]]*\]\([^)]*\)"),
    ("link_end", r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"),
    ("autolink", r"<(?:https?|mailto):[^<>\s]+>"),
    ("url", r"(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"]"),
    ("tag", r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>"),
    ("entity", r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});"),
    ("placeholder", r"\{\{?[A-Za-z_][A-Za-z0-9_.:-]*\}?\}|%\([A-Za-z_]+\)[sdif]|%[sd]"),
    ("token", r"<\d+>"),  # a literal that looks like our own tokens
    ("link_open", r"\[(?=[^\]]*\]\()"),
    ("strong", r"\*\*|__(?=\w)|(?<=\w)__|~~"),
    ("em", r"\*(?=\S)|(?<=\S)\*|(?<![\w\\])_(?=\S)|(?<=\S)_(?!\w)"),
]
_MARKUP = re.compile("|".join(f"(?P<{name}>{pat})" for name, pat in _PATTERNS))
TOKEN = re.compile(r"<(\d+)>")


@dataclass(frozen=True)
class Span:
    """One protected piece of a segment: its text, where it starts and ends, and its kind."""

    start: int
    end: int
    text: str
    kind: TokenKind = "atom"
    name: str = "code"
    replacement: str | None = None  # glossary: the target term to restore instead of ``text``


@dataclass
class Protected:
    """A segment with its protected pieces replaced by ``<n>`` tokens."""

    source: str
    text: str
    spans: list[Span]
    lost: list[str] = field(default_factory=list)

    @property
    def translatable(self) -> bool:
        """False when nothing but tokens, digits and punctuation is left: no engine needed."""
        return bool(re.search(r"[^\W\d_]", TOKEN.sub("", self.text)))

    def restore(self, translated: str) -> str:
        """Put the protected pieces back into an engine's output; lost ones are appended
        (in order) and listed in :attr:`lost`; duplicated tokens are kept once."""
        self.lost = []
        translated = re.sub(r"[ \t]{2,}", " ", translated)  # engines pad tokens with spaces
        seen: set[int] = set()
        out: list[str] = []
        pos = 0
        for m in TOKEN.finditer(translated):
            n = int(m.group(1))
            chunk = translated[pos : m.start()]
            pos = m.end()
            if n >= len(self.spans) or n in seen:
                out.append(chunk)
                continue
            seen.add(n)
            span = self.spans[n]
            if span.kind == "close":
                chunk = chunk.rstrip()
            out.append(chunk)
            out.append(span.replacement if span.replacement is not None else span.text)
            if span.kind == "open":
                rest = translated[pos:]
                pos += len(rest) - len(rest.lstrip())
        out.append(translated[pos:])
        text = "".join(out)
        missing = [s for i, s in enumerate(self.spans) if i not in seen]
        if missing:
            self.lost = [s.text for s in missing]
            text = (text.rstrip() + " " + " ".join(s.replacement or s.text for s in missing)).strip()
        return text


def markup_spans(text: str) -> list[Span]:
    """Every protected piece of ``text`` in order, with emphasis and links paired as open/close.

    >>> [(s.text, s.kind) for s in markup_spans("See [the *guide*](https://x.org) now")]
    [('[', 'open'), ('*', 'open'), ('*', 'close'), ('](https://x.org)', 'close')]
    """
    spans: list[Span] = []
    open_marks: dict[str, int] = {}
    for m in _MARKUP.finditer(text):
        name = m.lastgroup or "code"
        kind: TokenKind = "atom"
        if name == "link_open":
            kind = "open"
        elif name == "link_end":
            kind = "close"
        elif name in ("strong", "em"):
            mark = m.group(0)
            if open_marks.get(mark, 0) % 2 == 0:
                kind = "open"
            else:
                kind = "close"
            open_marks[mark] = open_marks.get(mark, 0) + 1
        spans.append(Span(m.start(), m.end(), m.group(0), kind, name))
    return spans


def protect(text: str, terms: Iterable[tuple[str, str | None]] = ()) -> Protected:
    """Replace markup (and glossary ``terms``: ``(source term, target or None to keep)``) by tokens.

    >>> p = protect("A bar chart in mblib", terms=[("bar chart", "diagramme en barres"), ("mblib", None)])
    >>> p.text, p.restore("Un <0> dans <1>")
    ('A <0> in <1>', 'Un diagramme en barres dans mblib')
    """
    spans = markup_spans(text)
    for term, target in terms:
        if not term:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text, flags=re.IGNORECASE):
            if any(s.start < m.end() and m.start() < s.end for s in spans):
                continue
            spans.append(Span(m.start(), m.end(), m.group(0), "atom", "glossary", target))
    spans.sort(key=lambda s: s.start)
    parts: list[str] = []
    pos = 0
    for i, s in enumerate(spans):
        parts.append(text[pos : s.start])
        parts.append(f"<{i}>")
        pos = s.end
    parts.append(text[pos:])
    return Protected(text, "".join(parts), spans)


__all__ = ["Protected", "Span", "TOKEN", "markup_spans", "protect"]
