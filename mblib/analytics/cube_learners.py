"""The cube's second level: one row per learner for a date range, its sets as bit masks.

For a date range (remembered per range) the facts fold into one row per learner: bit masks of
the credentials they enrolled in and earned, of the modules they launched, completed and passed,
of the languages they used and of the (module, language) pairs they launched in; their first
enrolment and award time per credential; and their last event time overall, per credential and
per module. A segment, language or credential filter is then a filter on ~150 k rows and a mask,
and each view a few sums over them, exact because every count is of distinct learners.

Used when the masks fit in 64 bits (at most 63 modules, 63 (module, language) pairs, 63
credentials and languages) and no fact names both a credential and a module; otherwise the views
run on the day-grain facts (:mod:`mblib.analytics.cube_views`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cube import Cube
    from .event_filter import EventFilter

BITS = 63
#: most credentials a learner row keeps module masks for (one set per credential, and one without)
MAX_CONTEXTS = 16
FLAGS = ("launched", "completed", "passed", "pairs")


@dataclass(frozen=True)
class Codes:
    """The Enum categories of the facts' credential, module and language columns (bit positions)."""

    creds: tuple[str, ...]
    mods: tuple[str, ...]
    langs: tuple[str, ...]  # includes "unknown" (a launch without language)

    def cred_mask(self, ids: Any) -> int:
        return sum(1 << i for i, c in enumerate(self.creds) if c in set(ids))

    def mod_mask(self, ids: Any) -> int:
        return sum(1 << i for i, m in enumerate(self.mods) if m in set(ids))

    def pair(self, m: int, lang: int) -> int:
        return m * len(self.langs) + lang

    def pair_mask(self, ids: Any) -> int:
        keep = set(ids)
        return sum(
            1 << self.pair(i, j) for i, m in enumerate(self.mods) if m in keep for j in range(len(self.langs))
        )


def codes_of(cube: Cube) -> Codes | None:
    """The cube's bit positions, or None when the learner level cannot hold its data exactly."""
    import polars as pl

    f = cube.facts
    cats = [tuple(f.schema[c].categories.to_list()) for c in ("credential_id", "module_id", "language")]
    codes = Codes(*cats)
    if max(len(codes.creds), len(codes.mods), len(codes.langs), len(codes.mods) * len(codes.langs)) > BITS:
        return None
    return codes if len(codes.creds) <= MAX_CONTEXTS else None


def _bit(col: str, n: int) -> Any:
    import polars as pl

    return pl.col(col).to_physical().replace_strict({i: 1 << i for i in range(n)}, return_dtype=pl.UInt64)


def day_masks(cube: Cube, codes: Codes) -> Any:
    """The facts as one row per (learner, credential context, day) with their masks (built once per cube)."""
    import polars as pl

    zero = pl.lit(0, pl.UInt64)
    has_c, has_m = pl.col("credential_id").is_not_null(), pl.col("module_id").is_not_null()
    nl = len(codes.langs)
    unknown = codes.langs.index("unknown")
    lang_code = pl.col("language").to_physical().fill_null(unknown).cast(pl.Int64)
    pair = pl.col("module_id").to_physical().cast(pl.Int64) * nl + lang_code
    pair_bit = pair.replace_strict({i: 1 << i for i in range(len(codes.mods) * nl)}, return_dtype=pl.UInt64)
    cbit, mbit = _bit("credential_id", len(codes.creds)), _bit("module_id", len(codes.mods))
    return (
        cube.facts.lazy()
        .with_columns(  # plain columns first: an expression inside an aggregation runs group by group
            pl.when(pl.col("language").is_not_null()).then(_bit("language", nl)).otherwise(zero).alias("langs"),
            *[pl.when(has_m & pl.col(v)).then(mbit).otherwise(zero).alias(v) for v in ("launched", "completed", "passed")],
            pl.when(has_m & pl.col("launched")).then(pair_bit).otherwise(zero).alias("pairs"),
            pl.when(has_c).then(cbit).otherwise(zero).alias("_cbit"),
        )
        .group_by("learner_id", "credential_id", "day")
        .agg(
            pl.col("enrolled_ts").min(),
            pl.col("earned_ts").min(),
            pl.col("ts_max").max(),
            *[pl.col(v).bitwise_or() for v in ("langs", *FLAGS)],
            pl.col("_cbit").max(),
        )
        .collect()
    )


def learner_table(cube: Cube, codes: Codes, start: date | None, end: date | None) -> Any:
    """One row per learner with facts in ``[start, end]`` (days, inclusive): masks, first and last times."""
    import polars as pl

    zero = pl.lit(0, pl.UInt64)
    has_c, has_m = pl.col("credential_id").is_not_null(), pl.col("module_id").is_not_null()
    days = cube.answer(("day_masks",), lambda: day_masks(cube, codes)).lazy()
    f = cube.facts.lazy()
    if start:
        f, days = f.filter(pl.col("day") >= start), days.filter(pl.col("day") >= start)
    if end:
        f, days = f.filter(pl.col("day") <= end), days.filter(pl.col("day") <= end)
    # 1. one row per (learner, credential context)
    per = days.group_by("learner_id", "credential_id").agg(
        pl.col("enrolled_ts").min(),
        pl.col("earned_ts").min(),
        pl.col("ts_max").max(),
        *[pl.col(v).bitwise_or() for v in ("langs", *FLAGS)],
        pl.col("_cbit").max(),
    )
    # 2. one row per learner: each context's masks and times side by side (joins, not filtered aggregations)
    per = per.collect().lazy()
    rows = (
        per.with_columns(
            pl.when(pl.col("enrolled_ts").is_not_null()).then(pl.col("_cbit")).otherwise(zero).alias("enr"),
            pl.when(pl.col("earned_ts").is_not_null()).then(pl.col("_cbit")).otherwise(zero).alias("ear"),
        )
        .group_by("learner_id")
        .agg(*[pl.col(v).bitwise_or() for v in ("enr", "ear", "langs")], pl.col("ts_max").max())
    )
    contexts = [("n", ~has_c)] + [(str(i), pl.col("credential_id") == c) for i, c in enumerate(codes.creds)]
    for k, where in contexts:
        cols = [pl.col(v).alias(f"{v}_{k}") for v in FLAGS]
        if k != "n":
            cols += [
                pl.col("enrolled_ts").alias(f"enr_ts_{k}"),
                pl.col("earned_ts").alias(f"ear_ts_{k}"),
                pl.col("ts_max").alias(f"ts_c{k}"),
            ]
        rows = rows.join(per.filter(where).select("learner_id", *cols), on="learner_id", how="left")
    rows = rows.with_columns([pl.col(f"{v}_{k}").fill_null(0) for k, _ in contexts for v in FLAGS])
    # 3. the last time per module of facts without a credential (a credential filter keeps those of its modules)
    loose = (
        f.filter(~has_c & has_m)
        .group_by("learner_id")
        .agg([pl.col("ts_max").filter(pl.col("module_id") == m).max().alias(f"ts_m{j}") for j, m in enumerate(codes.mods)])
    )
    return rows.join(loose, on="learner_id", how="left").collect()


@dataclass
class LearnerSlice:
    """The learner rows a filter keeps, masked to what the filter keeps of each learner."""

    rows: Any
    codes: Codes

    def learners(self) -> int:
        return int(self.rows.height)

    def has(self, col: str, mask: int) -> Any:
        import polars as pl

        return (pl.col(col) & pl.lit(mask, pl.UInt64)) != 0


def learner_slice(cube: Cube, codes: Codes, flt: EventFilter) -> LearnerSlice:
    """The rows of ``flt``'s date range's learner table that its segment, language and credential keep."""
    import polars as pl

    table = cube.answer(("learners", flt.start, flt.end), lambda: learner_table(cube, codes, flt.start, flt.end))
    rows = table
    ctx = [f"_{i}" for i in range(len(codes.creds))] + ["_n"]
    if not flt.credential_id:
        rows = rows.with_columns([pl.reduce(lambda a, b: a | b, [pl.col(v + k) for k in ctx]).alias(v) for v in FLAGS])
    if flt.segment and flt.segment_value is not None:
        cube.check(flt)
        who = cube.people.filter(pl.col(flt.segment) == flt.segment_value).get_column("learner_id")
        rows = rows.filter(cube.is_in("learner_id", who.to_list()))
    if flt.language:
        bit = sum(1 << i for i, x in enumerate(codes.langs) if x == flt.language)
        rows = rows.filter((pl.col("langs") & pl.lit(bit, pl.UInt64)) != 0)
    if flt.credential_id:
        cb = codes.cred_mask([flt.credential_id])
        mods = codes.mod_mask(flt.module_ids)
        pairs = codes.pair_mask(flt.module_ids)
        i = codes.creds.index(flt.credential_id) if flt.credential_id in codes.creds else None
        ts = [f"ts_c{i}"] if i is not None else []
        ts += [f"ts_m{j}" for j, m in enumerate(codes.mods) if m in set(flt.module_ids)]
        blank = pl.lit(None, pl.Datetime("us", "UTC"))
        own = [pl.col(f"{v}_{i}") for v in FLAGS] if i is not None else [pl.lit(0, pl.UInt64)] * len(FLAGS)
        rows = rows.filter((pl.col("enr") & pl.lit(cb, pl.UInt64)) != 0).with_columns(
            *[pl.col(c) & pl.lit(cb, pl.UInt64) for c in ("enr", "ear")],
            *[
                (mine | (pl.col(f"{v}_n") & pl.lit(pairs if v == "pairs" else mods, pl.UInt64))).alias(v)
                for v, mine in zip(FLAGS, own, strict=True)
            ],
            (pl.max_horizontal(*ts) if ts else blank).alias("ts_max"),
            *[blank.alias(f"{v}_ts_{k}") for k in range(len(codes.creds)) if k != i for v in ("enr", "ear")],
        )
    return LearnerSlice(rows, codes)


__all__ = ["BITS", "Codes", "LearnerSlice", "codes_of", "learner_slice", "learner_table"]


def _counts(frame: Any) -> Any:
    import narwhals.stable.v2 as nw

    return nw.from_native(frame, eager_only=True)


def credential_outcomes(s: LearnerSlice, credentials: Any) -> Any:
    """:func:`mblib.analytics.metrics.credential_outcomes` on the learner rows."""
    import narwhals.stable.v2 as nw
    import polars as pl

    from .backends import collect
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
    sums = s.rows.select(exprs).row(0, named=True)
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

    from .backends import collect
    from .metrics.registry import final

    path = credential.pathway()
    furthest: Any = pl.lit(0)
    for k, m in enumerate(path, start=1):
        furthest = pl.when(s.has("launched", s.codes.mod_mask([m]))).then(pl.lit(k)).otherwise(furthest)
    mine = s.rows.filter(s.has("enr", s.codes.cred_mask([credential.id])))
    far = mine.select(furthest.alias("f")).get_column("f") if mine.height else pl.Series("f", [], pl.Int32)
    counts = [mine.height] + [int((far >= k).sum()) for k in range(1, len(path) + 1)]
    top = max(counts)
    frame = pl.DataFrame(
        {
            "credential_id": [credential.id] * len(counts),
            "step": list(range(len(counts))),
            "module_id": [None, *path],
            "learners": counts,
            "share": [n / top if top > 0 else None for n in counts],
        },
        schema={"credential_id": pl.String, "step": pl.Int64, "module_id": pl.String, "learners": pl.Int64, "share": pl.Float64},
    )
    return collect(final(_counts(frame), "pathway_funnel"))


def module_outcomes(s: LearnerSlice, credentials: Any) -> Any:
    """:func:`mblib.analytics.metrics.module_outcomes` (with ``credentials``) on the learner rows."""
    import polars as pl

    from .backends import collect
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
    sums = s.rows.select(exprs).row(0, named=True) if exprs else {}
    rows = []
    for j, m in enumerate(s.codes.mods):
        got = [int(sums[f"{v}_{j}"] or 0) for v in ("launched", "completed", "passed", "enr")]
        if any(got[:3]):
            rows.append((m, *got))
    frame = pl.DataFrame(
        rows,
        schema={"module_id": pl.String, "started": pl.Int64, "completed": pl.Int64, "passed": pl.Int64, "enrolled": pl.Int64},
        orient="row",
    )
    lf = with_wilson(with_wilson(_counts(frame), "completed", "started", "completion"), "passed", "started", "pass")
    return collect(final(lf, "module_outcomes"))


def completion_by_language(s: LearnerSlice) -> Any:
    """:func:`mblib.analytics.metrics.completion_by_language` on the learner rows."""
    import polars as pl

    from .backends import collect
    from .metrics import with_wilson
    from .metrics.registry import final

    exprs, keys = [], []
    for j, m in enumerate(s.codes.mods):
        for li, lang in enumerate(s.codes.langs):
            here = s.has("pairs", 1 << s.codes.pair(j, li))
            keys.append((m, lang))
            exprs += [here.sum().alias(f"s{len(keys)}"), (here & s.has("completed", 1 << j)).sum().alias(f"c{len(keys)}")]
    sums = s.rows.select(exprs).row(0, named=True) if exprs else {}
    rows = [
        (m, lang, int(sums[f"s{n}"] or 0), int(sums[f"c{n}"] or 0))
        for n, (m, lang) in enumerate(keys, start=1)
        if sums.get(f"s{n}")
    ]
    frame = pl.DataFrame(
        rows, schema={"module_id": pl.String, "language": pl.String, "started": pl.Int64, "completed": pl.Int64}, orient="row"
    )
    return collect(final(with_wilson(_counts(frame), "completed", "started", "completion"), "completion_by_language"))


def first_events(s: LearnerSlice) -> Any:
    """Each learner's first ``enrolled`` and ``earned`` per credential, as events (see ``cube_views.first_events``)."""
    import polars as pl

    parts = []
    for i, c in enumerate(s.codes.creds):
        for col, verb in ((f"enr_ts_{i}", "enrolled"), (f"ear_ts_{i}", "earned")):
            parts.append(
                s.rows.lazy()
                .filter(pl.col(col).is_not_null())
                .select(
                    pl.col(col).alias("timestamp"),
                    pl.col("learner_id").cast(pl.String),
                    pl.lit(verb).alias("verb"),
                    pl.lit(c).alias("credential_id"),
                )
            )
    if not parts:
        schema = {"timestamp": pl.Datetime("us", "UTC"), "learner_id": pl.String, "verb": pl.String, "credential_id": pl.String}
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).collect()


def as_of(s: LearnerSlice) -> Any:
    """The last event time among the kept facts, or None."""
    return s.rows.get_column("ts_max").max() if s.rows.height else None


__all__ += ["as_of", "completion_by_language", "credential_outcomes", "first_events", "module_outcomes", "pathway_funnel"]
