"""The nbconvert exporter ``mblesson``: lesson notebook -> the module's offline HTML page.

Registered through the ``nbconvert.exporters`` entry point, so both work::

    jupyter nbconvert --to mblesson lesson.ipynb            # stored outputs
    jupyter nbconvert --to mblesson --execute lesson.ipynb  # run the code blocks first

The page is made by :func:`mblib.render.render_module` from the module the
notebook holds (templates, CSS, JavaScript and CSP are the renderer's), so it
is the same page ``mb render`` writes, with the code outputs embedded. This
module imports nbconvert; import it only when exporting.

>>> from mblib.content import Module
>>> from mblib.export.lesson import module_to_notebook
>>> html, resources = LessonExporter().from_notebook_node(module_to_notebook(Module(id="m", title="Hi")))
>>> html.startswith("<!doctype html>") and resources["output_extension"]
'.html'
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter
from traitlets import Bool, Int, Unicode, default

from .lesson import execute_notebook, notebook_to_module


def lesson_workspace(nb: Any, explicit: str | Path | None = None, near: str | Path | None = None) -> Any:
    """The workspace a lesson's media and settings come from (settings only; modules are not loaded).

    Looked up in order: ``explicit``, the notebook's recorded workspace, ``near`` and its parents.
    ``None`` when there is none (the page is then rendered without workspace media).
    """
    from ..content.settings import SETTINGS_FILE, Settings
    from ..content.workspace import Workspace

    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    recorded = nb.get("metadata", {}).get("mblib", {}).get("workspace")
    if recorded:
        candidates.append(Path(recorded))
    if near:
        here = Path(near).resolve()
        candidates.extend([here, *here.parents])
    for root in candidates:
        toml = root / SETTINGS_FILE
        if toml.is_file():
            return Workspace(root, Settings.from_toml_text(toml.read_text(encoding="utf-8"), str(toml)))
    return None


class LessonExporter(Exporter):
    """Export an mblib lesson notebook as the module's standalone, offline HTML page."""

    export_from_notebook = "mblib lesson"
    output_mimetype = "text/html"

    execute = Bool(False, help="Run the code blocks (nbclient) before export; --execute does the same.").tag(
        config=True
    )
    workspace = Unicode("", help="Workspace folder for media and settings (default: the one the notebook names).").tag(
        config=True
    )
    timeout = Int(120, help="Seconds a code block may run.").tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    # nbconvert's base Exporter says it returns a notebook; HTML exporters return text (its own
    # TemplateExporter and HTMLExporter ignore the same override error)
    def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, Any]:  # type: ignore[override]
        from ..render import render_module

        nb = copy.deepcopy(nb)
        resources = self._init_resources(resources)
        path = resources.get("metadata", {}).get("path") or None
        ws = lesson_workspace(nb, self.workspace or None, path)
        run = self.execute or bool(self.config.get("ExecutePreprocessor", {}).get("enabled", False))
        if run:
            execute_notebook(nb, cwd=ws.root if ws else path, timeout=self.timeout)
        module = notebook_to_module(nb)
        page = render_module(module, ws)
        resources.setdefault("outputs", {}).update(page.assets)  # large media, written beside the page
        resources["mblib"] = {"module_id": module.id, "missing_media": page.missing_media}
        if page.missing_media:
            self.log.warning(
                "module '%s': media not found, shown as missing: %s (pass --LessonExporter.workspace="
                "PATH of the workspace)",
                module.id,
                ", ".join(page.missing_media),
            )
        return page.html, resources


__all__ = ["LessonExporter", "lesson_workspace"]
