"""Value checks shared by the readers and the reports: text, durations, and JSON shapes.

A reader rejects a row (or an xAPI statement) with a reason instead of keeping a value that
would mislead the metrics: a learner id that is not valid UTF-8 (two learners would merge into
one), a duration that is not a number or longer than :data:`MAX_DURATION_S`, a JSON value of the
wrong shape.

>>> text_problem("ann\\ufffd", "learner_id")
'learner_id is not valid UTF-8 text (undecodable bytes became U+FFFD, so different learners would merge): save the source as UTF-8'
>>> duration_problem(float("nan"), "duration_s")
'duration_s is not a number (NaN)'
>>> duration_problem(4e7, "result.duration 'P2Y'")
"result.duration 'P2Y' is 40,000,000 s, longer than a year (at most 31,622,400 s): time on task is seconds to hours"
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, MblibError

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

MAX_DURATION_S: float = 366 * 86400.0
"""The longest duration kept: one (leap) year in seconds. Time on task beyond that is an error."""

REPLACEMENT = "\ufffd"

MODULE_VERBS: tuple[str, ...] = ("launched", "progressed", "answered", "completed", "passed", "failed")
VERB_NEEDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("module_id", MODULE_VERBS),
    ("block_id", ("progressed", "answered")),
    ("credential_id", ("enrolled", "earned")),
)
"""The id column each verb needs: every reader and the report data check reject an event without it."""

SCORE_NAN = "score NaN is not a number"
DURATION_NAN = "duration_s is not a number (NaN)"
TOO_LONG = f"is longer than a year (at most {MAX_DURATION_S:,.0f} s)"
"""Messages of the score and duration rules, the same from the readers and the report data check."""


class ReaderError(MblibError):
    """A source cannot be read at all (missing file, unknown format, no usable columns)."""


class Reject(Exception):
    """A value cannot be mapped; ``reason`` says which and why (goes to the rejects file)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def kind(value: Any) -> str:
    """The JSON kind of a value, in words: 'a list', 'a number', 'an object', ...

    >>> kind([1]), kind(True), kind(2.5), kind(None)
    ('a list', 'true/false', 'a number', 'null')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(value: Any, width: int = 60) -> str:
    """A value as the reason quotes it: its repr, cut to ``width`` characters.

    >>> shown("high"), len(shown(list(range(40)))), shown(list(range(40)))[-3:]
    ("'high'", 60, '...')
    """
    r = repr(value)
    return r if len(r) <= width else r[: width - 3] + "..."


def text_problem(value: str, where: str) -> str | None:
    """Why ``value`` is not usable text (U+FFFD from decoding, lone surrogates), or ``None``."""
    if REPLACEMENT in value:
        return (
            f"{where} is not valid UTF-8 text (undecodable bytes became U+FFFD, so different learners "
            "would merge): save the source as UTF-8"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{where} is not valid Unicode text (it holds a lone surrogate such as \\ud800)"
    return None


def duration_problem(seconds: float, where: str) -> str | None:
    """Why a duration in seconds is not kept (NaN, infinite, negative, longer than a year), or ``None``."""
    if math.isnan(seconds):
        return f"{where} is not a number (NaN)"
    if seconds < 0:
        return f"{where} is negative"
    if math.isinf(seconds) or seconds > MAX_DURATION_S:
        size = "infinite" if math.isinf(seconds) else f"{seconds:,.0f} s" if seconds < 1e12 else f"{seconds:.3g} s"
        return (
            f"{where} is {size}, longer than a year (at most {MAX_DURATION_S:,.0f} s): time on task is seconds to hours"
        )
    return None


def obj(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """``parent[key]`` when it is a JSON object; ``{}`` when absent or null; otherwise :class:`Reject`."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Reject(f"{where} {shown(value)} is {kind(value)}, not an object")
    return value


def text(parent: dict[str, Any], key: str, where: str) -> str | None:
    """``parent[key]`` as usable text; ``None`` when absent, null or empty; otherwise :class:`Reject`."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Reject(f"{where} {shown(value)} is {kind(value)}, not text")
    problem = text_problem(value, where)
    if problem:
        raise Reject(problem)
    return value


def number(parent: dict[str, Any], key: str, where: str) -> float | None:
    """``parent[key]`` as a finite float; ``None`` when absent or null; otherwise :class:`Reject`."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Reject(f"{where} {shown(value)} is {kind(value)}, not a number")
    try:
        out = float(value)
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise Reject(f"{where} {shown(value)} is not a finite number")
    return out


def objects(parent: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """``parent[key]`` as a list of JSON objects (one object alone counts as a list of one)."""
    value = parent.get(key)
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise Reject(f"{where} {shown(value)} is {kind(value)}, not a list of activities")
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise Reject(f"{where}[{i}] {shown(item)} is {kind(item)}, not an activity object")
    return value


_REWRITE = "write the file again from its source (a copy cut short in transfer or a failed export looks like this)"


def damaged_parquet(path: str | Path, error: BaseException) -> ReaderError:
    """The error for a Parquet file that cannot be read (truncated, damaged, not Parquet at all)."""
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ReaderError(
        f"not a readable Parquet file: it is truncated or damaged ({detail})",
        location=Location(file=str(path)),
        hint=_REWRITE,
    )


def parquet_schema(path: str | Path, columns: Iterable[str], table: str = "events") -> pl.Schema:
    """The schema of a Parquet file, checked: readable, and no list/struct column among ``columns``.

    Raises :class:`ReaderError` naming the file, the column and the fix instead of a polars traceback.
    """
    import polars as pl

    try:
        schema = pl.scan_parquet(path, hive_partitioning=False).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as e:
        raise damaged_parquet(path, e) from None
    wanted = set(columns)
    for name, dtype in schema.items():
        if name in wanted and (dtype.is_nested() or isinstance(dtype, (pl.Object, pl.Binary))):
            raise ReaderError(
                f"column {name} has type {dtype}, the {table} table needs one plain value per row",
                location=Location(file=str(path), field=name),
                hint=f"write {name} as a plain column: one row per value (.explode('{name}')) or the values "
                f"joined into text (.list.join(' ')), then write the file again",
            )
    return schema


__all__ = [
    "DURATION_NAN",
    "MAX_DURATION_S",
    "MODULE_VERBS",
    "ReaderError",
    "Reject",
    "SCORE_NAN",
    "TOO_LONG",
    "VERB_NEEDS",
    "damaged_parquet",
    "parquet_schema",
    "duration_problem",
    "kind",
    "number",
    "obj",
    "objects",
    "shown",
    "text",
    "text_problem",
]
