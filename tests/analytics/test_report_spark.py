"""`mb report --engine spark` gives the same report tables as polars (Spark local mode)."""

from __future__ import annotations

import re

import pytest

from mblib.analytics.report import run_report
from mblib.analytics.synth import synthesise, write_cohort

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _tables(path):
    return re.findall(r"<table.*?</table>", path.read_text(), re.S)


def test_uptake_report_on_spark_equals_polars(sample_ws, tmp_path):
    cohort = synthesise(sample_ws, learners=150, seed=3)
    write_cohort(cohort, tmp_path / "data", overwrite=True)
    polars = run_report(
        "credential-uptake", workspace=sample_ws.root, data=tmp_path / "data", engine="polars", out=tmp_path / "polars"
    )
    spark = run_report(
        "credential-uptake", workspace=sample_ws.root, data=tmp_path / "data", engine="spark", out=tmp_path / "spark"
    )
    expected = _tables(polars)
    assert len(expected) >= 5
    assert _tables(spark) == expected
