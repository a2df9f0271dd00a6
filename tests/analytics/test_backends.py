"""The same metric functions on polars, DuckDB and PySpark give equal results.

A small synthetic cohort over the sample workspace is written as Parquet partitioned by month;
each engine scans it with ``scan_events`` and runs the whole suite; every result must equal the
polars result (same columns, types, rows; floats to 1e-9).
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from mblib.analytics import items, survival
from mblib.analytics import metrics as M
from mblib.analytics.backends import BackendError, collect, scan_events, to_engine
from mblib.content import Workspace

from ..conftest import SAMPLE


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory):
    from mblib.analytics.synth import synthesise, write_cohort

    ws = Workspace.open(SAMPLE)
    out = tmp_path_factory.mktemp("cohort")
    write_cohort(synthesise(ws, learners=120, seed=3, months=3), out)
    return out


def suite(events, learners, ws):
    """metric name -> a thunk building the lazy result over frames already on one engine (building a
    plan costs time on Spark, so only the metrics that run are built)."""
    creds = list(ws.credentials.values())
    quiz_module = next(m for m in ws.modules.values() if m.quizzes)
    first = creds[0]
    return {
        "module_outcomes": lambda: M.module_outcomes(events, creds),
        "credential_outcomes": lambda: M.credential_outcomes(events, creds),
        "pathway_funnel": lambda: M.pathway_funnel(events, first),
        "block_dropoff": lambda: M.block_dropoff(events, ws.modules[first.pathway()[0]]),
        "time_on_task": lambda: M.time_on_task(events, M.estimated_seconds(ws.modules.values())),
        "weekly_active_learners": lambda: M.weekly_active_learners(events),
        "cohort_retention": lambda: M.cohort_retention(events),
        "credential_uptake": lambda: M.credential_uptake(events),
        "uptake_by_segment": lambda: M.uptake_by_segment(events, learners, by="country"),
        "credential_stacking": lambda: M.credential_stacking(events),
        "completion_by_language": lambda: M.completion_by_language(events),
        "learners_at_risk": lambda: M.learners_at_risk(events),
        "time_to_credential": lambda: survival.time_to_credential(events),
        "time_to_credential_summary": lambda: survival.time_to_credential_summary(events),
        "item_statistics": lambda: items.item_statistics(events, quiz_module),
        "quiz_statistics": lambda: items.quiz_statistics(events, quiz_module),
        "distractor_analysis": lambda: items.distractor_analysis(events, quiz_module),
    }


# Spark plans cost seconds each on a 2-core CI machine; every metric is already checked on Spark
# against the hand-computed cases (test_metrics, test_items, test_survival). Here Spark runs a
# subset over the partitioned Parquet folder.
SPARK_SUBSET = {"weekly_active_learners", "credential_uptake", "time_on_task", "quiz_statistics"}


@pytest.fixture(scope="module")
def reference(cohort_dir):
    ws = Workspace.open(SAMPLE)
    events = scan_events(cohort_dir, engine="polars")
    learners = pl.scan_parquet(cohort_dir / "learners.parquet")
    return {name: collect(build()) for name, build in suite(events, learners, ws).items()}


def test_every_metric_equals_polars(engine, cohort_dir, reference):
    ws = Workspace.open(SAMPLE)
    events = scan_events(cohort_dir / "events", engine=engine)
    learners = to_engine(pl.scan_parquet(cohort_dir / "learners.parquet"), engine)
    assert reference["weekly_active_learners"].height > 5 and reference["credential_outcomes"]["enrolled"].sum() > 50
    for name, build in suite(events, learners, ws).items():
        if engine == "spark" and name not in SPARK_SUBSET:
            continue
        got = collect(build())
        assert_frame_equal(got, reference[name], check_exact=False, rel_tol=1e-9, abs_tol=1e-9), name


def test_collect_runs_a_metric_on_an_engine(engine):
    events = M.demo_events()
    assert collect(M.module_outcomes, events, engine=engine).equals(collect(M.module_outcomes(events)))


def test_scan_events_reads_one_file_and_keeps_contract_columns(tmp_path, engine):
    path = tmp_path / "events.parquet"
    M.demo_events().collect().with_columns(pl.lit("x").alias("extra")).write_parquet(path)
    lf = scan_events(path, engine=engine)
    assert "extra" not in lf.collect_schema().names()
    assert collect(M.weekly_active_learners(lf))["active_learners"].to_list() == [3, 2, 1]


def test_bad_engine_and_paths_are_explained(tmp_path):
    with pytest.raises(BackendError, match="unknown engine 'spork'") as e:
        to_engine(M.demo_events(), "spork")  # type: ignore[arg-type]
    assert "polars, duckdb, spark" in str(e.value)
    with pytest.raises(BackendError, match="no such file or folder"):
        scan_events(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BackendError, match="no .parquet files"):
        scan_events(tmp_path / "empty")
    with pytest.raises(BackendError, match="takes no further frames"):
        collect(M.demo_events(), M.demo_events())


def test_spark_session_is_utc_and_shared():
    pytest.importorskip("pyspark")
    from .conftest import _spark_available

    if why := _spark_available():
        pytest.skip(why)
    from mblib.analytics.backends import spark_session

    s = spark_session()
    assert s is spark_session()
    assert s.conf.get("spark.sql.session.timeZone") == "UTC"


test_spark_session_is_utc_and_shared = pytest.mark.spark(test_spark_session_is_utc_and_shared)
