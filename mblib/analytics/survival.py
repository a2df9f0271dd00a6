"""Time to credential by Kaplan-Meier, with censoring, median and a Greenwood log-log band.

A learner's clock starts at their first ``enrolled`` event for a credential and stops at their
first ``earned`` event for it (an event) or at ``as_of`` (censored; default: the latest
timestamp in the data). Times are in days (Float64). The estimator is computed lazily with
window functions (``cum_sum``/``cum_prod`` over ``order_by``), so it runs on polars, DuckDB and
PySpark alike; the tests check it against lifelines.

Confidence band: the "exponential Greenwood" (log-log) interval that lifelines also uses,
``S(t) ** exp(+-z * sqrt(V) / log S(t))`` with ``V = sum d / (n (n - d))``. Where ``S = 1``
(no award yet) the band is ``[1, 1]``; where ``S = 0`` it is null.

Output schemas:

===========================  ==================================================================
function                     columns (type)
===========================  ==================================================================
credential_durations         credential_id, learner_id (String), duration_days (Float64),
                             earned (Int64: 1 earned, 0 censored)
time_to_credential           credential_id (String), time_days (Float64), at_risk, events,
                             censored (Int64), survival, ci_low, ci_high (Float64);
                             one row per distinct observed time (the curve starts at 1 at 0)
time_to_credential_summary   credential_id (String), learners, earned, censored (Int64),
                             median_days, median_low, median_high (Float64, null if not reached)
kaplan_meier                 the curve of time_to_credential from credential_durations' rows
thin_curve                   a collected curve cut to about 400 rows per credential, for charts
===========================  ==================================================================

>>> from mblib.analytics.metrics import demo_events
>>> from mblib.analytics.backends import collect
>>> collect(time_to_credential(demo_events())).select("time_days", "at_risk", "events", "survival").rows()
[(8.0, 3, 1, 0.666...), (14.0, 2, 0, 0.666...)]
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from .metrics.frames import US_PER_DAY, as_of_us, events_frame, nw_module
from .metrics.registry import final

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        from .metrics import MetricError

        raise MetricError(f"alpha must be between 0 and 1, got {alpha}", hint="alpha=0.05 gives a 95% band")
    return NormalDist().inv_cdf(1 - alpha / 2)


def credential_durations(events: Any, *, as_of: datetime | None = None) -> Frame:
    """Per enrolled learner and credential: days from enrolment to award, or to ``as_of`` (censored).

    Enrolments after ``as_of`` are left out; an award after ``as_of`` counts as not (yet) earned;
    an award recorded before the enrolment counts at time 0.

    Columns: credential_id String, learner_id String, duration_days Float64, earned Int64.
    """
    from .weeks import epoch_us

    nw = nw_module()
    ev = events_frame(events, ["credential_id"])

    def first(verb: str, name: str) -> Frame:
        return (
            ev.filter((nw.col("verb") == verb) & ~nw.col("credential_id").is_null())
            .group_by("credential_id", "learner_id")
            .agg(nw.col("timestamp").min().alias(name))
        )

    start, stop = epoch_us("_start"), epoch_us("_end")
    got = ~nw.col("_end").is_null() & (stop <= nw.col("as_of_us"))
    out = (
        first("enrolled", "_start")
        .join(first("earned", "_end"), on=["credential_id", "learner_id"], how="left")
        .join(as_of_us(ev, as_of), how="cross")
        .filter(start <= nw.col("as_of_us"))
        .with_columns(
            got.cast(nw.Int64).alias("earned"),
            ((nw.when(got).then(stop).otherwise(nw.col("as_of_us")) - start).cast(nw.Float64) / US_PER_DAY)
            .clip(lower_bound=0.0)
            .alias("duration_days"),
        )
    )
    schema = {"credential_id": nw.String, "learner_id": nw.String, "duration_days": nw.Float64, "earned": nw.Int64}
    return final(out, schema).sort("credential_id", "learner_id")


def km_stages(ns: Any, z: float, running: Callable[[Any], Any]) -> list[list[Any]]:
    """The Kaplan-Meier arithmetic once the per-time counts are known (``events`` and ``_n``, the
    learners whose time it is): stages of columns for ``with_columns``, in order: ``at_risk``,
    ``survival`` (product-limit), ``ci_low``/``ci_high`` (log-log band, Greenwood variance).

    ``ns`` is narwhals or polars (the same expression API); ``running`` makes a cumulative
    expression run per credential in time order: an ordered window on any engine
    (:func:`kaplan_meier`), or nothing on one credential's rows already sorted (the dashboard's cube).
    """
    d, n = ns.col("events").cast(ns.Float64), ns.col("at_risk").cast(ns.Float64)
    s = ns.col("survival")
    logs, spread = ns.col("_logs"), ns.col("_spread")
    return [
        [running(ns.col("_n").cum_sum(reverse=True)).cast(ns.Int64).alias("at_risk")],
        [(1.0 - d / n).alias("_factor"), ns.when(n > d).then(d / (n * (n - d))).otherwise(ns.lit(0.0)).alias("_g")],
        [running(ns.col("_factor").cum_prod()).alias("survival"), running(ns.col("_g").cum_sum()).alias("_v")],
        [ns.when((s > 0.0) & (s < 1.0)).then(s.log()).otherwise(ns.lit(None, ns.Float64)).alias("_logs")],
        [(z * ns.col("_v").sqrt() / logs.abs()).exp().alias("_spread")],
        [
            ns.when(s >= 1.0).then(ns.lit(1.0)).otherwise((logs * spread).exp()).alias("ci_low"),
            ns.when(s >= 1.0).then(ns.lit(1.0)).otherwise((logs / spread).exp()).alias("ci_high"),
        ],
    ]


def _km(durations: Frame, z: float) -> Frame:
    nw = nw_module()
    per = durations.group_by("credential_id", "duration_days").agg(
        nw.col("earned").sum().cast(nw.Int64).alias("events"), nw.len().cast(nw.Int64).alias("_n")
    )
    w = {"order_by": "time_days"}
    per = per.select(
        "credential_id",
        nw.col("duration_days").alias("time_days"),
        "events",
        (nw.col("_n") - nw.col("events")).cast(nw.Int64).alias("censored"),
        "_n",
    )
    for stage in km_stages(nw, z, lambda e: e.over("credential_id", **w)):
        per = per.with_columns(*stage)  # staged, so that no engine inlines one large expression many times
    return per


_KM_SCHEMA = ("credential_id", "time_days", "at_risk", "events", "censored", "survival", "ci_low", "ci_high")


def time_to_credential(events: Any, *, as_of: datetime | None = None, alpha: float = 0.05) -> Frame:
    """The Kaplan-Meier curve of time to credential, per credential, with a (1 - alpha) band.

    Columns: credential_id String, time_days Float64, at_risk Int64, events Int64,
    censored Int64, survival Float64, ci_low Float64, ci_high Float64.
    """
    return kaplan_meier(credential_durations(events, as_of=as_of), alpha=alpha)


def kaplan_meier(durations: Any, *, alpha: float = 0.05) -> Frame:
    """The curve of :func:`time_to_credential` from durations as :func:`credential_durations` gives them
    (any lazy frame with credential_id, duration_days and earned; e.g. the dashboard's cube makes them).
    """
    from .metrics.frames import lazy

    nw = nw_module()
    km = _km(lazy(durations), _z(alpha))
    types = [nw.String, nw.Float64, nw.Int64, nw.Int64, nw.Int64, nw.Float64, nw.Float64, nw.Float64]
    return final(km, dict(zip(_KM_SCHEMA, types))).sort("credential_id", "time_days")


def time_to_credential_summary(events: Any, *, as_of: datetime | None = None, alpha: float = 0.05) -> Frame:
    """Per credential: learners, earned, censored, and the median time to credential with its band.

    The median is the first time at which the survival curve is at or below 0.5 (null when it
    never gets there); its bounds are the same crossing for the band's lower and upper curves
    (as lifelines' ``median_survival_times`` of the confidence interval).

    Columns: credential_id String, learners Int64, earned Int64, censored Int64,
    median_days Float64, median_low Float64, median_high Float64.

    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(time_to_credential_summary(demo_events())).rows()
    [('c1', 3, 1, 2, None, 8.0, None)]
    """
    nw = nw_module()
    km = _km(credential_durations(events, as_of=as_of), _z(alpha))

    def crossing(col: str) -> Any:
        return nw.when(nw.col(col) <= 0.5).then(nw.col("time_days")).otherwise(nw.lit(None, nw.Float64)).min()

    out = km.group_by("credential_id").agg(
        nw.col("_n").sum().cast(nw.Int64).alias("learners"),
        nw.col("events").sum().cast(nw.Int64).alias("earned"),
        nw.col("censored").sum().cast(nw.Int64).alias("censored"),
        crossing("survival").alias("median_days"),
        crossing("ci_low").alias("median_low"),
        crossing("ci_high").alias("median_high"),
    )
    schema = {
        "credential_id": nw.String,
        "learners": nw.Int64,
        "earned": nw.Int64,
        "censored": nw.Int64,
        "median_days": nw.Float64,
        "median_low": nw.Float64,
        "median_high": nw.Float64,
    }
    return final(out, schema).sort("credential_id")


def thin_curve(curve: Any, *, max_points: int = 400) -> Any:
    """A collected :func:`time_to_credential` curve with at most about ``max_points`` rows per
    credential, for drawing and for reports.

    A curve has one row per distinct observed time: on a real cohort that is one row per learner
    or so (168 k rows on 10 M events), which no chart should embed. Times are cut into
    ``max_points`` equal steps of the longest curve; each step keeps its last row (its time,
    ``survival`` and band, and ``at_risk`` just before that time) with the step's ``events`` and
    ``censored`` summed. Drawn as a step curve, each drop then shows at the end of its step (a
    shift of at most ``1 / max_points`` of the time axis). A curve that is short enough is
    returned as it is. Pass the result through ``report.report_table(..., count_col="at_risk",
    how="drop")`` so the curve ends where fewer than k learners remain at risk.

    Returns a polars DataFrame with the columns of :func:`time_to_credential`.

    >>> import polars as pl
    >>> curve = pl.DataFrame({"credential_id": ["c"] * 4, "time_days": [1.0, 2.0, 3.0, 4.0],
    ...     "at_risk": [10, 9, 8, 7], "events": [1, 1, 1, 1], "censored": [0, 0, 0, 0],
    ...     "survival": [0.9, 0.8, 0.7, 0.6], "ci_low": [0.5] * 4, "ci_high": [1.0] * 4})
    >>> thin_curve(curve, max_points=2).select("time_days", "at_risk", "events", "survival").rows()
    [(1.0, 10, 1, 0.9), (3.0, 8, 2, 0.7), (4.0, 7, 1, 0.6)]
    """
    import polars as pl

    from .backends import to_polars_lazy
    from .metrics import MetricError

    if max_points < 2:
        raise MetricError(f"max_points must be 2 or more, got {max_points}", hint="max_points=400 draws a smooth curve")
    native = to_polars_lazy(curve).collect()
    missing = [c for c in _KM_SCHEMA if c not in native.columns]
    if missing:
        raise MetricError(
            f"the curve has no column(s) {', '.join(missing)}",
            hint="pass the collected result of survival.time_to_credential(...)",
        )
    df = native.select(_KM_SCHEMA)
    cred, time = pl.col("credential_id"), pl.col("time_days")
    ordered = df.select(
        cred.cast(pl.String).is_sorted() & ((cred != cred.shift()) | (time >= time.shift())).fill_null(True).all()
    ).item()
    if not ordered:  # a curve from the metrics comes sorted; sorting ~170 k rows again costs ~10 ms
        df = df.sort("credential_id", "time_days")
    longest = df.select(cred.rle().struct.field("len").max()).item() if df.height else 0  # sorted: runs
    if not isinstance(longest, int) or longest <= max_points:  # Series.max() is typed as any literal
        return df
    top = df["time_days"].max()
    span = top if isinstance(top, (int, float)) else 0.0
    step = span / max_points if span > 0 else 1.0
    # the rows in time order fall into runs of one (credential, step); each run keeps its last row,
    # its events and censored summed as differences of running sums (no group-by)
    steps = (time / step).floor().cast(pl.Int64)
    ends = ((cred != cred.shift(-1)) | (steps != steps.shift(-1))).fill_null(True)
    sums = [pl.col(c).cum_sum().alias(f"_{c}") for c in ("events", "censored")]
    kept = df.with_columns(*sums).filter(ends)
    return kept.with_columns(
        *[
            (pl.col(f"_{c}") - pl.col(f"_{c}").shift(fill_value=0)).cast(df.schema[c]).alias(c)
            for c in ("events", "censored")
        ]
    ).select(_KM_SCHEMA)


__all__ = [
    "credential_durations",
    "kaplan_meier",
    "km_stages",
    "thin_curve",
    "time_to_credential",
    "time_to_credential_summary",
]
