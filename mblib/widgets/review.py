"""``TranslationReview``: pick a module and a language, translate with a progress bar, then review.

Source and target sit side by side per segment; edit a target and approve it
(it becomes ``reviewed`` and wins over any later machine run); filter to stale,
unreviewed or glossary-flagged segments. All logic lives in
:mod:`mblib.translate.apply`; the widget only wires it.

>>> import tempfile, pathlib
>>> from mblib.content import Workspace, Module
>>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws", target_languages=["fr"])
>>> _ = ws.save_module(Module(id="m", title="Hello"))
>>> w = TranslationReview(ws)
>>> [r.state for r in w.rows]
['missing']
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..translate.apply import ReviewRow, review_rows, review_segment, translate_module

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace
    from ..translate.engines import Engine

FILTERS = ("all", "stale", "unreviewed", "glossary")


class TranslationReview(widgets.VBox):
    """Review translations of one module in one language (see the module docstring)."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        module: str | None = None,
        language: str | None = None,
        engine: Engine | None = None,
        **kw: Any,
    ):
        from ..translate.store import translation_languages

        self.workspace = workspace
        self.engine = engine
        langs = list(
            dict.fromkeys([*workspace.settings.workspace.target_languages, *translation_languages(workspace)])
        ) or ["fr"]
        self.module_picker = widgets.Dropdown(
            options=sorted(workspace.modules),
            value=module or (sorted(workspace.modules)[0] if workspace.modules else None),
            description="Module",
        )
        self.language_picker = widgets.Dropdown(options=langs, value=language or langs[0], description="Language")
        self.filter = widgets.ToggleButtons(options=FILTERS, value="all", description="Show")
        self.translate_button = widgets.Button(description="Translate", icon="language", button_style="primary")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Progress")
        self.status = widgets.HTML()
        self.errors = widgets.Output()
        self.table = widgets.VBox()
        self.editors: dict[str, widgets.Textarea] = {}
        self.translate_button.on_click(lambda _b: self.run())
        for w in (self.module_picker, self.language_picker, self.filter):
            w.observe(lambda _c: self.refresh(), names="value")
        super().__init__(
            [
                widgets.HBox([self.module_picker, self.language_picker, self.translate_button]),
                self.filter,
                self.progress,
                self.status,
                self.errors,
                self.table,
            ],
            **kw,
        )
        self.refresh()

    # ----------------------------------------------------------------- actions
    @property
    def rows(self) -> list[ReviewRow]:
        """The rows the current filter shows."""
        if not self.module_picker.value:
            return []
        return review_rows(self.workspace, self.module_picker.value, self.language_picker.value, self.filter.value)

    def run(self) -> None:
        """Translate the picked module (only new or changed segments), updating the progress bar."""

        def progress(done: int, total: int) -> None:
            self.progress.max = max(total, 1)
            self.progress.value = done

        self.errors.clear_output()
        try:
            result = translate_module(
                self.workspace,
                self.module_picker.value,
                self.language_picker.value,
                engine=self.engine,
                progress=progress,
            )
            self.status.value = html.escape(str(result))
        except Exception as e:  # shown in the widget; the UI keeps working
            self.errors.append_stdout(f"error: {e}\n")
            self.status.value = f"<b>translation failed</b>: {html.escape(str(e).splitlines()[0])}"
        self.refresh()

    def approve(self, key: str, target: str | None = None) -> None:
        """Mark a segment reviewed, with ``target`` or the text in its editor."""
        text = target if target is not None else (self.editors[key].value if key in self.editors else None)
        try:
            review_segment(self.workspace, self.module_picker.value, self.language_picker.value, key, text)
        except Exception as e:  # shown in the widget; the UI keeps working
            self.errors.append_stdout(f"error: {e}\n")
        self.refresh()

    # ----------------------------------------------------------------- display
    def refresh(self) -> None:
        rows = self.rows
        self.editors = {}
        lines = []
        for r in rows:
            editor = widgets.Textarea(value=r.target, layout=widgets.Layout(width="45%"))
            self.editors[r.key] = editor
            button = widgets.Button(description="Approve", disabled=r.state == "reviewed")
            button.on_click(lambda _b, key=r.key: self.approve(key))
            note = f" — {html.escape('; '.join(r.flags))}" if r.flags else ""
            source = widgets.HTML(
                f"<small>{html.escape(r.key)} · <b>{r.state}</b>{note}</small><br>{html.escape(r.source)}",
                layout=widgets.Layout(width="45%"),
            )
            lines.append(widgets.HBox([source, editor, button]))
        self.table.children = lines
        counts: dict[str, int] = {}
        for r in (
            review_rows(self.workspace, self.module_picker.value, self.language_picker.value)
            if self.module_picker.value
            else []
        ):
            counts[r.state] = counts.get(r.state, 0) + 1
        self.status.value = " · ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no segments"


__all__ = ["TranslationReview"]
