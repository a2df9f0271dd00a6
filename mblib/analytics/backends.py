"""Run the same metrics on polars (default), DuckDB or PySpark (local mode).

>>> from mblib.analytics.backends import ENGINES
>>> ENGINES
('polars', 'duckdb', 'spark')

``scan_events(path, engine=...)`` opens Parquet (a file or a partitioned folder) lazily on an
engine; ``to_engine(frame, engine)`` moves an in-memory frame there; ``collect(...)`` runs a
lazy frame, or a metric over frames, and returns a small polars ``DataFrame`` sorted by its
key columns, with the metric's documented types on every engine. One DuckDB connection and one
SparkSession (local mode, ``spark.sql.session.timeZone=UTC``) per process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import MblibError

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw
    import polars as pl

Engine = Literal["polars", "duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("polars", "duckdb", "spark")


class BackendError(MblibError):
    """An engine is unknown or not installed, or a frame cannot be moved to it."""


def scan_events(path: str | Path, *, engine: Engine = "polars") -> nw.LazyFrame[Any]:
    """Open events stored as Parquet (one file or a folder, hive-partitioned) lazily on ``engine``."""
    raise NotImplementedError


def to_engine(frame: Any, engine: Engine = "polars") -> nw.LazyFrame[Any]:
    """Move a polars (lazy) frame, or any narwhals-compatible frame, onto ``engine`` as a lazy frame."""
    raise NotImplementedError


def collect(
    frame_or_metric: Any | Callable[..., Any],
    *frames: Any,
    engine: Engine | None = None,
    **kwargs: Any,
) -> pl.DataFrame:
    """Collect a lazy frame, or run ``metric(*frames, **kwargs)`` on ``engine`` and collect it.

    With a frame: it is collected on its own backend (``engine`` moves it first when given).
    With a metric: each of ``frames`` is moved to ``engine`` (default polars) first.
    The result is a polars DataFrame sorted by its leading String/Date/Int key columns.
    """
    raise NotImplementedError


def spark_session() -> Any:
    """The process's SparkSession (local mode, UTC session time), created on first use."""
    raise NotImplementedError


def duckdb_connection() -> Any:
    """The process's DuckDB connection (time zone UTC), created on first use."""
    raise NotImplementedError


__all__ = ["ENGINES", "BackendError", "Engine", "collect", "duckdb_connection", "scan_events", "spark_session", "to_engine"]
