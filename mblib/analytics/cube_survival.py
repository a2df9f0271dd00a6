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
    counts = (
        durations.lazy()
        .group_by("credential_id", "duration_days")
        .agg(pl.col("earned").sum().cast(pl.Int64).alias("events"), pl.len().cast(pl.Int64).alias("_n"))
        .select(
            pl.col("credential_id").cast(pl.String),
            pl.col("duration_days").alias("time_days"),
            "events",
            (pl.col("_n") - pl.col("events")).cast(pl.Int64).alias("censored"),
            "_n",
        )
        .sort("credential_id", "time_days")
        .collect(engine="in-memory")
    )
    stages = km_stages(pl, z, lambda e: e)  # one credential's rows in time order: plain running sums
    curves = []
    for part in counts.partition_by("credential_id", maintain_order=True) or [counts]:
        per = part.lazy()
        for stage in stages:
            per = per.with_columns(*stage)
        curves.append(per)
    cols = ("credential_id", "time_days", "at_risk", "events", "censored", "survival", "ci_low", "ci_high")
    return pl.concat(curves).select(*cols).collect(engine="in-memory")


__all__ = ["durations", "kaplan_meier_sorted", "learner_durations"]
