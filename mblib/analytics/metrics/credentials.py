"""Credential metrics: outcomes, pathway funnel, uptake (by week and by segment), stacking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .frames import (
    Frame,
    MetricError,
    Segment,
    count_by,
    counts0,
    events_frame,
    flag,
    furthest_position,
    lazy,
    learners_with,
    long_form,
    lookup,
    nw_module,
    ratio,
    with_verb,
    with_wilson,
)
from .registry import final, metric, rates

if TYPE_CHECKING:  # pragma: no cover
    from ...content import Credential


@metric(
    keys=["credential_id"],
    columns={
        "credential_id": "String",
        "enrolled": "Int64",
        "started": "Int64",
        "completed": "Int64",
        "earned": "Int64",
        "start_rate": "Float64",
        **rates("completion", "earn"),
    },
)
def credential_outcomes(events: Any, credentials: Iterable[Credential]) -> Frame:
    """Per credential: learners enrolled, started, completed and earned.

    ``enrolled``: an ``enrolled`` event for the credential; ``started``: enrolled and launched any
    of its modules; ``completed``: enrolled and passed every required module and ``choose`` of
    each elective group; ``earned``: an ``earned`` event. Rates are over ``enrolled``.


    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1", "m2"])
    >>> collect(credential_outcomes(demo_events(), [c])).select("enrolled", "started", "completed", "earned").rows()
    [(3, 3, 1, 1)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id", "module_id"])
    enrolled = learners_with(ev, "enrolled", ["credential_id"])
    launched = learners_with(ev, "launched", ["module_id"])
    passed = learners_with(ev, "passed", ["module_id"])
    earned = learners_with(ev, "earned", ["credential_id"])
    parts = []
    for c in credentials:
        mine = enrolled.filter(nw.col("credential_id") == c.id).select("learner_id")
        started = launched.filter(nw.col("module_id").is_in(c.module_ids())).select("learner_id").unique()
        done = mine
        groups: list[tuple[list[str], int]] = []
        if c.required:
            groups.append((list(c.required), len(set(c.required))))
        groups.extend((list(g.modules), g.choose) for g in c.electives)
        for mods, need in groups:
            ok = (
                passed.filter(nw.col("module_id").is_in(mods))
                .group_by("learner_id")
                .agg(nw.len().cast(nw.Int64).alias("_n"))
                .filter(nw.col("_n") >= need)
                .select("learner_id")
            )
            done = done.join(ok, on="learner_id", how="inner")
        got = earned.filter(nw.col("credential_id") == c.id).select("learner_id")
        row = (
            mine.join(flag(started, "_s"), on="learner_id", how="left")
            .join(flag(done, "_c"), on="learner_id", how="left")
            .join(flag(got, "_e"), on="learner_id", how="left")
            .select(
                nw.lit(c.id).alias("credential_id"),
                nw.len().cast(nw.Int64).alias("enrolled"),
                nw.col("_s").fill_null(0).sum().cast(nw.Int64).alias("started"),
                nw.col("_c").fill_null(0).sum().cast(nw.Int64).alias("completed"),
                nw.col("_e").fill_null(0).sum().cast(nw.Int64).alias("earned"),
            )
        )
        parts.append(
            final(
                row.with_columns(*counts0("started", "completed", "earned")),
                {
                    "credential_id": nw.String,
                    "enrolled": nw.Int64,
                    "started": nw.Int64,
                    "completed": nw.Int64,
                    "earned": nw.Int64,
                },
            )
        )
    if not parts:
        raise MetricError(
            "credential_outcomes needs at least one credential", hint="pass workspace.credentials.values()"
        )
    out = nw.concat(parts, how="vertical")
    out = out.with_columns(ratio(nw.col("started"), nw.col("enrolled")).alias("start_rate"))
    out = with_wilson(with_wilson(out, "completed", "enrolled", "completion"), "earned", "enrolled", "earn")
    return final(out, "credential_outcomes")


@metric(
    keys=["credential_id", "step"],
    columns={
        "credential_id": "String",
        "step": "Int64",
        "module_id": "String",
        "learners": "Int64",
        "share": "Float64",
    },
)
def pathway_funnel(events: Any, credential: Credential) -> Frame:
    """The funnel along a credential's pathway (``credential.pathway()`` order).

    Step 0 is "enrolled"; step k (1-based) counts enrolled learners whose furthest launched
    module along the pathway is at position k or later ("reached at least step k"), so
    ``learners`` never increases with ``step``. ``share`` is ``learners`` over step 0.

    ``module_id`` is null at step 0; one row per step, steps 0..len(pathway).

    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1", "m2"], prerequisites={"m2": ["m1"]})
    >>> collect(pathway_funnel(demo_events(), c)).select("step", "module_id", "learners").rows()
    [(0, None, 3), (1, 'm1', 3), (2, 'm2', 1)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id", "module_id"])
    path = credential.pathway()
    position = {m: i + 1 for i, m in enumerate(path)}
    enrolled = (
        learners_with(ev, "enrolled", ["credential_id"])
        .filter(nw.col("credential_id") == credential.id)
        .select("learner_id")
    )
    furthest = furthest_position(ev, "launched", "module_id", position)
    per = enrolled.join(furthest, on="learner_id", how="left").with_columns(
        nw.col("_furthest").fill_null(0).cast(nw.Int64)
    )
    agg = per.select(
        nw.len().cast(nw.Int64).alias("s0"),
        *[
            (nw.col("_furthest") >= k).cast(nw.Int64).sum().cast(nw.Int64).alias(f"s{k}")
            for k in range(1, len(path) + 1)
        ],
    )
    steps = {f"s{k}": k for k in range(len(path) + 1)}
    out = long_form(agg, list(steps)).select(
        nw.lit(credential.id).alias("credential_id"),
        lookup(nw.col("_var"), steps, nw.Int64).alias("step"),
        lookup(nw.col("_var"), {f"s{k}": m for m, k in position.items()}, nw.String).alias("module_id"),
        nw.col("_value").fill_null(0).cast(nw.Int64).alias("learners"),
    )
    out = out.with_columns(ratio(nw.col("learners"), nw.col("learners").max().over("credential_id")).alias("share"))
    return final(out, "pathway_funnel")


@metric(
    keys=["credential_id", "week_start"],
    columns={
        "credential_id": "String",
        "week_start": "Date",
        "enrolled": "Int64",
        "earned": "Int64",
        "cumulative_enrolled": "Int64",
        "cumulative_earned": "Int64",
    },
)
def credential_uptake(events: Any) -> Frame:
    """Per credential and week: new enrolments and credentials earned, and running totals.

    Each learner counts once per credential: in the week of their first ``enrolled`` event and
    in the week of their first ``earned`` event for it.

    Rows for weeks with an enrolment or an award of that credential.

    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(credential_uptake(demo_events())).select("week_start", "enrolled", "earned", "cumulative_earned").rows()
    [(datetime.date(2026, 3, 2), 3, 0, 0), (datetime.date(2026, 3, 9), 0, 1, 1)]
    """
    from ..weeks import week_start

    nw = nw_module()
    ev = events_frame(events, ["credential_id"])
    parts = []
    for verb, on, off in (("enrolled", "enrolled", "earned"), ("earned", "earned", "enrolled")):
        first = (
            with_verb(ev, verb)
            .filter(~nw.col("credential_id").is_null())
            .group_by("credential_id", "learner_id")
            .agg(nw.col("timestamp").min().alias("_t"))
        )
        parts.append(
            first.select(
                "credential_id",
                week_start("_t").alias("week_start"),
                nw.lit(1).cast(nw.Int64).alias(on),
                nw.lit(0).cast(nw.Int64).alias(off),
            ).select("credential_id", "week_start", "enrolled", "earned")
        )
    out = (
        nw.concat(parts, how="vertical")
        .group_by("credential_id", "week_start")
        .agg(nw.col("enrolled").sum().cast(nw.Int64), nw.col("earned").sum().cast(nw.Int64))
    )
    out = out.with_columns(
        nw.col("enrolled").cum_sum().over("credential_id", order_by="week_start").alias("cumulative_enrolled"),
        nw.col("earned").cum_sum().over("credential_id", order_by="week_start").alias("cumulative_earned"),
    )
    return final(out, "credential_uptake")


@metric(
    keys=["credential_id", "segment"],
    columns={"credential_id": "String", "segment": "String", "enrolled": "Int64", "earned": "Int64", **rates("earn")},
)
def uptake_by_segment(events: Any, learners: Any, by: Segment = "org_unit") -> Frame:
    """Per credential and learner segment (a column of the learners table): enrolled and earned.

    ``segment`` holds the value of column ``by`` ("unknown" where it is null or the learner is not
    in the learners table). ``earn_rate`` is over ``enrolled``. Pass the result through
    ``privacy.suppress_small_groups`` before showing it.


    >>> import polars as pl
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> people = pl.LazyFrame({"learner_id": ["a", "b"], "org_unit": ["sales", "ops"]})
    >>> collect(uptake_by_segment(demo_events(), people)).select("segment", "enrolled", "earned").rows()
    [('ops', 1, 0), ('sales', 1, 1), ('unknown', 1, 0)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id"])
    people = lazy(learners)
    if by not in people.collect_schema().names():
        raise MetricError(
            f"the learners table has no column '{by}'",
            hint=f"group by one of {', '.join(n for n in people.collect_schema().names() if n != 'learner_id')}",
        )
    seg = people.select("learner_id", nw.col(by).cast(nw.String).alias("segment")).unique(
        subset=["learner_id"], keep="any"
    )
    enrolled = learners_with(ev, "enrolled", ["credential_id"])
    earned = flag(learners_with(ev, "earned", ["credential_id"]), "_e")
    out = (
        enrolled.join(earned, on=["credential_id", "learner_id"], how="left")
        .join(seg, on="learner_id", how="left")
        .with_columns(nw.col("segment").fill_null("unknown"), nw.col("_e").fill_null(0).cast(nw.Int64))
        .group_by("credential_id", "segment")
        .agg(nw.len().cast(nw.Int64).alias("enrolled"), nw.col("_e").sum().cast(nw.Int64).alias("earned"))
    )
    out = with_wilson(out, "earned", "enrolled", "earn")
    return final(out, "uptake_by_segment")


@metric(keys=["credentials_held"], columns={"credentials_held": "Int64", "learners": "Int64", "share": "Float64"})
def credential_stacking(events: Any) -> Frame:
    """How many credentials each learner holds (``earned`` events), among enrolled learners.

    Every learner with an ``enrolled`` or ``earned`` event counts; ``credentials_held`` is the
    number of distinct credentials they earned.

    ``credentials_held`` is 0, 1, 2, ...; ``share`` is of all those learners. Learners holding
    two or more credentials: sum ``learners`` where ``credentials_held >= 2``.

    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(credential_stacking(demo_events())).rows()
    [(0, 2, 0.666...), (1, 1, 0.333...)]
    """
    nw = nw_module()
    ev = events_frame(events, ["credential_id"])
    people = learners_with(ev, ["enrolled", "earned"], []).select("learner_id")
    held = count_by(learners_with(ev, "earned", ["credential_id"]), ["learner_id"], "credentials_held")
    counts = (
        people.join(held, on="learner_id", how="left")
        .with_columns(*counts0("credentials_held"))
        .group_by("credentials_held")
        .agg(nw.len().cast(nw.Int64).alias("learners"))
    )
    total = people.select(nw.len().cast(nw.Int64).alias("_total"))
    out = counts.join(total, how="cross").with_columns(ratio(nw.col("learners"), nw.col("_total")).alias("share"))
    return final(out, "credential_stacking")


__all__ = ["credential_outcomes", "credential_stacking", "credential_uptake", "pathway_funnel", "uptake_by_segment"]
