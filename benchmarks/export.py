"""Export benchmark: full export of a generated 100-module workspace, incremental re-export after
changing one module, and full export with 1 worker process against N.

    .venv/bin/python benchmarks/export.py [--modules 100] [--workers 2]

Code blocks are executed at export (one kernel per module with code), as in real use; they
dominate the time. Each figure is printed with its ratio against its peer from the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mblib.content import Workspace  # noqa: E402
from mblib.export.lessons import export_lessons  # noqa: E402

SAMPLE = REPO / "datasets" / "sample-workspace"


def make_workspace(root: Path, n: int) -> Workspace:
    """A workspace of ``n`` modules: the sample modules copied under new ids (``<id>-<k>``)."""
    shutil.copytree(SAMPLE / "media", root / "media")
    shutil.copy(SAMPLE / "mblib.toml", root / "mblib.toml")
    (root / "modules").mkdir()
    (root / "credentials").mkdir()
    sample = Workspace.open(SAMPLE)
    ws = Workspace.open(root)
    originals = list(sample.modules.values())
    for k in range(n):
        src = originals[k % len(originals)]
        ws.save_module(src.model_copy(update={"id": f"{src.id}-{k:03d}", "title": f"{src.title} ({k})"}))
    return Workspace.open(root)


def reset(ws: Workspace, out: Path) -> None:
    shutil.rmtree(ws.root / ".mblib", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t
    print(f"{label:<44} {seconds:8.1f} s   {value}")
    return seconds, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2, help="worker processes of the parallel run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench-workspace"
        root.mkdir()
        ws = make_workspace(root, args.modules)
        coded = [m.id for m in ws.modules.values() if any(b.type == "code" for b in m.blocks)]
        out = Path(tmp) / "exports" / "lessons"
        print(f"{len(ws.modules)} modules, {len(coded)} with code blocks; CPUs: {os.cpu_count()}")
        reset(ws, out)
        full1, _ = timed("full export, 1 worker", lambda: export_lessons(ws, out, workers=1))
        reset(ws, out)
        fulln, _ = timed(f"full export, {args.workers} workers", lambda: export_lessons(ws, out, workers=args.workers))
        nothing, _ = timed("re-export, nothing changed", lambda: export_lessons(ws, out, workers=args.workers))
        m = ws.module(coded[0])
        m.title += " (edited)"
        ws.save_module(m)
        load, ws = timed("(Workspace.open of the edited workspace)", lambda: Workspace.open(root))
        incr, report = timed(
            "re-export after changing one module", lambda: export_lessons(ws, out, workers=args.workers)
        )
        assert report.built == [coded[0]], report
    print()
    print(
        f"incremental / full ({args.workers} workers): {incr / fulln:6.1%}   (target < 5%; "
        f"{(incr + load) / fulln:.1%} with loading the workspace)"
    )
    print(f"nothing changed / full:              {nothing / fulln:6.1%}")
    print(f"speed-up 1 -> {args.workers} workers:              {full1 / fulln:5.2f}x  (ideal {args.workers:.2f}x)")


if __name__ == "__main__":
    main()
