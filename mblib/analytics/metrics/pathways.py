"""Pathway metrics: the orders in which learners start a credential's modules, whether they follow
the recommended order, which electives they pass; each with earning (Wilson interval) and days to
credential (mean with a 95 % normal interval) among the learners of the group.

Learners are those enrolled in the credential; a learner's order is the order of the first
``launched`` event of each of the credential's modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .frames import US_PER_DAY, Z95, Frame, events_frame, flag, learners_with, lookup, nw_module, with_wilson
from .registry import final, metric, rates

if TYPE_CHECKING:  # pragma: no cover
    from ...content import Credential

_OUTCOME_COLUMNS = {
    "learners": "Int64",
    "earned": "Int64",
    **rates("earn"),
    "days_mean": "Float64",
    "days_low": "Float64",
    "days_high": "Float64",
}


def _outcomes(ev: Frame, credential: Credential) -> Frame:
    """Per learner enrolled in ``credential``: ``_earned`` (0/1) and ``_days`` from first enrolment to
    first award (null when not earned)."""
    from ..weeks import epoch_us

    nw = nw_module()
    mine = ev.filter(nw.col("credential_id") == credential.id)
    enrolled = (
        mine.filter(nw.col("verb") == "enrolled")
        .group_by("learner_id")
        .agg(nw.col("timestamp").min().alias("_t0"))
        .with_columns(epoch_us("_t0").alias("_u0"))
    )
    earned = (
        mine.filter(nw.col("verb") == "earned")
        .group_by("learner_id")
        .agg(nw.col("timestamp").min().alias("_t1"))
        .with_columns(epoch_us("_t1").alias("_u1"))
    )
    return (
        enrolled.join(earned, on="learner_id", how="left")
        .with_columns(
            nw.when(nw.col("_u1").is_null()).then(nw.lit(0)).otherwise(nw.lit(1)).cast(nw.Int64).alias("_earned"),
            ((nw.col("_u1") - nw.col("_u0")).cast(nw.Float64) / float(US_PER_DAY)).alias("_days"),
        )
        .select("learner_id", "_earned", "_days")
    )


def _summarise(per_learner: Frame, keys: Sequence[str]) -> Frame:
    """Group learners by ``keys``: counts, earn rate with its Wilson interval, days to credential."""
    nw = nw_module()
    agg = per_learner.group_by(*keys).agg(
        nw.len().cast(nw.Int64).alias("learners"),
        nw.col("_earned").sum().cast(nw.Int64).alias("earned"),
        nw.col("_days").mean().alias("days_mean"),
        nw.col("_days").std().alias("_sd"),
        nw.col("_days").count().cast(nw.Float64).alias("_nd"),
    )
    half = (
        nw.when(nw.col("_nd") > 1).then(Z95 * nw.col("_sd") / nw.col("_nd").sqrt()).otherwise(nw.lit(None, nw.Float64))
    )
    agg = agg.with_columns(half.alias("_half")).with_columns(
        (nw.col("days_mean") - nw.col("_half")).alias("days_low"),
        (nw.col("days_mean") + nw.col("_half")).alias("days_high"),
    )
    return with_wilson(agg, "earned", "learners", "earn").drop("_sd", "_nd", "_half")


def _first_launch_ranks(ev: Frame, credential: Credential) -> Frame:
    """(learner_id, module_id, _rt): rank of each of the credential's modules by first launch."""
    nw = nw_module()
    modules = credential.module_ids()
    return (
        ev.filter(nw.col("verb") == "launched", nw.col("module_id").is_in(modules))
        .group_by("learner_id", "module_id")
        .agg(nw.col("timestamp").min().alias("_t"))
        .with_columns(nw.col("_t").rank(method="ordinal").over("learner_id").cast(nw.Int64).alias("_rt"))
    )


@metric(keys=["credential_id", "path"], columns={"credential_id": "String", "path": "String", **_OUTCOME_COLUMNS})
def pathway_orders(events: Any, credential: Credential, *, steps: int = 3) -> Frame:
    """The orders in which learners started the credential's modules (the first ``steps`` modules
    by first launch, joined by `` > ``), with earning and days to credential per order.

    Learners enrolled who launched none of its modules are left out.

    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1", "m2"])
    >>> collect(pathway_orders(demo_events(), c)).select("path", "learners", "earned").rows()
    [('m1', 2, 0), ('m1 > m2', 1, 1)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id", "module_id"])
    ranks = _first_launch_ranks(ev, credential).filter(nw.col("_rt") <= steps)
    parts = [
        nw.when(nw.col("_rt") == i).then(nw.col("module_id")).otherwise(nw.lit(None, nw.String)).max().alias(f"_p{i}")
        for i in range(1, steps + 1)
    ]
    paths = ranks.group_by("learner_id").agg(*parts)
    paths = paths.with_columns(
        nw.concat_str([nw.col(f"_p{i}") for i in range(1, steps + 1)], separator=" > ", ignore_nulls=True).alias("path")
    ).select("learner_id", "path")
    per = _outcomes(ev, credential).join(paths, on="learner_id", how="inner")
    out = _summarise(per, ["path"]).with_columns(nw.lit(credential.id).alias("credential_id"))
    return final(out, "pathway_orders")


@metric(
    keys=["credential_id", "followed"], columns={"credential_id": "String", "followed": "Boolean", **_OUTCOME_COLUMNS}
)
def recommended_order(events: Any, credential: Credential, *, recommended: Sequence[str] | None = None) -> Frame:
    """Learners who started the modules in the recommended order (``followed``) or not, with earning
    and days to credential. A learner follows it when the modules they launched were first launched
    in the order of ``recommended`` (default: ``credential.pathway()``, the planner's order for a
    new learner); modules outside it are ignored.

    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1", "m2"])
    >>> collect(recommended_order(demo_events(), c)).select("followed", "learners").rows()
    [(True, 3)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id", "module_id"])
    order = list(recommended if recommended is not None else credential.pathway())
    position = {m: i + 1 for i, m in enumerate(order)}
    ranks = (
        _first_launch_ranks(ev, credential)
        .filter(nw.col("module_id").is_in(order))
        .with_columns(lookup(nw.col("module_id"), position, nw.Int64).alias("_pos"))
        .with_columns(nw.col("_pos").rank(method="ordinal").over("learner_id").cast(nw.Int64).alias("_rp"))
    )
    # rank among the learner's own launched modules, by time and by recommended position
    ranks = ranks.with_columns(nw.col("_t").rank(method="ordinal").over("learner_id").cast(nw.Int64).alias("_rt"))
    agree = (
        ranks.with_columns(nw.when(nw.col("_rt") == nw.col("_rp")).then(nw.lit(1)).otherwise(nw.lit(0)).alias("_ok"))
        .group_by("learner_id")
        .agg(nw.col("_ok").min().cast(nw.Int64).alias("_ok"))
    )
    per = (
        _outcomes(ev, credential)
        .join(agree, on="learner_id", how="inner")
        .with_columns((nw.col("_ok") == 1).alias("followed"))
    )
    out = _summarise(per, ["followed"]).with_columns(nw.lit(credential.id).alias("credential_id"))
    return final(out, "recommended_order")


@metric(
    keys=["credential_id", "group_id", "module_id"],
    columns={"credential_id": "String", "group_id": "String", "module_id": "String", **_OUTCOME_COLUMNS},
)
def elective_choices(events: Any, credential: Credential) -> Frame:
    """Per elective group and option: enrolled learners who passed that option, with earning and
    days to credential (a learner who passed two options of a group counts for both).

    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1"], electives=[{"id": "g", "choose": 1, "modules": ["m2"]}])
    >>> collect(elective_choices(demo_events(), c)).select("group_id", "module_id", "learners", "earned").rows()
    [('g', 'm2', 1, 1)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id", "module_id"])
    outcomes = _outcomes(ev, credential)
    passed = learners_with(ev, "passed", ["module_id"])
    parts = []
    for g in credential.electives:
        for m in dict.fromkeys(g.modules):
            took = flag(passed.filter(nw.col("module_id") == m).select("learner_id"), "_took")
            per = outcomes.join(took, on="learner_id", how="inner").with_columns(
                nw.lit(g.id).alias("group_id"), nw.lit(m).alias("module_id")
            )
            parts.append(per.select("learner_id", "group_id", "module_id", "_earned", "_days"))
    if not parts:
        # no row: a credential without electives
        empty = outcomes.filter(nw.col("_earned") < 0).with_columns(
            nw.lit(None, nw.String).alias("group_id"), nw.lit(None, nw.String).alias("module_id")
        )
        parts.append(empty.select("learner_id", "group_id", "module_id", "_earned", "_days"))
    per_all = nw.concat(parts, how="vertical")
    out = _summarise(per_all, ["group_id", "module_id"]).with_columns(nw.lit(credential.id).alias("credential_id"))
    return final(out, "elective_choices")


__all__ = ["elective_choices", "pathway_orders", "recommended_order"]
