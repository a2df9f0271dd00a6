"""Activity and retention metrics: weekly active learners, cohort retention, learners at risk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .frames import (
    US_PER_DAY,
    Frame,
    MetricError,
    as_of_us,
    count_by,
    counts0,
    events_frame,
    learner_days,
    learner_weeks,
    learners_with,
    nw_module,
    ratio,
)
from .registry import DATETIME_UTC, final, metric


@metric(keys=["week_start"], columns={"week_start": "Date", "active_learners": "Int64"})
def weekly_active_learners(events: Any) -> Frame:
    """Distinct learners with any event in each week (weeks start on Monday, UTC).

    Only weeks with activity appear.

    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(weekly_active_learners(demo_events())).rows()
    [(datetime.date(2026, 3, 2), 3), (datetime.date(2026, 3, 9), 2), (datetime.date(2026, 3, 16), 1)]
    """
    from ..weeks import week_start

    nw = nw_module()
    days = learner_days(events_frame(events))
    weeks = days.select(week_start("_day").alias("week_start"), "learner_id").unique()
    out = weeks.group_by("week_start").agg(nw.len().cast(nw.Int64).alias("active_learners"))
    return final(out, "weekly_active_learners")


@metric(
    keys=["cohort_week", "week"],
    columns={"cohort_week": "Date", "week": "Int64", "cohort_size": "Int64", "active": "Int64", "retention": "Float64"},
)
def cohort_retention(events: Any) -> Frame:
    """Weekly cohorts by first activity and the share still active *k* weeks later.

    A learner's cohort is the week of their first event; ``week`` is 0 for that week.
    ``active`` counts cohort members with any event in week ``cohort_week + week``;
    ``retention = active / cohort_size``. Rows only for (cohort, week) pairs with activity.


    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(cohort_retention(demo_events())).select("week", "cohort_size", "active").rows()
    [(0, 3, 3), (1, 3, 2), (2, 3, 1)]
    """
    nw = nw_module()
    weeks = learner_weeks(events_frame(events))
    first = weeks.group_by("learner_id").agg(
        nw.col("week_start").min().alias("cohort_week"), nw.col("week_day").min().alias("cohort_day")
    )
    sizes = count_by(first, ["cohort_week"], "cohort_size")
    active = (
        weeks.join(first, on="learner_id", how="inner")
        .with_columns(((nw.col("week_day") - nw.col("cohort_day")) // 7).cast(nw.Int64).alias("week"))
        .group_by("cohort_week", "week")
        .agg(nw.len().cast(nw.Int64).alias("active"))
    )
    out = active.join(sizes, on="cohort_week", how="left").with_columns(
        ratio(nw.col("active"), nw.col("cohort_size")).alias("retention")
    )
    return final(out, "cohort_retention")


@metric(
    keys=["credential_id", "learner_id"],
    columns={
        "learner_id": "String",
        "credential_id": "String",
        "last_active": DATETIME_UTC,
        "days_inactive": "Float64",
        "modules_passed": "Int64",
    },
)
def learners_at_risk(events: Any, *, as_of: datetime | None = None, inactive_days: float = 7.0) -> Frame:
    """Enrolled learners who have not earned the credential and have been inactive a while.

    At risk: enrolled in the credential, no ``earned`` event for it, and the last event of any
    kind at least ``inactive_days`` before ``as_of`` (default: the latest timestamp in the data).

    ``modules_passed`` counts distinct modules with a ``passed`` event.

    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(learners_at_risk(demo_events())).select("learner_id", "days_inactive", "modules_passed").rows()
    [('c', 13.0, 0)]
    """
    from ..weeks import epoch_us

    nw = nw_module()
    ev = events_frame(events, ["credential_id", "module_id"])
    enrolled = learners_with(ev, "enrolled", ["credential_id"])
    earned = learners_with(ev, "earned", ["credential_id"])
    open_ = enrolled.join(earned, on=["credential_id", "learner_id"], how="anti")
    last = ev.group_by("learner_id").agg(nw.col("timestamp").max().alias("last_active"))
    passed = count_by(learners_with(ev, "passed", ["module_id"]), ["learner_id"], "modules_passed")
    out = (
        open_.join(last, on="learner_id", how="left")
        .join(passed, on="learner_id", how="left")
        .with_columns(*counts0("modules_passed"))
        .join(as_of_us(ev, as_of), how="cross")
        .with_columns(
            ((nw.col("as_of_us") - epoch_us("last_active")).cast(nw.Float64) / US_PER_DAY).alias("days_inactive")
        )
        .filter(nw.col("days_inactive") >= inactive_days)
    )
    return final(out, "learners_at_risk")


@metric(
    keys=["credential_id", "days_from"],
    columns={"credential_id": "String", "days_from": "Int64", "days_to": "Int64", "learners": "Int64"},
)
def at_risk_by_inactivity(
    events: Any, *, as_of: datetime | None = None, inactive_days: float = 7.0, step_days: int = 7
) -> Frame:
    """Learners at risk (:func:`learners_at_risk`) counted per credential and span of inactivity.

    The report and the dashboard draw this, not the list: it holds counts only (no learner
    ids), so small groups can be suppressed like any other table. Spans are ``step_days`` wide:
    ``days_from <= days_inactive < days_to``.


    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(at_risk_by_inactivity(demo_events())).rows()
    [('c1', 7, 14, 1)]
    """
    nw = nw_module()
    if step_days < 1:
        raise MetricError(
            f"step_days must be 1 or more, got {step_days}", hint="step_days=7 counts by week of inactivity"
        )
    risk = learners_at_risk(events, as_of=as_of, inactive_days=inactive_days)
    out = (
        risk.with_columns((nw.col("days_inactive") // step_days).cast(nw.Int64).alias("_bin"))
        .group_by("credential_id", "_bin")
        .agg(nw.len().cast(nw.Int64).alias("learners"))
        .with_columns(
            (nw.col("_bin") * step_days).cast(nw.Int64).alias("days_from"),
            ((nw.col("_bin") + 1) * step_days).cast(nw.Int64).alias("days_to"),
        )
    )
    return final(out, "at_risk_by_inactivity")


__all__ = ["at_risk_by_inactivity", "cohort_retention", "learners_at_risk", "weekly_active_learners"]
