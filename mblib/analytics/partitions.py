"""Events as the metrics read them: Parquet partitioned by month, ``events/month=YYYY-MM/part-0.parquet``.

Shared by :func:`~mblib.analytics.synth.write_cohort` (``mb synth``) and the ingest of xAPI
statements (:mod:`mblib.analytics.ingest`, ``mb ingest``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl


def write_month_partitions(events: pl.DataFrame, folder: Path) -> list[Path]:
    """Write ``events`` under ``folder`` (a new ``events`` folder), one ``month=YYYY-MM`` folder per month,
    each sorted by time. Returns the files written."""
    import polars as pl

    files = []
    ev = events.with_columns(pl.col("timestamp").dt.strftime("%Y-%m").alias("month"))
    for (month,), part in ev.group_by("month", maintain_order=True):
        sub = folder / f"month={month}"
        sub.mkdir(parents=True)
        part.drop("month").sort("timestamp").write_parquet(sub / "part-0.parquet", row_group_size=1_000_000)
        files.append(sub / "part-0.parquet")
    folder.mkdir(parents=True, exist_ok=True)
    return sorted(files)


def replace_events(events: pl.DataFrame, out: Path) -> list[Path]:
    """Replace ``out/events/`` by ``events`` partitioned by month, whole (written aside, then swapped in)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".events-", dir=out))
    try:
        write_month_partitions(events, tmp / "events")
        target = out / "events"
        old = tmp / "old"
        if target.exists():
            target.rename(old)
        (tmp / "events").rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted((out / "events").rglob("*.parquet"))


__all__ = ["replace_events", "write_month_partitions"]
