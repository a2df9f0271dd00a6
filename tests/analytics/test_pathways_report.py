"""The pathways section of the uptake report: tables with small groups suppressed, charts, and the
section in the exported report (notebook 05, executed headless)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from mblib.analytics.pathways import pathways_section
from mblib.analytics.report import open_report_data

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace"
CRED = "data-literacy-foundations"


@pytest.fixture(scope="module")
def rd():
    return open_report_data(SAMPLE, learners=200, seed=11)


def test_section_tables_follow_the_planner_and_suppress_small_groups(rd) -> None:
    paths = pathways_section(rd, CRED)
    assert paths.recommended_modules[:2] == ["reading-bar-charts", "line-charts-over-time"]
    assert "correlation-is-not-causation" in paths.recommended_modules  # the planner's cheaper elective
    orders = paths.orders.frame
    shown = orders.filter(~pl.col("suppressed"))
    assert shown.height and shown["learners"].min() >= rd.k
    small = orders.filter(pl.col("suppressed"))
    assert small["earned"].null_count() == small.height  # hidden figures
    assert "learners who started a module" in paths.summary()
    assert len(paths.charts) == 3
    for table in (paths.orders, paths.recommended, paths.electives):
        assert set(table.frame.columns) >= {"learners", "earn_rate", "earn_low", "earn_high", "days_mean"}


def test_section_with_a_high_threshold_hides_everything_and_says_so(rd) -> None:
    from dataclasses import replace

    paths = pathways_section(replace(rd, k=100_000), CRED)
    assert paths.orders.frame["learners"].null_count() == paths.orders.frame.height
    assert paths.summary().startswith("Too few learners to say")
    assert "fewer than 100000 learners" in paths.orders.note


@pytest.mark.slow
def test_uptake_report_has_the_pathways_section(tmp_path: Path) -> None:
    from mblib.analytics.report import run_report
    from mblib.analytics.synth import synthesise, write_cohort
    from mblib.content import Workspace

    data = tmp_path / "cohort"
    cohort = synthesise(Workspace.open(SAMPLE), learners=250, seed=5)
    write_cohort(cohort, data, overwrite=True)
    path = run_report("credential-uptake", workspace=SAMPLE, data=data, out=tmp_path / "out")
    html = path.read_text()
    assert "Pathways learners took" in html
    assert "Orders of the first 3 module starts: Data Literacy Foundations" in html
    assert "Recommended order followed: Data Storytelling" in html
    assert "Electives chosen: Data Literacy Foundations" in html
    assert re.search(r"learners who started a module \(\d+%\) started them in the recommended order", html)
    ids = cohort.learners["learner_id"].to_list()
    assert not [i for i in ids if f'"{i}"' in html]  # no learner id in any table or chart's data
