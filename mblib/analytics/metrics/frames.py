"""Shared frame helpers of the metrics (narwhals, lazy, portable), public for items and survival too.

Every helper takes and returns narwhals lazy frames or expressions; nothing is collected here.
The rules that keep them portable are in docs/architecture.md ("Metrics that run anywhere").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from ...errors import MblibError

if TYPE_CHECKING:  # narwhals is imported lazily (``import mblib`` stays light)
    import narwhals.stable.v2 as nw

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any

Segment = Literal["org_unit", "role", "country", "language"]

#: z for a two-sided 95 % interval
Z95 = 1.959963984540054

US_PER_DAY = 86_400_000_000


class MetricError(MblibError):
    """A metric cannot run on the frames it was given (missing column, unknown segment...)."""


def nw_module() -> Any:
    import narwhals.stable.v2 as nw

    return nw


def lazy(frame: Any) -> Frame:
    """A ``narwhals.LazyFrame`` over ``frame`` (a native lazy frame, a narwhals frame, or an eager
    frame, which is made lazy), so every metric accepts what the readers and backends return."""
    nw = nw_module()
    if isinstance(frame, nw.LazyFrame):
        return frame
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    out = nw.from_native(frame)
    return out.lazy() if isinstance(out, nw.DataFrame) else out


def events_frame(events: Any, columns: Sequence[str] = ()) -> Frame:
    """The events frame, its ``verb`` comparable with verb names: kept as is when it is String or
    the contract's Enum, cast to String otherwise (a Categorical, an Enum with other categories)."""
    from ..schema import VERBS

    nw = nw_module()
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


def with_verb(lf: Frame, verb: str | Sequence[str]) -> Frame:
    nw = nw_module()
    if isinstance(verb, str):
        return lf.filter(nw.col("verb") == verb)
    return lf.filter(nw.col("verb").is_in(list(verb)))


def learners_with(lf: Frame, verb: str | Sequence[str], keys: Sequence[str]) -> Frame:
    """Distinct (keys..., learner_id) among events with ``verb`` and non-null keys."""
    nw = nw_module()
    out = with_verb(lf, verb)
    for k in keys:
        out = out.filter(~nw.col(k).is_null())
    return out.select(*keys, "learner_id").unique()


def count_by(lf: Frame, keys: Sequence[str], name: str) -> Frame:
    nw = nw_module()
    return lf.group_by(*keys).agg(nw.len().cast(nw.Int64).alias(name))


def flag(lf: Frame, name: str) -> Frame:
    """``lf`` (distinct keys) with a constant Int64 1 column ``name``, for left joins as flags."""
    nw = nw_module()
    return lf.with_columns(nw.lit(1).cast(nw.Int64).alias(name))


def counts0(*names: str) -> list[Any]:
    nw = nw_module()
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
    nw = nw_module()
    z2 = z * z
    none = nw.lit(None, nw.Float64)
    t = f"_w_{prefix}"
    out = (
        frame.with_columns(
            nw.when(nw.col(total) > 0).then(nw.col(total).cast(nw.Float64)).otherwise(none).alias(f"{t}_n")
        )
        .with_columns((nw.col(successes).cast(nw.Float64) / nw.col(f"{t}_n")).alias(f"{prefix}_rate"))
        .with_columns(
            (1.0 + z2 / nw.col(f"{t}_n")).alias(f"{t}_d"),
            (
                nw.col(f"{prefix}_rate") * (1.0 - nw.col(f"{prefix}_rate")) / nw.col(f"{t}_n")
                + z2 / (4.0 * nw.col(f"{t}_n") * nw.col(f"{t}_n"))
            ).alias(f"{t}_v"),
            (nw.col(f"{prefix}_rate") + z2 / (2.0 * nw.col(f"{t}_n"))).alias(f"{t}_c"),
        )
        .with_columns(
            (nw.col(f"{t}_c") / nw.col(f"{t}_d")).alias(f"{t}_c"),
            (z * nw.col(f"{t}_v").abs().sqrt() / nw.col(f"{t}_d")).alias(f"{t}_h"),
        )
        .with_columns(
            (nw.col(f"{t}_c") - nw.col(f"{t}_h")).alias(f"{prefix}_low"),
            (nw.col(f"{t}_c") + nw.col(f"{t}_h")).alias(f"{prefix}_high"),
        )
    )
    return out.drop(f"{t}_n", f"{t}_d", f"{t}_v", f"{t}_c", f"{t}_h")


def ratio(num: Any, den: Any) -> Any:
    """``num / den`` as Float64, null where ``den`` is 0 or null."""
    nw = nw_module()
    return nw.when(den > 0).then(num.cast(nw.Float64) / den.cast(nw.Float64)).otherwise(nw.lit(None, nw.Float64))


def lookup(expr: Any, mapping: Mapping[str, Any], dtype: Any) -> Any:
    """Map the values of a String expression through a small dict (null elsewhere), portably."""
    nw = nw_module()
    out: Any = nw.lit(None, dtype)
    for key, value in mapping.items():
        out = nw.when(expr == key).then(nw.lit(value, dtype)).otherwise(out)
    return out.cast(dtype)


def long_form(one_row: Frame, columns: Sequence[str], *, index: Sequence[str] = ()) -> Frame:
    """Unpivot ``columns`` of a (small) frame into rows ``_var`` (the column name) and ``_value``.

    One pass over ``one_row`` on every engine (Spark's ``stack``, DuckDB's ``UNPIVOT``), where a
    union of one select per column would recompute the frame once per column.
    """
    return one_row.unpivot(on=list(columns), index=list(index) or None, variable_name="_var", value_name="_value")


def furthest_position(ev: Frame, verb: str, key: str, position: Mapping[str, int]) -> Frame:
    """Per learner: ``_furthest``, the highest ``position`` of ``key`` among their ``verb`` events."""
    nw = nw_module()
    return (
        learners_with(ev, verb, [key])
        .filter(nw.col(key).is_in(list(position)))
        .with_columns(lookup(nw.col(key), position, nw.Int64).alias("_pos"))
        .group_by("learner_id")
        .agg(nw.col("_pos").max().alias("_furthest"))
    )


def as_of_us(lf: Frame, as_of: datetime | None) -> Frame:
    """A one-row frame with ``as_of_us`` (Int64): ``as_of`` or the latest timestamp in ``lf``."""
    from ..weeks import epoch_us

    nw = nw_module()
    if as_of is not None:
        if as_of.tzinfo is None:
            raise MetricError(
                f"as_of {as_of.isoformat()} has no time zone",
                hint="pass an aware datetime, e.g. datetime(2026, 3, 1, tzinfo=timezone.utc)",
            )
        delta = as_of.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
        us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return lf.select(nw.col("timestamp").max()).select(nw.lit(us).cast(nw.Int64).alias("as_of_us"))
    return lf.select(nw.col("timestamp").max().alias("_ts")).select(epoch_us("_ts").alias("as_of_us"))


def learner_days(ev: Frame) -> Frame:
    """Distinct (learner_id, _day): the UTC days each learner was active. Week arithmetic then
    runs on this much smaller frame instead of on every event."""
    nw = nw_module()
    return ev.select("learner_id", nw.col("timestamp").dt.truncate("1d").alias("_day")).unique()


def learner_weeks(ev: Frame) -> Frame:
    """Distinct (learner_id, week_start Date, week_day Int64 = epoch day of that Monday)."""
    from ..weeks import epoch_days, week_start, weekday

    nw = nw_module()
    return (
        learner_days(ev)
        .select(
            "learner_id",
            week_start("_day").alias("week_start"),
            (epoch_days("_day") - weekday("_day") + 1).cast(nw.Int64).alias("week_day"),
        )
        .unique()
    )


def demo_events() -> Any:
    """A tiny events table for the examples in this package's docstrings (polars LazyFrame).

    Learners a, b, c enrol in credential c1 on Monday 2026-03-02 and launch module m1 the next
    day (a and b in English, c in French); c stops after block b1; a and b complete m1 (300 s and
    600 s), a passes it and b fails; a completes and passes m2 on 2026-03-10 and earns c1; b comes
    back on 03-11 and 03-16.
    """
    import polars as pl

    from ..schema import events_schema

    def t(day: int, hour: int = 9) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=UTC)

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
    "Frame",
    "MetricError",
    "Segment",
    "US_PER_DAY",
    "Z95",
    "as_of_us",
    "count_by",
    "counts0",
    "demo_events",
    "events_frame",
    "flag",
    "furthest_position",
    "lazy",
    "learner_days",
    "learner_weeks",
    "learners_with",
    "long_form",
    "lookup",
    "nw_module",
    "ratio",
    "with_verb",
    "with_wilson",
]
