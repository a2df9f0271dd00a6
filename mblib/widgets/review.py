"""``TranslationReview``: pick a module and a language, translate with a progress bar, then review.

Segments are grouped by block, a page at a time; source and target sit side by side,
Markdown rendered (raw on demand). Edit a target and approve it (it becomes ``reviewed``
and wins over any later machine run); filter to stale, unreviewed or glossary-flagged
segments; see the translated page as learners will. Without a model, a banner says the
exact next step (the command, or the folder of a local Marian model). The widget
refreshes itself when the translations file changes (a cheap polling watcher). All
logic lives in :mod:`mblib.translate`; the widget only wires it.

>>> import tempfile, pathlib
>>> from mblib.content import Workspace, Module
>>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws", target_languages=["fr"])
>>> _ = ws.save_module(Module(id="m", title="Hello"))
>>> w = TranslationReview(ws, watch=False)
>>> [r.state for r in w.rows], w.views["_module/title/0"].approve_button.disabled
(['missing'], True)
"""

from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..translate.apply import ReviewRow, review_rows, review_segment, translate_module
from .review_view import RowView, block_heading, group_by_block, pages

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace
    from ..translate.engines import Engine

FILTERS = ("all", "stale", "unreviewed", "glossary")
_EMPTY = {
    "all": "This module has no text to translate.",
    "stale": "No stale segment: every translation matches the current source.",
    "unreviewed": "Every segment is reviewed.",
    "glossary": "No segment breaks a glossary rule (or the workspace has no glossary.yaml).",
}


class TranslationReview(widgets.VBox):
    """Review translations of one module in one language (see the module docstring).

    ``watch`` polls the translations file every ``poll_s`` seconds and refreshes on a change.
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        module: str | None = None,
        language: str | None = None,
        engine: Engine | None = None,
        watch: bool = True,
        poll_s: float = 1.0,
        **kw: Any,
    ):
        from ..translate.store import translation_languages

        self.workspace = workspace
        self.engine = engine
        self.model_folder: str | None = None
        langs = list(
            dict.fromkeys([*workspace.settings.workspace.target_languages, *translation_languages(workspace)])
        ) or ["fr"]
        self.module_picker = widgets.Dropdown(
            options=sorted(workspace.modules),
            value=module or (sorted(workspace.modules)[0] if workspace.modules else None),
            description="Module",
        )
        self.language_picker = widgets.Dropdown(options=langs, value=language or langs[0], description="Language")
        self.filter = widgets.ToggleButtons(
            options=FILTERS,
            value="all",
            tooltips=[f"show {f} segments" for f in FILTERS],
            style={"button_width": "auto"},
        )
        self.raw = widgets.ToggleButton(
            value=False, description="Raw Markdown", icon="code", tooltip="show the raw text"
        )
        self.translate_button = widgets.Button(description="Translate", icon="language", button_style="primary")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Progress")
        self.banner = widgets.HTML()
        self.folder = widgets.Text(
            placeholder="folder of a local Marian model, e.g. models/opus-mt-en-fr",
            description="Model folder",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="70%"),
        )
        self.use_folder = widgets.Button(description="Use this folder", icon="folder-open")
        self.model_box = widgets.VBox(
            [self.banner, widgets.HBox([self.folder, self.use_folder])],
            layout=widgets.Layout(display="none", border="2px solid #8a5a00", padding="4px"),
        )
        self.status = widgets.HTML()
        self.errors = widgets.Output()
        self.table = widgets.VBox()
        self.page = 0
        self.prev_button = widgets.Button(description="Previous", icon="arrow-left")
        self.next_button = widgets.Button(description="Next", icon="arrow-right")
        self.page_label = widgets.HTML()
        from .preview import PagePreview

        self.page_preview = PagePreview(height=560, layout=widgets.Layout(width="100%"))
        self.tabs = widgets.Tab(
            children=[
                widgets.VBox([self.table, widgets.HBox([self.prev_button, self.page_label, self.next_button])]),
                self.page_preview,
            ],
            titles=("Segments", "Translated page"),
        )
        self.editors: dict[str, widgets.Textarea] = {}
        self.views: dict[str, RowView] = {}
        self._lock = threading.RLock()
        self._stamp: tuple[int, int] | None = None
        self._stop = threading.Event()
        self.translate_button.on_click(lambda _b: self.run())
        self.use_folder.on_click(lambda _b: self.use_model_folder(self.folder.value))
        self.prev_button.on_click(lambda _b: self.show_page(self.page - 1))
        self.next_button.on_click(lambda _b: self.show_page(self.page + 1))
        for ctl in (self.module_picker, self.language_picker, self.filter, self.raw):
            ctl.observe(lambda _c: self.refresh(first_page=True), names="value")
        self.tabs.observe(lambda _c: self._show_translated_page(), names="selected_index")
        super().__init__(
            [
                widgets.HBox([self.module_picker, self.language_picker, self.translate_button]),
                self.model_box,
                widgets.HBox([widgets.HTML("<b>Show</b>&nbsp;"), self.filter, self.raw]),
                self.progress,
                self.status,
                self.errors,
                self.tabs,
            ],
            **kw,
        )
        self.add_class("mblib-review")
        self.refresh()
        if watch:
            threading.Thread(target=self._watch, args=(poll_s,), daemon=True, name="mblib-review-watch").start()

    # ----------------------------------------------------------------- actions
    @property
    def rows(self) -> list[ReviewRow]:
        """The rows the current filter shows."""
        if not self.module_picker.value:
            return []
        return review_rows(self.workspace, self.module_picker.value, self.language_picker.value, self.filter.value)

    def _pair(self) -> tuple[str, str]:
        m = self.workspace.modules.get(self.module_picker.value or "")
        src = m.language if m is not None else self.workspace.settings.workspace.source_language
        return src, self.language_picker.value

    def model_problem(self) -> str | None:
        """Why there is no model for the picked pair (banner HTML), or ``None`` when one is found."""
        if self.engine is not None:
            return None
        from ..translate.errors import ModelNotFoundError
        from ..translate.models import resolve_model

        src, tgt = self._pair()
        try:
            resolve_model(self.workspace, src, tgt, self.model_folder)
        except ModelNotFoundError as e:
            return (
                f"<b>&#x26A0; No translation model for {html.escape(src)} &#x2192; {html.escape(tgt)} on this "
                f"machine.</b> Next step: run <code class='mblib-next-step'>mb models pull {html.escape(src)}-"
                f"{html.escape(tgt)}</code> in a terminal while online, or type the folder of a local Marian model "
                f"(safetensors) below and press <i>Use this folder</i>.<br><small>{html.escape(e.message)}</small>"
            )
        except Exception as e:  # noqa: BLE001 - a broken checkpoint folder: say what is wrong with it
            return f"<b>&#x26A0; The model folder cannot be used:</b> {html.escape(str(e))}"
        return None

    def use_model_folder(self, folder: str) -> None:
        """Translate with the Marian checkpoint in ``folder`` (absolute, or relative to the workspace)."""
        folder = folder.strip()
        path = Path(folder) if Path(folder).is_absolute() else self.workspace.root / folder
        if not folder or not path.is_dir():
            self._show_banner(
                (self.model_problem() or "")
                + f"<br><b class='mblib-folder-problem'>&#x26A0; The folder '{html.escape(folder)}' does not exist "
                f"(looked at {html.escape(str(path))}): give the folder that holds the model's config.json and "
                "*.safetensors files.</b>"
            )
            return
        self.model_folder = str(path)
        problem = self.model_problem()
        if problem is not None:
            self.model_folder = None
        self._show_banner(problem)

    def run(self) -> None:
        """Translate the picked module (only new or changed segments), updating the progress bar."""

        def progress(done: int, total: int) -> None:
            self.progress.max = max(total, 1)
            self.progress.value = done

        self.errors.clear_output()
        problem = self.model_problem()
        engine = self.engine
        try:
            if problem is not None:
                self.refresh()
                self.status.value = (
                    f"<b style='color:#b00020'>Not translated: no model yet (see above)</b><br>{self.status.value}"
                )
                return
            if engine is None and self.model_folder:
                from ..translate.engines import make_engine

                engine = make_engine(self.workspace, *self._pair(), spec=self.model_folder)
            result = translate_module(
                self.workspace, self.module_picker.value, self.language_picker.value, engine=engine, progress=progress
            )
            self.refresh()
            self.status.value = f"{html.escape(str(result))}<br>{self.status.value}"
        except Exception as e:  # shown in the widget; the UI keeps working
            self.errors.append_stdout(f"error: {e}\n")
            self.refresh()
            self.status.value = (
                f"<b style='color:#b00020'>translation failed</b>: {html.escape(str(e).splitlines()[0])}"
                f"<br>{self.status.value}"
            )

    def approve(self, key: str, target: str | None = None) -> None:
        """Mark a segment reviewed, with ``target`` or the text in its editor."""
        text = target if target is not None else (self.editors[key].value if key in self.editors else None)
        try:
            review_segment(self.workspace, self.module_picker.value, self.language_picker.value, key, text)
        except Exception as e:  # shown in the widget; the UI keeps working
            self.errors.append_stdout(f"error: {e}\n")
        self.refresh()

    def close(self) -> None:
        self._stop.set()
        super().close()

    # ----------------------------------------------------------------- watcher
    def _file(self) -> Path | None:
        from ..translate.store import translation_path

        if not self.module_picker.value:
            return None
        return translation_path(self.workspace.root, self.language_picker.value, self.module_picker.value)

    def _file_stamp(self) -> tuple[int, int] | None:
        path = self._file()
        try:
            st = path.stat() if path is not None else None
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size) if st is not None else None

    def check_for_changes(self) -> bool:
        """Refresh when the translations file changed since the last refresh (what the watcher calls)."""
        if self._file_stamp() == self._stamp:
            return False
        self.refresh()
        return True

    def _watch(self, poll_s: float) -> None:
        while not self._stop.wait(poll_s):
            try:
                self.check_for_changes()
            except Exception as e:  # noqa: BLE001 - a watcher never dies silently, nor kills the kernel
                self.errors.append_stdout(f"error while refreshing: {e}\n")

    # ----------------------------------------------------------------- display
    def refresh(self, first_page: bool = False) -> None:
        with self._lock:
            self._stamp = self._file_stamp()
            if first_page:
                self.page = 0
            self._show_banner(self.model_problem())
            self._rows = self.rows
            self._groups = group_by_block(self._rows, key=lambda r: r.key)
            self._pages = pages(self._groups)
            self.show_page(self.page)
            counts: dict[str, int] = {}
            everything = (
                review_rows(self.workspace, self.module_picker.value, self.language_picker.value)
                if self.module_picker.value
                else []
            )
            for r in everything:
                counts[r.state] = counts.get(r.state, 0) + 1
            self.status.value = " · ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no segments"
            self._translated_html: str | None = None
            self._show_translated_page()

    @property
    def page_count(self) -> int:
        return max(1, len(self._pages))

    def show_page(self, page: int) -> None:
        """Show page ``page`` (0-based, clamped) of the filtered rows, grouped by block."""
        n = max(1, len(self._pages))
        self.page = max(0, min(page, n - 1))
        src, tgt = self._pair()
        m = self.workspace.modules.get(self.module_picker.value or "")
        titles = {b.id: f"{b.label} block" for b in m.blocks} if m is not None else {}
        titles["_module"] = "Module title, summary and objectives"
        children: list[widgets.Widget] = []
        self.editors, self.views = {}, {}
        for gi in self._pages[self.page] if self._pages else []:
            block_id, rows = self._groups[gi]
            children.append(block_heading(block_id, titles.get(block_id, "Block")))
            for r in rows:
                view = RowView(r, raw=self.raw.value, source_lang=src, target_lang=tgt, on_approve=self.approve)
                self.views[r.key], self.editors[r.key] = view, view.editor
                children.append(view)
        if not self._rows:
            children = [widgets.HTML(f"<p class='mblib-empty'><i>{html.escape(_EMPTY[self.filter.value])}</i></p>")]
        self.table.children = children
        self.page_label.value = f"&nbsp;page {self.page + 1} of {n} ({len(self._rows)} segments)&nbsp;"
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= n - 1

    def _show_banner(self, problem: str | None) -> None:
        self.banner.value = problem or ""
        self.model_box.layout.display = "none" if problem is None else "flex"

    def _show_translated_page(self) -> None:
        """Render the translated page (fallbacks marked) into the preview tab when it is open."""
        if self.tabs.selected_index != 1 or not self.module_picker.value or self._translated_html is not None:
            return
        from ..render.page import render_module
        from ..translate.apply import translated_module, untranslated_fields
        from .preview import PREVIEW_CSS, PREVIEW_SCRIPT

        m = self.workspace.module(self.module_picker.value)
        lang = self.language_picker.value
        page = render_module(
            translated_module(self.workspace, m, lang),
            self.workspace,
            language=lang,
            untranslated=untranslated_fields(self.workspace, m, lang),
            scripts=[PREVIEW_SCRIPT],
            styles=[PREVIEW_CSS],
        )
        self._translated_html = page.html
        self.page_preview.title = f"{m.title} in {lang}"
        self.page_preview.show(page.html)


__all__ = ["TranslationReview"]
