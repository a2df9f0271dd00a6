"""Time to credential by Kaplan-Meier, with censoring, median and a Greenwood log-log band.

A learner's clock starts at their ``enrolled`` event for a credential and stops at their
``earned`` event (an event) or at ``as_of`` (censored; default: the latest timestamp in the
data). Times are in days (Float64). The estimator is computed lazily with window functions, so
it runs on polars, DuckDB and PySpark alike.

Confidence band: the "exponential Greenwood" (log-log) interval that lifelines also uses,
``S(t) ** exp(+-z * sqrt(V) / log S(t))`` with ``V = sum d / (n (n - d))``.

Output schemas:

===========================  ==================================================================
function                     columns (type)
===========================  ==================================================================
credential_durations         learner_id, credential_id (String), duration_days (Float64),
                             earned (Int64: 1 earned, 0 censored)
time_to_credential           credential_id (String), time_days (Float64), at_risk, events,
                             censored (Int64), survival, ci_low, ci_high (Float64);
                             one row per distinct time, plus a row at time 0 (survival 1)
time_to_credential_summary   credential_id (String), learners, earned, censored (Int64),
                             median_days, median_low, median_high (Float64, null if not reached)
===========================  ==================================================================
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any


def credential_durations(events: Any, *, as_of: datetime | None = None) -> Frame:
    """Per enrolled learner and credential: days from enrolment to award, or to ``as_of`` (censored).

    Columns: learner_id String, credential_id String, duration_days Float64, earned Int64.
    """
    raise NotImplementedError


def time_to_credential(events: Any, *, as_of: datetime | None = None, alpha: float = 0.05) -> Frame:
    """The Kaplan-Meier curve of time to credential, per credential, with a (1 - alpha) band.

    Columns: credential_id String, time_days Float64, at_risk Int64, events Int64,
    censored Int64, survival Float64, ci_low Float64, ci_high Float64.
    """
    raise NotImplementedError


def time_to_credential_summary(events: Any, *, as_of: datetime | None = None, alpha: float = 0.05) -> Frame:
    """Per credential: learners, earned, censored, and the median time to credential with its band.

    The median is the first time at which the survival curve is at or below 0.5 (null when it
    never gets there); its bounds are the same crossing for the band's lower and upper curves.

    Columns: credential_id String, learners Int64, earned Int64, censored Int64,
    median_days Float64, median_low Float64, median_high Float64.
    """
    raise NotImplementedError


__all__ = ["credential_durations", "time_to_credential", "time_to_credential_summary"]
