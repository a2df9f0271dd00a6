"""The learner-data contract: the ``events`` and ``learners`` tables, and their validation.

Every reader maps its source onto these two tables (see docs/architecture.md, "Learner data"). The
column types are kept here once; metrics, readers and synthetic data all use them.

>>> from mblib.analytics.schema import EVENT_COLUMNS, VERBS
>>> list(EVENT_COLUMNS)[:3], VERBS[0]
(['timestamp', 'learner_id', 'verb'], 'enrolled')

Validation names the column and the row of each problem:

>>> import polars as pl
>>> from datetime import datetime, timezone
>>> bad = pl.DataFrame({"timestamp": [datetime(2025, 1, 6, tzinfo=timezone.utc)] * 2,
...                     "learner_id": ["a", None], "verb": ["launched", "clicked"],
...                     "module_id": ["m", "m"], "score": [0.5, 1.5]})
>>> for p in validate_events(bad):
...     print(p)
field 'learner_id': learner_id is empty in row 2
  fix: every event needs a learner_id; fix the row or let a reader reject it
field 'verb': unknown verb 'clicked' in row 2
  fix: use one of enrolled, launched, progressed, answered, completed, passed, failed, earned
field 'score': score 1.5 is outside 0..1 in row 2
  fix: scores are scaled to 0..1 (divide by the maximum score)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Location, Problem
from .schema_tables import (
    EVENT_COLUMNS,
    EVENT_REQUIRED,
    LEARNER_COLUMNS,
    LEARNER_REQUIRED,
    SEGMENTS,
    VERBS,
    SchemaError,
    conform,
    empty_events,
    events_schema,
    learners_schema,
)

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

_MAX_ROWS_SHOWN = 5


@dataclass(frozen=True)
class _Rule:
    column: str
    condition: Any  # polars expression true on a bad row
    message: Any  # polars expression giving the message for that row
    hint: str


def _to_polars(frame: Any) -> pl.DataFrame:
    import polars as pl

    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    import narwhals.stable.v2 as nw

    return nw.from_native(frame, eager_only=True).to_polars()


def column_type_problems(df: pl.DataFrame, schema: pl.Schema, table: str) -> tuple[list[Problem], set[str]]:
    """Columns whose type does not fit (and cannot be read as the contract's type)."""
    import polars as pl

    problems: list[Problem] = []
    unusable: set[str] = set()
    for name, dtype in schema.items():
        if name not in df.columns:
            continue
        have = df.schema[name]
        if have == dtype or have == pl.Null:
            continue
        ok = (
            (isinstance(dtype, pl.Datetime) and isinstance(have, pl.Datetime))
            or (isinstance(dtype, (pl.Enum, pl.String)) and isinstance(have, (pl.String, pl.Categorical, pl.Enum)))
            or (dtype == pl.Float64 and have.is_numeric())
        )
        if ok:
            continue
        unusable.add(name)
        problems.append(
            Problem(
                f"{name} has type {have}, the {table} table needs {dtype}",
                Location(field=name),
                hint="cast the column, or read the file with mblib.analytics.readers (it converts and rejects rows that do not fit)",
                code="type",
            )
        )
    return problems, unusable


def _row_problems(df: pl.DataFrame, rules: list[_Rule]) -> list[Problem]:
    """One problem per broken rule, naming the column, the first rows (1-based) and how many."""
    indexed = df.with_row_index("_row", offset=1)
    problems: list[Problem] = []
    for rule in rules:
        bad = indexed.filter(rule.condition.fill_null(False))
        if bad.height == 0:
            continue
        first = bad.head(_MAX_ROWS_SHOWN).select("_row", rule.message.alias("_msg"))
        rows = first["_row"].to_list()
        where = ("row " if len(rows) == 1 else "rows ") + ", ".join(str(r) for r in rows)
        if bad.height > len(rows):
            where += f", ... ({bad.height} rows)"
        problems.append(
            Problem(
                f"{first['_msg'][0]} in {where}", Location(line=rows[0], field=rule.column), hint=rule.hint, code="row"
            )
        )
    return problems


def validate_events(frame: Any) -> list[Problem]:
    """Every way a table breaks the events contract, each naming its column and rows (1-based).

    Accepts a polars DataFrame or LazyFrame (or any frame narwhals knows). An empty list
    means the table is valid. Checks: required columns present and not empty, column types,
    known verbs, score in 0..1, non-negative durations, module/block/credential ids where
    the verb needs them. See :func:`check_events` for the raising variant.

    >>> import polars as pl
    >>> validate_events(pl.DataFrame({"learner_id": ["a"]}))[0].message
    "the events table has no column 'timestamp'"
    """
    import polars as pl

    df = _to_polars(frame)
    schema = events_schema()
    problems: list[Problem] = []
    for name in EVENT_REQUIRED:
        if name not in df.columns:
            problems.append(
                Problem(
                    f"the events table has no column '{name}'",
                    Location(field=name),
                    hint=f"add the column '{name}' ({EVENT_COLUMNS[name]})",
                    code="column",
                )
            )
    unknown = [c for c in df.columns if c not in schema]
    if unknown:
        problems.append(
            Problem(
                f"unknown column(s) {unknown}",
                Location(field=unknown[0]),
                hint=f"rename or drop them; the events columns are {list(EVENT_COLUMNS)}",
                severity="warning",
                code="column",
            )
        )
    type_problems, unusable = column_type_problems(df, schema, "events")
    problems += type_problems
    present = {c for c in df.columns if c in schema and c not in unusable}
    c = pl.col
    rules: list[_Rule] = []
    for name in EVENT_REQUIRED:
        if name in present:
            rules.append(
                _Rule(
                    name,
                    c(name).is_null(),
                    pl.lit(f"{name} is empty"),
                    f"every event needs a {name}; fix the row or let a reader reject it",
                )
            )
    if "verb" in present and df.schema["verb"] != pl.Enum(list(VERBS)):
        v = c("verb").cast(pl.String)
        rules.append(
            _Rule(
                "verb",
                v.is_not_null() & ~v.is_in(list(VERBS)),
                pl.format("unknown verb '{}'", v),
                f"use one of {', '.join(VERBS)}",
            )
        )
    if (
        "timestamp" in present
        and isinstance(df.schema["timestamp"], pl.Datetime)
        and df.schema["timestamp"].time_zone is None
    ):
        problems.append(
            Problem(
                "timestamp has no time zone",
                Location(field="timestamp"),
                hint="timestamps are UTC: .dt.replace_time_zone('UTC') if they already are",
                code="type",
            )
        )
    if "score" in present:
        s = c("score").cast(pl.Float64)
        rules.append(
            _Rule(
                "score",
                (s < 0) | (s > 1),
                pl.format("score {} is outside 0..1", s),
                "scores are scaled to 0..1 (divide by the maximum score)",
            )
        )
    if "duration_s" in present:
        d = c("duration_s").cast(pl.Float64)
        rules.append(
            _Rule(
                "duration_s",
                d < 0,
                pl.format("duration_s {} is negative", d),
                "durations are seconds on task, 0 or more",
            )
        )
    if "verb" in present:
        v = c("verb").cast(pl.String)
        if "module_id" in present or "module_id" not in df.columns:
            need_module = v.is_in(["launched", "progressed", "answered", "completed", "passed", "failed"])
            mod = c("module_id") if "module_id" in df.columns else pl.lit(None, pl.String)
            rules.append(
                _Rule(
                    "module_id",
                    need_module & mod.is_null(),
                    pl.format("event '{}' has no module_id", v),
                    "module events name their module (ids from the workspace)",
                )
            )
        blk = c("block_id") if "block_id" in present else pl.lit(None, pl.String)
        rules.append(
            _Rule(
                "block_id",
                v.is_in(["progressed", "answered"]) & blk.is_null(),
                pl.format("event '{}' has no block_id", v),
                "progressed and answered events name the block (ids from the module file)",
            )
        )
        cred = c("credential_id") if "credential_id" in present else pl.lit(None, pl.String)
        rules.append(
            _Rule(
                "credential_id",
                v.is_in(["enrolled", "earned"]) & cred.is_null(),
                pl.format("event '{}' has no credential_id", v),
                "enrolled and earned events name the credential",
            )
        )
    problems += _row_problems(df, rules)
    return problems


def validate_learners(frame: Any) -> list[Problem]:
    """Every way a table breaks the learners contract (column and rows named).

    >>> import polars as pl
    >>> [str(p) for p in validate_learners(pl.DataFrame({"learner_id": ["a", "a"], "role": ["x", "y"]}))]
    ["field 'learner_id': learner 'a' appears more than once in row 2\\n  fix: keep one row per learner"]
    """
    import polars as pl

    df = _to_polars(frame)
    schema = learners_schema()
    problems: list[Problem] = []
    if "learner_id" not in df.columns:
        return [
            Problem(
                "the learners table has no column 'learner_id'",
                Location(field="learner_id"),
                hint="add the column 'learner_id' (String)",
                code="column",
            )
        ]
    type_problems, unusable = column_type_problems(df, schema, "learners")
    problems += type_problems
    rules = [
        _Rule("learner_id", pl.col("learner_id").is_null(), pl.lit("learner_id is empty"), "every learner needs an id"),
        _Rule(
            "learner_id",
            pl.col("learner_id").is_duplicated() & (pl.int_range(pl.len()).over("learner_id") > 0),
            pl.format("learner '{}' appears more than once", pl.col("learner_id")),
            "keep one row per learner",
        ),
    ]
    problems += _row_problems(df, rules)
    return problems


def check_events(frame: Any, *, source: str | None = None) -> None:
    """Raise :class:`SchemaError` listing every error :func:`validate_events` finds (warnings pass).

    >>> import polars as pl
    >>> check_events(pl.DataFrame({"learner_id": ["a"]}))
    Traceback (most recent call last):
    ...
    mblib.analytics.schema.SchemaError: 2 problem(s) in the events table:
    ...
    """
    errors = [p for p in validate_events(frame) if p.severity == "error"]
    if errors:
        raise SchemaError(errors, table="events", source=source)


__all__ = [
    "EVENT_COLUMNS",
    "EVENT_REQUIRED",
    "LEARNER_COLUMNS",
    "LEARNER_REQUIRED",
    "SEGMENTS",
    "SchemaError",
    "VERBS",
    "check_events",
    "conform",
    "empty_events",
    "events_schema",
    "learners_schema",
    "validate_events",
    "validate_learners",
]
