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
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .cube_ranges import FLAGS

if TYPE_CHECKING:  # pragma: no cover
    from .cube import Cube
    from .event_filter import EventFilter

BITS = 63
#: most credentials a learner row keeps module masks for (one set per credential, and one without)
MAX_CONTEXTS = 16


@dataclass(frozen=True)
class Codes:
    """The Enum categories of the facts' credential, module and language columns (bit positions)."""

    creds: tuple[str, ...]
    mods: tuple[str, ...]
    langs: tuple[str, ...]  # includes "unknown" (a launch without language)
    #: the Mondays from the facts' first week to their last (bit i: active in week i); empty when
    #: more than :data:`BITS` (weekly active learners then run on the day-grain facts)
    weeks: tuple[date, ...] = ()

    def cred_mask(self, ids: Any) -> int:
        return sum(1 << i for i, c in enumerate(self.creds) if c in set(ids))

    def mod_mask(self, ids: Any) -> int:
        return sum(1 << i for i, m in enumerate(self.mods) if m in set(ids))

    def pair(self, m: int, lang: int) -> int:
        return m * len(self.langs) + lang

    def pair_mask(self, ids: Any) -> int:
        keep = set(ids)
        return sum(1 << self.pair(i, j) for i, m in enumerate(self.mods) if m in keep for j in range(len(self.langs)))


def codes_of(cube: Cube) -> Codes | None:
    """The cube's bit positions, or None when the learner level cannot hold its data exactly."""

    import polars as pl

    f = cube.facts
    cats = [tuple(f.schema[c].categories.to_list()) for c in ("credential_id", "module_id", "language")]
    span = f.select(pl.col("day").min().dt.truncate("1w").alias("a"), pl.col("day").max().dt.truncate("1w").alias("b"))
    first, last = span.row(0) if f.height else (None, None)
    n = (last - first).days // 7 + 1 if first is not None and last is not None else 0
    weeks = tuple(first + timedelta(days=7 * i) for i in range(n)) if 0 < n <= BITS and first is not None else ()
    codes = Codes(cats[0], cats[1], cats[2], weeks)
    if max(len(codes.creds), len(codes.mods), len(codes.langs), len(codes.mods) * len(codes.langs)) > BITS:
        return None
    return codes if len(codes.creds) <= MAX_CONTEXTS else None


def codes_for(cube: Cube) -> Codes | None:
    """:func:`codes_of` the cube, worked out once per cube."""
    return cube.answer(("codes",), lambda: codes_of(cube), keep=True)


def warm(cube: Cube) -> Cube:
    """Build what every filter change reuses now (the learner level over all dates), not on the first click."""
    from .event_filter import EventFilter

    codes = codes_for(cube)
    if codes is not None:
        learner_slice(cube, codes, EventFilter())
        if not cube.answer(("loose",), lambda: any_loose(cube), keep=True):
            runs_of(cube, codes)  # what a date range reads (cube_ranges)
    return cube


def runs_of(cube: Cube, codes: Codes) -> Any:
    """The day rows as :class:`~mblib.analytics.cube_ranges.Runs`, built once per cube."""
    from .cube_ranges import runs_for

    table = cube.answer(("day_masks",), lambda: day_masks(cube, codes), keep=True)
    whole = cube.answer(("learners", None, None), lambda: learner_table(cube, codes, None, None), keep=True)
    return runs_for(cube, table, whole, len(codes.creds))


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
            *[
                pl.when(has_m & pl.col(v)).then(mbit).otherwise(zero).alias(v)
                for v in ("launched", "completed", "passed")
            ],
            pl.when(has_m & pl.col("launched")).then(pair_bit).otherwise(zero).alias("pairs"),
            pl.when(has_c).then(cbit).otherwise(zero).alias("_cbit"),
            _week_bit(codes),
        )
        .group_by("learner_id", "credential_id", "day")
        .agg(
            pl.col("enrolled_ts").min(),
            pl.col("earned_ts").min(),
            pl.col("ts_max").max(),
            *[pl.col(v).bitwise_or() for v in ("langs", *FLAGS)],
            pl.col("_cbit").max(),
            pl.col("weeks").first(),
        )
        .with_columns(  # each row knows its learner's first and last day (who a date range cuts through)
            pl.col("day").min().over("learner_id").alias("_first"),
            pl.col("day").max().over("learner_id").alias("_last"),
        )
        .sort("day")
        .collect()
    )


def _week_bit(codes: Codes) -> Any:
    """The bit of each fact's week among ``codes.weeks`` (0 when there are none)."""
    import polars as pl

    if not codes.weeks:
        return pl.lit(0, pl.UInt64).alias("weeks")
    index = (pl.col("day") - pl.lit(codes.weeks[0])).dt.total_days() // 7
    return index.replace_strict({i: 1 << i for i in range(len(codes.weeks))}, return_dtype=pl.UInt64).alias("weeks")


def learner_table(cube: Cube, codes: Codes, start: date | None, end: date | None) -> Any:
    """One row per learner with facts in ``[start, end]`` (days, inclusive): masks, first and last times.

    For a date range, the rows of learners whose every fact lies inside it are those of the table
    over all dates (remembered per cube), kept as they are; only the learners the range cuts
    through (a fact inside it and one outside) are folded again from their days inside it
    (:func:`mblib.analytics.cube_ranges.cut_learners`, on arrays ordered once per cube); the
    table is then a LazyFrame over both parts (a view reads few of its columns), else a DataFrame.
    """
    import polars as pl

    from .cube_ranges import cut_learners

    table = cube.answer(("day_masks",), lambda: day_masks(cube, codes), keep=True)
    if (start is None and end is None) or cube.answer(("loose",), lambda: any_loose(cube), keep=True):
        day = table.get_column("day")  # sorted: the range is a slice, found by binary search
        lo = int(day.search_sorted(start, side="left")) if start else 0
        hi = int(day.search_sorted(end, side="right")) if end else table.height
        return fold_learners(cube, codes, table.slice(lo, max(hi - lo, 0)).lazy(), start, end)
    whole = cube.answer(("learners", None, None), lambda: learner_table(cube, codes, None, None), keep=True)
    inside = pl.lit(True)
    if start:
        inside = inside & (pl.col("_first") >= start)
    if end:
        inside = inside & (pl.col("_last") <= end)
    again = cut_learners(runs_of(cube, codes), start, end)
    # lazy: each view reads a few of the ~50 columns, so copying them all would cost more than filtering
    return pl.concat([whole.lazy().filter(inside), again.lazy()], how="vertical")


def any_loose(cube: Cube) -> bool:
    """Whether some module fact names no credential (then a credential filter needs each module's last time)."""
    import polars as pl

    has_c, has_m = pl.col("credential_id").is_not_null(), pl.col("module_id").is_not_null()
    return bool(cube.facts.lazy().filter(~has_c & has_m).select(pl.len()).collect(engine="in-memory").item())


def fold_learners(cube: Cube, codes: Codes, days: Any, start: date | None, end: date | None) -> Any:
    """:func:`learner_table` of the day rows ``days`` (a LazyFrame slice of :func:`day_masks`)."""
    import polars as pl

    zero = pl.lit(0, pl.UInt64)
    has_c, has_m = pl.col("credential_id").is_not_null(), pl.col("module_id").is_not_null()
    f = cube.facts.lazy()
    if start:
        f = f.filter(pl.col("day") >= start)
    if end:
        f = f.filter(pl.col("day") <= end)
    # 1. one row per (learner, credential context)
    per = days.group_by("learner_id", "credential_id").agg(
        pl.col("enrolled_ts").min(),
        pl.col("earned_ts").min(),
        pl.col("ts_max").max(),
        *[pl.col(v).bitwise_or() for v in ("langs", "weeks", *FLAGS)],
        pl.col("_cbit").max(),
        pl.col("_first").min(),
        pl.col("_last").max(),
    )
    # 2. one row per learner: each context's masks and times side by side (joins, not filtered aggregations)
    per = per.collect().lazy()  # the streaming engine groups these rows faster
    rows = (
        per.with_columns(
            pl.when(pl.col("enrolled_ts").is_not_null()).then(pl.col("_cbit")).otherwise(zero).alias("enr"),
            pl.when(pl.col("earned_ts").is_not_null()).then(pl.col("_cbit")).otherwise(zero).alias("ear"),
        )
        .group_by("learner_id")
        .agg(
            *[pl.col(v).bitwise_or() for v in ("enr", "ear", "langs", "weeks")],
            pl.col("ts_max").max(),
            pl.col("_first").min(),
            pl.col("_last").max(),
        )
    )
    contexts = [("n", ~has_c)] + [(str(i), pl.col("credential_id") == c) for i, c in enumerate(codes.creds)]
    for k, where in contexts:
        cols = [pl.col(v).alias(f"{v}_{k}") for v in FLAGS]
        if k != "n":
            cols += [
                pl.col("enrolled_ts").alias(f"enr_ts_{k}"),
                pl.col("earned_ts").alias(f"ear_ts_{k}"),
                pl.col("ts_max").alias(f"ts_c{k}"),
                pl.col("weeks").alias(f"weeks_{k}"),
            ]
        rows = rows.join(per.filter(where).select("learner_id", *cols), on="learner_id", how="left")
    rows = rows.with_columns([pl.col(f"{v}_{k}").fill_null(0) for k, _ in contexts for v in FLAGS])
    # every context's masks together (what a view without a credential filter counts)
    rows = rows.with_columns(
        [pl.reduce(lambda a, b: a | b, [pl.col(f"{v}_{k}") for k, _ in contexts]).alias(v) for v in FLAGS]
    )
    # 3. the last time per module of facts without a credential (a credential filter keeps those of its modules)
    loose = (
        f.filter(~has_c & has_m)
        .group_by("learner_id")
        .agg(
            [
                pl.col("ts_max").filter(pl.col("module_id") == m).max().alias(f"ts_m{j}")
                for j, m in enumerate(codes.mods)
            ]
        )
    )

    if cube.answer(("loose",), lambda: any_loose(cube), keep=True):
        rows = rows.join(loose, on="learner_id", how="left")
    else:  # module facts all name a credential (as mb synth writes them): nothing to look up
        utc = pl.Datetime("us", "UTC")
        rows = rows.with_columns([pl.lit(None, utc).alias(f"ts_m{j}") for j in range(len(codes.mods))])
    people = cube.members() if cube.people is not None else None
    if people is not None and people.get_column("learner_id").is_unique().all():
        # each learner's segments on their row, so a segment filter is a comparison
        segs = [c for c in people.columns if c != "learner_id"]
        rows = rows.join(
            # categorical: a segment filter compares codes, and date ranges gather them cheaply
            people.lazy().select("learner_id", *[pl.col(c).cast(pl.Categorical).alias(f"seg_{c}") for c in segs]),
            on="learner_id",
            how="left",
        )
    return rows.collect()


@dataclass
class LearnerSlice:
    """The learner rows a filter keeps, masked to what the filter keeps of each learner."""

    rows: Any  # a polars LazyFrame over the date range's learner table
    codes: Codes
    columns: tuple[str, ...] = ()  # the table's (a lazy frame's schema with the learner-id Enum takes ms)

    def learners(self) -> int:
        import polars as pl

        return int(self.rows.select(pl.len()).collect(engine="in-memory").item())

    def has(self, col: str, mask: int) -> Any:
        import polars as pl

        return (pl.col(col) & pl.lit(mask, pl.UInt64)) != 0


def learner_slice(cube: Cube, codes: Codes, flt: EventFilter) -> LearnerSlice:
    """The rows of ``flt``'s date range's learner table that its segment, language and credential keep."""
    import polars as pl

    table = cube.answer(("learners", flt.start, flt.end), lambda: learner_table(cube, codes, flt.start, flt.end))
    rows = table.lazy()  # lazy: each view reads only the columns it sums
    # every date range's table has the all-dates table's columns (a lazy schema with the learner-id Enum costs ms)
    whole = cube.answer(("learners", None, None), lambda: learner_table(cube, codes, None, None), keep=True)
    columns = cube.answer(("learner columns",), lambda: tuple(whole.columns), keep=True)
    if flt.segment and flt.segment_value is not None:
        cube.check(flt)  # a segment filter needs the learners table
        if f"seg_{flt.segment}" in columns:
            rows = rows.filter(pl.col(f"seg_{flt.segment}") == flt.segment_value)
        else:  # a learner listed twice in the learners table: in every segment a row of theirs names
            who = cube.members().filter(pl.col(flt.segment) == flt.segment_value).get_column("learner_id")
            rows = rows.filter(pl.col("learner_id").is_in(who.implode()))
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
            (pl.col(f"weeks_{i}").fill_null(0) if i is not None else pl.lit(0, pl.UInt64)).alias("weeks"),
            *[blank.alias(f"{v}_ts_{k}") for k in range(len(codes.creds)) if k != i for v in ("enr", "ear")],
        )
    return LearnerSlice(rows, codes, columns)


__all__ = [
    "BITS",
    "Codes",
    "LearnerSlice",
    "codes_for",
    "any_loose",
    "codes_of",
    "fold_learners",
    "day_masks",
    "learner_slice",
    "learner_table",
    "runs_of",
    "warm",
]
