"""Analytics test fixtures: run each metric on every engine (polars, DuckDB, PySpark local mode).

``engine`` is parametrised over the three engines; the Spark case is marked ``spark`` (still run
by ``make test``; deselect with ``-m "not spark"``). One SparkSession serves the whole test run
(``mblib.analytics.backends.spark_session`` keeps one per process), on two cores.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

import pytest

os.environ.setdefault("MBLIB_SPARK_CORES", "2")
os.environ.setdefault("MBLIB_SPARK_PARTITIONS", "2")

UTC = UTC

ENGINES = [
    pytest.param("polars", id="polars"),
    pytest.param("duckdb", id="duckdb"),
    pytest.param("spark", id="spark", marks=pytest.mark.spark),
]


def _spark_available() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ModuleNotFoundError:
        return "PySpark is not installed (pip install 'mblib[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not installed (PySpark needs Java 17+)"
    return None


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    """The engine name; Spark is skipped with the reason when PySpark or Java is missing."""
    if request.param == "spark" and (why := _spark_available()):
        pytest.skip(why)
    return request.param


@pytest.fixture
def run(engine):
    """``run(metric, *frames, **kw)``: the metric on this test's engine, collected to polars."""
    from mblib.analytics.backends import collect

    def _run(metric, *frames, **kwargs):
        return collect(metric, *frames, engine=engine, **kwargs)

    return _run


def T(stamp: str) -> datetime:
    """'2026-01-05 09:00' (or with seconds) as an aware UTC datetime."""
    fmt = "%Y-%m-%d %H:%M:%S" if stamp.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(stamp, fmt).replace(tzinfo=UTC)


def make_events(rows: list[dict]):
    """An events table (polars LazyFrame, contract types) from dicts; missing columns are null.

    ``timestamp`` may be given as a '2026-01-05 09:00' string.
    """
    import polars as pl

    from mblib.analytics.schema import events_schema

    schema = events_schema()
    data = {name: [] for name in schema}
    for r in rows:
        for name in schema:
            v = r.get(name)
            if name == "timestamp" and isinstance(v, str):
                v = T(v)
            data[name].append(v)
    return pl.DataFrame(data, schema=schema).lazy()
