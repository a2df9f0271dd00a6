"""The dashboard's views computed from the cube's learner level (:mod:`mblib.analytics.cube_learners`).

Each function returns the frame of the metric it stands for on the events the filter keeps:
counts are sums over the learner rows' masks; rates, intervals and types come from the metrics'
own helpers. ``first_events`` and ``as_of`` feed the time views (:mod:`mblib.analytics.cube_views`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cube_learners import LearnerSlice


def _counts(frame: Any) -> Any:
    import narwhals.stable.v2 as nw

    return nw.from_native(frame.lazy())


def collect(frame: Any) -> Any:
    """The small result collected at once (see ``cube_views._done``)."""
    return frame.to_native().collect(engine="in-memory")


def credential_outcomes(s: LearnerSlice, credentials: Any) -> Any:
    """:func:`mblib.analytics.metrics.credential_outcomes` on the learner rows."""
    import narwhals.stable.v2 as nw
    import polars as pl

    from .metrics import with_wilson
    from .metrics.frames import MetricError, ratio
    from .metrics.registry import final

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
    sums = s.rows.select(exprs).collect().row(0, named=True)
    names = ("enrolled", "started", "completed", "earned")
    counts = pl.DataFrame(
        {"credential_id": ids, **{k: [int(sums[f"{k}_{n}"] or 0) for n in range(len(ids))] for k in names}},
        schema={"credential_id": pl.String, **dict.fromkeys(names, pl.Int64)},
    )
    out = _counts(counts).with_columns(ratio(nw.col("started"), nw.col("enrolled")).alias("start_rate"))
    out = with_wilson(with_wilson(out, "completed", "enrolled", "completion"), "earned", "enrolled", "earn")
    return collect(final(out, "credential_outcomes"))


def pathway_funnel(s: LearnerSlice, credential: Any) -> Any:
    """:func:`mblib.analytics.metrics.pathway_funnel` on the learner rows."""
    import polars as pl

    path = credential.pathway()
    furthest: Any = pl.lit(0)
    for k, m in enumerate(path, start=1):
        furthest = pl.when(s.has("launched", s.codes.mod_mask([m]))).then(pl.lit(k)).otherwise(furthest)
    mine = s.rows.filter(s.has("enr", s.codes.cred_mask([credential.id])))
    far = mine.select(furthest.alias("f")).collect().get_column("f")
    counts = [far.len()] + [int((far >= k).sum()) for k in range(1, len(path) + 1)]
    return funnel_frame(credential.id, path, counts)


def funnel_frame(credential_id: str, path: list[str], counts: list[int]) -> Any:
    """The frame of :func:`mblib.analytics.metrics.pathway_funnel` from the learners at each step."""
    import polars as pl

    from .metrics.registry import final

    top = max(counts)
    frame = pl.DataFrame(
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
    return collect(final(_counts(frame), "pathway_funnel"))


def module_outcomes(s: LearnerSlice, credentials: Any) -> Any:
    """:func:`mblib.analytics.metrics.module_outcomes` (with ``credentials``) on the learner rows."""
    import polars as pl

    from .metrics import with_wilson
    from .metrics.registry import final

    by_module: dict[str, list[str]] = {}
    for c in credentials:
        for m in c.module_ids():
            by_module.setdefault(m, []).append(c.id)
    exprs = []
    for j, m in enumerate(s.codes.mods):
        bit = 1 << j
        exprs += [s.has(v, bit).sum().alias(f"{v}_{j}") for v in ("launched", "completed", "passed")]
        exprs.append(s.has("enr", s.codes.cred_mask(by_module.get(m, []))).sum().alias(f"enr_{j}"))
    sums = s.rows.select(exprs).collect().row(0, named=True) if exprs else {}
    rows = []
    for j, m in enumerate(s.codes.mods):
        got = [int(sums[f"{v}_{j}"] or 0) for v in ("launched", "completed", "passed", "enr")]
        if any(got[:3]):
            rows.append((m, *got))
    frame = pl.DataFrame(
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
    lf = with_wilson(with_wilson(_counts(frame), "completed", "started", "completion"), "passed", "started", "pass")
    return collect(final(lf, "module_outcomes"))


def completion_by_language(s: LearnerSlice) -> Any:
    """:func:`mblib.analytics.metrics.completion_by_language` on the learner rows."""
    import polars as pl

    from .metrics import with_wilson
    from .metrics.registry import final

    exprs, keys = [], []
    for j, m in enumerate(s.codes.mods):
        for li, lang in enumerate(s.codes.langs):
            here = s.has("pairs", 1 << s.codes.pair(j, li))
            keys.append((m, lang))
            exprs += [
                here.sum().alias(f"s{len(keys)}"),
                (here & s.has("completed", 1 << j)).sum().alias(f"c{len(keys)}"),
            ]
    sums = s.rows.select(exprs).collect().row(0, named=True) if exprs else {}
    rows = [
        (m, lang, int(sums[f"s{n}"] or 0), int(sums[f"c{n}"] or 0))
        for n, (m, lang) in enumerate(keys, start=1)
        if sums.get(f"s{n}")
    ]
    frame = pl.DataFrame(
        rows,
        schema={"module_id": pl.String, "language": pl.String, "started": pl.Int64, "completed": pl.Int64},
        orient="row",
    )
    return collect(final(with_wilson(_counts(frame), "completed", "started", "completion"), "completion_by_language"))


def first_events(s: LearnerSlice) -> Any:
    """Each learner's first ``enrolled`` and ``earned`` per credential, as events (see ``cube_views.first_events``)."""
    import polars as pl

    parts = []
    for i, c in enumerate(s.codes.creds):
        for col, verb in ((f"enr_ts_{i}", "enrolled"), (f"ear_ts_{i}", "earned")):
            parts.append(
                s.rows.filter(pl.col(col).is_not_null()).select(
                    pl.col(col).alias("timestamp"),
                    pl.col("learner_id").cast(pl.String),
                    pl.lit(verb).alias("verb"),
                    pl.lit(c).alias("credential_id"),
                )
            )
    if not parts:
        schema: dict[str, Any] = {
            "timestamp": pl.Datetime("us", "UTC"),
            "learner_id": pl.String,
            "verb": pl.String,
            "credential_id": pl.String,
        }
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).collect()


def as_of(s: LearnerSlice) -> Any:
    """The last event time among the kept facts, or None."""
    import polars as pl

    return s.rows.select(pl.col("ts_max").max()).collect().item()


__all__ = [
    "funnel_frame",
    "as_of",
    "completion_by_language",
    "credential_outcomes",
    "first_events",
    "module_outcomes",
    "pathway_funnel",
]
