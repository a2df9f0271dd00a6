"""Benchmark: xAPI statements ingested from a real LRS (Ralph) vs the same statements read from files.

    .venv/bin/python benchmarks/ingest.py                       # 1 M statements
    .venv/bin/python benchmarks/ingest.py --statements 100000   # a quick look

A synthetic cohort (sample workspace, seed 0) of about ``--statements`` events is turned into
xAPI statements (:mod:`mblib.analytics.replay`), written as JSON-lines files (50,000 statements
each) and posted to Ralph (file-system backend, :mod:`mblib.analytics.lrs_server`) in batches.
Then, each in its own child process (peak memory = that process's ``VmHWM``, native memory
included):

- files: :func:`mblib.analytics.ingest.ingest_files` on the JSON-lines files;
- LRS: :func:`mblib.analytics.ingest.ingest_lrs` over the statements API (pages of
  ``--page-size``), into the same month-partitioned Parquet.

Both must write the same number of events. Targets (issue 12): the LRS path at least half as fast
as the file path (time ratio <= 2), peak memory under 1 GB for both. Ralph's own peak memory is
reported too. Posting is timed but is not part of the comparison.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_RATIO = 2.0
TARGET_PEAK_GB = 1.0
PER_FILE = 50_000


def vm_hwm(pid: str = "self") -> float:
    """Peak resident memory of a process in bytes (``VmHWM`` of /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1]) * 1024
    return float("nan")


def child(kind: str, data: Path, endpoint: str, creds: str, page_size: int) -> None:
    """Run one ingest in this (child) process and print its time, events and peak memory as JSON."""
    from mblib.analytics.ingest import ingest_files, ingest_lrs
    from mblib.cli import SAMPLE_WORKSPACE
    from mblib.content import Workspace

    ws = Workspace.open(SAMPLE_WORKSPACE)
    out = data / f"out-{kind}"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    if kind == "files":
        r = ingest_files(sorted((data / "files").glob("*.jsonl")), ws, out, pseudonymise=False, echo=None)
    else:
        r = ingest_lrs(endpoint, ws, out, credentials=creds, page_size=page_size, pseudonymise=False, echo=None)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "events": r.events, "rejected": r.rejected, "peak": vm_hwm()}))


def run_child(kind: str, data: Path, endpoint: str, creds: str, page_size: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, "--data", str(data), "--endpoint", endpoint]
    cmd += ["--credentials", creds, "--page-size", str(page_size)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{kind} ingest failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def prepare(data: Path, n: int) -> int:
    """Write about ``n`` statements as JSON-lines files under ``data/files``; returns how many."""
    from mblib.analytics.replay import event_statements
    from mblib.analytics.synth import learners_for_events, synthesise
    from mblib.cli import SAMPLE_WORKSPACE
    from mblib.content import Workspace

    ws = Workspace.open(SAMPLE_WORKSPACE)
    learners = learners_for_events(ws, n, seed=0)
    events = synthesise(ws, learners=learners, seed=0).events.head(n)
    folder = data / "files"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines: list[str] = []
    count = part = 0
    for st in event_statements(events):
        lines.append(json.dumps(st))
        count += 1
        if len(lines) == PER_FILE:
            part += 1
            (folder / f"statements-{part:04d}.jsonl").write_text("\n".join(lines) + "\n")
            lines = []
    if lines:
        (folder / f"statements-{part + 1:04d}.jsonl").write_text("\n".join(lines) + "\n")
    return count


def post_all(data: Path, client: Any, batch: int) -> float:
    t0 = time.perf_counter()
    for f in sorted((data / "files").glob("*.jsonl")):
        rows = [json.loads(x) for x in f.read_text().splitlines()]
        for i in range(0, len(rows), batch):
            client.post(rows[i : i + batch])
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--statements", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=2000, help="statements per POST")
    ap.add_argument("--page-size", type=int, default=5000, help="statements per GET page")
    ap.add_argument("--data", type=Path, default=REPO / "exports" / "benchmarks" / "ingest")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", default="", help=argparse.SUPPRESS)
    ap.add_argument("--credentials", default="", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.data, a.endpoint, a.credentials, a.page_size)
        return
    from mblib.analytics.lrs_client import LrsClient
    from mblib.analytics.lrs_server import running_lrs

    a.data.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n = prepare(a.data, a.statements)
    print(f"{n:,} statements as JSON lines in {a.data / 'files'} ({time.perf_counter() - t0:.1f} s)")
    shutil.rmtree(a.data / "lrs", ignore_errors=True)
    with running_lrs(a.data / "lrs", page_size=a.page_size) as server:
        client = LrsClient(server.endpoint, server.username, server.password, timeout=600)
        posted = post_all(a.data, client, a.batch)
        print(f"posted to Ralph in batches of {a.batch:,}: {posted:.1f} s ({n / posted:,.0f} statements/s)")
        creds = str(server.folder / "credentials.json")
        files = run_child("files", a.data, server.endpoint, creds, a.page_size)
        lrs = run_child("lrs", a.data, server.endpoint, creds, a.page_size)
        ralph_peak = vm_hwm(str(server.pid))
    assert files["events"] == lrs["events"] == n and files["rejected"] == lrs["rejected"] == 0, (files, lrs)
    ratio = lrs["seconds"] / files["seconds"]
    gb = 1e9
    print(f"files: {files['seconds']:.1f} s ({n / files['seconds']:,.0f}/s), peak {files['peak'] / gb:.2f} GB")
    print(f"LRS:   {lrs['seconds']:.1f} s ({n / lrs['seconds']:,.0f}/s), peak {lrs['peak'] / gb:.2f} GB (client)")
    print(f"Ralph (server) peak {ralph_peak / gb:.2f} GB")
    ok_ratio = ratio <= TARGET_RATIO
    ok_mem = max(files["peak"], lrs["peak"]) < TARGET_PEAK_GB * gb
    print(f"LRS / files time: {ratio:.2f}x (target <= {TARGET_RATIO}x): {'met' if ok_ratio else 'NOT met'}")
    print(f"peak memory under {TARGET_PEAK_GB} GB for both: {'met' if ok_mem else 'NOT met'}")


if __name__ == "__main__":
    main()
