"""Kaplan-Meier time to credential against an independent implementation (lifelines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from mblib.analytics import survival as S

from .conftest import make_events

lifelines = pytest.importorskip("lifelines", reason="lifelines (dev extra) is the reference implementation")

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
AS_OF = datetime(2026, 4, 1, tzinfo=UTC)


def cohort(seed: int = 7, n: int = 61):
    """n learners enrol in 'cred' on whole days; about 60% earn it after 3..40 days (ties on
    purpose), the rest are censored at AS_OF. A second credential has one learner, censored."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for i in range(n):
        start = START + timedelta(days=int(rng.integers(0, 30)))
        rows.append(dict(timestamp=start, learner_id=f"L{i}", verb="enrolled", credential_id="cred"))
        if rng.random() < 0.6:
            days = int(rng.integers(3, 41))
            rows.append(
                dict(timestamp=start + timedelta(days=days), learner_id=f"L{i}", verb="earned", credential_id="cred")
            )
            truth.append((days, 1))
        else:
            truth.append(((AS_OF - start).total_seconds() / 86400, 0))
    rows.append(dict(timestamp=START, learner_id="L0", verb="enrolled", credential_id="other"))
    return make_events(rows).collect(), truth


@pytest.fixture(scope="module")
def data():
    return cohort()


def _fit(truth):
    kmf = lifelines.KaplanMeierFitter(alpha=0.05)
    durations, observed = zip(*truth)
    kmf.fit(durations, observed)
    return kmf


def test_durations(run, data):
    events, truth = data
    df = run(S.credential_durations, events, as_of=AS_OF).filter(credential_id="cred")
    got = sorted(zip(df["duration_days"].to_list(), df["earned"].to_list()))
    want = sorted(truth)
    assert [d for d, _ in got] == pytest.approx([d for d, _ in want])
    assert [e for _, e in got] == [e for _, e in want]


def test_curve_and_band_match_lifelines(run, data):
    events, truth = data
    df = run(S.time_to_credential, events, as_of=AS_OF).filter(credential_id="cred")
    kmf = _fit(truth)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    table = kmf.event_table
    times = df["time_days"].to_numpy()
    assert times == pytest.approx(np.array([t for t in sf.index if t > 0]))
    assert df["survival"].to_numpy() == pytest.approx(sf.loc[times].to_numpy())
    assert df["at_risk"].to_list() == table.loc[times, "at_risk"].astype(int).tolist()
    assert df["events"].to_list() == table.loc[times, "observed"].astype(int).tolist()
    assert df["censored"].to_list() == table.loc[times, "censored"].astype(int).tolist()
    assert df["ci_low"].to_numpy() == pytest.approx(ci.iloc[:, 0].loc[times].to_numpy(), rel=1e-9)
    assert df["ci_high"].to_numpy() == pytest.approx(ci.iloc[:, 1].loc[times].to_numpy(), rel=1e-9)


def test_median_and_its_band_match_lifelines(run, data):
    from lifelines.utils import median_survival_times

    events, truth = data
    row = run(S.time_to_credential_summary, events, as_of=AS_OF).row(0, named=True)
    kmf = _fit(truth)
    assert (row["credential_id"], row["learners"], row["earned"]) == ("cred", 61, sum(e for _, e in truth))
    assert row["censored"] == 61 - row["earned"]
    sf = kmf.survival_function_.iloc[:, 0]
    assert not np.isclose(sf, 0.5, atol=1e-9).any(), "an exact 0.5 would make the comparison a float tie"
    assert row["median_days"] == pytest.approx(kmf.median_survival_time_)
    band = median_survival_times(kmf.confidence_interval_)
    assert (row["median_low"], row["median_high"]) == pytest.approx((band.iloc[0, 0], band.iloc[0, 1]))


def test_median_not_reached_is_null(run, data):
    events, _ = data
    other = run(S.time_to_credential_summary, events, as_of=AS_OF).filter(credential_id="other").row(0, named=True)
    assert other["earned"] == 0 and other["median_days"] is None and other["median_high"] is None
    curve = run(S.time_to_credential, events, as_of=AS_OF).filter(credential_id="other")
    assert curve.select("survival", "ci_low", "ci_high").row(0) == (1.0, 1.0, 1.0)


def test_as_of_defaults_to_latest_event_and_censors_later_awards():
    events, _ = cohort(n=5)
    latest = events["timestamp"].max()
    from mblib.analytics.backends import collect

    a = collect(S.credential_durations(events.lazy()))
    b = collect(S.credential_durations(events.lazy(), as_of=latest))
    assert a.equals(b)
    early = collect(S.credential_durations(events.lazy(), as_of=START + timedelta(days=2)))
    assert early["earned"].sum() == 0


def test_alpha_is_checked():
    events, _ = cohort(n=3)
    from mblib.analytics.metrics import MetricError

    with pytest.raises(MetricError, match="alpha must be between 0 and 1"):
        S.time_to_credential(events.lazy(), alpha=1.5)


def test_median_at_an_exact_half_is_that_time():
    """Hand-computed: 4 learners earn after 1, 2, 3, 4 days: S(2) = 0.5 exactly, so the median is 2
    (the first time S <= 0.5)."""
    from mblib.analytics.backends import collect

    rows = []
    for i, d in enumerate([1, 2, 3, 4]):
        rows.append(dict(timestamp=START, learner_id=f"L{i}", verb="enrolled", credential_id="c"))
        rows.append(dict(timestamp=START + timedelta(days=d), learner_id=f"L{i}", verb="earned", credential_id="c"))
    ev = make_events(rows).lazy()
    assert collect(S.time_to_credential(ev))["survival"].to_list() == [0.75, 0.5, 0.25, 0.0]
    row = collect(S.time_to_credential_summary(ev)).row(0, named=True)
    assert row["median_days"] == 2.0
    curve = collect(S.time_to_credential(ev))
    assert curve["ci_low"][-1] is None and curve["ci_high"][-1] is None  # S = 0: no band


def test_thin_curve_keeps_points_of_the_curve_and_fits_a_chart():
    import polars as pl

    from mblib.analytics import charts
    from mblib.analytics.report import report_table

    n = 20_000  # one row per distinct time, as a large cohort gives (altair refuses more than 5,000 rows)
    rng = np.random.default_rng(1)
    parts = []
    for cred, scale in (("c", 1.0), ("d", 0.5)):
        times = np.sort(rng.uniform(0, 100 * scale, n))
        events = rng.integers(0, 2, n)
        at_risk = np.arange(n + 20, 20, -1)
        survival = np.cumprod(1 - events / at_risk)
        parts.append(
            pl.DataFrame(
                {
                    "credential_id": cred,
                    "time_days": times,
                    "at_risk": at_risk,
                    "events": events,
                    "censored": 1 - events,
                    "survival": survival,
                    "ci_low": survival * 0.9,
                    "ci_high": np.minimum(survival * 1.1, 1.0),
                }
            )
        )
    curve = pl.concat(parts)
    thin = S.thin_curve(curve, max_points=400)
    assert thin.columns == curve.columns
    assert thin.group_by("credential_id").len()["len"].max() <= 401
    # every kept row is a point of the original curve: its time, survival, band and at-risk count
    same = thin.join(curve, on=["credential_id", "time_days"], how="inner", suffix="_o")
    assert same.height == thin.height
    for col in ("survival", "ci_low", "ci_high", "at_risk"):
        assert (same[col] == same[f"{col}_o"]).all(), col
    # each credential's last point is kept, and events and censorings are summed, not lost
    ends = curve.group_by("credential_id").agg(pl.col("time_days").max()).sort("credential_id")
    assert thin.group_by("credential_id").agg(pl.col("time_days").max()).sort("credential_id").equals(ends)
    assert (
        thin.group_by("credential_id")
        .agg(pl.col("events", "censored").sum())
        .sort("credential_id")
        .equals(curve.group_by("credential_id").agg(pl.col("events", "censored").sum()).sort("credential_id"))
    )
    # a report drops the tail where fewer than k learners are at risk, and the chart draws the rest
    table = report_table(
        thin,
        caption="Time to credential",
        k=1_000,
        count_col="at_risk",
        labels=["credential_id", "time_days"],
        how="drop",
    )
    assert table.frame["at_risk"].min() >= 1_000 and "they are left out" in table.note
    spec = charts.time_to_credential_chart(table.frame).to_dict()
    assert len(next(iter(spec["datasets"].values()))) == table.frame.height
    # a short curve is returned as it is
    short = curve.head(50)
    assert S.thin_curve(short).equals(short)
    from mblib.analytics.metrics import MetricError

    with pytest.raises(MetricError, match="max_points"):
        S.thin_curve(curve, max_points=1)


def test_thin_curve_names_the_missing_columns():
    import polars as pl

    from mblib.analytics.metrics import MetricError

    with pytest.raises(
        MetricError,
        match=r"(?s)the curve has no column\(s\) at_risk, ci_low, ci_high.*"
        r"pass the collected result of survival.time_to_credential",
    ):
        S.thin_curve(
            pl.DataFrame(
                {"credential_id": ["c"], "time_days": [1.0], "events": [1], "censored": [0], "survival": [0.5]}
            )
        )


def _thin_by_group_by(df, max_points):
    """The oracle: each (credential, step of the time axis) keeps its last row in time, events and censored summed."""
    df = df.sort("credential_id", "time_days")
    if df.group_by("credential_id").len()["len"].max() <= max_points:
        return df
    step = df["time_days"].max() / max_points
    last = [pl.col(c).last() for c in ("time_days", "at_risk", "survival", "ci_low", "ci_high")]
    return (
        df.with_columns((pl.col("time_days") / step).floor().cast(pl.Int64).alias("_step"))
        .group_by("credential_id", "_step", maintain_order=True)
        .agg(*last, pl.col("events").sum(), pl.col("censored").sum())
        .select(df.columns)
        .sort("credential_id", "time_days")
    )


def test_thin_curve_equals_a_group_by_of_its_steps_sorted_or_not():
    import random

    from polars.testing import assert_frame_equal

    from mblib.analytics.survival import thin_curve

    rnd = random.Random(5)
    for trial in range(30):
        rows = []
        for c in ["a", "b", "c"][: rnd.randint(1, 3)]:
            n = rnd.randint(1, 2000)
            for i, t in enumerate(sorted(rnd.sample(range(1, 100_000), n))):
                rows.append((c, t / 100.0, n - i, rnd.randint(0, 1), rnd.randint(0, 2), 1 - i / n, 0.1, 0.9))
        cols = ["credential_id", "time_days", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
        df = pl.DataFrame(rows, schema=cols, orient="row")
        if trial % 2:
            df = df.sample(fraction=1.0, shuffle=True, seed=trial)
        max_points = rnd.choice([2, 10, 400, 5000])
        assert_frame_equal(thin_curve(df, max_points=max_points), _thin_by_group_by(df, max_points))
