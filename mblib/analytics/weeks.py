"""Shared time helpers: every weekly metric buckets time through :func:`week_start`.

narwhals has no ``dt.week``; ``dt.truncate("1w")`` is refused; backends disagree on weekdays
(narwhals on PySpark numbers Sunday 0, elsewhere 7) and PySpark has neither ``dt.timestamp`` nor
``dt.total_seconds``. These helpers build the same answers on polars, DuckDB and PySpark from
portable parts (year, ordinal day, hour, minute, second, microsecond; integer arithmetic on
non-negative numbers; ``offset_by`` by fixed amounts):

- :func:`weekday`: ISO weekday, Monday 1 .. Sunday 7, Int64;
- :func:`epoch_days` / :func:`epoch_us`: days / microseconds since 1970-01-01 UTC, Int64, so
  durations are integer differences;
- :func:`week_start`: the Monday (UTC) on or before the timestamp, as a Date.

Timestamps are ``Datetime(us, UTC)`` from 1970 on (DuckDB and Spark sessions run in UTC).

>>> import polars as pl, narwhals.stable.v2 as nw
>>> from datetime import datetime, timezone
>>> lf = nw.from_native(pl.LazyFrame({"timestamp": [datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc),
...                                               datetime(2026, 3, 2, 0, 0, 1, 5, tzinfo=timezone.utc)]}))
>>> out = lf.select(week_start().alias("w"), weekday().alias("d"), epoch_us().alias("us")).collect()
>>> out["w"].to_list(), out["d"].to_list(), out["us"].to_list()
([datetime.date(2026, 2, 23), datetime.date(2026, 3, 2)], [7, 1], [1772409540000000, 1772409601000005])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw

US_PER_DAY = 86_400_000_000
_LEAP_1969 = 1969 // 4 - 1969 // 100 + 1969 // 400


def _expr(expr: Any) -> Any:
    import narwhals.stable.v2 as nw

    return nw.col(expr) if isinstance(expr, str) else expr


def weekday(expr: nw.Expr | str = "timestamp") -> nw.Expr:
    """ISO weekday of a datetime: Monday 1 .. Sunday 7 (Int64) on every backend."""
    import narwhals.stable.v2 as nw

    wd = _expr(expr).dt.weekday().cast(nw.Int64)
    return (wd + 6) % 7 + 1  # maps PySpark's Sunday 0 to 7, leaves 1..7 unchanged


def epoch_days(expr: nw.Expr | str = "timestamp") -> nw.Expr:
    """Whole days since 1970-01-01 (UTC) of a datetime, Int64."""
    import narwhals.stable.v2 as nw

    e = _expr(expr)
    year = e.dt.year().cast(nw.Int64)
    prev = year - 1
    leap = ((prev // 4) - (prev // 100) + (prev // 400)).cast(nw.Int64) - _LEAP_1969
    return ((year - 1970) * 365 + leap + e.dt.ordinal_day().cast(nw.Int64) - 1).cast(nw.Int64)


def epoch_us(expr: nw.Expr | str = "timestamp") -> nw.Expr:
    """Microseconds since 1970-01-01 (UTC) of a datetime, Int64."""
    import narwhals.stable.v2 as nw

    e = _expr(expr)
    secs = (
        epoch_days(e) * 86_400
        + e.dt.hour().cast(nw.Int64) * 3_600
        + e.dt.minute().cast(nw.Int64) * 60
        + e.dt.second().cast(nw.Int64)
    )
    return (secs * 1_000_000 + e.dt.microsecond().cast(nw.Int64)).cast(nw.Int64)


def week_start(expr: nw.Expr | str = "timestamp") -> nw.Expr:
    """The Monday (UTC) that starts the ISO week of a ``Datetime(us, UTC)`` expression, as a Date."""
    import narwhals.stable.v2 as nw

    e = _expr(expr)
    day = e.dt.truncate("1d")
    wd = weekday(e)
    out: Any = day
    for k in range(2, 8):
        out = nw.when(wd == k).then(day.dt.offset_by(f"-{k - 1}d")).otherwise(out)
    return out.dt.date()


__all__ = ["epoch_days", "epoch_us", "week_start", "weekday"]
