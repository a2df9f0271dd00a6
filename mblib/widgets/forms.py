"""A generic ipywidgets renderer of :class:`~mblib.content.forms.FieldSpec` lists.

One control per field kind; it knows no block type, so a block type added to
the content model gets its form with no widget code. Values go in and out as
form values (:func:`mblib.content.forms.form_value`); parsing them into model
data is the library's job.

>>> from mblib.content.blocks import QuizBlock
>>> from mblib.content.forms import form_for
>>> seen = []
>>> form = FieldForm(form_for(QuizBlock), {"question": "Why?", "choices": [{"id": "a", "text": "A"}]}, seen.append)
>>> form.controls["question"].value = "Why not?"
>>> seen[-1]["question"], seen[-1]["choices"][0]["id"]
('Why not?', 'a')
>>> form.items["choices"].add_button.click()
>>> [c["id"] for c in seen[-1]["choices"]]
['a', 'b']
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w

from ..content.forms import FieldSpec, form_value, new_item_data


def label_width(specs: Sequence[FieldSpec]) -> str:
    """Room for the longest label of a form (about 7.2 px a character, and the padding), 150 px at most: narrow
    forms (a quiz choice) keep their inputs wide, and no label is cut.

    >>> from mblib.content.blocks import Choice
    >>> from mblib.content.forms import form_for
    >>> label_width(form_for(Choice, skip=()))
    '110px'
    """
    longest = max((len(s.label) + (2 if s.required else 0) for s in specs), default=0)
    return f"{min(150, max(60, round(longest * 7.2 + 16)))}px"


_FULL = w.Layout(width="98%")
#: Rows of a growing text editor: at least this many, at most that many (then it scrolls).
MIN_ROWS, MAX_ROWS = 4, 24


def grow_rows(text: str, *, minimum: int = MIN_ROWS, width_chars: int = 60) -> int:
    """Rows a text editor needs to show ``text`` without scrolling (between ``minimum`` and :data:`MAX_ROWS`).

    >>> grow_rows("one line"), grow_rows("a\\n" * 10), grow_rows("x" * 600)
    (4, 12, 11)
    """
    lines = sum(max(1, -(-len(line) // width_chars)) for line in (text or "").split("\n"))
    return max(minimum, min(MAX_ROWS, lines + 1))


def content_first(specs: Sequence[FieldSpec]) -> list[FieldSpec]:
    """Fields in the order a designer fills them: internal ids after the content fields."""
    return [s for s in specs if s.name != "id"] + [s for s in specs if s.name == "id"]


def control_for(spec: FieldSpec, value: Any, *, width: str = "150px") -> w.Widget:
    """The input widget of one simple field kind (text, markdown, number, integer, bool, choice, lines)."""
    tip = spec.description or spec.label
    common = dict(
        description=spec.label + (" *" if spec.required else ""),
        tooltip=tip,
        style={"description_width": width},
        layout=w.Layout(width="98%"),
    )
    kind = spec.kind
    if kind == "bool":
        return w.Checkbox(value=bool(value), indent=False, **common)
    if kind == "choice":
        options = [("(none)", "")] if spec.optional else []
        options += [(str(c), c) for c in spec.choices]
        return w.Dropdown(options=options, value="" if value is None else value, **common)
    if kind in ("number", "integer") and not spec.optional:
        cls = w.FloatText if kind == "number" else w.IntText
        return cls(value=value if value not in (None, "") else (spec.default or 0), continuous_update=False, **common)
    if kind in ("markdown", "lines"):
        minimum = 3 if kind == "lines" else MIN_ROWS
        area = w.Textarea(
            value=value or "",
            rows=grow_rows(value or "", minimum=minimum),
            continuous_update=False,
            placeholder="one per line" if kind == "lines" else tip,
            **common,
        )
        area.observe(lambda c: setattr(area, "rows", grow_rows(c["new"], minimum=minimum)), names="value")
        return area
    return w.Text(value="" if value is None else str(value), continuous_update=False, placeholder=tip, **common)


class ItemsEditor(w.VBox):
    """A list of sub-forms (quiz choices, cards, panels...) with add and remove buttons."""

    def __init__(self, spec: FieldSpec, items: Sequence[Mapping[str, Any]], on_change: Callable[[], None]):
        super().__init__(layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0", width="98%"))
        self.spec = spec
        self._on_change = on_change
        self.forms: list[FieldForm] = []
        self.add_button = w.Button(
            description=f"Add {spec.label.lower()} item", icon="plus", tooltip=f"add an item to {spec.label}"
        )
        self.add_button.on_click(lambda _: self._add())
        self._build([dict(i) for i in items])

    def _build(self, items: list[dict[str, Any]]) -> None:
        self.forms = []
        rows: list[w.Widget] = [w.HTML(f"<b>{self.spec.label}</b> <small>{self.spec.description}</small>")]
        for n, item in enumerate(items):
            form = FieldForm(self.spec.item_fields, item, lambda _v: self._on_change())
            form.layout.flex = "1 1 auto"
            form.layout.min_width = "0"
            remove = w.Button(
                description="Remove",
                icon="trash",
                tooltip=f"remove item {n + 1}",
                layout=w.Layout(width="auto", min_width="max-content", flex="0 0 auto"),
            )
            remove.add_class("mblib-remove")
            remove.on_click(lambda _b, n=n: self._remove(n))
            self.forms.append(form)
            rows.append(w.HBox([form, remove], layout=w.Layout(border_bottom="1px dotted #ccc", width="100%")))
        rows.append(self.add_button)
        self.children = rows

    def value(self) -> list[dict[str, Any]]:
        return [f.values() for f in self.forms]

    def _add(self) -> None:
        items = self.value()
        items.append(
            {
                k: form_value(next(s for s in self.spec.item_fields if s.name == k), v)
                for k, v in new_item_data(self.spec, items).items()
            }
        )
        self._build(items)
        self._on_change()

    def _remove(self, n: int) -> None:
        items = self.value()
        del items[n]
        self._build(items)
        self._on_change()


class FieldForm(w.VBox):
    """A form for ``specs`` filled with form ``values``; ``on_change(values)`` runs after every edit."""

    def __init__(
        self,
        specs: Sequence[FieldSpec],
        values: Mapping[str, Any],
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ):
        super().__init__(layout=w.Layout(width="100%"))
        self.specs = content_first(specs)
        self._on_change = on_change
        self._quiet = False
        self.controls: dict[str, w.Widget] = {}
        self.items: dict[str, ItemsEditor] = {}
        self.groups: dict[str, FieldForm] = {}
        #: Why the last edit was refused (a required field emptied), shown under the form.
        self.notice = w.HTML(layout=w.Layout(width="98%"))
        self.notice.add_class("mblib-form-notice")
        self._last_valid: dict[str, Any] = {}
        children: list[w.Widget] = []
        width = label_width([s for s in self.specs if s.kind not in ("items", "group", "bool")])
        for spec in self.specs:
            shown = form_value(spec, values.get(spec.name, spec.default))
            if spec.kind == "items":
                ed = ItemsEditor(spec, shown, self._changed)
                self.items[spec.name] = ed
                children.append(ed)
            elif spec.kind == "group":
                sub = FieldForm(spec.item_fields, shown or {}, lambda _v: self._changed())
                sub.layout = w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0", width="98%")
                self.groups[spec.name] = sub
                children.append(w.VBox([w.HTML(f"<b>{spec.label}</b> <small>{spec.description}</small>"), sub]))
            else:
                ctl = control_for(spec, shown, width=width)
                ctl.observe(lambda c, spec=spec: self._edited(spec, c["new"]), names="value")
                self.controls[spec.name] = ctl
                self._last_valid[spec.name] = shown
                children.append(ctl)
        children.append(self.notice)
        self.children = children

    def values(self) -> dict[str, Any]:
        """Form values of every field."""
        out: dict[str, Any] = {name: c.value for name, c in self.controls.items()}
        out.update({name: ed.value() for name, ed in self.items.items()})
        out.update({name: g.values() for name, g in self.groups.items()})
        return out

    def _edited(self, spec: FieldSpec, value: Any) -> None:
        """A required text field emptied keeps its last valid value and the form says why."""
        if self._quiet:
            return
        if spec.required and spec.kind in ("text", "markdown") and not str(value or "").strip():
            self.notice.value = (
                f"<span style='color:#b00020'>&#x26A0; '{html.escape(spec.label)}' is required: it cannot be "
                "empty, so its last text is kept. Type the new text over it.</span>"
            )
            self._quiet = True
            try:
                self.controls[spec.name].value = self._last_valid[spec.name]
            finally:
                self._quiet = False
            return
        self._last_valid[spec.name] = value
        self.notice.value = ""
        self._changed()

    def _changed(self) -> None:
        if not self._quiet and self._on_change is not None:
            self._on_change(self.values())


__all__ = ["FieldForm", "ItemsEditor", "content_first", "control_for", "grow_rows", "label_width"]
