"""Date ranges on the cube's learner level without a group-by: the learners a range cuts through.

A date range keeps, of the learner table over all dates, the rows of learners whose every day lies
inside it; the learners it cuts through (a day inside and one outside) need their masks and times
again, from their days inside the range (:func:`mblib.analytics.cube_learners.learner_table`).
Tens of thousands of learners are cut by a typical range, and folding their days with a polars
group-by and joins took most of a date-range click.

Here the day rows (:func:`~mblib.analytics.cube_learners.day_masks`) are held once per cube as
numpy arrays ordered by (learner, credential context, day). A learner's days in one context are
then a contiguous run, and the days a range keeps of it a sub-run found by binary search; each
mask is a ``bitwise_or.reduceat`` and each time a ``minimum``/``maximum.reduceat`` over the
gathered sub-runs. Contexts are spread into their columns by index, and learner ids and segments
are gathered from the all-dates table. The result equals the group-by's row for row (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .cube import Cube

#: day offsets in a run key: group * SPAN + (day - first day)
SPAN = 1 << 20
#: a learner row's module masks, per credential context and in all (cube_learners' FLAGS)
FLAGS = ("launched", "completed", "passed", "pairs")
_MASKS = ("langs", "weeks", *FLAGS)
_NONE_MIN = (1 << 63) - 1  # a missing first time, for minima
_NONE_MAX = -(1 << 63)  # a missing last time, for maxima


@dataclass(frozen=True)
class Runs:
    """The day rows of one cube as arrays, ordered by (learner, context, day)."""

    key: Any  # int64: group * SPAN + day offset, ascending
    first_day: date
    credentials: int  # credential contexts 1..credentials (0: facts without a credential)
    masks: dict[str, Any]  # uint64 per row, one array per name in _MASKS
    firsts: tuple[Any, Any]  # int64 microseconds per row of enrolled_ts and earned_ts; missing: _NONE_MIN
    lasts: Any  # int64 microseconds of ts_max per row; a missing one is _NONE_MAX
    group_learner: Any  # the learner's row in the all-dates table, per group
    group_context: Any  # 0: facts without a credential; i + 1: credential i
    group_cbit: Any  # the group's credential bit (0 without one)
    learner_first: Any  # per row of the all-dates table: first and last day offset
    learner_last: Any
    copied: Any  # the all-dates table's columns taken as they are (learner id, first and last day, segments)
    blank: tuple[tuple[str, Any], ...]  # columns that are null on every row (each module's loose last time)
    #: the learner table's columns, and the types of those computed here (reading a schema with the
    #: learner-id Enum costs milliseconds)
    table_columns: tuple[str, ...]
    dtypes: tuple[tuple[str, Any], ...]


def build_runs(table: Any, whole: Any, credentials: int) -> Runs:
    """:class:`Runs` of the day rows ``table`` (``day_masks``); ``whole`` is the all-dates learner table."""
    import numpy as np
    import polars as pl

    first_day = table.get_column("day").min() if table.height else date(1970, 1, 1)
    at = whole.select(
        pl.col("learner_id").to_physical().cast(pl.Int64).alias("_code"), pl.int_range(pl.len()).alias("row")
    )
    ordered = (
        table.lazy()
        .with_columns(
            pl.col("learner_id").to_physical().cast(pl.Int64).alias("_code"),
            (pl.col("credential_id").to_physical().cast(pl.Int64) + 1).fill_null(0).alias("_ctx"),
            (pl.col("day") - pl.lit(first_day)).dt.total_days().cast(pl.Int64).alias("_off"),
        )
        .join(at.lazy(), on="_code", how="left")
        .sort("row", "_ctx", "_off")
        .collect()
    )

    def ints(column: str) -> Any:
        return ordered.get_column(column).to_numpy().astype(np.int64)

    row, ctx = ints("row"), ints("_ctx")
    new = np.ones(len(row), dtype=bool)
    new[1:] = (row[1:] != row[:-1]) | (ctx[1:] != ctx[:-1])
    starts = np.flatnonzero(new)
    micros = [
        _micros(ordered, c, m) for c, m in (("enrolled_ts", _NONE_MIN), ("earned_ts", _NONE_MIN), ("ts_max", _NONE_MAX))
    ]
    lf, ll = (
        whole.select((pl.col(c) - pl.lit(first_day)).dt.total_days().fill_null(-1).cast(pl.Int64))
        .to_series()
        .to_numpy()
        for c in ("_first", "_last")
    )
    copied = ("learner_id", "_first", "_last", *[c for c in whole.columns if c.startswith("seg_")])
    schema = whole.schema
    blank = tuple((c, schema[c]) for c in whole.columns if _is_ts_m(c))  # cut learners are only folded so
    # when no module fact lacks a credential (cube_learners.learner_table), and then these are null
    return Runs(
        key=(np.cumsum(new) - 1) * SPAN + ints("_off"),
        first_day=first_day,
        credentials=credentials,
        masks={m: ordered.get_column(m).fill_null(0).to_numpy().astype(np.uint64) for m in _MASKS},
        firsts=(micros[0], micros[1]),
        lasts=micros[2],
        group_learner=row[starts],
        group_context=ctx[starts],
        group_cbit=ordered.get_column("_cbit").fill_null(0).to_numpy().astype(np.uint64)[starts],
        learner_first=lf,
        learner_last=ll,
        copied=whole.select(copied),
        blank=blank,
        table_columns=tuple(whole.columns),
        dtypes=tuple((c, schema[c]) for c in whole.columns if c not in copied and not _is_ts_m(c)),
    )


def _is_ts_m(column: str) -> bool:
    return column.startswith("ts_m") and column[4:].isdigit()


def _micros(frame: Any, column: str, missing: int) -> Any:
    import numpy as np

    return frame.get_column(column).to_physical().fill_null(missing).to_numpy().astype(np.int64)


def runs_for(cube: Cube, table: Any, whole: Any, credentials: int) -> Runs:
    """:func:`build_runs`, once per cube."""
    return cube.answer(("runs",), lambda: build_runs(table, whole, credentials), keep=True)


def cut_learners(runs: Runs, start: date | None, end: date | None) -> Any:
    """The learner-table rows of the learners ``[start, end]`` cuts through, from their days
    inside it; learners with no day inside are left out."""
    import numpy as np
    import polars as pl

    s = max((start - runs.first_day).days, 0) if start else 0
    e = min((end - runs.first_day).days, SPAN - 1) if end else SPAN - 1
    lf, ll = runs.learner_first[runs.group_learner], runs.learner_last[runs.group_learner]
    groups = np.flatnonzero(((lf < s) | (ll > e)) & (lf <= e) & (ll >= s))  # cut, with days inside
    lo = np.searchsorted(runs.key, groups * SPAN + s, side="left")
    hi = np.searchsorted(runs.key, groups * SPAN + e, side="right")
    kept = hi > lo
    groups, lo, lengths = groups[kept], lo[kept], (hi - lo)[kept]
    seg = np.cumsum(lengths) - lengths  # each group's first row among the gathered rows
    idx = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(seg, lengths) + np.repeat(lo, lengths)
    empty = not len(groups)

    def reduce(ufunc: Any, values: Any, at: Any) -> Any:
        return values[:0] if empty else ufunc.reduceat(values, at)

    masks = {m: reduce(np.bitwise_or, col[idx], seg) for m, col in runs.masks.items()}  # per group
    enrolled, earned = (reduce(np.minimum, col[idx], seg) for col in runs.firsts)
    lasts = reduce(np.maximum, runs.lasts[idx], seg)
    learner, context = runs.group_learner[groups], runs.group_context[groups]
    change = np.ones(len(learner), dtype=bool)
    change[1:] = learner[1:] != learner[:-1]
    starts = np.flatnonzero(change)
    at = np.cumsum(change) - 1  # each group's learner among the output rows
    n = len(starts)
    cbit, zero = runs.group_cbit[groups], np.uint64(0)
    out: dict[str, Any] = {
        "enr": reduce(np.bitwise_or, np.where(enrolled != _NONE_MIN, cbit, zero), starts),
        "ear": reduce(np.bitwise_or, np.where(earned != _NONE_MIN, cbit, zero), starts),
        "ts_max": reduce(np.maximum, lasts, starts),
        **{m: reduce(np.bitwise_or, col, starts) for m, col in masks.items()},
    }
    has: dict[str, Any] = {"ts_max": out["ts_max"] != _NONE_MAX}  # column -> rows that have a value
    for k in range(runs.credentials + 1):
        name, sel = ("n" if k == 0 else str(k - 1)), context == k
        rows = at[sel]
        present = np.zeros(n, dtype=bool)
        present[rows] = True
        spread: list[tuple[str, Any, int | None]] = [(f, masks[f], 0) for f in FLAGS]  # 0: no value is no bit
        if k:
            spread += [("enr_ts", enrolled, _NONE_MIN), ("ear_ts", earned, _NONE_MIN), ("ts_c", lasts, _NONE_MAX)]
            spread += [("weeks", masks["weeks"], None)]
        for f, source, missing in spread:
            column = f"{f}{name}" if f == "ts_c" else f"{f}_{name}"
            col = np.zeros(n, dtype=source.dtype)
            col[rows] = source[sel]
            out[column] = col
            if f in FLAGS:
                continue
            has[column] = present if missing is None else present & (col != missing)
    values = pl.DataFrame(out)
    valid = pl.DataFrame({f"_has_{k}": v for k, v in has.items()})
    both = pl.concat([values, valid, runs.copied[learner[starts] if n else learner[:0]]], how="horizontal")
    computed = []
    for column, dtype in runs.dtypes:
        value = pl.col(column).cast(dtype)
        computed.append((pl.when(pl.col(f"_has_{column}")).then(value) if column in has else value).alias(column))
    blank = [pl.lit(None, dtype).alias(column) for column, dtype in runs.blank]
    return both.select(*runs.copied.columns, *computed, *blank).select(runs.table_columns)


__all__ = ["FLAGS", "SPAN", "Runs", "build_runs", "cut_learners", "runs_for"]
