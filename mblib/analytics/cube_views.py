"""The dashboard's views computed from a cube's filtered facts (:mod:`mblib.analytics.cube`).

Each function returns the same polars DataFrame as the metric it stands for, run on the events
that the same filter keeps (tests/analytics/test_cube.py checks this on polars, DuckDB and Spark).
Counts are distinct learners over the facts; rates, intervals and the final types come from
the metrics' own helpers (``with_wilson``, ``ratio``, ``final``), and the time views hand the
metrics one row per learner and credential (first enrolment, first award).

>>> from mblib.analytics.cube import Cube
>>> from mblib.analytics.filters import EventFilter
>>> from mblib.analytics.metrics import demo_events
>>> s = Cube.from_events(demo_events()).slice(EventFilter())
>>> weekly_active(s)["active_learners"].to_list()
[3, 2, 1]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..content import Credential, Workspace
    from .cube import Cube, Slice
    from .event_filter import EventFilter


def _nw(df: Any) -> Any:
    """A small result as a lazy narwhals frame for the metrics' helpers (``with_wilson``, ``final``)."""
    import narwhals.stable.v2 as nw

    return nw.from_native(df.lazy())


def _done(frame: Any) -> Any:
    """Collect a small lazy result in one go with polars' in-memory engine (the streaming engine's
    start-up costs more than a few rows' work; one collect, not one per step as eagerly)."""
    import narwhals.stable.v2 as nw

    native = frame.to_native() if isinstance(frame, (nw.LazyFrame, nw.DataFrame)) else frame
    return native.lazy().collect(engine="in-memory")


def _pairs(s: Slice, flag: str, key: str) -> Any:
    """Distinct (key, learner_id) of the facts where ``flag`` holds (``key`` not null)."""
    import polars as pl

    f = s.facts
    cond = pl.col(flag) if f.schema[flag] == pl.Boolean else pl.col(flag).is_not_null()
    return f.lazy().filter(cond & pl.col(key).is_not_null()).select(key, "learner_id").unique().collect()


def credential_outcomes(s: Slice, credentials: Iterable[Credential]) -> Any:
    """:func:`mblib.analytics.metrics.credential_outcomes` on the slice."""
    import narwhals.stable.v2 as nw
    import polars as pl

    from .metrics import with_wilson
    from .metrics.frames import MetricError, ratio
    from .metrics.registry import final

    enrolled, earned = _pairs(s, "enrolled_ts", "credential_id"), _pairs(s, "earned_ts", "credential_id")
    launched, passed = _pairs(s, "launched", "module_id"), _pairs(s, "passed", "module_id")
    rows = []
    for c in credentials:
        mine = enrolled.filter(s.is_in("credential_id", [c.id])).get_column("learner_id")
        started = launched.filter(s.is_in("module_id", c.module_ids())).get_column("learner_id")
        done = mine
        groups: list[tuple[list[str], int]] = [(list(c.required), len(set(c.required)))] if c.required else []
        groups.extend((list(g.modules), g.choose) for g in c.electives)
        for mods, need in groups:
            ok = (
                passed.filter(s.is_in("module_id", mods))
                .group_by("learner_id")
                .len()
                .filter(pl.col("len") >= need)
                .get_column("learner_id")
            )
            done = done.filter(done.is_in(ok.implode()))
        got = earned.filter(s.is_in("credential_id", [c.id])).get_column("learner_id")
        rows.append(
            {
                "credential_id": c.id,
                "enrolled": mine.len(),
                "started": int(mine.is_in(started.implode()).sum()),
                "completed": done.len(),
                "earned": int(mine.is_in(got.implode()).sum()),
            }
        )
    if not rows:
        raise MetricError(
            "credential_outcomes needs at least one credential", hint="pass workspace.credentials.values()"
        )
    counts = pl.DataFrame(rows, schema={"credential_id": pl.String, **dict.fromkeys(list(rows[0])[1:], pl.Int64)})
    out = _nw(counts).with_columns(ratio(nw.col("started"), nw.col("enrolled")).alias("start_rate"))
    out = with_wilson(with_wilson(out, "completed", "enrolled", "completion"), "earned", "enrolled", "earn")
    return _done(final(out, "credential_outcomes"))


def pathway_funnel(s: Slice, credential: Credential) -> Any:
    """:func:`mblib.analytics.metrics.pathway_funnel` on the slice."""
    import polars as pl

    path = credential.pathway()
    position = {m: i + 1 for i, m in enumerate(path)}
    mine = _pairs(s, "enrolled_ts", "credential_id").filter(s.is_in("credential_id", [credential.id]))
    furthest = (
        _pairs(s, "launched", "module_id")
        .filter(s.is_in("module_id", list(position)))
        .with_columns(pl.col("module_id").cast(pl.String).replace_strict(position, return_dtype=pl.Int64).alias("_pos"))
        .group_by("learner_id")
        .agg(pl.col("_pos").max().alias("_furthest"))
    )
    per = mine.join(furthest, on="learner_id", how="left").with_columns(pl.col("_furthest").fill_null(0))
    counts = [per.height] + [int((per.get_column("_furthest") >= k).sum()) for k in range(1, len(path) + 1)]
    from .cube_learner_views import funnel_frame

    return funnel_frame(credential.id, path, counts)


def module_outcomes(s: Slice, credentials: Iterable[Credential]) -> Any:
    """:func:`mblib.analytics.metrics.module_outcomes` on the slice (with ``credentials``)."""
    import polars as pl

    from .metrics import with_wilson
    from .metrics.registry import final

    f = s.facts
    verbs = ("launched", "completed", "passed")
    flags = {"launched": "started", "completed": "completed", "passed": "passed"}
    out = (
        f.lazy()
        .filter(pl.col("module_id").is_not_null() & pl.any_horizontal(*verbs))
        .group_by("module_id", "learner_id")
        .agg(*[pl.col(v).max().cast(pl.Int64).alias(flags[v]) for v in verbs])
        .group_by("module_id")
        .agg(*[pl.col(n).sum().cast(pl.Int64) for n in flags.values()])
        .collect()
    )
    by_module: dict[str, list[str]] = {}
    for c in credentials:
        for m in c.module_ids():
            by_module.setdefault(m, []).append(c.id)
    enrolled = _pairs(s, "enrolled_ts", "credential_id")
    counts = pl.DataFrame(
        {
            "module_id": list(by_module),
            "enrolled": [
                enrolled.filter(s.is_in("credential_id", cs)).get_column("learner_id").n_unique()
                for cs in by_module.values()
            ],
        },
        schema={"module_id": pl.String, "enrolled": pl.Int64},
    )
    out = (
        out.with_columns(pl.col("module_id").cast(pl.String))
        .join(counts, on="module_id", how="left")
        .with_columns(pl.col("enrolled").fill_null(0))
    )
    lf = with_wilson(with_wilson(_nw(out), "completed", "started", "completion"), "passed", "started", "pass")
    return _done(final(lf, "module_outcomes"))


def completion_by_language(s: Slice) -> Any:
    """:func:`mblib.analytics.metrics.completion_by_language` on the slice."""
    import polars as pl

    from .metrics import with_wilson
    from .metrics.registry import final

    lang = s.facts.schema["language"]
    f = s.facts.lazy().filter(pl.col("module_id").is_not_null())
    started = (
        f.filter(pl.col("launched"))
        .select("module_id", pl.col("language").fill_null(pl.lit("unknown", dtype=lang)), "learner_id")
        .unique()
    )
    done = f.filter(pl.col("completed")).select("module_id", "learner_id").unique().with_columns(pl.lit(1).alias("_c"))
    out = (
        started.join(done, on=["module_id", "learner_id"], how="left")
        .group_by("module_id", "language")
        .agg(
            pl.len().cast(pl.Int64).alias("started"), pl.col("_c").fill_null(0).sum().cast(pl.Int64).alias("completed")
        )
        .collect()
    )
    return _done(final(with_wilson(_nw(out), "completed", "started", "completion"), "completion_by_language"))


def weekly_active(s: Slice) -> Any:
    """:func:`mblib.analytics.metrics.weekly_active_learners` on the slice."""
    import polars as pl

    from .metrics.registry import final

    out = (
        s.facts.lazy()
        .select(pl.col("day").dt.truncate("1w").alias("week_start"), "learner_id")
        .unique()
        .group_by("week_start")
        .agg(pl.len().cast(pl.Int64).alias("active_learners"))
        .collect()
    )
    return _done(final(_nw(out), "weekly_active_learners"))


def first_events(s: Slice) -> Any:
    """The slice as events: each learner's first ``enrolled`` and first ``earned`` per credential.

    Enough for the metrics that only look at those (uptake, time to credential).
    """
    import polars as pl

    parts = []
    for col, verb in (("enrolled_ts", "enrolled"), ("earned_ts", "earned")):
        parts.append(
            s.facts.lazy()
            .filter(pl.col(col).is_not_null() & pl.col("credential_id").is_not_null())
            .group_by("credential_id", "learner_id")
            .agg(pl.col(col).min().alias("timestamp"))
            .select("timestamp", "learner_id", pl.lit(verb).alias("verb"), "credential_id")
        )
    return pl.concat(parts).collect()


def uptake(first: Any) -> Any:
    """:func:`mblib.analytics.metrics.credential_uptake` from :func:`first_events` (weeks start on Monday, UTC)."""
    return uptake_by(first, None)[None]


def uptake_by(first: Any, column: str | None) -> dict[Any, Any]:
    """:func:`uptake` for each value of ``first``'s ``column`` (None: of all rows), in one group-by."""
    import polars as pl

    from .metrics.registry import final

    keys = [column] if column else []
    week = pl.col("timestamp").dt.truncate("1w").dt.date().alias("week_start")
    out = (
        first.lazy()
        .select(
            *keys,
            pl.col("credential_id").cast(pl.String),
            week,
            (pl.col("verb") == "enrolled").cast(pl.Int64).alias("enrolled"),
            (pl.col("verb") == "earned").cast(pl.Int64).alias("earned"),
        )
        .group_by(*keys, "credential_id", "week_start")
        .agg(pl.col("enrolled").sum(), pl.col("earned").sum())
        .sort(*keys, "credential_id", "week_start")
        .with_columns(
            pl.col("enrolled").cum_sum().over(*keys, "credential_id").alias("cumulative_enrolled"),
            pl.col("earned").cum_sum().over(*keys, "credential_id").alias("cumulative_earned"),
        )
        .collect()
    )
    parts = out.partition_by(column, as_dict=True, include_key=False) if column else {(None,): out}
    return {key[0]: _done(final(_nw(part), "credential_uptake")) for key, part in parts.items()}


def as_of(s: Slice) -> Any:
    """The slice's last event time (what the metrics default ``as_of`` to), or None when empty."""
    return s.facts.get_column("ts_max").max() if s.facts.height else None


def compute(view: str, cube: Cube, workspace: Workspace, flt: EventFilter, shown: EventFilter) -> tuple[Any, int]:
    """The frame of dashboard ``view`` (a name in ``filters.VIEWS``) for filter ``flt`` and its learners.

    ``shown`` is the filter the dashboard shows (its credential picks the credentials of the
    outcome views; ``flt`` differs from it in the segment value when a segment view's groups are
    checked across values). Answered from the learner level where it holds the data
    (:mod:`mblib.analytics.cube_learners`), else from the day-grain facts.
    """
    import polars as pl

    from . import cube_learner_views as lv
    from . import survival
    from .cube_learners import codes_for, learner_slice

    creds = [workspace.credential(shown.credential_id)] if shown.credential_id else list(workspace.credentials.values())
    codes = codes_for(cube)
    if codes is None or (view == "weekly_active_learners" and not weeks_held(cube, codes, flt)):
        s: Any = cube.slice(flt)
        cv: Any = sys.modules[__name__]
    else:
        cube.check(flt)
        s, cv = learner_slice(cube, codes, flt), lv

    plan = plan_for(view, s, creds) if cv is lv else None
    if plan is not None:
        return lv.run_plan(s, plan), s.learners()

    def ttc(sl: Any) -> Any:
        from .cube_survival import durations, kaplan_meier_sorted, learner_durations

        d = learner_durations(sl, lv.as_of(sl)) if cv is lv else durations(cv.first_events(sl), cv.as_of(sl))
        return survival.thin_curve(kaplan_meier_sorted(d))

    table: dict[str, Callable[[Any], Any]] = {
        "credential_outcomes": lambda sl: cv.credential_outcomes(sl, creds),
        "pathway_funnel": lambda sl: pl.concat([cv.pathway_funnel(sl, c) for c in creds]),
        "module_outcomes": lambda sl: cv.module_outcomes(sl, creds),
        "credential_uptake": lambda sl: uptake(cv.first_events(sl)),
        "weekly_active_learners": weekly_active,
        "time_to_credential": ttc,
        "completion_by_language": cv.completion_by_language,
    }
    return table[view](s), s.learners()


def weeks_held(cube: Cube, codes: Any, flt: EventFilter) -> bool:
    """Whether the learner rows' week masks answer weekly active learners for ``flt``: the facts
    span at most 63 weeks, and under a credential filter every module fact names its credential."""
    from .cube_learners import any_loose

    return bool(codes.weeks) and not (flt.credential_id and cube.answer(("loose",), lambda: any_loose(cube), keep=True))


def plan_for(view: str, s: Any, creds: list[Any]) -> Any:
    """The view as sums over learner rows (:data:`mblib.analytics.cube_learner_views.Plan`), or None."""
    from . import cube_learner_views as lv

    plans: dict[str, Callable[[], Any]] = {
        "weekly_active_learners": lambda: lv.weekly_plan(s),
        "credential_outcomes": lambda: lv.outcomes_plan(s, creds),
        "pathway_funnel": lambda: lv.funnel_plan(s, creds),
        "module_outcomes": lambda: lv.modules_plan(s, creds),
        "completion_by_language": lambda: lv.languages_plan(s),
    }
    return plans[view]() if view in plans else None


def compute_by_segment(
    view: str, cube: Cube, workspace: Workspace, flt: EventFilter, shown: EventFilter
) -> dict[str | None, tuple[Any, int]] | None:
    """:func:`compute` for ``flt`` with every value of its segment in place of its value, in one
    ``group_by`` over the learner rows (a segment view hides groups across all values), and under
    None for ``flt`` without its segment (all learners); None where the view or data has no such
    path (then each value is computed on its own)."""
    from dataclasses import replace

    from .cube_learner_views import plans_by
    from .cube_learners import codes_for, learner_slice

    codes = codes_for(cube)
    column = f"seg_{flt.segment}"
    if codes is None or not flt.segment or flt.segment_value is None:
        return None
    cube.check(flt)
    creds = [workspace.credential(shown.credential_id)] if shown.credential_id else list(workspace.credentials.values())
    if view == "weekly_active_learners" and not weeks_held(cube, codes, flt):
        return None
    s = learner_slice(cube, codes, replace(flt, segment=None, segment_value=None))
    if view == "credential_uptake" and column in s.columns:
        from .cube_learner_views import first_events

        first = first_events(s, column)  # the events once: by value, and all of them
        by, counts = uptake_by(first, column), s.rows.group_by(column).len().collect()
        everyone = uptake(first)
        got: dict[str | None, tuple[Any, int]] = {
            str(v): (by[v] if v in by else everyone.head(0), int(n)) for v, n in counts.iter_rows() if v is not None
        }
        return {**got, None: (everyone, s.learners())}
    plan = plan_for(view, s, creds)
    if plan is None or column not in s.columns:
        return None
    return {None if v is None else str(v): got for v, got in plans_by(s, plan, column, everyone=True).items()}


__all__ = [
    "as_of",
    "compute_by_segment",
    "completion_by_language",
    "compute",
    "credential_outcomes",
    "first_events",
    "module_outcomes",
    "pathway_funnel",
    "uptake",
    "weekly_active",
]
