"""Every lesson of a workspace as an executed notebook and an offline page, incrementally.

``export_lessons`` writes ``<module-id>.ipynb`` (the lesson notebook, code
outputs included) and ``<module-id>.html`` (the page, as ``mblesson`` makes
it) for each module, plus an ``index.html``. The folder is built aside and
moved into place whole; modules whose export hash did not change since the
last export to the same folder are copied from it instead of being executed
and rendered again; the others execute in parallel worker processes.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.yamlio import atomic_write
from .packaging import staged_folder

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace


@dataclass
class ExportReport:
    """What an export did: where, which modules were (re)built, reused or executed, how long it took."""

    out: Path
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"{self.out}: {len(self.built)} built ({len(self.executed)} executed), "
            f"{len(self.reused)} unchanged, {self.seconds:.1f} s"
        )


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def export_lessons(
    workspace: Workspace,
    out_dir: str | Path,
    module_ids: Iterable[str] | None = None,
    *,
    execute: bool = True,
    workers: int | None = None,
    force: bool = False,
    echo: Callable[[str], None] | None = None,
) -> ExportReport:
    """Export lesson notebooks and pages for ``module_ids`` (default: every module) into ``out_dir``.

    A failing code block raises :class:`~mblib.export.errors.CodeBlockError` (module and block
    named) and leaves the previous export in ``out_dir`` as it was.
    """
    import json

    from ..render.page import render_index, render_module
    from .lesson import module_to_notebook
    from .state import ExportState, executed_modules, module_hash

    t0 = time.perf_counter()
    out = Path(out_dir)
    ids = list(module_ids) if module_ids is not None else list(workspace.modules)
    for mid in ids:
        workspace.module(mid)  # NotFoundError with suggestions before any work
    state = ExportState(workspace.root)
    key = f"lessons:{out.resolve()}"
    before = state.target(key)
    hashes = {mid: module_hash(workspace.module(mid), workspace) for mid in ids}
    reuse = [
        mid
        for mid in ids
        if not force
        and isinstance(before.get(mid), dict)
        and before[mid].get("hash") == hashes[mid]
        and all((out / f).is_file() for f in before[mid].get("files", []))
    ]
    build = [mid for mid in ids if mid not in reuse]
    modules, _h, ran = executed_modules(workspace, build, execute=execute, workers=workers, echo=echo)
    report = ExportReport(out=out, built=build, reused=reuse, executed=ran)
    record: dict[str, dict[str, Any]] = {}
    with staged_folder(out) as tmp:
        if module_ids is not None and out.is_dir():
            # a partial export keeps the other modules' pages
            for mid, info in before.items():
                if (
                    mid not in ids
                    and isinstance(info, dict)
                    and all((out / f).is_file() for f in info.get("files", []))
                ):
                    for f in info["files"]:
                        _link_or_copy(out / f, tmp / f)
                    record[mid] = info
        for mid in reuse:
            for f in before[mid]["files"]:
                _link_or_copy(out / f, tmp / f)
            record[mid] = before[mid]
        for mid in build:
            module = modules[mid]
            page = render_module(module, workspace)
            for rel, data in page.assets.items():
                atomic_write(tmp / rel, data)
            atomic_write(tmp / f"{mid}.html", page.html.encode("utf-8"))
            nb = module_to_notebook(module, workspace=workspace.root)
            atomic_write(tmp / f"{mid}.ipynb", (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
            record[mid] = {"hash": hashes[mid], "files": [f"{mid}.html", f"{mid}.ipynb", *sorted(page.assets)]}
        atomic_write(tmp / "index.html", render_index(workspace).encode("utf-8"))
    state.set_target(key, record)
    state.save()
    report.seconds = time.perf_counter() - t0
    return report


__all__ = ["ExportReport", "export_lessons"]
