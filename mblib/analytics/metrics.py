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
at_risk_by_inactivity       credential_id (String), days_from, days_to, learners (Int64)
==========================  ==========================================================================

Time to credential (Kaplan-Meier) is in :mod:`mblib.analytics.survival`; item analysis in
:mod:`mblib.analytics.items`; the shared week-start helper in :mod:`mblib.analytics.weeks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from ..errors import MblibError

if TYPE_CHECKING:  # narwhals is imported lazily (``import mblib`` stays light)
    import narwhals.stable.v2 as nw

    from ..content import Credential, Module

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any

Segment = Literal["org_unit", "role", "country", "language"]

#: z for a two-sided 95 % interval
Z95 = 1.959963984540054

US_PER_DAY = 86_400_000_000


class MetricError(MblibError):
    """A metric cannot run on the frames it was given (missing column, unknown segment...)."""


# ----------------------------------------------------------------------------- helpers


def _nw() -> Any:
    import narwhals.stable.v2 as nw

    return nw


def lazy(frame: Any) -> Frame:
    """A ``narwhals.LazyFrame`` over ``frame`` (a native lazy frame, a narwhals frame, or an eager
    frame, which is made lazy), so every metric accepts what the readers and backends return."""
    nw = _nw()
    if isinstance(frame, nw.LazyFrame):
        return frame
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    out = nw.from_native(frame)
    return out.lazy() if isinstance(out, nw.DataFrame) else out


def _events(events: Any, columns: Sequence[str] = ()) -> Frame:
    """The events frame, its ``verb`` comparable with verb names: kept as is when it is String or
    the contract's Enum, cast to String otherwise (a Categorical, an Enum with other categories)."""
    from .schema import VERBS

    nw = _nw()
    lf = lazy(events)
    schema = lf.collect_schema()
    names = schema.names()
    need = {"timestamp", "learner_id", "verb", *columns}
    missing = sorted(need - set(names))
    if missing:
        raise MetricError(
            f"the events table has no column(s) {', '.join(missing)}",
            hint="read the data through mblib.analytics.readers (or schema.conform) so it follows the events contract",
        )
    verb = schema["verb"]
    if isinstance(verb, nw.String) or (isinstance(verb, nw.Enum) and set(VERBS) <= set(verb.categories)):
        # the contract's Enum compares with the verb names as is; casting it to String would
        # materialise every event's verb as text and stop filters reaching the Parquet scan
        return lf
    return lf.with_columns(nw.col("verb").cast(nw.String))


def _verb(lf: Frame, verb: str | Sequence[str]) -> Frame:
    nw = _nw()
    if isinstance(verb, str):
        return lf.filter(nw.col("verb") == verb)
    return lf.filter(nw.col("verb").is_in(list(verb)))


def _learners_with(lf: Frame, verb: str | Sequence[str], keys: Sequence[str]) -> Frame:
    """Distinct (keys..., learner_id) among events with ``verb`` and non-null keys."""
    nw = _nw()
    out = _verb(lf, verb)
    for k in keys:
        out = out.filter(~nw.col(k).is_null())
    return out.select(*keys, "learner_id").unique()


def _count(lf: Frame, keys: Sequence[str], name: str) -> Frame:
    nw = _nw()
    return lf.group_by(*keys).agg(nw.len().cast(nw.Int64).alias(name))


def _flag(lf: Frame, name: str) -> Frame:
    """``lf`` (distinct keys) with a constant Int64 1 column ``name``, for left joins as flags."""
    nw = _nw()
    return lf.with_columns(nw.lit(1).cast(nw.Int64).alias(name))


def _counts0(*names: str) -> list[Any]:
    nw = _nw()
    return [nw.col(n).fill_null(0).cast(nw.Int64).alias(n) for n in names]


def with_wilson(frame: Frame, successes: str, total: str, prefix: str, z: float = Z95) -> Frame:
    """``frame`` with ``{prefix}_rate``, ``{prefix}_low`` and ``{prefix}_high``: the share
    ``successes / total`` with its Wilson score interval (null when ``total`` is 0).

    Built in stages of plain columns so that no engine inlines one big expression many times
    (Spark's code generator gives up on that).

    >>> import polars as pl, narwhals.stable.v2 as nw
    >>> lf = nw.from_native(pl.LazyFrame({"k": [8, 0], "n": [10, 0]}))
    >>> with_wilson(lf, "k", "n", "x").collect().rows()
    [(8, 10, 0.8, 0.4901624..., 0.9433178...), (0, 0, None, None, None)]
    """
    nw = _nw()
    z2 = z * z
    none = nw.lit(None, nw.Float64)
    t = f"_w_{prefix}"
    out = frame.with_columns(
        nw.when(nw.col(total) > 0).then(nw.col(total).cast(nw.Float64)).otherwise(none).alias(f"{t}_n"),
    ).with_columns(
        (nw.col(successes).cast(nw.Float64) / nw.col(f"{t}_n")).alias(f"{prefix}_rate"),
    ).with_columns(
        (1.0 + z2 / nw.col(f"{t}_n")).alias(f"{t}_d"),
        (nw.col(f"{prefix}_rate") * (1.0 - nw.col(f"{prefix}_rate")) / nw.col(f"{t}_n")
         + z2 / (4.0 * nw.col(f"{t}_n") * nw.col(f"{t}_n"))).alias(f"{t}_v"),
        (nw.col(f"{prefix}_rate") + z2 / (2.0 * nw.col(f"{t}_n"))).alias(f"{t}_c"),
    ).with_columns(
        (nw.col(f"{t}_c") / nw.col(f"{t}_d")).alias(f"{t}_c"),
        (z * nw.col(f"{t}_v").abs().sqrt() / nw.col(f"{t}_d")).alias(f"{t}_h"),
    ).with_columns(
        (nw.col(f"{t}_c") - nw.col(f"{t}_h")).alias(f"{prefix}_low"),
        (nw.col(f"{t}_c") + nw.col(f"{t}_h")).alias(f"{prefix}_high"),
    )
    return out.drop(f"{t}_n", f"{t}_d", f"{t}_v", f"{t}_c", f"{t}_h")


def _ratio(num: Any, den: Any) -> Any:
    """``num / den`` as Float64, null where ``den`` is 0 or null."""
    nw = _nw()
    return nw.when(den > 0).then(num.cast(nw.Float64) / den.cast(nw.Float64)).otherwise(nw.lit(None, nw.Float64))


def _lookup(expr: Any, mapping: Mapping[str, Any], dtype: Any) -> Any:
    """Map the values of a String expression through a small dict (null elsewhere), portably."""
    nw = _nw()
    out: Any = nw.lit(None, dtype)
    for key, value in mapping.items():
        out = nw.when(expr == key).then(nw.lit(value, dtype)).otherwise(out)
    return out.cast(dtype)


def _long(one_row: Frame, columns: Sequence[str], *, index: Sequence[str] = ()) -> Frame:
    """Unpivot ``columns`` of a (small) frame into rows ``_var`` (the column name) and ``_value``.

    One pass over ``one_row`` on every engine (Spark's ``stack``, DuckDB's ``UNPIVOT``), where a
    union of one select per column would recompute the frame once per column.
    """
    return one_row.unpivot(on=list(columns), index=list(index) or None, variable_name="_var", value_name="_value")


def _furthest(ev: Frame, verb: str, key: str, position: Mapping[str, int]) -> Frame:
    """Per learner: ``_furthest``, the highest ``position`` of ``key`` among their ``verb`` events."""
    nw = _nw()
    return (
        _learners_with(ev, verb, [key])
        .filter(nw.col(key).is_in(list(position)))
        .with_columns(_lookup(nw.col(key), position, nw.Int64).alias("_pos"))
        .group_by("learner_id")
        .agg(nw.col("_pos").max().alias("_furthest"))
    )


def _as_of_us(lf: Frame, as_of: datetime | None) -> Frame:
    """A one-row frame with ``as_of_us`` (Int64): ``as_of`` or the latest timestamp in ``lf``."""
    from .weeks import epoch_us

    nw = _nw()
    if as_of is not None:
        if as_of.tzinfo is None:
            raise MetricError(f"as_of {as_of.isoformat()} has no time zone", hint="pass an aware datetime, e.g. datetime(2026, 3, 1, tzinfo=timezone.utc)")
        delta = as_of.astimezone(timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
        us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return lf.select(nw.col("timestamp").max()).select(nw.lit(us).cast(nw.Int64).alias("as_of_us"))
    return lf.select(nw.col("timestamp").max().alias("_ts")).select(epoch_us("_ts").alias("as_of_us"))


def _final(lf: Frame, metric: str | Mapping[str, Any]) -> Frame:
    """Cast to the metric's fixed output types and sort by its key columns."""
    nw = _nw()
    schema = _schema(metric) if isinstance(metric, str) else metric
    out = lf.select(*[nw.col(n).cast(t).alias(n) for n, t in schema.items()])
    keys = _KEYS.get(metric) if isinstance(metric, str) else None
    return out.sort(*keys, nulls_last=False) if keys else out


# ----------------------------------------------------------------------------- metrics


def module_outcomes(events: Any, credentials: Iterable[Credential] | None = None) -> Frame:
    """Per module (with a launched, completed or passed event): learners enrolled, started, completed, passed.

    ``started`` counts learners with a ``launched`` event, ``completed`` those with a
    ``completed`` event, ``passed`` those with a ``passed`` event for the module.
    ``enrolled`` counts learners enrolled in any of ``credentials`` that lists the module (null
    when ``credentials`` is not given). Rates are over ``started``, with Wilson 95 % bounds.

    Columns: module_id String, enrolled Int64, started Int64, completed Int64, passed Int64,
    completion_rate, completion_low, completion_high, pass_rate, pass_low, pass_high Float64.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(module_outcomes(_demo_events())).select("module_id", "started", "completed", "passed").rows()
    [('m1', 3, 2, 1), ('m2', 1, 1, 1)]
    """
    nw = _nw()
    ev = _events(events, ["module_id"])
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
        enrolled = _learners_with(ev, "enrolled", ["credential_id"])
        if by_module:
            names = {f"_e{i}": m for i, m in enumerate(by_module)}
            per_learner = enrolled.group_by("learner_id").agg(
                *[nw.col("credential_id").is_in(by_module[m]).cast(nw.Int64).max().alias(c) for c, m in names.items()]
            )
            totals = _long(per_learner.select(*[nw.col(c).sum().cast(nw.Int64) for c in names]), list(names))
            counts = totals.select(
                _lookup(nw.col("_var"), names, nw.String).alias("module_id"), nw.col("_value").alias("enrolled")
            )
            out = out.join(counts, on=keys, how="left").with_columns(*_counts0("enrolled"))
        else:
            out = out.with_columns(nw.lit(0).cast(nw.Int64).alias("enrolled"))
    else:
        out = out.with_columns(nw.lit(None, nw.Int64).alias("enrolled"))
    out = out.with_columns(*_counts0("started", "completed", "passed"))
    out = with_wilson(with_wilson(out, "completed", "started", "completion"), "passed", "started", "pass")
    return _final(out, "module_outcomes")


def credential_outcomes(events: Any, credentials: Iterable[Credential]) -> Frame:
    """Per credential: learners enrolled, started, completed and earned.

    ``enrolled``: an ``enrolled`` event for the credential; ``started``: enrolled and launched any
    of its modules; ``completed``: enrolled and passed every required module and ``choose`` of
    each elective group; ``earned``: an ``earned`` event. Rates are over ``enrolled``.

    Columns: credential_id String, enrolled, started, completed, earned Int64, start_rate,
    completion_rate, completion_low, completion_high, earn_rate, earn_low, earn_high Float64.

    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1", "m2"])
    >>> collect(credential_outcomes(_demo_events(), [c])).select("enrolled", "started", "completed", "earned").rows()
    [(3, 3, 1, 1)]
    """
    nw = _nw()
    ev = _events(events, ["credential_id", "module_id"])
    enrolled = _learners_with(ev, "enrolled", ["credential_id"])
    launched = _learners_with(ev, "launched", ["module_id"])
    passed = _learners_with(ev, "passed", ["module_id"])
    earned = _learners_with(ev, "earned", ["credential_id"])
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
            mine.join(_flag(started, "_s"), on="learner_id", how="left")
            .join(_flag(done, "_c"), on="learner_id", how="left")
            .join(_flag(got, "_e"), on="learner_id", how="left")
            .select(
                nw.lit(c.id).alias("credential_id"),
                nw.len().cast(nw.Int64).alias("enrolled"),
                nw.col("_s").fill_null(0).sum().cast(nw.Int64).alias("started"),
                nw.col("_c").fill_null(0).sum().cast(nw.Int64).alias("completed"),
                nw.col("_e").fill_null(0).sum().cast(nw.Int64).alias("earned"),
            )
        )
        parts.append(_final(row.with_columns(*_counts0("started", "completed", "earned")), {
            "credential_id": nw.String, "enrolled": nw.Int64, "started": nw.Int64, "completed": nw.Int64, "earned": nw.Int64}))
    if not parts:
        raise MetricError("credential_outcomes needs at least one credential", hint="pass workspace.credentials.values()")
    out = nw.concat(parts, how="vertical")
    out = out.with_columns(_ratio(nw.col("started"), nw.col("enrolled")).alias("start_rate"))
    out = with_wilson(with_wilson(out, "completed", "enrolled", "completion"), "earned", "enrolled", "earn")
    return _final(out, "credential_outcomes")


def pathway_funnel(events: Any, credential: Credential) -> Frame:
    """The funnel along a credential's pathway (``credential.pathway()`` order).

    Step 0 is "enrolled"; step k (1-based) counts enrolled learners whose furthest launched
    module along the pathway is at position k or later ("reached at least step k"), so
    ``learners`` never increases with ``step``. ``share`` is ``learners`` over step 0.

    Columns: credential_id String, step Int64, module_id String (null at step 0),
    learners Int64, share Float64. One row per step, steps 0..len(pathway).

    >>> from mblib.content import Credential
    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> c = Credential(id="c1", title="C1", required=["m1", "m2"], prerequisites={"m2": ["m1"]})
    >>> collect(pathway_funnel(_demo_events(), c)).select("step", "module_id", "learners").rows()
    [(0, None, 3), (1, 'm1', 3), (2, 'm2', 1)]
    """
    nw = _nw()
    ev = _events(events, ["credential_id", "module_id"])
    path = credential.pathway()
    position = {m: i + 1 for i, m in enumerate(path)}
    enrolled = _learners_with(ev, "enrolled", ["credential_id"]).filter(nw.col("credential_id") == credential.id).select("learner_id")
    furthest = _furthest(ev, "launched", "module_id", position)
    per = enrolled.join(furthest, on="learner_id", how="left").with_columns(nw.col("_furthest").fill_null(0).cast(nw.Int64))
    agg = per.select(
        nw.len().cast(nw.Int64).alias("s0"),
        *[(nw.col("_furthest") >= k).cast(nw.Int64).sum().cast(nw.Int64).alias(f"s{k}") for k in range(1, len(path) + 1)],
    )
    steps = {f"s{k}": k for k in range(len(path) + 1)}
    out = _long(agg, list(steps)).select(
        nw.lit(credential.id).alias("credential_id"),
        _lookup(nw.col("_var"), steps, nw.Int64).alias("step"),
        _lookup(nw.col("_var"), {f"s{k}": m for m, k in position.items()}, nw.String).alias("module_id"),
        nw.col("_value").fill_null(0).cast(nw.Int64).alias("learners"),
    )
    out = out.with_columns(
        _ratio(nw.col("learners"), nw.col("learners").max().over("credential_id")).alias("share")
    )
    return _final(out, "pathway_funnel")


def block_dropoff(events: Any, module: Module) -> Frame:
    """Per block of one module: how many learners reached it and how many stopped there.

    A learner reached block *i* when their furthest ``progressed`` block (by position in the
    module) is at *i* or later. They stopped at *i* when *i* is their furthest block and they
    have no ``completed`` event for the module. ``reached_share`` is over learners who launched
    (or progressed in) the module; ``dropoff_rate`` is ``stopped / reached`` (null when nobody
    reached it).

    Columns: module_id String, block_id String, position Int64 (1-based), reached Int64,
    stopped Int64, reached_share Float64, dropoff_rate Float64. One row per block.

    >>> from mblib.content import Module
    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> m = Module(id="m1", title="M1", blocks=[{"id": "b1", "type": "text", "body": "x"},
    ...     {"id": "b2", "type": "text", "body": "y"}])
    >>> collect(block_dropoff(_demo_events(), m)).select("block_id", "reached", "stopped").rows()
    [('b1', 3, 1), ('b2', 2, 0)]
    """
    nw = _nw()
    ev = _events(events, ["module_id", "block_id"]).filter(nw.col("module_id") == module.id)
    ids = [b.id for b in module.blocks]
    position = {b: i + 1 for i, b in enumerate(ids)}
    base = _learners_with(ev, ["launched", "progressed"], []).select("learner_id")
    furthest = _furthest(ev, "progressed", "block_id", position)
    done = _flag(_learners_with(ev, "completed", []).select("learner_id"), "_done")
    per = (
        base.join(furthest, on="learner_id", how="left")
        .join(done, on="learner_id", how="left")
        .with_columns(nw.col("_furthest").fill_null(0).cast(nw.Int64), nw.col("_done").fill_null(0).cast(nw.Int64))
    )
    aggs = [nw.len().cast(nw.Int64).alias("n")]
    for k in range(1, len(ids) + 1):
        aggs.append((nw.col("_furthest") >= k).cast(nw.Int64).sum().cast(nw.Int64).alias(f"r{k}"))
        aggs.append(((nw.col("_furthest") == k) & (nw.col("_done") == 0)).cast(nw.Int64).sum().cast(nw.Int64).alias(f"s{k}"))
    if not ids:
        raise MetricError(f"module '{module.id}' has no blocks", hint="add blocks to the module before analysing drop-off")
    agg = per.select(*aggs)
    reached = {f"r{k}": k for k in range(1, len(ids) + 1)}
    stopped: Any = nw.lit(None, nw.Int64)
    for k in range(1, len(ids) + 1):
        stopped = nw.when(nw.col("_var") == f"r{k}").then(nw.col(f"s{k}")).otherwise(stopped)
    out = _long(agg, list(reached), index=["n", *[f"s{k}" for k in range(1, len(ids) + 1)]]).select(
        nw.lit(module.id).alias("module_id"),
        _lookup(nw.col("_var"), {f"r{k}": b for b, k in position.items()}, nw.String).alias("block_id"),
        _lookup(nw.col("_var"), reached, nw.Int64).alias("position"),
        nw.col("_value").fill_null(0).cast(nw.Int64).alias("reached"),
        stopped.fill_null(0).cast(nw.Int64).alias("stopped"),
        nw.col("n").cast(nw.Int64).alias("n"),
    )
    out = out.with_columns(
        _ratio(nw.col("reached"), nw.col("n")).alias("reached_share"),
        _ratio(nw.col("stopped"), nw.col("reached")).alias("dropoff_rate"),
    )
    return _final(out, "block_dropoff")


def estimated_seconds(modules: Iterable[Module]) -> dict[str, float]:
    """Each module's estimated duration in seconds (``Module.estimate_duration()``), by id."""
    return {m.id: m.estimate_duration().seconds for m in modules}


def time_on_task(events: Any, estimates: Mapping[str, float]) -> Frame:
    """Time on task (``duration_s`` on ``completed`` events) against each module's estimate.

    ``estimates`` maps module id to estimated seconds (see :func:`estimated_seconds`); modules
    missing from it get a null estimate. Statistics are over all ``completed`` events with a
    duration; ``learners`` counts distinct learners among them. Quantiles are linear.
    ``median_ratio`` is ``median_s / estimated_s``.

    Columns: module_id String, learners Int64, estimated_s, mean_s, p25_s, median_s, p75_s,
    p90_s, median_ratio Float64.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(time_on_task(_demo_events(), {"m1": 300.0})).select("module_id", "median_s", "median_ratio").rows()
    [('m1', 450.0, 1.5), ('m2', 200.0, None)]
    """
    nw = _nw()
    ev = _events(events, ["module_id", "duration_s"])
    done = _verb(ev, "completed").filter(~nw.col("module_id").is_null() & ~nw.col("duration_s").is_null())
    d = nw.col("duration_s").cast(nw.Float64)
    out = done.group_by("module_id").agg(
        nw.col("learner_id").n_unique().cast(nw.Int64).alias("learners"),
        d.mean().alias("mean_s"),
        d.quantile(0.25, interpolation="linear").alias("p25_s"),
        d.quantile(0.5, interpolation="linear").alias("median_s"),
        d.quantile(0.75, interpolation="linear").alias("p75_s"),
        d.quantile(0.9, interpolation="linear").alias("p90_s"),
    )
    out = out.with_columns(_lookup(nw.col("module_id"), dict(estimates), nw.Float64).alias("estimated_s"))
    out = out.with_columns(_ratio(nw.col("median_s"), nw.col("estimated_s")).alias("median_ratio"))
    return _final(out, "time_on_task")


def weekly_active_learners(events: Any) -> Frame:
    """Distinct learners with any event in each week (weeks start on Monday, UTC).

    Columns: week_start Date, active_learners Int64. Only weeks with activity appear.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(weekly_active_learners(_demo_events())).rows()
    [(datetime.date(2026, 3, 2), 3), (datetime.date(2026, 3, 9), 2), (datetime.date(2026, 3, 16), 1)]
    """
    from .weeks import week_start

    nw = _nw()
    days = _learner_days(_events(events))
    weeks = days.select(week_start("_day").alias("week_start"), "learner_id").unique()
    out = weeks.group_by("week_start").agg(nw.len().cast(nw.Int64).alias("active_learners"))
    return _final(out, "weekly_active_learners")


def _learner_days(ev: Frame) -> Frame:
    """Distinct (learner_id, _day): the UTC days each learner was active. Week arithmetic then
    runs on this much smaller frame instead of on every event."""
    nw = _nw()
    return ev.select("learner_id", nw.col("timestamp").dt.truncate("1d").alias("_day")).unique()


def _learner_weeks(ev: Frame) -> Frame:
    """Distinct (learner_id, week_start Date, week_day Int64 = epoch day of that Monday)."""
    from .weeks import epoch_days, weekday, week_start

    nw = _nw()
    return _learner_days(ev).select(
        "learner_id",
        week_start("_day").alias("week_start"),
        (epoch_days("_day") - weekday("_day") + 1).cast(nw.Int64).alias("week_day"),
    ).unique()


def cohort_retention(events: Any) -> Frame:
    """Weekly cohorts by first activity and the share still active *k* weeks later.

    A learner's cohort is the week of their first event; ``week`` is 0 for that week.
    ``active`` counts cohort members with any event in week ``cohort_week + week``;
    ``retention = active / cohort_size``. Rows only for (cohort, week) pairs with activity.

    Columns: cohort_week Date, week Int64, cohort_size Int64, active Int64, retention Float64.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(cohort_retention(_demo_events())).select("week", "cohort_size", "active").rows()
    [(0, 3, 3), (1, 3, 2), (2, 3, 1)]
    """
    nw = _nw()
    weeks = _learner_weeks(_events(events))
    first = weeks.group_by("learner_id").agg(
        nw.col("week_start").min().alias("cohort_week"), nw.col("week_day").min().alias("cohort_day")
    )
    sizes = _count(first, ["cohort_week"], "cohort_size")
    active = (
        weeks.join(first, on="learner_id", how="inner")
        .with_columns(((nw.col("week_day") - nw.col("cohort_day")) // 7).cast(nw.Int64).alias("week"))
        .group_by("cohort_week", "week")
        .agg(nw.len().cast(nw.Int64).alias("active"))
    )
    out = active.join(sizes, on="cohort_week", how="left").with_columns(
        _ratio(nw.col("active"), nw.col("cohort_size")).alias("retention")
    )
    return _final(out, "cohort_retention")


def credential_uptake(events: Any) -> Frame:
    """Per credential and week: new enrolments and credentials earned, and running totals.

    Each learner counts once per credential: in the week of their first ``enrolled`` event and
    in the week of their first ``earned`` event for it.

    Columns: credential_id String, week_start Date, enrolled Int64, earned Int64,
    cumulative_enrolled Int64, cumulative_earned Int64. Rows for weeks with an enrolment or an
    award of that credential.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(credential_uptake(_demo_events())).select("week_start", "enrolled", "earned", "cumulative_earned").rows()
    [(datetime.date(2026, 3, 2), 3, 0, 0), (datetime.date(2026, 3, 9), 0, 1, 1)]
    """
    from .weeks import week_start

    nw = _nw()
    ev = _events(events, ["credential_id"])
    parts = []
    for verb, on, off in (("enrolled", "enrolled", "earned"), ("earned", "earned", "enrolled")):
        first = (
            _verb(ev, verb)
            .filter(~nw.col("credential_id").is_null())
            .group_by("credential_id", "learner_id")
            .agg(nw.col("timestamp").min().alias("_t"))
        )
        parts.append(first.select(
            "credential_id",
            week_start("_t").alias("week_start"),
            nw.lit(1).cast(nw.Int64).alias(on),
            nw.lit(0).cast(nw.Int64).alias(off),
        ).select("credential_id", "week_start", "enrolled", "earned"))
    out = nw.concat(parts, how="vertical").group_by("credential_id", "week_start").agg(
        nw.col("enrolled").sum().cast(nw.Int64), nw.col("earned").sum().cast(nw.Int64)
    )
    out = out.with_columns(
        nw.col("enrolled").cum_sum().over("credential_id", order_by="week_start").alias("cumulative_enrolled"),
        nw.col("earned").cum_sum().over("credential_id", order_by="week_start").alias("cumulative_earned"),
    )
    return _final(out, "credential_uptake")


def uptake_by_segment(events: Any, learners: Any, by: Segment = "org_unit") -> Frame:
    """Per credential and learner segment (a column of the learners table): enrolled and earned.

    ``segment`` holds the value of column ``by`` ("unknown" where it is null or the learner is not
    in the learners table). ``earn_rate`` is over ``enrolled``. Pass the result through
    ``privacy.suppress_small_groups`` before showing it.

    Columns: credential_id String, segment String, enrolled Int64, earned Int64,
    earn_rate, earn_low, earn_high Float64.

    >>> import polars as pl
    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> people = pl.LazyFrame({"learner_id": ["a", "b"], "org_unit": ["sales", "ops"]})
    >>> collect(uptake_by_segment(_demo_events(), people)).select("segment", "enrolled", "earned").rows()
    [('ops', 1, 0), ('sales', 1, 1), ('unknown', 1, 0)]
    """
    nw = _nw()
    ev = _events(events, ["credential_id"])
    people = lazy(learners)
    if by not in people.collect_schema().names():
        raise MetricError(
            f"the learners table has no column '{by}'",
            hint=f"group by one of {', '.join(n for n in people.collect_schema().names() if n != 'learner_id')}",
        )
    seg = people.select("learner_id", nw.col(by).cast(nw.String).alias("segment")).unique(subset=["learner_id"], keep="any")
    enrolled = _learners_with(ev, "enrolled", ["credential_id"])
    earned = _flag(_learners_with(ev, "earned", ["credential_id"]), "_e")
    out = (
        enrolled.join(earned, on=["credential_id", "learner_id"], how="left")
        .join(seg, on="learner_id", how="left")
        .with_columns(nw.col("segment").fill_null("unknown"), nw.col("_e").fill_null(0).cast(nw.Int64))
        .group_by("credential_id", "segment")
        .agg(nw.len().cast(nw.Int64).alias("enrolled"), nw.col("_e").sum().cast(nw.Int64).alias("earned"))
    )
    out = with_wilson(out, "earned", "enrolled", "earn")
    return _final(out, "uptake_by_segment")


def credential_stacking(events: Any) -> Frame:
    """How many credentials each learner holds (``earned`` events), among enrolled learners.

    Every learner with an ``enrolled`` or ``earned`` event counts; ``credentials_held`` is the
    number of distinct credentials they earned.

    Columns: credentials_held Int64 (0, 1, 2, ...), learners Int64, share Float64 (of all
    those learners). Learners holding two or more credentials: sum ``learners`` where
    ``credentials_held >= 2``.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(credential_stacking(_demo_events())).rows()
    [(0, 2, 0.666...), (1, 1, 0.333...)]
    """
    nw = _nw()
    ev = _events(events, ["credential_id"])
    people = _learners_with(ev, ["enrolled", "earned"], []).select("learner_id")
    held = _count(_learners_with(ev, "earned", ["credential_id"]), ["learner_id"], "credentials_held")
    counts = (
        people.join(held, on="learner_id", how="left")
        .with_columns(*_counts0("credentials_held"))
        .group_by("credentials_held")
        .agg(nw.len().cast(nw.Int64).alias("learners"))
    )
    total = people.select(nw.len().cast(nw.Int64).alias("_total"))
    out = counts.join(total, how="cross").with_columns(_ratio(nw.col("learners"), nw.col("_total")).alias("share"))
    return _final(out, "credential_stacking")


def completion_by_language(events: Any) -> Frame:
    """Per module and language variant (``language`` on ``launched``): started and completed.

    A learner who launched a module in two languages counts in both; ``completed`` counts the
    learners of that (module, language) with a ``completed`` event for the module.

    Columns: module_id String, language String ("unknown" when null), started Int64,
    completed Int64, completion_rate, completion_low, completion_high Float64.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(completion_by_language(_demo_events())).select("module_id", "language", "started", "completed").rows()
    [('m1', 'en', 2, 2), ('m1', 'fr', 1, 0), ('m2', 'en', 1, 1)]
    """
    nw = _nw()
    ev = _events(events, ["module_id", "language"])
    started = (
        _verb(ev, "launched")
        .filter(~nw.col("module_id").is_null())
        .select("module_id", nw.col("language").fill_null("unknown").alias("language"), "learner_id")
        .unique()
    )
    done = _flag(_learners_with(ev, "completed", ["module_id"]), "_c")
    out = (
        started.join(done, on=["module_id", "learner_id"], how="left")
        .with_columns(nw.col("_c").fill_null(0).cast(nw.Int64))
        .group_by("module_id", "language")
        .agg(nw.len().cast(nw.Int64).alias("started"), nw.col("_c").sum().cast(nw.Int64).alias("completed"))
    )
    out = with_wilson(out, "completed", "started", "completion")
    return _final(out, "completion_by_language")


def learners_at_risk(events: Any, *, as_of: datetime | None = None, inactive_days: float = 7.0) -> Frame:
    """Enrolled learners who have not earned the credential and have been inactive a while.

    At risk: enrolled in the credential, no ``earned`` event for it, and the last event of any
    kind at least ``inactive_days`` before ``as_of`` (default: the latest timestamp in the data).

    Columns: learner_id String, credential_id String, last_active Datetime(us, UTC),
    days_inactive Float64, modules_passed Int64 (distinct modules with a ``passed`` event).

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(learners_at_risk(_demo_events())).select("learner_id", "days_inactive", "modules_passed").rows()
    [('c', 13.0, 0)]
    """
    from .weeks import epoch_us

    nw = _nw()
    ev = _events(events, ["credential_id", "module_id"])
    enrolled = _learners_with(ev, "enrolled", ["credential_id"])
    earned = _learners_with(ev, "earned", ["credential_id"])
    open_ = enrolled.join(earned, on=["credential_id", "learner_id"], how="anti")
    last = ev.group_by("learner_id").agg(nw.col("timestamp").max().alias("last_active"))
    passed = _count(_learners_with(ev, "passed", ["module_id"]), ["learner_id"], "modules_passed")
    out = (
        open_.join(last, on="learner_id", how="left")
        .join(passed, on="learner_id", how="left")
        .with_columns(*_counts0("modules_passed"))
        .join(_as_of_us(ev, as_of), how="cross")
        .with_columns(
            ((nw.col("as_of_us") - epoch_us("last_active")).cast(nw.Float64) / US_PER_DAY).alias("days_inactive")
        )
        .filter(nw.col("days_inactive") >= inactive_days)
    )
    return _final(out, "learners_at_risk")


def at_risk_by_inactivity(events: Any, *, as_of: datetime | None = None, inactive_days: float = 7.0,
                          step_days: int = 7) -> Frame:
    """Learners at risk (:func:`learners_at_risk`) counted per credential and span of inactivity.

    The report and the dashboard draw this, not the list: it holds counts only (no learner
    ids), so small groups can be suppressed like any other table. Spans are ``step_days`` wide:
    ``days_from <= days_inactive < days_to``.

    Columns: credential_id String, days_from Int64, days_to Int64, learners Int64.

    >>> from mblib.analytics.metrics import _demo_events
    >>> from mblib.analytics.backends import collect
    >>> collect(at_risk_by_inactivity(_demo_events())).rows()
    [('c1', 7, 14, 1)]
    """
    nw = _nw()
    if step_days < 1:
        raise MetricError(f"step_days must be 1 or more, got {step_days}", hint="step_days=7 counts by week of inactivity")
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
    return _final(out, "at_risk_by_inactivity")


# ----------------------------------------------------------------------------- schemas


def _schema(metric: str) -> dict[str, Any]:
    nw = _nw()
    S, I, F, D = nw.String, nw.Int64, nw.Float64, nw.Date
    rate = lambda p: {f"{p}_rate": F, f"{p}_low": F, f"{p}_high": F}  # noqa: E731
    schemas: dict[str, dict[str, Any]] = {
        "module_outcomes": {"module_id": S, "enrolled": I, "started": I, "completed": I, "passed": I, **rate("completion"), **rate("pass")},
        "credential_outcomes": {"credential_id": S, "enrolled": I, "started": I, "completed": I, "earned": I,
                                "start_rate": F, **rate("completion"), **rate("earn")},
        "pathway_funnel": {"credential_id": S, "step": I, "module_id": S, "learners": I, "share": F},
        "block_dropoff": {"module_id": S, "block_id": S, "position": I, "reached": I, "stopped": I, "reached_share": F, "dropoff_rate": F},
        "time_on_task": {"module_id": S, "learners": I, "estimated_s": F, "mean_s": F, "p25_s": F, "median_s": F, "p75_s": F, "p90_s": F, "median_ratio": F},
        "weekly_active_learners": {"week_start": D, "active_learners": I},
        "cohort_retention": {"cohort_week": D, "week": I, "cohort_size": I, "active": I, "retention": F},
        "credential_uptake": {"credential_id": S, "week_start": D, "enrolled": I, "earned": I, "cumulative_enrolled": I, "cumulative_earned": I},
        "uptake_by_segment": {"credential_id": S, "segment": S, "enrolled": I, "earned": I, **rate("earn")},
        "credential_stacking": {"credentials_held": I, "learners": I, "share": F},
        "completion_by_language": {"module_id": S, "language": S, "started": I, "completed": I, **rate("completion")},
        "learners_at_risk": {"learner_id": S, "credential_id": S, "last_active": nw.Datetime("us", "UTC"), "days_inactive": F, "modules_passed": I},
        "at_risk_by_inactivity": {"credential_id": S, "days_from": I, "days_to": I, "learners": I},
    }
    return schemas[metric]


_KEYS: dict[str, list[str]] = {
    "module_outcomes": ["module_id"],
    "credential_outcomes": ["credential_id"],
    "pathway_funnel": ["credential_id", "step"],
    "block_dropoff": ["module_id", "position"],
    "time_on_task": ["module_id"],
    "weekly_active_learners": ["week_start"],
    "cohort_retention": ["cohort_week", "week"],
    "credential_uptake": ["credential_id", "week_start"],
    "uptake_by_segment": ["credential_id", "segment"],
    "credential_stacking": ["credentials_held"],
    "completion_by_language": ["module_id", "language"],
    "learners_at_risk": ["credential_id", "learner_id"],
    "at_risk_by_inactivity": ["credential_id", "days_from"],
}


def output_schema(metric: str) -> dict[str, Any]:
    """The narwhals schema (column -> dtype) a metric of this module returns, by metric name.

    >>> list(output_schema("weekly_active_learners"))
    ['week_start', 'active_learners']
    """
    try:
        return _schema(metric)
    except KeyError:
        raise MetricError(f"no metric named '{metric}'", hint=f"use one of {', '.join(METRICS)}") from None


METRICS: tuple[str, ...] = (
    "module_outcomes", "credential_outcomes", "pathway_funnel", "block_dropoff", "time_on_task",
    "weekly_active_learners", "cohort_retention", "credential_uptake", "uptake_by_segment",
    "credential_stacking", "completion_by_language", "learners_at_risk", "at_risk_by_inactivity",
)


def _demo_events() -> Any:
    """A tiny events table for the examples in this package's docstrings (polars LazyFrame).

    Learners a, b, c enrol in credential c1 on Monday 2026-03-02 and launch module m1 the next
    day (a and b in English, c in French); c stops after block b1; a and b complete m1 (300 s and
    600 s), a passes it and b fails; a completes and passes m2 on 2026-03-10 and earns c1; b comes
    back on 03-11 and 03-16.
    """
    import polars as pl

    from .schema import events_schema

    def t(day: int, hour: int = 9) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=timezone.utc)

    rows = [
        (t(2), "a", "enrolled", "c1", None, None, None, None, None, None, None),
        (t(2), "b", "enrolled", "c1", None, None, None, None, None, None, None),
        (t(2), "c", "enrolled", "c1", None, None, None, None, None, None, None),
        (t(3), "a", "launched", None, "m1", None, None, None, None, None, "en"),
        (t(3), "b", "launched", None, "m1", None, None, None, None, None, "en"),
        (t(3), "c", "launched", None, "m1", None, None, None, None, None, "fr"),
        (t(3), "a", "progressed", None, "m1", "b1", None, None, None, None, "en"),
        (t(3), "b", "progressed", None, "m1", "b1", None, None, None, None, "en"),
        (t(3), "c", "progressed", None, "m1", "b1", None, None, None, None, "fr"),
        (t(3), "a", "progressed", None, "m1", "b2", None, None, None, None, "en"),
        (t(3), "b", "progressed", None, "m1", "b2", None, None, None, None, "en"),
        (t(3, 10), "a", "completed", None, "m1", None, None, None, 300.0, None, "en"),
        (t(3, 10), "b", "completed", None, "m1", None, None, None, 600.0, None, "en"),
        (t(3, 10), "a", "passed", None, "m1", None, 0.9, True, None, None, "en"),
        (t(3, 10), "b", "failed", None, "m1", None, 0.4, False, None, None, "en"),
        (t(10), "a", "launched", None, "m2", None, None, None, None, None, "en"),
        (t(10), "a", "completed", None, "m2", None, None, None, 200.0, None, "en"),
        (t(10), "a", "passed", None, "m2", None, 1.0, True, None, None, "en"),
        (t(10), "a", "earned", "c1", None, None, None, None, None, None, None),
        (t(11), "b", "launched", None, "m1", None, None, None, None, None, "en"),
        (t(16), "b", "progressed", None, "m1", "b2", None, None, None, None, "en"),
    ]
    schema = events_schema()
    return pl.LazyFrame(rows, schema=schema, orient="row")


__all__ = [
    "METRICS",
    "MetricError",
    "Z95",
    "at_risk_by_inactivity",
    "block_dropoff",
    "cohort_retention",
    "completion_by_language",
    "credential_outcomes",
    "credential_stacking",
    "credential_uptake",
    "estimated_seconds",
    "lazy",
    "learners_at_risk",
    "module_outcomes",
    "output_schema",
    "pathway_funnel",
    "time_on_task",
    "uptake_by_segment",
    "weekly_active_learners",
    "with_wilson",
]
