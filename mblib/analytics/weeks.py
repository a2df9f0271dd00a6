"""The shared week-start helper: every weekly metric buckets time through :func:`week_start`.

narwhals has no ``dt.week`` and backends disagree on which weekday is 0, so weeks are always
"the Monday (UTC) on or before the timestamp", as a ``Date``. The same expression runs on
polars, DuckDB and PySpark (it truncates to the ISO week, which starts on Monday everywhere).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw


def week_start(expr: nw.Expr | str = "timestamp") -> nw.Expr:
    """The Monday (UTC) that starts the week of a ``Datetime(us, UTC)`` expression, as a Date.

    >>> import polars as pl, narwhals.stable.v2 as nw
    >>> from datetime import datetime, timezone
    >>> lf = nw.from_native(pl.LazyFrame({"timestamp": [datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc),
    ...                                               datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)]}))
    >>> lf.select(week_start().alias("w")).collect()["w"].to_list()
    [datetime.date(2026, 2, 23), datetime.date(2026, 3, 2)]
    """
    import narwhals.stable.v2 as nw

    e: Any = nw.col(expr) if isinstance(expr, str) else expr
    return e.dt.truncate("1w").dt.date()


__all__ = ["week_start"]
