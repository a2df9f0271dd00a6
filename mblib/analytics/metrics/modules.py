"""Module metrics: outcomes, block drop-off, time on task, completion by language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .frames import (
    Frame,
    MetricError,
    counts0,
    events_frame,
    flag,
    furthest_position,
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
    from ...content import Credential, Module


@metric(
    keys=["module_id"],
    columns={
        "module_id": "String",
        "enrolled": "Int64",
        "started": "Int64",
        "completed": "Int64",
        "passed": "Int64",
        **rates("completion", "pass"),
    },
)
def module_outcomes(events: Any, credentials: Iterable[Credential] | None = None) -> Frame:
    """Per module (with a launched, completed or passed event): learners enrolled, started, completed, passed.

    ``started`` counts learners with a ``launched`` event, ``completed`` those with a
    ``completed`` event, ``passed`` those with a ``passed`` event for the module.
    ``enrolled`` counts learners enrolled in any of ``credentials`` that lists the module (null
    when ``credentials`` is not given). Rates are over ``started``, with Wilson 95 % bounds.


    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(module_outcomes(demo_events())).select("module_id", "started", "completed", "passed").rows()
    [('m1', 3, 2, 1), ('m2', 1, 1, 1)]
    """
    nw = nw_module()
    ev = events_frame(events, ["module_id"])
    keys = ["module_id"]
    # one scan: per (module, learner) a 0/1 flag for each verb, then sum the flags per module
    # (a learner is counted once per verb; the pairs are fewer than distinct (module, learner, verb))
    verbs = (("launched", "started"), ("completed", "completed"), ("passed", "passed"))
    pairs = (
        ev.filter(~nw.col("module_id").is_null() & nw.col("verb").is_in([v for v, _ in verbs]))
        .group_by("module_id", "learner_id")
        .agg(*[(nw.col("verb") == verb).cast(nw.Int64).max().alias(name) for verb, name in verbs])
    )
    out = pairs.group_by("module_id").agg(*[nw.col(name).sum().cast(nw.Int64).alias(name) for _, name in verbs])
    if credentials is not None:
        by_module: dict[str, list[str]] = {}
        for c in credentials:
            for m in c.module_ids():
                by_module.setdefault(m, []).append(c.id)
        enrolled = learners_with(ev, "enrolled", ["credential_id"])
        if by_module:
            names = {f"_e{i}": m for i, m in enumerate(by_module)}
            per_learner = enrolled.group_by("learner_id").agg(
                *[nw.col("credential_id").is_in(by_module[m]).cast(nw.Int64).max().alias(c) for c, m in names.items()]
            )
            totals = long_form(per_learner.select(*[nw.col(c).sum().cast(nw.Int64) for c in names]), list(names))
            counts = totals.select(
                lookup(nw.col("_var"), names, nw.String).alias("module_id"), nw.col("_value").alias("enrolled")
            )
            out = out.join(counts, on=keys, how="left").with_columns(*counts0("enrolled"))
        else:
            out = out.with_columns(nw.lit(0).cast(nw.Int64).alias("enrolled"))
    else:
        out = out.with_columns(nw.lit(None, nw.Int64).alias("enrolled"))
    out = out.with_columns(*counts0("started", "completed", "passed"))
    out = with_wilson(with_wilson(out, "completed", "started", "completion"), "passed", "started", "pass")
    return final(out, "module_outcomes")


@metric(
    keys=["module_id", "position"],
    columns={
        "module_id": "String",
        "block_id": "String",
        "position": "Int64",
        "reached": "Int64",
        "stopped": "Int64",
        "reached_share": "Float64",
        "dropoff_rate": "Float64",
    },
)
def block_dropoff(events: Any, module: Module) -> Frame:
    """Per block of one module: how many learners reached it and how many stopped there.

    A learner reached block *i* when their furthest ``progressed`` block (by position in the
    module) is at *i* or later. They stopped at *i* when *i* is their furthest block and they
    have no ``completed`` event for the module. ``reached_share`` is over learners who launched
    (or progressed in) the module; ``dropoff_rate`` is ``stopped / reached`` (null when nobody
    reached it).

    ``position`` is 1-based; one row per block.

    >>> from mblib.content import Module
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> m = Module(id="m1", title="M1", blocks=[{"id": "b1", "type": "text", "body": "x"},
    ...     {"id": "b2", "type": "text", "body": "y"}])
    >>> collect(block_dropoff(demo_events(), m)).select("block_id", "reached", "stopped").rows()
    [('b1', 3, 1), ('b2', 2, 0)]
    """
    nw = nw_module()
    ev = events_frame(events, ["module_id", "block_id"]).filter(nw.col("module_id") == module.id)
    ids = [b.id for b in module.blocks]
    position = {b: i + 1 for i, b in enumerate(ids)}
    base = learners_with(ev, ["launched", "progressed"], []).select("learner_id")
    furthest = furthest_position(ev, "progressed", "block_id", position)
    done = flag(learners_with(ev, "completed", []).select("learner_id"), "_done")
    per = (
        base.join(furthest, on="learner_id", how="left")
        .join(done, on="learner_id", how="left")
        .with_columns(nw.col("_furthest").fill_null(0).cast(nw.Int64), nw.col("_done").fill_null(0).cast(nw.Int64))
    )
    aggs = [nw.len().cast(nw.Int64).alias("n")]
    for k in range(1, len(ids) + 1):
        aggs.append((nw.col("_furthest") >= k).cast(nw.Int64).sum().cast(nw.Int64).alias(f"r{k}"))
        aggs.append(
            ((nw.col("_furthest") == k) & (nw.col("_done") == 0)).cast(nw.Int64).sum().cast(nw.Int64).alias(f"s{k}")
        )
    if not ids:
        raise MetricError(
            f"module '{module.id}' has no blocks", hint="add blocks to the module before analysing drop-off"
        )
    agg = per.select(*aggs)
    reached = {f"r{k}": k for k in range(1, len(ids) + 1)}
    stopped: Any = nw.lit(None, nw.Int64)
    for k in range(1, len(ids) + 1):
        stopped = nw.when(nw.col("_var") == f"r{k}").then(nw.col(f"s{k}")).otherwise(stopped)
    out = long_form(agg, list(reached), index=["n", *[f"s{k}" for k in range(1, len(ids) + 1)]]).select(
        nw.lit(module.id).alias("module_id"),
        lookup(nw.col("_var"), {f"r{k}": b for b, k in position.items()}, nw.String).alias("block_id"),
        lookup(nw.col("_var"), reached, nw.Int64).alias("position"),
        nw.col("_value").fill_null(0).cast(nw.Int64).alias("reached"),
        stopped.fill_null(0).cast(nw.Int64).alias("stopped"),
        nw.col("n").cast(nw.Int64).alias("n"),
    )
    out = out.with_columns(
        ratio(nw.col("reached"), nw.col("n")).alias("reached_share"),
        ratio(nw.col("stopped"), nw.col("reached")).alias("dropoff_rate"),
    )
    return final(out, "block_dropoff")


def estimated_seconds(modules: Iterable[Module]) -> dict[str, float]:
    """Each module's estimated duration in seconds (``Module.estimate_duration()``), by id."""
    return {m.id: m.estimate_duration().seconds for m in modules}


@metric(
    keys=["module_id"],
    columns={
        "module_id": "String",
        "learners": "Int64",
        "estimated_s": "Float64",
        "mean_s": "Float64",
        "p25_s": "Float64",
        "median_s": "Float64",
        "p75_s": "Float64",
        "p90_s": "Float64",
        "median_ratio": "Float64",
    },
)
def time_on_task(events: Any, estimates: Mapping[str, float]) -> Frame:
    """Time on task (``duration_s`` on ``completed`` events) against each module's estimate.

    ``estimates`` maps module id to estimated seconds (see :func:`estimated_seconds`); modules
    missing from it get a null estimate. Statistics are over all ``completed`` events with a
    duration; ``learners`` counts distinct learners among them. Quantiles are linear.
    ``median_ratio`` is ``median_s / estimated_s``.


    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(time_on_task(demo_events(), {"m1": 300.0})).select("module_id", "median_s", "median_ratio").rows()
    [('m1', 450.0, 1.5), ('m2', 200.0, None)]
    """
    nw = nw_module()
    ev = events_frame(events, ["module_id", "duration_s"])
    done = with_verb(ev, "completed").filter(~nw.col("module_id").is_null() & ~nw.col("duration_s").is_null())
    d = nw.col("duration_s").cast(nw.Float64)
    out = done.group_by("module_id").agg(
        nw.col("learner_id").n_unique().cast(nw.Int64).alias("learners"),
        d.mean().alias("mean_s"),
        d.quantile(0.25, interpolation="linear").alias("p25_s"),
        d.quantile(0.5, interpolation="linear").alias("median_s"),
        d.quantile(0.75, interpolation="linear").alias("p75_s"),
        d.quantile(0.9, interpolation="linear").alias("p90_s"),
    )
    out = out.with_columns(lookup(nw.col("module_id"), dict(estimates), nw.Float64).alias("estimated_s"))
    out = out.with_columns(ratio(nw.col("median_s"), nw.col("estimated_s")).alias("median_ratio"))
    return final(out, "time_on_task")


@metric(
    keys=["module_id", "language"],
    columns={
        "module_id": "String",
        "language": "String",
        "started": "Int64",
        "completed": "Int64",
        **rates("completion"),
    },
)
def completion_by_language(events: Any) -> Frame:
    """Per module and language variant (``language`` on ``launched``): started and completed.

    A learner who launched a module in two languages counts in both; ``completed`` counts the
    learners of that (module, language) with a ``completed`` event for the module.

    ``language`` is "unknown" when null.

    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(completion_by_language(demo_events())).select("module_id", "language", "started", "completed").rows()
    [('m1', 'en', 2, 2), ('m1', 'fr', 1, 0), ('m2', 'en', 1, 1)]
    """
    nw = nw_module()
    ev = events_frame(events, ["module_id", "language"])
    started = (
        with_verb(ev, "launched")
        .filter(~nw.col("module_id").is_null())
        .select("module_id", nw.col("language").fill_null("unknown").alias("language"), "learner_id")
        .unique()
    )
    done = flag(learners_with(ev, "completed", ["module_id"]), "_c")
    out = (
        started.join(done, on=["module_id", "learner_id"], how="left")
        .with_columns(nw.col("_c").fill_null(0).cast(nw.Int64))
        .group_by("module_id", "language")
        .agg(nw.len().cast(nw.Int64).alias("started"), nw.col("_c").sum().cast(nw.Int64).alias("completed"))
    )
    out = with_wilson(out, "completed", "started", "completion")
    return final(out, "completion_by_language")


__all__ = ["block_dropoff", "completion_by_language", "estimated_seconds", "module_outcomes", "time_on_task"]
