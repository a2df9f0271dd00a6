"""Pathways in learner data: a learner's state for the planner (:func:`learner_state`), and the
paths learners actually took (:mod:`mblib.analytics.metrics.pathways`).

>>> from mblib.analytics.metrics import demo_events
>>> sorted(learner_state(demo_events(), "a").modules_passed)
['m1', 'm2']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..content.credit import LearnerState, PlanError

if TYPE_CHECKING:  # pragma: no cover
    from .report_data import ReportData
    from .report_tables import ReportTable


def learner_state(events: Any, learner_id: str) -> LearnerState:
    """Modules passed and credentials earned by ``learner_id`` in ``events`` (any engine's frame).

    Raises :class:`~mblib.content.credit.PlanError` when the learner has no event.
    """
    import narwhals.stable.v2 as nw

    from .backends import collect
    from .metrics import lazy

    ev = lazy(events)
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


def learner_states(events: Any) -> dict[str, LearnerState]:
    """Every learner's state (modules passed, credentials earned) in one pass over ``events``.

    >>> from mblib.analytics.metrics import demo_events
    >>> sorted(learner_states(demo_events())["a"].credentials_held)
    ['c1']
    """
    import narwhals.stable.v2 as nw

    from .backends import collect
    from .metrics import lazy

    ev = lazy(events)
    verb = nw.col("verb").cast(nw.String)
    ids = ev.with_columns(verb.alias("verb")).filter(nw.col("verb").is_in(["passed", "earned"]))
    ids = ids.select(
        "learner_id",
        "verb",
        nw.when(nw.col("verb") == "passed").then(nw.col("module_id")).otherwise(nw.col("credential_id")).alias("item"),
    ).filter(~nw.col("item").is_null())
    rows = collect(ids.unique()).rows()
    passed: dict[str, set[str]] = {}
    held: dict[str, set[str]] = {}
    for learner, v, item in rows:
        (passed if v == "passed" else held).setdefault(learner, set()).add(item)
        (held if v == "passed" else passed).setdefault(learner, set())
    return {lid: LearnerState.of(passed[lid], held[lid]) for lid in sorted(passed)}


def learner_goals(events: Any, learner_id: str) -> list[str]:
    """Credentials ``learner_id`` enrolled in and has not earned (their goals, in id order)."""
    import narwhals.stable.v2 as nw

    from .backends import collect
    from .metrics import lazy

    ev = lazy(events)
    rows = collect(
        ev.filter(nw.col("learner_id") == learner_id)
        .with_columns(nw.col("verb").cast(nw.String))
        .filter(nw.col("verb").is_in(["enrolled", "earned"]))
        .select("verb", "credential_id")
    ).rows()
    earned = {c for v, c in rows if v == "earned"}
    return sorted({c for v, c in rows if v == "enrolled" and c and c not in earned})


@dataclass
class PathwaysSection:
    """The pathways section of a report for one credential: tables (small groups suppressed) and charts."""

    credential_id: str
    orders: ReportTable
    recommended: ReportTable
    electives: ReportTable
    recommended_modules: list[str]
    charts: list[Any] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence on the recommended order (Markdown)."""
        rows = {r["followed"]: r for r in self.recommended.frame.iter_rows(named=True)}
        followed = rows[True]["learners"] if True in rows else 0  # no row: no learner
        other = rows[False]["learners"] if False in rows else 0
        names = (self.recommended.titles or {}).get("module_id", {})  # titles where the table has them
        order = " > ".join(names.get(m, m) for m in self.recommended_modules)
        if followed is None or other is None or followed + other == 0:  # suppressed, or nobody started
            return f"Too few learners to say how many followed the recommended order ({order})."
        share = followed / (followed + other) if followed + other else 0.0
        return (
            f"{followed:,} of {followed + other:,} learners who started a module ({share:.0%}) started them in the "
            f"recommended order ({order})."
        )


def pathways_section(report_data: ReportData, credential_id: str, *, steps: int = 3) -> PathwaysSection:
    """The paths learners took toward ``credential_id``: the most common orders of module starts, the
    share following the recommended order (the planner's order for a new learner), the electives
    chosen; each with earning and days to credential, groups under ``report_data.k`` suppressed.
    """
    from ..content import plan_next
    from .chart_paths import elective_choices_chart, pathway_orders_chart, recommended_order_chart
    from .labels import with_titles
    from .metrics.pathways import elective_choices, pathway_orders, recommended_order
    from .report_tables import report_table

    ws = report_data.workspace
    titles = report_data.titles
    credential = ws.credential(credential_id)
    plan = plan_next(ws, None, credential_id)
    own = set(credential.module_ids())
    recommended = [s.module_id for s in plan.steps if s.module_id in own]
    k = report_data.k
    orders_frame = report_data.run(pathway_orders, credential, steps=steps).sort("learners", descending=True)
    orders = report_table(
        orders_frame,
        caption=f"Orders of the first {steps} module starts: {credential.title}",
        k=k,
        labels=["credential_id", "path"],
        titles=titles,  # the orders add up to a credential's starters: privacy.PARTITIONS["pathway_orders"]
    )
    rec = report_table(
        report_data.run(recommended_order, credential, recommended=recommended + sorted(own - set(recommended))),
        caption=f"Recommended order followed: {credential.title}",
        k=k,
        labels=["credential_id", "followed"],
        titles=titles,
    )
    electives = report_table(
        report_data.run(elective_choices, credential),
        caption=f"Electives chosen: {credential.title}",
        k=k,
        labels=["credential_id", "group_id", "module_id"],
        titles=titles,  # the rows add up to no total (privacy.PARTITIONS["elective_choices"])
    )
    section = PathwaysSection(credential_id, orders, rec, electives, recommended)
    section.charts = [
        pathway_orders_chart(with_titles(orders.frame, titles), k=k),
        recommended_order_chart(with_titles(rec.frame, titles), k=k),
    ]
    if credential.electives:
        section.charts.append(elective_choices_chart(with_titles(electives.frame, titles), k=k))
    return section


__all__ = ["PathwaysSection", "learner_goals", "learner_state", "learner_states", "pathways_section"]
