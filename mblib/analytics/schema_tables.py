"""The learner-data contract, the tables: the ``events`` and ``learners`` columns and their polars
types, :class:`SchemaError`, and :func:`conform`. Imported from :mod:`mblib.analytics.schema`,
which also validates tables against this contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MblibError, Problem

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

VERBS: tuple[str, ...] = ("enrolled", "launched", "progressed", "answered", "completed", "passed", "failed", "earned")
"""The event verbs, in the order a learner meets them."""

# Column name -> type, spelled as polars names them (resolved by :func:`events_schema`).
EVENT_COLUMNS: dict[str, str] = {
    "timestamp": "Datetime(us, UTC)",
    "learner_id": "String",
    "verb": "Enum(VERBS)",
    "credential_id": "String",
    "module_id": "String",
    "block_id": "String",
    "score": "Float64",
    "success": "Boolean",
    "duration_s": "Float64",
    "response": "String",
    "language": "String",
}
EVENT_REQUIRED: tuple[str, ...] = ("timestamp", "learner_id", "verb")
"""Columns that may not be null; every other events column is nullable."""

LEARNER_COLUMNS: dict[str, str] = {
    "learner_id": "String",
    "org_unit": "String",
    "role": "String",
    "country": "String",
    "language": "String",
    "enrolled_at": "Datetime(us, UTC)",
}
LEARNER_REQUIRED: tuple[str, ...] = ("learner_id",)

SEGMENTS: tuple[str, ...] = ("org_unit", "role", "country", "language")
"""The learner attributes that reports group by."""


class SchemaError(MblibError):
    """A table does not follow the events/learners contract; ``problems`` lists each finding."""

    __module__ = "mblib.analytics.schema"  # where it is documented and imported from

    def __init__(self, problems: list[Problem], *, table: str = "events", source: str | None = None):
        self.problems = list(problems)
        where = f" in {source}" if source else ""
        head = f"{len(self.problems)} problem(s) in the {table} table{where}"
        first = self.problems[0] if self.problems else Problem(head)
        Exception.__init__(self, head + ":\n" + "\n".join(str(p) for p in self.problems))
        self.message, self.location, self.hint = first.message, first.location, first.hint

    def __str__(self) -> str:
        return str(self.args[0])


def _dtype(spec: str) -> Any:
    import polars as pl

    if spec == "Datetime(us, UTC)":
        return pl.Datetime("us", "UTC")
    if spec == "Enum(VERBS)":
        return pl.Enum(list(VERBS))
    return getattr(pl, spec)


def events_schema() -> pl.Schema:
    """The polars schema of the events table.

    >>> events_schema()["verb"]
    Enum(categories=['enrolled', 'launched', 'progressed', 'answered', 'completed', 'passed', 'failed', 'earned'])
    """
    import polars as pl

    return pl.Schema({name: _dtype(spec) for name, spec in EVENT_COLUMNS.items()})


def learners_schema() -> pl.Schema:
    """The polars schema of the learners table.

    >>> str(learners_schema()["enrolled_at"])
    "Datetime(time_unit='us', time_zone='UTC')"
    """
    import polars as pl

    return pl.Schema({name: _dtype(spec) for name, spec in LEARNER_COLUMNS.items()})


def empty_events() -> pl.DataFrame:
    """An events table with no rows (and the right types).

    >>> empty_events().shape
    (0, 11)
    """
    import polars as pl

    return pl.DataFrame(schema=events_schema())


def conform(frame: pl.LazyFrame | pl.DataFrame, table: str = "events") -> pl.LazyFrame:
    """Select and cast a frame's columns to the contract (missing nullable columns become null).

    Casting here is strict: use the readers for raw data (they reject rows that do not cast).

    >>> import polars as pl
    >>> lf = conform(pl.DataFrame({"learner_id": ["a"], "verb": ["launched"],
    ...                            "timestamp": ["2025-01-06T09:00:00Z"]}))
    >>> lf.collect_schema()["timestamp"], lf.collect_schema()["score"]
    (Datetime(time_unit='us', time_zone='UTC'), Float64)
    """
    import polars as pl

    schema = events_schema() if table == "events" else learners_schema()
    lf = frame.lazy()
    have = lf.collect_schema()
    exprs = []
    for name, dtype in schema.items():
        got = have.get(name)
        if got is None:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
        elif got == dtype:
            exprs.append(pl.col(name))
        elif isinstance(dtype, pl.Datetime) and got == pl.String:
            exprs.append(pl.col(name).str.to_datetime(time_unit="us", time_zone="UTC").alias(name))
        elif isinstance(dtype, pl.Datetime) and isinstance(got, pl.Datetime):
            col = pl.col(name)
            col = col.dt.replace_time_zone("UTC") if got.time_zone is None else col.dt.convert_time_zone("UTC")
            exprs.append(col.dt.cast_time_unit("us").alias(name))
        else:
            exprs.append(pl.col(name).cast(dtype).alias(name))
    return lf.select(exprs)


__all__ = [
    "EVENT_COLUMNS",
    "EVENT_REQUIRED",
    "LEARNER_COLUMNS",
    "LEARNER_REQUIRED",
    "SEGMENTS",
    "VERBS",
    "SchemaError",
    "conform",
    "empty_events",
    "events_schema",
    "learners_schema",
]
