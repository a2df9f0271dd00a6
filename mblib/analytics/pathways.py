"""Pathways in learner data: a learner's state for the planner (:func:`learner_state`), and the
paths learners actually took (:mod:`mblib.analytics.metrics.pathways`).

>>> from mblib.analytics.metrics import demo_events
>>> sorted(learner_state(demo_events(), "a").modules_passed)
['m1', 'm2']
"""

from __future__ import annotations

from typing import Any

from ..content.credit import LearnerState, PlanError


def learner_state(events: Any, learner_id: str) -> LearnerState:
    """Modules passed and credentials earned by ``learner_id`` in ``events`` (any engine's frame).

    Raises :class:`~mblib.content.credit.PlanError` when the learner has no event.
    """
    import narwhals.stable.v2 as nw

    from .backends import collect

    ev = nw.from_native(events) if not isinstance(events, (nw.LazyFrame, nw.DataFrame)) else events
    if isinstance(ev, nw.DataFrame):
        ev = ev.lazy()
    mine = (
        ev.filter(nw.col("learner_id") == learner_id)
        .with_columns(nw.col("verb").cast(nw.String))
        .filter(nw.col("verb").is_in(["passed", "earned", "enrolled"]))
        .select("verb", "module_id", "credential_id")
    )
    rows = collect(mine).rows()
    if not rows:
        raise PlanError(
            f"learner '{learner_id}' has no enrolled, passed or earned event in these data",
            hint="use a learner_id of the data (a pseudonymised id), or describe a hypothetical state",
        )
    passed = {m for verb, m, _ in rows if verb == "passed" and m}
    held = {c for verb, _, c in rows if verb == "earned" and c}
    return LearnerState.of(passed, held)


def learner_goals(events: Any, learner_id: str) -> list[str]:
    """Credentials ``learner_id`` enrolled in and has not earned (their goals, in id order)."""
    import narwhals.stable.v2 as nw

    from .backends import collect

    ev = nw.from_native(events) if not isinstance(events, (nw.LazyFrame, nw.DataFrame)) else events
    if isinstance(ev, nw.DataFrame):
        ev = ev.lazy()
    rows = collect(
        ev.filter(nw.col("learner_id") == learner_id)
        .with_columns(nw.col("verb").cast(nw.String))
        .filter(nw.col("verb").is_in(["enrolled", "earned"]))
        .select("verb", "credential_id")
    ).rows()
    earned = {c for v, c in rows if v == "earned"}
    return sorted({c for v, c in rows if v == "enrolled" and c and c not in earned})


__all__ = ["learner_goals", "learner_state"]
