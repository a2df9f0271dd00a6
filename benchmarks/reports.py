"""Benchmark: what the readable reports of issue 14 cost.

    .venv/bin/python benchmarks/reports.py            # tables of 10/100/1000 rows, then one report + PDF

1. A report table in the great_tables style (``ReportTable._repr_html_``: labels, rate+interval
   cells, spanners, footnotes) against its peer, a plain escaped ``<table>`` of the same
   suppressed frame written in this file (what report tables were before), per render (median of
   repeated runs), and against the dashboard's 100 ms budget per interaction.
2. ``mb report credential-uptake`` on the sample workspace's small synthetic cohort: the HTML
   export, then ``--pdf`` printing that page with headless Chromium, in the same run.
"""

from __future__ import annotations

import html
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def plain_table(frame: Any, caption: str) -> str:
    """The peer: every column as it is, escaped, in one ``<table>``."""
    cols = [c for c in frame.columns if c != "suppressed"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.select(cols).iter_rows()
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def median_ms(fn: Any, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def tables() -> None:
    import polars as pl

    from mblib.analytics.report import report_table

    print("rows | great_tables style (ms) | plain table (ms) | ratio")
    for n in (10, 100, 1000):
        frame = pl.DataFrame(
            {
                "credential_id": ["c"] * n,
                "segment": [f"Segment {i}" for i in range(n)],
                "enrolled": [3 + (i * 7) % 400 for i in range(n)],
                "earned": [1 + (i * 3) % 3 for i in range(n)],
                "earn_rate": [0.42] * n,
                "earn_low": [0.373] * n,
                "earn_high": [0.469] * n,
            }
        )
        table = report_table(frame, caption="Uptake by segment", k=5, count_col="enrolled")
        styled = median_ms(table._repr_html_, 15 if n < 1000 else 5)
        plain = median_ms(lambda t=table: plain_table(t.frame, t.caption), 15 if n < 1000 else 5)
        print(f"{n} | {styled:.1f} | {plain:.2f} | {styled / plain:.0f}x")


def report_and_pdf() -> None:
    from mblib.analytics.report import run_report
    from mblib.analytics.report_pdf import report_pdf

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        page = run_report("credential-uptake", workspace=REPO / "datasets" / "sample-workspace", out=tmp)
        t1 = time.perf_counter()
        pdf = report_pdf(page)
        t2 = time.perf_counter()
        print(
            f"report HTML {t1 - t0:.1f} s ({page.stat().st_size / 1e6:.1f} MB); "
            f"PDF {t2 - t1:.1f} s ({pdf.stat().st_size / 1e6:.2f} MB); PDF/HTML time {(t2 - t1) / (t1 - t0):.2f}x"
        )


if __name__ == "__main__":
    tables()
    report_and_pdf()
