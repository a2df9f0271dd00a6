"""Markdown to safe HTML: markdown-it-py for parsing, nh3 (ammonia) for sanitising.

Whatever a designer types (raw HTML included) passes through an allow-list:
no scripts, no event handlers, no ``javascript:`` URLs, no inline styles.

>>> to_html("Hello **you** <script>alert(1)</script>")
'<p>Hello <strong>you</strong> </p>'
>>> to_inline_html('[x](javascript:alert(1)) <img src=x onerror=alert(1)>')
'[x](javascript:alert(1)) <img src="x">'
>>> to_html("# Title", heading_offset=1)
'<h2>Title</h2>'
>>> to_plain_text("Is **this** a *bar* chart?")
'Is this a bar chart?'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "*": {"lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Classes Markdown may carry: only the marker of a segment shown in the source language (translation fallback).
ALLOWED_CLASSES = {"span": {"mb-fallback"}}


@lru_cache(maxsize=1)
def _md() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    return md


def sanitize_html(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=4096)  # pure: a live preview re-renders only the text that changed
def to_html(text: str | None, *, heading_offset: int = 1) -> str:
    """Block Markdown to sanitised HTML. Headings move down ``heading_offset`` levels
    (the page title is the only ``h1``)."""
    if not text:
        return ""
    md = _md()
    tokens = md.parse(text)
    if heading_offset:
        for t in tokens:
            if t.type in ("heading_open", "heading_close"):
                level = min(6, int(t.tag[1]) + heading_offset)
                t.tag = f"h{level}"
    html = md.renderer.render(tokens, md.options, {})
    return sanitize_html(html).strip()


@lru_cache(maxsize=4096)
def to_inline_html(text: str | None) -> str:
    """Inline Markdown (no paragraphs) to sanitised HTML, for titles, choices and list items."""
    if not text:
        return ""
    return sanitize_html(_md().renderInline(text)).strip()


@lru_cache(maxsize=4096)
def to_plain_text(text: str | None) -> str:
    """Markdown as the plain words a reader sees, on one line: markup, tags and link targets dropped.

    For labels outside a page (chart axes, report tables), which escape their text themselves.

    >>> to_plain_text("What is the **median** of [these](https://x.org)?\\n\\n`2 < 3` <b>now</b>")
    'What is the median of these? 2 < 3 now'
    >>> to_plain_text("![a chart](media/a.svg)")
    ''
    """
    if not text:
        return ""
    import html

    import nh3

    words = nh3.clean(_md().render(text), tags=set(), strip_comments=True)
    return " ".join(html.unescape(words).split())


__all__ = ["sanitize_html", "to_html", "to_inline_html", "to_plain_text"]
