"""What both builders share: save / undo / redo buttons, the unsaved-changes indicator, the conflict
warning with "overwrite" and "reload", the lint panel, and callbacks whose errors are shown in the
widget (an :class:`ipywidgets.Output`) instead of breaking it."""

from __future__ import annotations

import functools
import html
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as w

from ..content.editor import BaseEditor
from ..content.workspace import Workspace
from ..errors import ConflictError, MblibError, Problem

F = TypeVar("F", bound=Callable[..., Any])

_ICON = {"error": "&#x2716;", "warning": "&#x26A0;", "info": "&#x2139;"}
_COLOR = {"error": "#b00020", "warning": "#8a5a00", "info": "#1d4f91"}


#: CSS every builder carries (in a ``<style>`` of its own): labels, tabs and buttons are never cut at
#: the default JupyterLab width (they wrap instead), and required/elective use the shared palette.
BUILDER_CSS = """
.mblib-builder .widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.mblib-builder .widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto; max-width: none; min-width: max-content; }
.mblib-builder .widget-tab > .lm-TabBar { height: auto; min-height: var(--jp-widgets-horizontal-tab-height); }
.mblib-builder .lm-TabBar-tabLabel { overflow: visible; text-overflow: clip; }
.mblib-builder button.widget-button { width: auto; min-width: max-content; flex: 0 0 auto; }
.mblib-builder .mblib-row { flex-wrap: wrap; gap: 2px; }
"""


def builder_style() -> w.HTML:
    """The ``<style>`` element of :data:`BUILDER_CSS` and the palette's classes."""
    from ..render.palette import palette_css

    return w.HTML(f"<style>{BUILDER_CSS}{palette_css()}</style>", layout=w.Layout(height="0px", margin="0"))


def row(children: list[w.Widget]) -> w.HBox:
    """A row of buttons/fields that wraps rather than cutting its labels."""
    box = w.HBox(children)
    box.add_class("mblib-row")
    return box


def lint_html(problems: list[Problem]) -> str:
    """The lint panel's HTML: one line per finding with its rule, block and fix (text escaped)."""
    if not problems:
        return "<div class='mblib-lint' style='color:#1b5e20'>&#x2714; lint: no findings</div>"
    rows = []
    for p in problems:
        where = ", ".join(
            x
            for x in (
                f"block {p.location.block_id}" if p.location.block_id else "",
                f"field {p.location.field}" if p.location.field else "",
            )
            if x
        )
        fix = f"<br><small>fix: {html.escape(p.hint)}</small>" if p.hint else ""
        rows.append(
            f"<li style='color:{_COLOR[p.severity]}'>{_ICON[p.severity]} <code>{html.escape(p.code)}</code> "
            f"{html.escape(where)}: {html.escape(p.message)}{fix}</li>"
        )
    n_err = sum(p.severity == "error" for p in problems)
    head = f"lint: {n_err} error(s), {len(problems) - n_err} other finding(s)"
    return f"<div class='mblib-lint'><b>{head}</b><ul style='margin:2px 0;padding-left:18px'>{''.join(rows)}</ul></div>"


def guarded(fn: F) -> F:
    """Wrap a callback: an exception is shown in ``self.errors`` and the widget keeps working."""

    @functools.wraps(fn)
    def wrapper(self: BuilderBase, *args: Any, **kwargs: Any) -> Any:
        self.errors.outputs = ()
        try:
            return fn(self, *args, **kwargs)
        except MblibError as e:
            self.errors.append_stderr(f"{e}\n")
        except Exception:  # noqa: BLE001 - any failure is shown, never swallowed
            self.errors.append_stderr(traceback.format_exc())
        finally:
            try:
                self._refresh_state()
            except Exception:  # noqa: BLE001
                self.errors.append_stderr(traceback.format_exc())
        return None

    return wrapper  # type: ignore[return-value]


class BuilderBase(w.VBox):
    """Header and footer of a builder around an editor (:class:`~mblib.content.editor.BaseEditor`):
    the picker of items (open one, or create a new one), save, undo, redo, conflicts, lint, errors."""

    editor: Any

    def __init__(self, workspace: Workspace, editor_class: type[BaseEditor[Any]]) -> None:
        super().__init__(layout=w.Layout(width="100%"))
        self.add_class("mblib-builder")
        self.workspace = workspace
        self.editor_class = editor_class
        self.editor = None
        self._editors: dict[str, Any] = {}
        self._syncing = False
        noun = editor_class.kind
        self.picker = w.Dropdown(
            options=sorted(self._store()), value=None, description=noun.capitalize(), layout=w.Layout(width="380px")
        )
        self.new_id = w.Text(placeholder=f"new-{noun}-id", layout=w.Layout(width="180px"))
        self.create_button = w.Button(description=f"New {noun}", icon="file")
        self.picker.observe(
            lambda c: self.open_item(c["new"]) if c["new"] and not self._syncing else None, names="value"
        )
        self.create_button.on_click(lambda _: self.create_item(self.new_id.value.strip()))
        self.save_button = w.Button(description="Save", icon="save", tooltip="save the file (atomic)")
        self.undo_button = w.Button(description="Undo", icon="undo", disabled=True)
        self.redo_button = w.Button(description="Redo", icon="repeat", disabled=True)
        self.status = w.HTML()
        self.conflict_message = w.HTML()
        self.overwrite_button = w.Button(
            description="Overwrite",
            button_style="danger",
            icon="exclamation-triangle",
            tooltip="replace the file on disk with your version",
        )
        self.reload_button = w.Button(
            description="Reload", icon="refresh", tooltip="take the version on disk (Undo brings yours back)"
        )
        self.conflict_box = w.VBox(
            [self.conflict_message, row([self.overwrite_button, self.reload_button])],
            layout=w.Layout(display="none", border="2px solid #b00020", padding="4px"),
        )
        self.lint_panel = w.HTML()
        self.errors = w.Output(layout=w.Layout(max_height="200px", overflow="auto"))
        self.save_button.on_click(lambda _: self.save())
        self.undo_button.on_click(lambda _: self.undo())
        self.redo_button.on_click(lambda _: self.redo())
        self.overwrite_button.on_click(lambda _: self.save(force=True))
        self.reload_button.on_click(lambda _: self.reload())

    def _store(self) -> dict[str, Any]:
        return self.workspace.modules if self.editor_class.kind == "module" else self.workspace.credentials

    def picker_row(self) -> w.HBox:
        return row([builder_style(), self.picker, self.new_id, self.create_button])

    def toolbar(self) -> list[w.Widget]:
        return [self.save_button, self.undo_button, self.redo_button, self.status]

    # ------------------------------------------------------------ actions
    @guarded
    def open_item(self, item_id: str) -> None:
        """Edit an item of the workspace (unsaved work in the others is kept while you switch)."""
        if item_id not in self._editors:
            self._editors[item_id] = self.editor_class.open(self.workspace, item_id)
        self._activate(item_id)

    @guarded
    def create_item(self, item_id: str) -> None:
        """Start a new item from starter content; it is written on Save."""
        self._editors[item_id] = self.editor_class.create(self.workspace, item_id)
        self._activate(item_id)

    @guarded
    def save(self, force: bool = False) -> None:
        """Save the file; a conflict shows the warning with "overwrite" and "reload"."""
        if self.editor is not None:
            try:
                self.editor.save(force=force)
            except ConflictError as e:
                self._show_conflict(e)
                return
            self._hide_conflict()

    @guarded
    def undo(self) -> None:
        if self.editor is not None:
            self.editor.undo()
            self._changed(rebuild=True)

    @guarded
    def redo(self) -> None:
        if self.editor is not None:
            self.editor.redo()
            self._changed(rebuild=True)

    @guarded
    def reload(self) -> None:
        if self.editor is not None:
            self.editor.reload()
            self._hide_conflict()
            self._changed(rebuild=True)

    # ------------------------------------------------------------ views
    def _ed(self) -> Any:
        if self.editor is None:
            noun = self.editor_class.kind
            raise RuntimeError(f"no {noun} is open: pick one, or type an id and click 'New {noun}'")
        return self.editor

    def _activate(self, item_id: str) -> None:
        self.editor = self._editors[item_id]
        self._syncing = True
        try:
            options = sorted(set(self._store()) | set(self._editors))
            if list(self.picker.options) != options:
                self.picker.options = options
            self.picker.value = item_id
        finally:
            self._syncing = False
        self._activated()
        self._changed(rebuild=True)

    def _apply(self, change: Callable[[], Any]) -> None:
        """Run one editor change from a form; if it is refused, the form shows the model again."""
        try:
            change()
        except Exception:
            self._changed(rebuild=True)
            raise
        self._changed(rebuild=False)

    def _activated(self) -> None:
        """Hook: an item was just opened (subclasses reset their selection here)."""

    def _changed(self, rebuild: bool) -> None:
        """Refresh the views of the current snapshot (subclasses)."""

    def _show_conflict(self, e: ConflictError) -> None:
        self.conflict_message.value = (
            f"<b style='color:#b00020'>&#x26A0; Not saved: {html.escape(e.message)}.</b> "
            "Overwrite it with your version, or reload the file (Undo brings your "
            "version back)."
        )
        self.conflict_box.layout.display = "flex"

    def _hide_conflict(self) -> None:
        self.conflict_box.layout.display = "none"
        self.conflict_message.value = ""

    def _refresh_state(self) -> None:
        ed = self.editor
        self.undo_button.disabled = ed is None or not ed.can_undo
        self.redo_button.disabled = ed is None or not ed.can_redo
        if ed is None:
            self.status.value = ""
            return
        if ed.dirty:
            self.status.value = "<span class='mblib-status' style='color:#8a5a00'>&#x25CF; unsaved changes</span>"
            self.save_button.button_style = "warning"
        else:
            self.status.value = "<span class='mblib-status' style='color:#1b5e20'>&#x2714; saved</span>"
            self.save_button.button_style = ""

    def get_errors(self) -> str:
        """The text the error panel shows (for tests and notebooks)."""
        return "".join(o.get("text", "") for o in self.errors.outputs)


__all__ = ["BUILDER_CSS", "BuilderBase", "builder_style", "guarded", "lint_html", "row"]
