"""Report data goes through the readers' checks (issue 10 item 8).

`mb report -d DATA` read Parquet unchecked: NaN scores, null learner ids and an unknown verb went
straight into the metrics, with no count and no rejects.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import polars as pl
import pytest
from click.testing import CliRunner

from mblib.analytics.datacheck import check_events_data
from mblib.analytics.metrics import weekly_active_learners
from mblib.analytics.report import open_report_data
from mblib.analytics.schema import SchemaError
from mblib.analytics.synth import synthesise, write_cohort
from mblib.cli import main
from mblib.content import Workspace
from tests.conftest import SAMPLE

T = datetime(2025, 1, 7, 9, tzinfo=UTC)
REASONS = {
    "score NaN is not a number",
    "learner_id is empty",
    "unknown verb 'clicked'",
    "duration_s inf is longer than a year (at most 31,622,400 s)",
}


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(SAMPLE)


@pytest.fixture(scope="module")
def cohort(ws, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort")
    write_cohort(synthesise(ws, learners=40, seed=3), folder, overwrite=True)
    return folder


def _bad_rows(good: pl.DataFrame) -> pl.DataFrame:
    base = (
        good.filter(pl.col("verb") == "launched")
        .head(1)
        .with_columns(pl.col("verb").cast(pl.String), pl.lit(T).alias("timestamp"))
    )
    return pl.concat(
        [
            base.with_columns(pl.lit(float("nan")).alias("score")),
            base.with_columns(pl.lit(None, pl.String).alias("learner_id")),
            base.with_columns(pl.lit("clicked").alias("verb")),
            base.with_columns(pl.lit(float("inf")).alias("duration_s")),
        ]
    )


@pytest.fixture
def bad_file(cohort, tmp_path):
    """One Parquet file of events (verb as text): the cohort's plus four bad rows at the end."""
    good = pl.read_parquet(cohort / "events", hive_partitioning=False).with_columns(pl.col("verb").cast(pl.String))
    f = tmp_path / "data" / "events.parquet"
    f.parent.mkdir()
    pl.concat([good, _bad_rows(good)]).write_parquet(f)
    return f, good.height


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_report_data_leaves_bad_rows_out_and_writes_them_with_reasons(ws, bad_file, tmp_path, engine):
    f, n_good = bad_file
    said: list[str] = []
    rd = open_report_data(ws, f, engine=engine, rejects=tmp_path / "out" / "events.rejects.csv", echo=said.append)
    kept = rd.run(lambda ev: ev.select("learner_id", "score", "verb", "duration_s"))
    assert kept.height == n_good
    assert kept["learner_id"].null_count() == 0 and not kept["score"].is_nan().any()
    assert set(kept["verb"].cast(pl.String)) <= {
        "enrolled",
        "launched",
        "progressed",
        "answered",
        "completed",
        "passed",
        "failed",
        "earned",
    }
    assert said == [
        f"events.parquet: read {n_good + 4:,} events, kept {n_good:,}, rejected 4 "
        f"(reasons in {tmp_path / 'out' / 'events.rejects.csv'})"
    ]
    rejects = pl.read_csv(tmp_path / "out" / "events.rejects.csv", infer_schema=False)
    assert set(rejects["_reason"]) == REASONS
    assert rejects["_row"].cast(int).to_list() == [n_good + 1, n_good + 2, n_good + 3, n_good + 4]
    assert rejects["_file"].unique().to_list() == ["events.parquet"]
    assert rd.run(weekly_active_learners).height > 0


def test_partitioned_folder_names_the_file_and_row(cohort, tmp_path):
    data = tmp_path / "cohort"
    shutil.copytree(cohort, data)
    month = sorted((data / "events").iterdir())[0]
    part = next(month.glob("*.parquet"))
    good = pl.read_parquet(part, hive_partitioning=False)
    bad = _bad_rows(good).with_columns(pl.col("verb").cast(good.schema["verb"], strict=False))
    pl.concat([good, bad.head(2)]).write_parquet(part)
    check = check_events_data(data / "events")
    assert check.rejected == 2 and check.rejects_path == data / "events.rejects.csv"
    rejects = pl.read_csv(check.rejects_path, infer_schema=False)
    assert rejects["_file"].to_list() == [str(part.relative_to(data / "events"))] * 2
    assert rejects["_row"].cast(int).to_list() == [good.height + 1, good.height + 2]
    assert rejects["_reason"].to_list() == ["score NaN is not a number", "learner_id is empty"]


def test_a_column_of_the_wrong_type_is_refused_with_the_problem_listed(ws, cohort, tmp_path):
    good = pl.read_parquet(cohort / "events", hive_partitioning=False)
    f = tmp_path / "events.parquet"
    good.with_columns(pl.col("score").cast(pl.String)).write_parquet(f)
    with pytest.raises(SchemaError) as e:
        open_report_data(ws, f)
    assert f"{f}: field 'score': score has type String, the events table needs Float64" in str(e.value)


@pytest.mark.slow
def test_mb_report_prints_the_counts_writes_rejects_and_tells_the_reader(cohort, tmp_path):
    data = tmp_path / "cohort"
    shutil.copytree(cohort, data)
    part = next(sorted((data / "events").iterdir())[0].glob("*.parquet"))
    good = pl.read_parquet(part, hive_partitioning=False)
    bad = _bad_rows(good).with_columns(pl.col("verb").cast(good.schema["verb"], strict=False))
    pl.concat([good, bad]).write_parquet(part)
    n_good = (
        pl.scan_parquet(data / "events" / "**" / "*.parquet", hive_partitioning=False).select(pl.len()).collect().item()
        - 4
    )
    out = tmp_path / "exports"
    r = CliRunner().invoke(main, ["report", "-w", str(SAMPLE), "-d", str(data), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert (
        f"events: read {n_good + 4:,} events, kept {n_good:,}, rejected 4 "
        f"(reasons in {out / 'cohort.rejects.csv'})" in r.output
    )
    assert set(pl.read_csv(out / "cohort.rejects.csv", infer_schema=False)["_reason"]) == {
        "score NaN is not a number",
        "learner_id is empty",
        "duration_s inf is longer than a year (at most 31,622,400 s)",
        "verb is empty",  # 'clicked' cannot be stored in the partition's verb Enum: it arrives empty
    }
    page = (out / "credential-uptake-report.html").read_text(encoding="utf-8")
    # the report's own reader learns what was left out (by file name, never a local path)
    assert f"4 of {n_good + 4:,} events" in page and "left out of every figure" in page
    assert "the reasons are in cohort.rejects.csv" in page and str(tmp_path) not in page


def test_mb_report_on_a_truncated_file_is_a_message_not_a_traceback(tmp_path, cohort):
    f = tmp_path / "events.parquet"
    blob = next((cohort / "events").rglob("*.parquet")).read_bytes()
    f.write_bytes(blob[: len(blob) // 2])
    r = CliRunner().invoke(main, ["report", "-w", str(SAMPLE), "-d", str(f), "-o", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert f"error: {f}: not a readable Parquet file: it is truncated or damaged" in r.output
    assert "fix: write the file again from its source" in r.output
    assert "Traceback" not in r.output
