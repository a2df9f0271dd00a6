"""The dashboard's views computed from the cube's learner level (:mod:`mblib.analytics.cube_learners`).

Each function returns the frame of the metric it stands for on the events the filter keeps:
counts are sums over the learner rows' masks; rates, intervals and types come from the metrics'
own helpers. ``first_events`` and ``as_of`` feed the time views (:mod:`mblib.analytics.cube_views`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cube_learners import LearnerSlice


def _counts(frame: Any) -> Any:
    import narwhals.stable.v2 as nw

    return nw.from_native(frame.lazy())


def collect(frame: Any) -> Any:
    """The small result collected at once (see ``cube_views._done``)."""
    return frame.to_native().collect(engine="in-memory")


#: a view as sums over the learner rows: the expressions, the counts frame from their values (a
#: column ``_order`` orders its parts before the metric's keys), what the metric adds to the counts
#: (rates, intervals) and the metric's name (its output types and key order)
Plan = tuple[list[Any], Callable[[dict[str, Any]], Any], Callable[[Any], Any], str]


def finish(plan: Plan, sums: list[dict[str, Any]]) -> list[Any]:
    """The plan's frames for several sets of sums, finished together (one pass of the metric's helpers)."""
    import narwhals.stable.v2 as nw
    import polars as pl

    from .metrics.registry import REGISTRY, output_schema

    _, counts, shape, metric = plan
    parts = []
    for i, x in enumerate(sums):  # lazily: an eager with_columns per part is a query of its own
        part = counts(x)
        order = [] if "_order" in part.columns else [pl.lit(0, pl.Int64).alias("_order")]
        parts.append(part.lazy().with_columns(pl.lit(i, pl.Int64).alias("_part"), *order))
    out = shape(_counts(pl.concat(parts, how="vertical_relaxed")))
    schema = output_schema(metric)
    out = out.select(nw.col("_part"), nw.col("_order"), *[nw.col(n).cast(t).alias(n) for n, t in schema.items()])
    done = collect(out.sort("_part", "_order", *REGISTRY[metric].keys, nulls_last=False))
    by = done.partition_by("_part", as_dict=True, include_key=False, maintain_order=True)
    empty = done.head(0).drop("_part", "_order")
    return [by[(i,)].drop("_order") if (i,) in by else empty for i in range(len(sums))]


def run_plan(s: LearnerSlice, plan: Plan) -> Any:
    """The plan's frame on the slice's rows (one ``select`` of every sum)."""
    exprs = plan[0]
    return finish(plan, [s.rows.select(exprs).collect(engine="in-memory").row(0, named=True) if exprs else {}])[0]


def plans_by(s: LearnerSlice, plan: Plan, column: str, *, everyone: bool = False) -> dict[Any, tuple[Any, int]]:
    """The plan's frame and learners for each value of ``column`` among the rows, in one ``group_by``
    (what :func:`run_plan` gives on the rows of that value; rows without a value and values
    without rows are left out), and with ``everyone`` under the key None the frame of all the
    rows; every frame finished in one pass."""
    import polars as pl

    grouped = s.rows.group_by(column).agg(*plan[0], pl.len().alias("_rows")).collect(engine="in-memory")
    sums = [row for row in grouped.iter_rows(named=True) if row[column] is not None]
    if everyone:
        total = s.rows.select(*plan[0], pl.len().alias("_rows")).collect(engine="in-memory")
        sums.append({**total.row(0, named=True), column: None})
    frames = finish(plan, sums) if sums else []
    return {row[column]: (f, int(row["_rows"])) for row, f in zip(sums, frames, strict=True)}


def outcomes_plan(s: LearnerSlice, credentials: Any) -> Plan:
    """:func:`credential_outcomes` as sums."""
    import polars as pl

    from .metrics.frames import MetricError

    exprs, ids = [], []
    for n, c in enumerate(credentials):
        ids.append(c.id)
        mine = s.has("enr", s.codes.cred_mask([c.id]))
        done = mine
        groups: list[tuple[list[str], int]] = [(list(c.required), len(set(c.required)))] if c.required else []
        groups.extend((list(g.modules), g.choose) for g in c.electives)
        for mods, need in groups:
            got = (pl.col("passed") & pl.lit(s.codes.mod_mask(mods), pl.UInt64)).bitwise_count_ones()
            done = done & (got >= need)
        exprs += [
            mine.sum().alias(f"enrolled_{n}"),
            (mine & s.has("launched", s.codes.mod_mask(c.module_ids()))).sum().alias(f"started_{n}"),
            done.sum().alias(f"completed_{n}"),
            (mine & s.has("ear", s.codes.cred_mask([c.id]))).sum().alias(f"earned_{n}"),
        ]
    if not ids:
        raise MetricError(
            "credential_outcomes needs at least one credential", hint="pass workspace.credentials.values()"
        )
    return exprs, lambda sums: _outcome_counts(ids, sums), _outcome_rates, "credential_outcomes"


def _outcome_counts(ids: list[str], sums: dict[str, Any]) -> Any:
    import polars as pl

    names = ("enrolled", "started", "completed", "earned")
    return pl.DataFrame(
        {"credential_id": ids, **{k: [int(sums[f"{k}_{n}"] or 0) for n in range(len(ids))] for k in names}},
        schema={"credential_id": pl.String, **dict.fromkeys(names, pl.Int64)},
    )


def _outcome_rates(counts: Any) -> Any:
    import narwhals.stable.v2 as nw

    from .metrics import with_wilson
    from .metrics.frames import ratio

    out = counts.with_columns(ratio(nw.col("started"), nw.col("enrolled")).alias("start_rate"))
    return with_wilson(with_wilson(out, "completed", "enrolled", "completion"), "earned", "enrolled", "earn")


def credential_outcomes(s: LearnerSlice, credentials: Any) -> Any:
    """:func:`mblib.analytics.metrics.credential_outcomes` on the learner rows."""
    return run_plan(s, outcomes_plan(s, credentials))


def funnel_plan(s: LearnerSlice, credentials: Any) -> Plan:
    """:func:`pathway_funnel` of each credential, stacked (the dashboard's funnel view), as sums."""
    import polars as pl

    exprs, parts = [], []
    for n, credential in enumerate(credentials):
        path = credential.pathway()
        furthest: Any = pl.lit(0)
        for k, m in enumerate(path, start=1):
            furthest = pl.when(s.has("launched", s.codes.mod_mask([m]))).then(pl.lit(k)).otherwise(furthest)
        mine = s.has("enr", s.codes.cred_mask([credential.id]))
        exprs += [(mine & (furthest >= k)).sum().alias(f"f{n}_{k}") for k in range(len(path) + 1)]
        parts.append((n, credential.id, path))

    def build(sums: dict[str, Any]) -> Any:
        frames = [
            funnel_counts(cid, path, [int(sums[f"f{n}_{k}"] or 0) for k in range(len(path) + 1)]).with_columns(
                pl.lit(n, pl.Int64).alias("_order")
            )
            for n, cid, path in parts
        ]
        return pl.concat(frames)

    return exprs, build, lambda counts: counts, "pathway_funnel"


def pathway_funnel(s: LearnerSlice, credential: Any) -> Any:
    """:func:`mblib.analytics.metrics.pathway_funnel` on the learner rows."""
    return run_plan(s, funnel_plan(s, [credential]))


def funnel_frame(credential_id: str, path: list[str], counts: list[int]) -> Any:
    """The frame of :func:`mblib.analytics.metrics.pathway_funnel` from the learners at each step."""
    from .metrics.registry import final

    return collect(final(_counts(funnel_counts(credential_id, path, counts)), "pathway_funnel"))


def funnel_counts(credential_id: str, path: list[str], counts: list[int]) -> Any:
    """:func:`funnel_frame` before the metric's types and order."""
    import polars as pl

    top = max(counts)
    return pl.DataFrame(
        {
            "credential_id": [credential_id] * len(counts),
            "step": list(range(len(counts))),
            "module_id": [None, *path],
            "learners": counts,
            "share": [n / top if top > 0 else None for n in counts],
        },
        schema={
            "credential_id": pl.String,
            "step": pl.Int64,
            "module_id": pl.String,
            "learners": pl.Int64,
            "share": pl.Float64,
        },
    )


def modules_plan(s: LearnerSlice, credentials: Any) -> Plan:
    """:func:`module_outcomes` as sums."""
    import polars as pl

    from .metrics import with_wilson

    by_module: dict[str, list[str]] = {}
    for c in credentials:
        for m in c.module_ids():
            by_module.setdefault(m, []).append(c.id)
    exprs = []
    for j, m in enumerate(s.codes.mods):
        bit = 1 << j
        exprs += [s.has(v, bit).sum().alias(f"{v}_{j}") for v in ("launched", "completed", "passed")]
        exprs.append(s.has("enr", s.codes.cred_mask(by_module.get(m, []))).sum().alias(f"enr_{j}"))
    mods = s.codes.mods

    def build(sums: dict[str, Any]) -> Any:
        rows = []
        for j, m in enumerate(mods):
            got = [int(sums[f"{v}_{j}"] or 0) for v in ("launched", "completed", "passed", "enr")]
            if any(got[:3]):
                rows.append((m, *got))
        return pl.DataFrame(
            rows,
            schema={
                "module_id": pl.String,
                "started": pl.Int64,
                "completed": pl.Int64,
                "passed": pl.Int64,
                "enrolled": pl.Int64,
            },
            orient="row",
        )

    def rates(counts: Any) -> Any:
        return with_wilson(with_wilson(counts, "completed", "started", "completion"), "passed", "started", "pass")

    return exprs, build, rates, "module_outcomes"


def module_outcomes(s: LearnerSlice, credentials: Any) -> Any:
    """:func:`mblib.analytics.metrics.module_outcomes` (with ``credentials``) on the learner rows."""
    return run_plan(s, modules_plan(s, credentials))


def languages_plan(s: LearnerSlice) -> Plan:
    """:func:`completion_by_language` as sums."""
    import polars as pl

    from .metrics import with_wilson

    exprs, keys = [], []
    for j, m in enumerate(s.codes.mods):
        for li, lang in enumerate(s.codes.langs):
            here = s.has("pairs", 1 << s.codes.pair(j, li))
            keys.append((m, lang))
            exprs += [
                here.sum().alias(f"s{len(keys)}"),
                (here & s.has("completed", 1 << j)).sum().alias(f"c{len(keys)}"),
            ]

    def build(sums: dict[str, Any]) -> Any:
        rows = [
            (m, lang, int(sums[f"s{n}"] or 0), int(sums[f"c{n}"] or 0))
            for n, (m, lang) in enumerate(keys, start=1)
            if sums.get(f"s{n}")
        ]
        return pl.DataFrame(
            rows,
            schema={"module_id": pl.String, "language": pl.String, "started": pl.Int64, "completed": pl.Int64},
            orient="row",
        )

    return (
        exprs,
        build,
        lambda counts: with_wilson(counts, "completed", "started", "completion"),
        "completion_by_language",
    )


def completion_by_language(s: LearnerSlice) -> Any:
    """:func:`mblib.analytics.metrics.completion_by_language` on the learner rows."""
    return run_plan(s, languages_plan(s))


def weekly_plan(s: LearnerSlice) -> Plan:
    """:func:`mblib.analytics.metrics.weekly_active_learners` as sums: learners with each week's bit."""
    import polars as pl

    weeks = s.codes.weeks
    exprs = [s.has("weeks", 1 << i).sum().alias(f"w{i}") for i in range(len(weeks))]

    def build(sums: dict[str, Any]) -> Any:
        rows = [(w, int(sums[f"w{i}"] or 0)) for i, w in enumerate(weeks) if sums.get(f"w{i}")]
        return pl.DataFrame(rows, schema={"week_start": pl.Date, "active_learners": pl.Int64}, orient="row")

    return exprs, build, lambda counts: counts, "weekly_active_learners"


def first_events(s: LearnerSlice, by: str | None = None) -> Any:
    """Each learner's first ``enrolled`` and ``earned`` per credential, as events (see ``cube_views.first_events``),
    without learner ids (what ``cube_views.uptake`` counts needs none); with the row's ``by`` column."""
    import polars as pl

    parts = []
    keep = [pl.col(by)] if by else []
    for i, c in enumerate(s.codes.creds):
        for col, verb in ((f"enr_ts_{i}", "enrolled"), (f"ear_ts_{i}", "earned")):
            parts.append(
                s.rows.filter(pl.col(col).is_not_null()).select(
                    *keep,
                    pl.col(col).alias("timestamp"),
                    pl.lit(verb).alias("verb"),
                    pl.lit(c).alias("credential_id"),
                )
            )
    if not parts:
        schema: dict[str, Any] = {
            "timestamp": pl.Datetime("us", "UTC"),
            "verb": pl.String,
            "credential_id": pl.String,
        }
        empty = pl.DataFrame(schema=schema)
        return empty.with_columns(pl.lit(None, pl.String).alias(by)) if by else empty
    return pl.concat(parts).collect(engine="in-memory")


def as_of(s: LearnerSlice) -> Any:
    """The last event time among the kept facts, or None."""
    import polars as pl

    return s.rows.select(pl.col("ts_max").max()).collect(engine="in-memory").item()


__all__ = [
    "Plan",
    "finish",
    "funnel_counts",
    "funnel_frame",
    "funnel_plan",
    "languages_plan",
    "modules_plan",
    "outcomes_plan",
    "plans_by",
    "run_plan",
    "weekly_plan",
    "as_of",
    "completion_by_language",
    "credential_outcomes",
    "first_events",
    "module_outcomes",
    "pathway_funnel",
]
