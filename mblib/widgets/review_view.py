"""How :class:`~mblib.widgets.review.TranslationReview` shows its rows: grouped by block, a page
at a time, source and target side by side (Markdown rendered, raw on demand).

>>> field_label("intro/body/1"), field_label("quiz-1/choices.a.text/0"), field_label("_module/title/0")
('body, part 2', 'choice a, text', 'title')
>>> [(b, len(rows)) for b, rows in group_by_block(["_module/title/0", "intro/body/0", "intro/body/1"])]
[('_module', 1), ('intro', 2)]
>>> pages([("a", [1] * 15), ("b", [1] * 10), ("c", [1])], per_page=20)
[[0], [1, 2]]
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipywidgets as w

from ..render.markdown import to_html
from ..translate.apply import ReviewRow

T = TypeVar("T")

#: About this many segments per page (a page holds whole blocks).
PAGE_ROWS = 20

STATE_COLORS = {"missing": "#b00020", "stale": "#8a5a00", "machine": "#1f5fa8", "reviewed": "#1b5e20"}


def _key_parts(key: str) -> tuple[str, str, int]:
    block, fld, index = key.rsplit("/", 2)
    return block, fld, int(index) if index.isdigit() else 0


def field_label(key: str) -> str:
    """A segment key as words: ``intro/body/1`` -> ``body, part 2``."""
    _, fld, index = _key_parts(key)
    parts = fld.split(".")
    if len(parts) == 3:  # items: choices.a.text
        name = parts[0][:-1] if parts[0].endswith("s") else parts[0]
        text = f"{name} {parts[1]}, {parts[2]}"
    elif len(parts) == 2 and parts[1].isdigit():  # objectives.0
        text = f"{parts[0][:-1] if parts[0].endswith('s') else parts[0]} {int(parts[1]) + 1}"
    else:
        text = fld.replace("_", " ")
    return f"{text}, part {index + 1}" if index else text


def group_by_block(items: Sequence[T], key: Callable[[T], str] = str) -> list[tuple[str, list[T]]]:
    """Consecutive items of the same block together, in order."""
    groups: list[tuple[str, list[T]]] = []
    for item in items:
        block = _key_parts(key(item))[0]
        if groups and groups[-1][0] == block:
            groups[-1][1].append(item)
        else:
            groups.append((block, [item]))
    return groups


def pages(groups: Sequence[tuple[str, Sequence[Any]]], per_page: int = PAGE_ROWS) -> list[list[int]]:
    """Indexes of the groups on each page: whole groups, about ``per_page`` rows a page."""
    out: list[list[int]] = []
    count = per_page
    for i, (_, rows) in enumerate(groups):
        if count + len(rows) > per_page and count > 0:
            out.append([])
            count = 0
        out[-1].append(i)
        count += len(rows)
    return out


def _cell(text: str, raw: bool, lang: str) -> str:
    if raw:
        return f"<pre class='mblib-raw' lang='{html.escape(lang)}' style='white-space:pre-wrap;margin:0'>{html.escape(text)}</pre>"
    return f"<div class='mblib-rendered' lang='{html.escape(lang)}'>{to_html(text)}</div>"


class RowView(w.HBox):
    """One segment: source | target (rendered, or an editor) | actions."""

    def __init__(
        self, row: ReviewRow, *, raw: bool, source_lang: str, target_lang: str, on_approve: Callable[[str], None]
    ):
        super().__init__(layout=w.Layout(width="100%", border_bottom="1px solid #eee", padding="2px 0"))
        self.add_class("mblib-review-row")
        self.row = row
        color = STATE_COLORS.get(row.state, "#333")
        flags = f" <span style='color:#8a5a00'>&#x26A0; {html.escape('; '.join(row.flags))}</span>" if row.flags else ""
        head = (
            f"<small>{html.escape(field_label(row.key))} · <b style='color:{color}' class='mblib-state'>"
            f"{row.state}</b>{flags}</small>"
        )
        self.source = w.HTML(head + _cell(row.source, raw, source_lang), layout=w.Layout(width="44%"))
        self.target = w.HTML(
            _cell(row.target, raw, target_lang) if row.target else "<i style='color:#b00020'>not translated yet</i>",
            layout=w.Layout(width="100%"),
        )
        self.editor = w.Textarea(
            value=row.target,
            placeholder=f"type the {target_lang} text",
            rows=max(2, min(12, row.target.count("\n") + 2, len(row.source) // 60 + 2)),
            layout=w.Layout(width="100%", display="flex" if raw else "none"),
        )
        self.target.layout.display = "none" if raw else "flex"
        self.edit_button = w.Button(description="Edit", icon="pencil", tooltip="edit the raw target text")
        self.approve_button = w.Button(
            description="Approve",
            icon="check",
            button_style="success",
            tooltip="mark this translation reviewed (a later machine run keeps it)",
        )
        self.edit_button.on_click(lambda _b: self.open_editor())
        self.approve_button.on_click(lambda _b: on_approve(row.key))
        self.editor.observe(lambda _c: self._sync(), names="value")
        self._sync()
        actions = w.VBox([self.edit_button, self.approve_button], layout=w.Layout(width="auto", flex="0 0 auto"))
        self.children = [self.source, w.VBox([self.target, self.editor], layout=w.Layout(width="44%")), actions]

    def open_editor(self) -> None:
        self.editor.layout.display = "flex"
        self.target.layout.display = "none"

    def _sync(self) -> None:
        """Approve needs a translation: disabled while the target is empty (or already reviewed and unchanged)."""
        text = self.editor.value.strip()
        self.approve_button.disabled = not text or (
            self.row.state == "reviewed" and self.editor.value == self.row.target
        )
        self.approve_button.tooltip = (
            "nothing to approve yet: translate it, or type the translation with Edit"
            if not text
            else "mark this translation reviewed (a later machine run keeps it)"
        )


def block_heading(block_id: str, title: str) -> w.HTML:
    heading = w.HTML(
        f"<div class='mblib-review-block' style='margin-top:8px;padding:2px 4px;background:#f2f5f9;"
        f"border-left:4px solid #1f5fa8'><b>{html.escape(title)}</b> <code>{html.escape(block_id)}</code></div>"
    )
    return heading


__all__ = ["PAGE_ROWS", "RowView", "block_heading", "field_label", "group_by_block", "pages"]
