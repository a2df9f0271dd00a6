"""Run the same metrics on polars (default), DuckDB or PySpark (local mode).

``scan_events(path, engine=...)`` opens Parquet events (a file, a partitioned folder, or a cohort
folder holding ``events/``) lazily on an engine; ``to_engine(frame, engine)`` moves a frame
there; ``collect(...)`` runs a lazy frame, or a metric over frames, and returns a small polars
``DataFrame``. One DuckDB connection and one SparkSession (local mode,
``spark.sql.session.timeZone=UTC``) serve the whole process.

>>> import polars as pl
>>> from mblib.analytics.backends import ENGINES, collect
>>> from mblib.analytics.metrics import demo_events, weekly_active_learners
>>> ENGINES
('polars', 'duckdb', 'spark')
>>> collect(weekly_active_learners, demo_events(), engine="duckdb").equals(
...     collect(weekly_active_learners(demo_events())))
True
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from ..errors import MblibError

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw
    import polars as pl

Engine = Literal["polars", "duckdb", "spark"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

_LOCK = threading.Lock()
_DUCKDB: Any = None
_SPARK: Any = None


class BackendError(MblibError):
    """An engine is unknown or not installed, or a frame cannot be moved to it."""


def _check(engine: str) -> Engine:
    if engine not in ENGINES:
        raise BackendError(f"unknown engine '{engine}'", hint=f"use one of {', '.join(ENGINES)}")
    return engine


def duckdb_connection() -> Any:
    """The process's DuckDB connection, set to time zone UTC on first use.

    This is DuckDB's default connection (narwhals runs some operations, e.g. ``unpivot``,
    through it), so relations you make with ``duckdb.sql(...)`` can be passed to the metrics.
    """
    global _DUCKDB
    with _LOCK:
        if _DUCKDB is None:
            try:
                import duckdb
            except ModuleNotFoundError:
                raise BackendError("DuckDB is not installed", hint="pip install 'mblib[analytics]'") from None
            con = duckdb.default_connection()
            con.execute("SET TimeZone = 'UTC'")
            _DUCKDB = con
        return _DUCKDB


def spark_session() -> Any:
    """The process's SparkSession (local mode, UTC session time), created on first use.

    Uses ``local[N]`` with N = ``MBLIB_SPARK_CORES`` (default: all cores), no UI, few shuffle
    partitions (the metrics' results are small), and Arrow transfers.
    """
    global _SPARK
    with _LOCK:
        if _SPARK is None:
            try:
                from pyspark.sql import SparkSession
            except ModuleNotFoundError:
                raise BackendError(
                    "PySpark is not installed (the spark engine needs it, and Java 17 or later)",
                    hint="pip install 'mblib[spark]'",
                ) from None
            cores = os.environ.get("MBLIB_SPARK_CORES", "*")
            builder = (
                SparkSession.builder.master(f"local[{cores}]")
                .appName("mblib")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", os.environ.get("MBLIB_SPARK_PARTITIONS", "4"))
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.driver.memory", os.environ.get("MBLIB_SPARK_MEMORY", "2g"))
            )
            try:
                _SPARK = builder.getOrCreate()
            except Exception as e:  # JVM missing or failing to start
                raise BackendError(
                    f"could not start Spark in local mode: {e}", hint="install Java 17+ and check JAVA_HOME"
                ) from e
            _SPARK.sparkContext.setLogLevel("ERROR")
        return _SPARK


def to_polars_lazy(frame: Any) -> pl.LazyFrame:
    """Any supported frame as a polars LazyFrame (collecting a DuckDB/Spark frame)."""
    import narwhals.stable.v2 as nw
    import polars as pl

    if isinstance(frame, (pl.LazyFrame, pl.DataFrame)):
        return frame.lazy()
    nf = frame if isinstance(frame, (nw.LazyFrame, nw.DataFrame)) else nw.from_native(frame)
    if isinstance(nf, nw.LazyFrame):
        if nf.implementation is nw.Implementation.POLARS:
            return nf.to_native()
        return nf.collect(backend="polars").to_native().lazy()
    return nf.lazy(backend="polars").to_native()


def _portable(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Enum/Categorical columns as String, datetimes in microseconds: what DuckDB and Spark take."""
    import polars as pl

    exprs = []
    for name, dtype in lf.collect_schema().items():
        if isinstance(dtype, (pl.Enum, pl.Categorical)):
            exprs.append(pl.col(name).cast(pl.String))
        elif isinstance(dtype, pl.Datetime) and dtype.time_unit != "us":
            exprs.append(pl.col(name).dt.cast_time_unit("us"))
    return lf.with_columns(exprs) if exprs else lf


def to_engine(frame: Any, engine: Engine = "polars") -> nw.LazyFrame[Any]:
    """Move a frame (polars, DuckDB, Spark or narwhals; lazy or eager) onto ``engine``, lazily.

    A frame already on that engine is returned as is. Moving to DuckDB or Spark materialises the
    frame once (through Arrow): use :func:`scan_events` for large data.
    """
    import narwhals.stable.v2 as nw

    _check(engine)
    nf = frame if isinstance(frame, (nw.LazyFrame, nw.DataFrame)) else nw.from_native(frame)
    impl = nf.implementation
    if engine == "polars":
        return nw.from_native(to_polars_lazy(nf))
    if engine == "duckdb":
        if impl is nw.Implementation.DUCKDB:
            return nf.lazy()
        table = _portable(to_polars_lazy(nf)).collect().to_arrow()
        return nw.from_native(duckdb_connection().from_arrow(table))
    if impl is nw.Implementation.PYSPARK:
        return nf.lazy()
    spark = spark_session()
    table = _portable(to_polars_lazy(nf)).collect().to_arrow()
    return nw.from_native(spark.createDataFrame(table))


def _parquet_source(path: str | Path) -> tuple[Path, bool]:
    p = Path(path)
    if not p.exists():
        raise BackendError(
            f"{p}: no such file or folder",
            hint="pass a Parquet file, a folder of Parquet files, or a cohort folder from `mb synth`",
        )
    if p.is_dir() and (p / "events").is_dir():
        p = p / "events"
    if p.is_dir() and not any(p.rglob("*.parquet")):
        raise BackendError(
            f"{p}: no .parquet files in this folder", hint="write events with `mb synth` or a reader first"
        )
    return p, p.is_dir()


def scan_events(path: str | Path, *, engine: Engine = "polars") -> nw.LazyFrame[Any]:
    """Open events stored as Parquet lazily on ``engine``: one file, a folder of files (e.g.
    hive-partitioned ``month=YYYY-MM/``), or a cohort folder that holds ``events/``.

    Only the events contract's columns are kept (partition columns are dropped); ``verb`` is read
    as String on DuckDB and Spark (the metrics accept both).
    """
    import narwhals.stable.v2 as nw

    from .schema import EVENT_COLUMNS

    _check(engine)
    src, is_dir = _parquet_source(path)
    if engine == "polars":
        import polars as pl

        lf = pl.scan_parquet(str(src / "**" / "*.parquet") if is_dir else str(src), hive_partitioning=is_dir)
        native: Any = lf
    elif engine == "duckdb":
        pattern = str(src / "**" / "*.parquet") if is_dir else str(src)
        native = duckdb_connection().read_parquet(pattern, hive_partitioning=is_dir)
    else:
        native = spark_session().read.parquet(str(src))
    out = nw.from_native(native)
    keep = [c for c in EVENT_COLUMNS if c in out.collect_schema().names()]
    return out.select(*keep)


def collect(
    frame_or_metric: Any | Callable[..., Any], *frames: Any, engine: Engine | None = None, **kwargs: Any
) -> pl.DataFrame:
    """Collect a lazy frame, or run ``metric(*frames, **kwargs)`` on ``engine`` and collect it.

    With a metric (any callable): each of ``frames`` is moved to ``engine`` (default polars)
    first, so ``collect(module_outcomes, events, engine="spark")`` runs on Spark. With a frame:
    it is collected on its own backend (``engine``, when given, moves it first). Returns a
    polars DataFrame in the order the metric sorted it.
    """
    import narwhals.stable.v2 as nw

    if (
        callable(frame_or_metric)
        and not isinstance(frame_or_metric, (nw.LazyFrame, nw.DataFrame))
        and not hasattr(frame_or_metric, "collect")
    ):
        target = _check(engine or "polars")
        moved = [to_engine(f, target) for f in frames]
        result = frame_or_metric(*moved, **kwargs)
    else:
        if frames or kwargs:
            raise BackendError(
                "collect(frame) takes no further frames or options", hint="pass a metric function to run it over frames"
            )
        result = frame_or_metric
        if engine is not None:
            result = to_engine(result, engine)
    nf = result if isinstance(result, (nw.LazyFrame, nw.DataFrame)) else nw.from_native(result)
    if isinstance(nf, nw.DataFrame):
        return nf.lazy(backend="polars").collect().to_native()
    if nf.implementation is nw.Implementation.POLARS:
        return collect_polars(nf.to_native())
    return nf.collect(backend="polars").to_native()


def collect_polars(lf: pl.LazyFrame) -> pl.DataFrame:
    """Collect a polars LazyFrame the way every metric is collected: with the streaming engine and
    without common-subplan caching.

    A metric often reads the events more than once (e.g. enrolments and awards); polars would
    otherwise cache the shared scan, i.e. hold every event's columns in memory at once. Without
    the cache each branch streams the Parquet files again, so peak memory follows the metric's
    own state, not the data's size (BENCHMARKS.md: 100 M events in a few GiB).

    >>> import polars as pl
    >>> collect_polars(pl.LazyFrame({"a": [1, 2]}).select(pl.col("a").sum())).item()
    3
    """
    import polars as pl

    return lf.collect(engine="streaming", optimizations=pl.QueryOptFlags(comm_subplan_elim=False))


__all__ = [
    "ENGINES",
    "BackendError",
    "Engine",
    "collect",
    "collect_polars",
    "duckdb_connection",
    "scan_events",
    "spark_session",
    "to_engine",
    "to_polars_lazy",
]
