"""Opening a workspace: ``Workspace.open`` against plain libyaml on the same files, and ``mb lint``.

Workspaces of 10, 100 and 1,000 modules are made from the sample workspace's 10 modules,
copied under new ids (one credential lists them all). For each size, in the same run:

- ``Workspace.open`` (parse, positions for errors, pydantic validation), warm, median of runs;
- the peer: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of the same module and credential
  files (libyaml's C parser, plain data, no validation);
- ``mb lint`` as a user runs it (a fresh process: start-up, open, lint every module).

    .venv/bin/python benchmarks/workspace.py [--sizes 10 100 1000] [--repeat 5]

Targets: ``Workspace.open`` within 3x of the peer; ``mb lint`` of 1,000 modules under 2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from mblib.content import Workspace

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample-workspace"
OPEN_RATIO_TARGET = 3.0
LINT_TARGET_S = 2.0


def make_workspace(root: Path, n_modules: int) -> Path:
    """A workspace of ``n_modules`` modules (the sample's ten, copied under new ids) and one credential."""
    if root.exists():
        shutil.rmtree(root)
    (root / "modules").mkdir(parents=True)
    (root / "credentials").mkdir()
    shutil.copy(SAMPLE / "mblib.toml", root / "mblib.toml")
    shutil.copytree(SAMPLE / "media", root / "media")
    sources = sorted((SAMPLE / "modules").glob("*.yaml"))
    ids = []
    for i in range(n_modules):
        src = sources[i % len(sources)]
        new_id = f"{src.stem}-{i:04d}"
        text = src.read_text(encoding="utf-8").replace(f"id: {src.stem}\n", f"id: {new_id}\n", 1)
        (root / "modules" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        ids.append(new_id)
    required = "".join(f"  - {m}\n" for m in ids)
    (root / "credentials" / "all-modules.yaml").write_text(
        f"id: all-modules\ntitle: Every module\nsummary: All {n_modules} modules.\nrequired:\n{required}",
        encoding="utf-8",
    )
    return root


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm: imports, caches
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def libyaml_peer(root: Path) -> None:
    for folder in ("modules", "credentials"):
        for path in sorted((root / folder).glob("*.yaml")):
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def mb_lint_seconds(root: Path) -> tuple[float, int]:
    mb = Path(sys.executable).with_name("mb")
    cmd = [str(mb)] if mb.exists() else [sys.executable, "-m", "mblib.cli"]
    t = time.perf_counter()
    done = subprocess.run(
        [*cmd, "lint", "-w", str(root)], capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"}
    )
    return time.perf_counter() - t, done.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="mblib-bench-ws-"))
    print(f"{'modules':>8} {'Workspace.open':>15} {'libyaml C':>10} {'ratio':>6} {'mb lint':>8}")
    try:
        for n in args.sizes:
            root = make_workspace(base / f"ws-{n}", n)
            ws = Workspace.open(root)
            assert len(ws.modules) == n, (len(ws.modules), n)
            t_open = timed(lambda root=root: Workspace.open(root), args.repeat)
            t_peer = timed(lambda root=root: libyaml_peer(root), args.repeat)
            t_lint, rc = mb_lint_seconds(root)
            print(
                f"{n:>8} {t_open * 1000:>12.1f} ms {t_peer * 1000:>7.1f} ms {t_open / t_peer:>5.2f}x"
                f" {t_lint:>6.2f} s" + ("" if rc in (0, 1) else f" (mb lint exit {rc})")
            )
            if n == max(args.sizes):
                ratio = t_open / t_peer
                print(
                    f"target Workspace.open <= {OPEN_RATIO_TARGET:.0f}x libyaml: "
                    f"{'met' if ratio <= OPEN_RATIO_TARGET else 'MISSED'} ({ratio:.2f}x at {n} modules)"
                )
                print(
                    f"target mb lint < {LINT_TARGET_S:.0f} s: "
                    f"{'met' if t_lint < LINT_TARGET_S else 'MISSED'} ({t_lint:.2f} s at {n} modules)"
                )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
