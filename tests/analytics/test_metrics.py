"""Every metric against a small hand-computed case, on polars, DuckDB and PySpark.

The cohort (dates in January 2026; Monday 01-05 starts week 1):

- credential C: required m1, m2 (m2 after m1), then one of m3/m4; credential D: required m5.
- L1 enrols in C (01-05), passes m1 (01-06), m2 (01-13), m3 (01-20) and earns C (01-20).
- L2 enrols in C twice (01-05, 01-08), passes m1 (01-07, in French), fails m2 (01-08).
- L3 enrols in C on Sunday 01-11 23:30 (still week 1) and does nothing else.
- L4 enrols in C (Monday 01-12 00:00), launches m1 (English) and stops after b1, relaunches it
  (German) on 01-14, finishes and passes it, launches m4 on 01-21.
- L5 (not enrolled) completes and fails m1 on 01-06 (no language recorded).
- L6 enrols in C (01-05), earns C (01-19) and D (01-26) without enrolling in D.
- L7 (not enrolled) launches m1 on 01-13 and stops after b2; L8 launches m1 on 01-27 12:00
  (the latest event) and does nothing else.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from mblib.analytics import metrics as M
from mblib.content import Credential, Module

from .conftest import T, make_events

C = Credential(
    id="c",
    title="c",
    required=["m1", "m2"],
    prerequisites={"m2": ["m1"]},
    electives=[{"id": "g", "choose": 1, "modules": ["m3", "m4"]}],
)
D = Credential(id="d", title="d", required=["m5"])
M1 = Module(
    id="m1",
    title="M1",
    blocks=[
        {"id": "b1", "type": "text", "body": "one"},
        {"id": "b2", "type": "text", "body": "two"},
        {
            "id": "b3",
            "type": "quiz",
            "question": "q?",
            "choices": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
        },
    ],
)


def _module_run(learner, module, day, lang, blocks=("b1", "b2", "b3"), end=None, duration=None, score=None):
    rows = [dict(timestamp=f"{day} 10:00", learner_id=learner, verb="launched", module_id=module, language=lang)]
    rows += [
        dict(
            timestamp=f"{day} 10:0{i + 1}",
            learner_id=learner,
            verb="progressed",
            module_id=module,
            block_id=b,
            language=lang,
        )
        for i, b in enumerate(blocks)
    ]
    if end:
        rows.append(
            dict(
                timestamp=f"{day} 10:30",
                learner_id=learner,
                verb="completed",
                module_id=module,
                duration_s=duration,
                language=lang,
            )
        )
        rows.append(
            dict(
                timestamp=f"{day} 10:30",
                learner_id=learner,
                verb=end,
                module_id=module,
                score=score,
                success=end == "passed",
                language=lang,
            )
        )
    return rows


def cohort_rows() -> list[dict]:
    r: list[dict] = []
    enrol = lambda who, cred, ts: r.append(dict(timestamp=ts, learner_id=who, verb="enrolled", credential_id=cred))  # noqa: E731
    earn = lambda who, cred, ts: r.append(dict(timestamp=ts, learner_id=who, verb="earned", credential_id=cred))  # noqa: E731
    enrol("L1", "c", "2026-01-05 09:00")
    r += _module_run("L1", "m1", "2026-01-06", "en", end="passed", duration=600.0, score=0.9)
    r += _module_run("L1", "m2", "2026-01-13", "en", blocks=(), end="passed", duration=400.0, score=0.8)
    r += _module_run("L1", "m3", "2026-01-20", "en", blocks=(), end="passed", duration=100.0, score=1.0)
    earn("L1", "c", "2026-01-20 09:00")
    enrol("L2", "c", "2026-01-05 10:00")
    r += _module_run("L2", "m1", "2026-01-07", "fr", end="passed", duration=900.0, score=0.85)
    enrol("L2", "c", "2026-01-08 09:00")
    r += _module_run("L2", "m2", "2026-01-08", "fr", blocks=(), end="failed", duration=800.0, score=0.5)
    r[-1]["timestamp"] = r[-2]["timestamp"] = "2026-01-08 12:00"  # L2's last activity
    enrol("L3", "c", "2026-01-11 23:30")
    enrol("L4", "c", "2026-01-12 00:00")
    r += _module_run("L4", "m1", "2026-01-12", "en", blocks=("b1",))
    r += _module_run("L4", "m1", "2026-01-14", "de", end="passed", duration=300.0, score=1.0)
    r += _module_run("L4", "m4", "2026-01-21", "en", blocks=())
    r[-1]["timestamp"] = "2026-01-21 09:00"
    r += _module_run("L5", "m1", "2026-01-06", None, end="failed", duration=1200.0, score=0.2)
    enrol("L6", "c", "2026-01-05 09:00")
    earn("L6", "c", "2026-01-19 09:00")
    earn("L6", "d", "2026-01-26 09:00")
    r += _module_run("L7", "m1", "2026-01-13", "en", blocks=("b1", "b2"))
    r += _module_run("L8", "m1", "2026-01-27", "fr", blocks=())
    r[-1]["timestamp"] = "2026-01-27 12:00"
    return r


@pytest.fixture(scope="module")
def events():
    return make_events(cohort_rows()).collect()


def wilson_ref(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927) score interval, written from the textbook form."""
    p = k / n
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return centre - half, centre + half


def rows(df, *cols):
    """Rows of ``df`` (optionally some columns), floats rounded to 9 places for exact comparison."""
    out = df.select(cols).rows() if cols else df.rows()
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in out]


def test_wilson_matches_published_values():
    # Newcombe (1998), Table I: 81/263 -> 0.2553 .. 0.3662 (score method without continuity correction)
    lo, hi = wilson_ref(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    import narwhals.stable.v2 as nw
    import polars as pl

    got = (
        nw.from_native(pl.LazyFrame({"k": [81], "n": [263]})).pipe(M.with_wilson, "k", "n", "x").collect().rows()[0][2:]
    )
    assert got[0] == pytest.approx(81 / 263) and got[1] == pytest.approx(lo) and got[2] == pytest.approx(hi)


def test_module_outcomes(run, events):
    df = run(M.module_outcomes, events, credentials=[C, D])
    assert rows(df, "module_id", "enrolled", "started", "completed", "passed") == [
        ("m1", 5, 6, 4, 3),
        ("m2", 5, 2, 2, 1),
        ("m3", 5, 1, 1, 1),
        ("m4", 5, 1, 0, 0),
    ]
    m1 = df.row(0, named=True)
    assert m1["completion_rate"] == pytest.approx(4 / 6)
    assert (m1["completion_low"], m1["completion_high"]) == pytest.approx(wilson_ref(4, 6))
    assert (m1["pass_low"], m1["pass_high"]) == pytest.approx(wilson_ref(3, 6))
    assert df.row(3, named=True)["completion_low"] == pytest.approx(0.0, abs=1e-12)
    without = run(M.module_outcomes, events)
    assert without["enrolled"].null_count() == 4
    assert dict(df.schema) == {n: t for n, t in without.schema.items()}
    assert str(df.schema["completion_rate"]) == "Float64" and str(df.schema["started"]) == "Int64"


def test_credential_outcomes(run, events):
    df = run(M.credential_outcomes, events, credentials=[C, D])
    assert rows(df, "credential_id", "enrolled", "started", "completed", "earned") == [
        ("c", 5, 3, 1, 2),
        ("d", 0, 0, 0, 0),
    ]
    c = df.row(0, named=True)
    assert c["start_rate"] == pytest.approx(0.6)
    assert (c["earn_rate"], c["earn_low"], c["earn_high"]) == pytest.approx((0.4, *wilson_ref(2, 5)))
    d = df.row(1, named=True)
    assert d["start_rate"] is None and d["earn_rate"] is None and d["completion_low"] is None


def test_pathway_funnel_never_increases(run, events):
    df = run(M.pathway_funnel, events, credential=C)
    assert rows(df) == [
        ("c", 0, None, 5, 1.0),
        ("c", 1, "m1", 3, 0.6),
        ("c", 2, "m2", 3, 0.6),
        ("c", 3, "m3", 2, 0.4),
        ("c", 4, "m4", 1, 0.2),
    ]


def test_pathway_funnel_with_nobody_enrolled(run, events):
    df = run(M.pathway_funnel, events, credential=D)
    assert rows(df, "step", "module_id", "learners") == [(0, None, 0), (1, "m5", 0)]
    assert df["share"].to_list() == [None, None]


def test_block_dropoff(run, events):
    df = run(M.block_dropoff, events, module=M1)
    assert rows(df, "block_id", "position", "reached", "stopped") == [("b1", 1, 5, 0), ("b2", 2, 5, 1), ("b3", 3, 4, 0)]
    assert df["reached_share"].to_list() == pytest.approx([5 / 6, 5 / 6, 4 / 6])
    assert df["dropoff_rate"].to_list() == pytest.approx([0.0, 0.2, 0.0])


def test_time_on_task_linear_quantiles(run, events):
    df = run(M.time_on_task, events, estimates={"m1": 500.0, "m3": 50.0})
    m1, m2, m3 = df.rows(named=True)
    # m1 durations 300, 600, 900, 1200: linear quantile at p is x[floor(3p)] + frac * 300
    assert (m1["learners"], m1["mean_s"], m1["p25_s"], m1["median_s"], m1["p75_s"], m1["p90_s"]) == pytest.approx(
        (4, 750.0, 525.0, 750.0, 975.0, 1110.0)
    )
    assert m1["estimated_s"] == 500.0 and m1["median_ratio"] == pytest.approx(1.5)
    assert (m2["p25_s"], m2["median_s"], m2["p90_s"], m2["estimated_s"], m2["median_ratio"]) == (
        500.0,
        600.0,
        760.0,
        None,
        None,
    )
    assert (m3["median_s"], m3["median_ratio"]) == (100.0, 2.0)


def test_weekly_active_learners_weeks_start_monday_utc(run, events):
    df = run(M.weekly_active_learners, events)
    assert rows(df) == [(date(2026, 1, 5), 5), (date(2026, 1, 12), 3), (date(2026, 1, 19), 3), (date(2026, 1, 26), 2)]
    assert str(df.schema["week_start"]) == "Date"


def test_cohort_retention(run, events):
    df = run(M.cohort_retention, events)
    assert rows(df, "cohort_week", "week", "cohort_size", "active") == [
        (date(2026, 1, 5), 0, 5, 5),
        (date(2026, 1, 5), 1, 5, 1),
        (date(2026, 1, 5), 2, 5, 2),
        (date(2026, 1, 5), 3, 5, 1),
        (date(2026, 1, 12), 0, 2, 2),
        (date(2026, 1, 12), 1, 2, 1),
        (date(2026, 1, 26), 0, 1, 1),
    ]
    assert df["retention"].to_list() == pytest.approx([1, 0.2, 0.4, 0.2, 1, 0.5, 1])


def test_credential_uptake_counts_first_enrolment_once(run, events):
    df = run(M.credential_uptake, events)
    assert rows(df) == [
        ("c", date(2026, 1, 5), 4, 0, 4, 0),
        ("c", date(2026, 1, 12), 1, 0, 5, 0),
        ("c", date(2026, 1, 19), 0, 2, 5, 2),
        ("d", date(2026, 1, 26), 0, 1, 0, 1),
    ]


def test_uptake_by_segment(run, events):
    import polars as pl

    people = pl.DataFrame(
        {
            "learner_id": ["L1", "L2", "L3", "L4", "L6", "L7"],
            "org_unit": ["sales", "sales", "ops", None, "ops", "sales"],
        }
    )
    df = run(M.uptake_by_segment, events, people, by="org_unit")
    assert rows(df, "credential_id", "segment", "enrolled", "earned") == [
        ("c", "ops", 2, 1),
        ("c", "sales", 2, 1),
        ("c", "unknown", 1, 0),
    ]
    assert (df["earn_low"][0], df["earn_high"][0]) == pytest.approx(wilson_ref(1, 2))


def test_uptake_by_segment_names_a_missing_column(events):
    import polars as pl

    with pytest.raises(M.MetricError, match="no column 'team'.*") as e:
        M.uptake_by_segment(events.lazy(), pl.LazyFrame({"learner_id": ["L1"], "role": ["x"]}), by="team")
    assert "group by one of role" in str(e.value)


def test_credential_stacking(run, events):
    df = run(M.credential_stacking, events)
    assert rows(df) == [(0, 3, 0.6), (1, 1, 0.2), (2, 1, 0.2)]


def test_completion_by_language(run, events):
    df = run(M.completion_by_language, events)
    assert rows(df, "module_id", "language", "started", "completed") == [
        ("m1", "de", 1, 1),
        ("m1", "en", 3, 2),
        ("m1", "fr", 2, 1),
        ("m1", "unknown", 1, 1),
        ("m2", "en", 1, 1),
        ("m2", "fr", 1, 1),
        ("m3", "en", 1, 1),
        ("m4", "en", 1, 0),
    ]


def test_learners_at_risk(run, events):
    df = run(M.learners_at_risk, events)  # as of the latest event, 2026-01-27 12:00
    assert rows(df, "learner_id", "credential_id", "last_active", "modules_passed") == [
        ("L2", "c", T("2026-01-08 12:00"), 1),
        ("L3", "c", T("2026-01-11 23:30"), 0),
    ]
    assert df["days_inactive"].to_list() == pytest.approx([19.0, 15 + 12.5 / 24])
    later = run(M.learners_at_risk, events, as_of=T("2026-01-28 09:00"))
    assert later["learner_id"].to_list() == ["L2", "L3", "L4"]  # L4: exactly 7 days
    assert later["days_inactive"][2] == pytest.approx(7.0)


def test_as_of_must_be_aware(events):
    from datetime import datetime

    with pytest.raises(M.MetricError, match="no time zone"):
        M.learners_at_risk(events.lazy(), as_of=datetime(2026, 1, 28))


def test_missing_column_is_named():
    import polars as pl

    with pytest.raises(M.MetricError, match="no column.*module_id"):
        M.module_outcomes(pl.LazyFrame({"timestamp": [], "learner_id": [], "verb": []}))


def test_metrics_are_lazy_and_results_have_fixed_types(events):
    import narwhals.stable.v2 as nw

    from mblib.analytics.backends import collect

    lf = events.lazy()
    for name in M.METRICS:
        fn = getattr(M, name)
        args = {
            "credential_outcomes": ([C, D],),
            "pathway_funnel": (C,),
            "block_dropoff": (M1,),
            "time_on_task": ({"m1": 1.0},),
            "pathway_orders": (C,),
            "recommended_order": (C,),
            "elective_choices": (C,),
        }.get(name, ())
        if name == "uptake_by_segment":
            import polars as pl

            args = (pl.LazyFrame({"learner_id": ["L1"], "org_unit": ["x"]}),)
        out = fn(lf, *args)
        assert isinstance(out, nw.LazyFrame), name
        assert dict(out.collect_schema()) == M.output_schema(name), name
        assert collect(out).columns == list(M.output_schema(name)), name


@pytest.mark.parametrize("dtype", ["String", "Categorical", "Enum with an extra verb", "Enum in another order"])
def test_any_verb_dtype_gives_the_contract_results(events, dtype):
    # the contract's Enum is used as is (no cast, so filters reach the Parquet scan); an Enum
    # holding every verb compares by name too; other types are cast to String first
    import polars as pl

    from mblib.analytics.backends import collect

    target = {
        "String": pl.String,
        "Categorical": pl.Categorical(),
        "Enum with an extra verb": pl.Enum(
            ["enrolled", "launched", "progressed", "answered", "completed", "passed", "failed", "earned", "voided"]
        ),
        "Enum in another order": pl.Enum(
            ["passed", "failed", "earned", "enrolled", "launched", "progressed", "answered", "completed"]
        ),
    }[dtype]
    other = events.lazy().with_columns(pl.col("verb").cast(pl.String).cast(target))
    for metric, args in (
        (M.module_outcomes, ([C, D],)),
        (M.pathway_funnel, (C,)),
        (M.credential_stacking, ()),
        (M.weekly_active_learners, ()),
    ):
        assert collect(metric(other, *args)).equals(collect(metric(events.lazy(), *args))), (metric.__name__, dtype)


def test_enum_missing_a_verb_is_cast_to_string(events):
    import polars as pl

    from mblib.analytics.backends import collect

    # an Enum without "earned" holds this cohort once its awards are dropped; the metrics cast it
    # to String rather than rely on how an engine compares an Enum with a name it lacks
    no_earned = events.filter(pl.col("verb") != "earned").lazy()
    narrow = pl.Enum(["enrolled", "launched", "progressed", "answered", "completed", "passed", "failed"])
    cast = no_earned.with_columns(pl.col("verb").cast(pl.String).cast(narrow))
    assert collect(M.credential_stacking(cast)).equals(collect(M.credential_stacking(no_earned)))
    assert collect(M.module_outcomes(cast)).equals(collect(M.module_outcomes(no_earned)))


def test_at_risk_by_inactivity_counts_learners_without_ids(run, events):
    df = run(M.at_risk_by_inactivity, events)  # L2 19.0 and L3 15.5 days inactive: both in [14, 21)
    assert rows(df) == [("c", 14, 21, 2)]
    assert "learner_id" not in df.columns
    # as of 01-28 09:00: L4 exactly 7 days, L3 16.4, L2 19.875
    later = run(M.at_risk_by_inactivity, events, as_of=T("2026-01-28 09:00"), step_days=1)
    assert rows(later) == [("c", 7, 8, 1), ("c", 16, 17, 1), ("c", 19, 20, 1)]
    with pytest.raises(M.MetricError, match="step_days"):
        M.at_risk_by_inactivity(events.lazy(), step_days=0)
