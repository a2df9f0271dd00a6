"""Completion and credential metrics over the events table, written once with narwhals.

Every metric takes the events table (a lazy frame: polars ``LazyFrame``, a DuckDB relation,
a PySpark ``DataFrame`` or a ``narwhals.LazyFrame`` over any of them) and returns a
``narwhals.LazyFrame`` on the same backend, with the columns and types listed in its
docstring. Nothing is collected here: the caller collects, e.g. with
:func:`mblib.analytics.backends.collect`, which returns a small polars ``DataFrame`` sorted by
the key columns. The rules that keep the code portable are in DESIGN.md ("Learner data").

Rates come with Wilson 95 % score intervals (``*_low``/``*_high``); a rate over an empty base
is null. Learners are always counted once (distinct ``learner_id``).

Output schemas (the report, charts and dashboard build against these):

==========================  ==========================================================================
metric                      columns (type)
==========================  ==========================================================================
module_outcomes             module_id (String), enrolled, started, completed, passed (Int64),
                            completion_rate, completion_low, completion_high,
                            pass_rate, pass_low, pass_high (Float64)
credential_outcomes         credential_id (String), enrolled, started, completed, earned (Int64),
                            start_rate, completion_rate, completion_low, completion_high,
                            earn_rate, earn_low, earn_high (Float64)
pathway_funnel              credential_id (String), step (Int64), module_id (String, null at step 0),
                            learners (Int64), share (Float64)
block_dropoff               module_id, block_id (String), position (Int64), reached, stopped (Int64),
                            reached_share, dropoff_rate (Float64)
time_on_task                module_id (String), learners (Int64), estimated_s, mean_s, p25_s,
                            median_s, p75_s, p90_s, median_ratio (Float64)
weekly_active_learners      week_start (Date), active_learners (Int64)
cohort_retention            cohort_week (Date), week (Int64), cohort_size, active (Int64),
                            retention (Float64)
credential_uptake           credential_id (String), week_start (Date), enrolled, earned,
                            cumulative_enrolled, cumulative_earned (Int64)
uptake_by_segment           credential_id, segment (String), enrolled, earned (Int64),
                            earn_rate, earn_low, earn_high (Float64)
credential_stacking         credentials_held (Int64), learners (Int64), share (Float64)
completion_by_language      module_id, language (String), started, completed (Int64),
                            completion_rate, completion_low, completion_high (Float64)
learners_at_risk            learner_id, credential_id (String), last_active (Datetime(us, UTC)),
                            days_inactive (Float64), modules_passed (Int64)
==========================  ==========================================================================

Time to credential (Kaplan-Meier) is in :mod:`mblib.analytics.survival`; item analysis in
:mod:`mblib.analytics.items`; the shared week-start helper in :mod:`mblib.analytics.weeks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # narwhals is imported lazily (``import mblib`` stays light)
    import narwhals.stable.v2 as nw

    from ..content import Credential, Module

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any

Segment = Literal["org_unit", "role", "country", "language"]

#: z for a two-sided 95 % interval
Z95 = 1.959963984540054


def module_outcomes(events: Any, credentials: Iterable[Credential] | None = None) -> Frame:
    """Per module: learners enrolled (in a credential listing it), started, completed and passed.

    ``started`` counts learners with a ``launched`` event, ``completed`` those with a
    ``completed`` event, ``passed`` those with a ``passed`` event for the module.
    ``enrolled`` counts learners enrolled in any of ``credentials`` that lists the module (null
    when ``credentials`` is not given). Rates are over ``started``, with Wilson 95 % bounds.

    Columns: module_id String, enrolled Int64, started Int64, completed Int64, passed Int64,
    completion_rate, completion_low, completion_high, pass_rate, pass_low, pass_high Float64.
    """
    raise NotImplementedError


def credential_outcomes(events: Any, credentials: Iterable[Credential]) -> Frame:
    """Per credential: learners enrolled, started, completed and earned.

    ``enrolled``: an ``enrolled`` event for the credential; ``started``: enrolled and launched any
    of its modules; ``completed``: enrolled and passed every required module and ``choose`` of
    each elective group; ``earned``: an ``earned`` event. Rates are over ``enrolled``.

    Columns: credential_id String, enrolled, started, completed, earned Int64, start_rate,
    completion_rate, completion_low, completion_high, earn_rate, earn_low, earn_high Float64.
    """
    raise NotImplementedError


def pathway_funnel(events: Any, credential: Credential) -> Frame:
    """The funnel along a credential's pathway (``credential.pathway()`` order).

    Step 0 is "enrolled"; step k (1-based) counts enrolled learners whose furthest launched
    module along the pathway is at position k or later ("reached at least step k"), so
    ``learners`` never increases with ``step``. ``share`` is ``learners`` over step 0.

    Columns: credential_id String, step Int64, module_id String (null at step 0),
    learners Int64, share Float64. One row per step, steps 0..len(pathway).
    """
    raise NotImplementedError


def block_dropoff(events: Any, module: Module) -> Frame:
    """Per block of one module: how many learners reached it and how many stopped there.

    A learner reached block *i* when their furthest ``progressed`` block (by position in the
    module) is at *i* or later. They stopped at *i* when *i* is their furthest block and they
    have no ``completed`` event for the module. ``reached_share`` is over learners who launched
    the module; ``dropoff_rate`` is ``stopped / reached`` (null when nobody reached it).

    Columns: module_id String, block_id String, position Int64 (1-based), reached Int64,
    stopped Int64, reached_share Float64, dropoff_rate Float64. One row per block.
    """
    raise NotImplementedError


def estimated_seconds(modules: Iterable[Module]) -> dict[str, float]:
    """Each module's estimated duration in seconds (``Module.estimate_duration()``), by id."""
    return {m.id: m.estimate_duration().seconds for m in modules}


def time_on_task(events: Any, estimates: Mapping[str, float]) -> Frame:
    """Time on task (``duration_s`` on ``completed`` events) against each module's estimate.

    ``estimates`` maps module id to estimated seconds (see :func:`estimated_seconds`); modules
    missing from it get a null estimate. Quantiles are linear. ``median_ratio`` is
    ``median_s / estimated_s``.

    Columns: module_id String, learners Int64, estimated_s, mean_s, p25_s, median_s, p75_s,
    p90_s, median_ratio Float64.
    """
    raise NotImplementedError


def weekly_active_learners(events: Any) -> Frame:
    """Distinct learners with any event in each week (weeks start on Monday, UTC).

    Columns: week_start Date, active_learners Int64. Only weeks with activity appear.
    """
    raise NotImplementedError


def cohort_retention(events: Any) -> Frame:
    """Weekly cohorts by first activity and the share still active *k* weeks later.

    A learner's cohort is the week of their first event; ``week`` is 0 for that week.
    ``active`` counts cohort members with any event in week ``cohort_week + week``;
    ``retention = active / cohort_size``. Rows only for (cohort, week) pairs with activity.

    Columns: cohort_week Date, week Int64, cohort_size Int64, active Int64, retention Float64.
    """
    raise NotImplementedError


def credential_uptake(events: Any) -> Frame:
    """Per credential and week: new enrolments and credentials earned, and running totals.

    Columns: credential_id String, week_start Date, enrolled Int64, earned Int64,
    cumulative_enrolled Int64, cumulative_earned Int64. Rows for weeks with an enrolment or an
    award of that credential.
    """
    raise NotImplementedError


def uptake_by_segment(events: Any, learners: Any, by: Segment = "org_unit") -> Frame:
    """Per credential and learner segment (a column of the learners table): enrolled and earned.

    ``segment`` holds the value of column ``by`` ("unknown" where it is null or the learner is not
    in the learners table). ``earn_rate`` is over ``enrolled``. Pass the result through
    ``privacy.suppress_small_groups`` before showing it.

    Columns: credential_id String, segment String, enrolled Int64, earned Int64,
    earn_rate, earn_low, earn_high Float64.
    """
    raise NotImplementedError


def credential_stacking(events: Any) -> Frame:
    """How many credentials each learner holds (``earned`` events), among enrolled learners.

    Columns: credentials_held Int64 (0, 1, 2, ...), learners Int64, share Float64 (of all
    enrolled learners). Learners holding two or more credentials: sum ``learners`` where
    ``credentials_held >= 2``.
    """
    raise NotImplementedError


def completion_by_language(events: Any) -> Frame:
    """Per module and language variant (``language`` on ``launched``): started and completed.

    Columns: module_id String, language String ("unknown" when null), started Int64,
    completed Int64, completion_rate, completion_low, completion_high Float64.
    """
    raise NotImplementedError


def learners_at_risk(events: Any, *, as_of: datetime | None = None, inactive_days: float = 7.0) -> Frame:
    """Enrolled learners who have not earned the credential and have been inactive a while.

    At risk: enrolled in the credential, no ``earned`` event for it, and the last event of any
    kind at least ``inactive_days`` before ``as_of`` (default: the latest timestamp in the data).

    Columns: learner_id String, credential_id String, last_active Datetime(us, UTC),
    days_inactive Float64, modules_passed Int64 (distinct modules with a ``passed`` event).
    """
    raise NotImplementedError


__all__ = [
    "Z95",
    "block_dropoff",
    "cohort_retention",
    "completion_by_language",
    "credential_outcomes",
    "credential_stacking",
    "credential_uptake",
    "estimated_seconds",
    "learners_at_risk",
    "module_outcomes",
    "pathway_funnel",
    "time_on_task",
    "uptake_by_segment",
    "weekly_active_learners",
]
