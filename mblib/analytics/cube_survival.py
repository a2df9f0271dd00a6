"""Time to credential from the cube's learner rows: durations without a join, and the Kaplan-Meier
curve on one sorted table.

:func:`mblib.analytics.survival.kaplan_meier` runs on any engine, with ordered windows; here the
durations are a polars frame in memory, so the per-time counts are sorted once and every running
sum and product is a plain cumulative one per credential, with the same arithmetic
(:func:`mblib.analytics.survival.km_stages`), hence the same numbers (tests/analytics/test_cube.py compares them with the metric).

>>> import polars as pl
>>> d = pl.DataFrame({"credential_id": ["c"] * 3, "duration_days": [2.0, 1.0, 2.0], "earned": [1, 0, 0]})
>>> kaplan_meier_sorted(d).select("time_days", "at_risk", "events", "survival").rows()
[(1.0, 3, 0, 1.0), (2.0, 2, 1, 0.5)]
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cube_learners import LearnerSlice

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def durations(first: Any, last: Any) -> Any:
    """:func:`mblib.analytics.survival.credential_durations` from :func:`mblib.analytics.cube_views.first_events` and ``as_of``
    ``last`` (the same integer microseconds, in polars)."""
    import polars as pl

    from .metrics.frames import US_PER_DAY

    delta = last - _EPOCH if last is not None else None
    us = pl.lit((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds if delta else None, pl.Int64)
    keys = ["credential_id", "learner_id"]
    lf = first.lazy().with_columns(pl.col("timestamp").dt.epoch("us").alias("_us"))
    start = lf.filter(pl.col("verb") == "enrolled").select(*keys, pl.col("_us").alias("_start"))
    stop = lf.filter(pl.col("verb") == "earned").select(*keys, pl.col("_us").alias("_end"))
    got = pl.col("_end").is_not_null() & (pl.col("_end") <= us)
    return (
        start.join(stop, on=keys, how="left")
        .filter(pl.col("_start") <= us)
        .select(
            pl.col("credential_id").cast(pl.String),
            pl.col("learner_id").cast(pl.String),
            ((pl.when(got).then(pl.col("_end")).otherwise(us) - pl.col("_start")).cast(pl.Float64) / US_PER_DAY)
            .clip(lower_bound=0.0)
            .alias("duration_days"),
            got.cast(pl.Int64).alias("earned"),
        )
        .collect()
    )


def learner_durations(s: LearnerSlice, last: datetime | None) -> Any:
    """:func:`mblib.analytics.survival.credential_durations` from the learner rows (first enrolment
    and award per credential on each row) with ``as_of`` ``last``; one row per learner enrolled."""
    import polars as pl

    from .metrics.frames import US_PER_DAY

    delta = last - _EPOCH if last is not None else None
    us = pl.lit((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds if delta else None, pl.Int64)
    parts = []
    for i, c in enumerate(s.codes.creds):
        start, end = pl.col(f"enr_ts_{i}").dt.epoch("us"), pl.col(f"ear_ts_{i}").dt.epoch("us")
        got = end.is_not_null() & (end <= us)
        parts.append(
            s.rows.filter(pl.col(f"enr_ts_{i}").is_not_null() & (start <= us)).select(
                pl.lit(c, pl.String).alias("credential_id"),
                ((pl.when(got).then(end).otherwise(us) - start).cast(pl.Float64) / US_PER_DAY)
                .clip(lower_bound=0.0)
                .alias("duration_days"),
                got.cast(pl.Int64).alias("earned"),
            )
        )
    schema = {"credential_id": pl.String, "duration_days": pl.Float64, "earned": pl.Int64}
    return pl.concat(parts).collect(engine="in-memory") if parts else pl.DataFrame(schema=schema)


def kaplan_meier_sorted(durations: Any, *, alpha: float = 0.05) -> Any:
    """:func:`mblib.analytics.survival.kaplan_meier` of a polars frame of durations, as a DataFrame."""
    from statistics import NormalDist

    import polars as pl

    from .survival import km_stages

    z = NormalDist().inv_cdf(1 - alpha / 2)
    counts = _time_counts(durations)
    stages = km_stages(pl, z, lambda e: e)  # one credential's rows in time order: plain running sums
    curves = []
    for part in counts.partition_by("credential_id", maintain_order=True) or [counts]:
        per = part.lazy()
        for stage in stages:
            per = per.with_columns(*stage)
        curves.append(per)
    cols = ("credential_id", "time_days", "at_risk", "events", "censored", "survival", "ci_low", "ci_high")
    return pl.concat(curves).select(*cols).collect(engine="in-memory")


def _time_counts(durations: Any) -> Any:
    """Per credential and distinct time (ascending): ``events`` (earned then) and ``_n`` (learners
    whose time it is), from one numpy sort of the times, each credential's rows taken from it in
    order (a hash group-by on ~170 k distinct float times, then a sort, took twice as long)."""
    import numpy as np
    import polars as pl

    parts = []
    frame = durations.collect() if isinstance(durations, pl.LazyFrame) else durations
    times = frame.get_column("duration_days").cast(pl.Float64).to_numpy()
    earned = frame.get_column("earned").cast(pl.Int64).to_numpy()
    order = np.argsort(times)  # one sort (ties are summed, so their order does not matter)
    creds = frame.get_column("credential_id").cast(pl.String)
    for cid in sorted(creds.drop_nulls().unique().to_list()) + ([None] if creds.null_count() else []):
        mine = (creds.is_null() if cid is None else (creds == cid).fill_null(False)).to_numpy()
        at = order[mine[order]]
        t = times[at]
        new = np.ones(len(t), dtype=bool)
        new[1:] = t[1:] != t[:-1]
        starts = np.flatnonzero(new)
        events, n = np.add.reduceat(earned[at], starts), np.diff(np.append(starts, len(t)))
        parts.append(
            pl.DataFrame({"time_days": t[starts], "events": events, "_n": n}).with_columns(
                pl.lit(cid, pl.String).alias("credential_id")
            )
        )
    schema = {
        "credential_id": pl.String,
        "time_days": pl.Float64,
        "events": pl.Int64,
        "censored": pl.Int64,
        "_n": pl.Int64,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).select(
        pl.col("credential_id"),
        pl.col("time_days").cast(pl.Float64),
        pl.col("events").cast(pl.Int64),
        (pl.col("_n") - pl.col("events")).cast(pl.Int64).alias("censored"),
        pl.col("_n").cast(pl.Int64),
    )


__all__ = ["durations", "kaplan_meier_sorted", "learner_durations"]
