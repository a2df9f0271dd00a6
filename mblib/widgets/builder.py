"""``ModuleBuilder``: build a module in JupyterLab without writing YAML.

Every action is a call into :class:`mblib.content.editing.ModuleEditor`; forms come from
:mod:`mblib.content.forms` through the generic renderer :class:`mblib.widgets.forms.FieldForm`.

>>> import pathlib, shutil, tempfile
>>> from mblib.content import Workspace
>>> src = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace"
>>> ws = Workspace.open(shutil.copytree(src, pathlib.Path(tempfile.mkdtemp()) / "ws"))
>>> b = ModuleBuilder(ws, "reading-bar-charts")
>>> b.block_type.value = "callout"; b.add_button.click()
>>> b.blocks.value, "unsaved" in b.status.value, 'data-block-id="callout-1"' in b.preview.html
('callout-1', True, True)
>>> b.preview.focus["id"], b.blocks.ids.index("callout-1")
('callout-1', 1)
>>> b.save_button.click(); "saved" in b.status.value
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from ..content.blocks import BLOCK_TYPES
from ..content.editing import ModuleEditor
from ..content.forms import block_form, form_for, parse_form
from ..content.module import Module
from ..content.workspace import Workspace
from ..render.page import Page, render_module
from ._base import BuilderBase, guarded, lint_html, row
from .blocklist import BlockList, block_library
from .forms import FieldForm
from .preview import PREVIEW_CSS, PREVIEW_SCRIPT, PagePreview

#: Module fields the settings form leaves out (the id is the file name; blocks have their own list).
_MODULE_SKIP = ("id", "blocks")


class ModuleBuilder(BuilderBase):
    """Open or create a module; add, edit, duplicate, delete and reorder blocks; see a live preview,
    lint and the duration against the budget; save with undo/redo and an unsaved-changes indicator.

    ``insights`` maps block ids to objects with a ``summary`` text (e.g. learner analytics:
    "38% of learners stop here"), shown beside each block in the list.
    """

    def __init__(
        self, workspace: Workspace, module_id: str | None = None, *, insights: Mapping[str, Any] | None = None
    ):
        super().__init__(workspace, ModuleEditor)
        self.insights: Mapping[str, Any] = insights or {}
        self._selected: str | None = None
        self.editor: ModuleEditor | None = None
        # block list and actions
        self.blocks = BlockList(on_move=self.move_to, layout=w.Layout(width="100%"))
        self.block_type = w.Dropdown(
            options=block_library(),
            value=next(iter(BLOCK_TYPES)),
            tooltip="the block library: every block type with what it is for",
            layout=w.Layout(width="auto", flex="1 1 auto", min_width="0"),
        )
        self.add_button = w.Button(
            description="Add block",
            icon="plus",
            button_style="primary",
            tooltip="add a block of the chosen type after the selected one",
        )
        self.up_button = w.Button(description="Up", icon="arrow-up", layout=w.Layout(width="auto"))
        self.down_button = w.Button(description="Down", icon="arrow-down", layout=w.Layout(width="auto"))
        self.duplicate_button = w.Button(description="Duplicate", icon="copy", layout=w.Layout(width="auto"))
        self.delete_button = w.Button(description="Delete", icon="trash", layout=w.Layout(width="auto"))
        self.block_title = w.HTML()
        self.form_box = w.VBox(layout=w.Layout(width="100%"))
        self.module_form_box = w.VBox()
        self.settings = w.Accordion(children=[self.module_form_box], titles=("Module settings",), selected_index=None)
        self.duration = w.HTML()
        self.preview = PagePreview(layout=w.Layout(width="100%"))
        self._focus: str | None = None  # the block the preview scrolls to and highlights on the next update
        self._preview_of: tuple[Module, Page] | None = None
        self.form: FieldForm | None = None
        self.module_form: FieldForm | None = None
        # wiring: every callback is a call into the editor, guarded
        self.blocks.observe(lambda c: self._select(c["new"]) if not self._syncing else None, names="value")
        self.add_button.on_click(lambda _: self.add_block(self.block_type.value))
        self.up_button.on_click(lambda _: self.move(-1))
        self.down_button.on_click(lambda _: self.move(1))
        self.duplicate_button.on_click(lambda _: self.duplicate())
        self.delete_button.on_click(lambda _: self.delete())
        left = w.VBox(
            [
                w.HTML("<b>Blocks</b> <small>(drag, or Alt+Up / Alt+Down, to reorder)</small>"),
                self.blocks,
                row([self.up_button, self.down_button, self.duplicate_button, self.delete_button]),
                w.HTML("<b>Add a block</b> <small>after the selected one</small>"),
                row([self.block_type, self.add_button]),
                self.block_title,
                self.form_box,
                self.settings,
            ],
            layout=w.Layout(width="48%", padding="0 8px 0 0"),
        )
        right = w.VBox([w.HTML("<b>Preview</b>"), self.preview, self.lint_panel], layout=w.Layout(width="52%"))
        self.children = [
            self.picker_row(),
            row([*self.toolbar(), self.duration]),
            self.conflict_box,
            self.errors,
            w.HBox([left, right], layout=w.Layout(width="100%")),
        ]
        if module_id is not None:
            self.open_item(module_id)
        else:
            self._refresh_state()

    # ------------------------------------------------------------ actions (each one editor call)
    @guarded
    def add_block(self, block_type: str) -> None:
        ed = self._ed()
        self._selected = ed.add_block(block_type, after=self._selected if self._selected in ed.block_ids() else None)
        self._focus = self._selected
        self._changed(rebuild=True)

    @guarded
    def move(self, offset: int) -> None:
        if self._selected:
            self._ed().move_block(self._selected, offset)
            self._focus = self._selected
            self._changed(rebuild=False)

    @guarded
    def move_to(self, block_id: str, index: int) -> None:
        """Move a block to position ``index`` (what drag and drop and Alt+Up/Down do) and select it."""
        self._ed().move_block_to(block_id, index)
        if block_id != self._selected:
            self._selected = block_id
            self._build_form()
        self._focus = block_id
        self._changed(rebuild=False)

    @guarded
    def duplicate(self) -> None:
        if self._selected:
            self._selected = self._ed().duplicate_block(self._selected)
            self._focus = self._selected
            self._changed(rebuild=True)

    @guarded
    def delete(self) -> None:
        if self._selected:
            ed = self._ed()
            i = ed.index_of(self._selected)
            ed.delete_block(self._selected)
            ids = ed.block_ids()
            self._selected = ids[min(i, len(ids) - 1)] if ids else None
            self._changed(rebuild=True)

    @guarded
    def edit_block(self, values: Mapping[str, Any]) -> None:
        """Apply the block form's values (an invalid value is reported and the form shows the model again)."""
        self._focus = self._selected
        self._apply(lambda: self._ed().update_block_form(self._selected or "", values))

    @guarded
    def edit_module(self, values: Mapping[str, Any]) -> None:
        self._apply(lambda: self._ed().update(**parse_form(form_for(Module, skip=_MODULE_SKIP), values)))

    @guarded
    def _select(self, block_id: str | None) -> None:
        self._selected = block_id
        self._build_form()
        if block_id:  # the preview scrolls to the block and highlights it
            self.preview.point_at(block_id)

    def preview_page(self) -> Page:
        """The current snapshot rendered as learners will see it (:func:`mblib.render.render_module`);
        rendered once per snapshot."""
        ed = self._ed()
        if self._preview_of is None or self._preview_of[0] is not ed.current:
            page = render_module(ed.current, self.workspace, scripts=[PREVIEW_SCRIPT], styles=[PREVIEW_CSS])
            self._preview_of = (ed.current, page)
        return self._preview_of[1]

    def refresh(self) -> None:
        """Redraw everything (e.g. after changing :attr:`insights`)."""
        self._changed(rebuild=True)
        self._refresh_state()

    # ------------------------------------------------------------ views
    def _activated(self) -> None:
        ids = self._ed().block_ids()
        self._selected = ids[0] if ids else None

    def _changed(self, rebuild: bool) -> None:
        ed = self._ed()
        blocks = ed.current.blocks
        if self._selected not in ed.block_ids():
            self._selected = blocks[0].id if blocks else None
            rebuild = True
        self._syncing = True
        try:
            notes = {k: str(v.summary) for k, v in self.insights.items()}
            self.blocks.set_blocks(list(blocks), notes)
            self.blocks.value = self._selected
        finally:
            self._syncing = False
        if rebuild:
            self._build_form()
            self._build_module_form()
        focus, self._focus = self._focus, None
        self.preview.title = f"Preview of {ed.current.title}"
        self.preview.show(self.preview_page().html, block_id=focus, flash=focus is not None)
        self.lint_panel.value = lint_html(ed.lint())
        d = ed.duration()
        color = "#b00020" if d.over else "#1b5e20"
        self.duration.value = f"<span class='mblib-duration' style='color:{color};margin-left:1.5em'>duration: {html.escape(str(d))}</span>"

    def _build_form(self) -> None:
        ed = self._ed()
        if self._selected is None:
            self.form = None
            self.form_box.children = ()
            self.block_title.value = "<i>no blocks yet: add one</i>"
            return
        block = ed.block(self._selected)
        specs = block_form(block.type)
        insight = self.insights.get(block.id)
        note = f" <span class='mblib-insight'>({html.escape(insight.summary)})</span>" if insight is not None else ""
        self.block_title.value = (
            f"<b>{html.escape(BLOCK_TYPES[block.type].label)} block <code>{html.escape(block.id)}</code></b>{note}"
        )
        self.form = FieldForm(specs, {s.name: getattr(block, s.name) for s in specs}, self.edit_block)
        self.form_box.children = (self.form,)

    def _build_module_form(self) -> None:
        m = self._ed().current
        specs = form_for(Module, skip=_MODULE_SKIP)
        self.module_form = FieldForm(specs, {s.name: getattr(m, s.name) for s in specs}, self.edit_module)
        self.module_form_box.children = (self.module_form,)


__all__ = ["ModuleBuilder"]
