"""Row checks on typed events (Parquet as ``mb synth`` or a reader writes it), for the reports.

The readers check raw text; data that is already Parquet goes through the same rules here:
:func:`valid_events` is a lazy filter (on polars, DuckDB or Spark: the scan stays lazy and
streaming), and :func:`check_events_data` makes one counting pass over the files, writes the
rejected rows with their reasons and says how many there were.

>>> import polars as pl, narwhals.stable.v2 as nw
>>> from datetime import datetime, timezone
>>> t = datetime(2025, 1, 6, tzinfo=timezone.utc)
>>> lf = pl.LazyFrame({"timestamp": [t, t, t], "learner_id": ["a", None, "b"], "verb": ["launched", "enrolled", "clicked"],
...                    "module_id": ["m", None, "m"], "credential_id": [None, "c", None], "score": [0.5, None, float("nan")]})
>>> valid_events(nw.from_native(lf)).collect().to_native()["learner_id"].to_list()
['a']
>>> nw.from_native(lf).select(event_reason(nw.from_native(lf).collect_schema())).collect().to_native().to_series().to_list()
[None, 'learner_id is empty', "unknown verb 'clicked'; score NaN is not a number"]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, Problem
from .readers.rejects import default_rejects, finish_rejects
from .schema import EVENT_COLUMNS, VERBS, SchemaError, events_schema
from .validation import (
    DURATION_NAN,
    MAX_DURATION_S,
    REPLACEMENT,
    SCORE_NAN,
    TOO_LONG,
    VERB_NEEDS,
    ReaderError,
    damaged_parquet,
    parquet_schema,
    text_problem,
)

if TYPE_CHECKING:  # pragma: no cover
    import narwhals.stable.v2 as nw


def _checks(schema: Any) -> list[tuple[nw.Expr, nw.Expr]]:
    """(condition true on a bad row, message) for each events rule, as narwhals expressions."""
    import narwhals.stable.v2 as nw

    names = set(schema.names())

    def col(name: str) -> nw.Expr:
        return nw.col(name) if name in names else nw.lit(None, nw.String())

    def fmt(*parts: Any) -> nw.Expr:
        return nw.concat_str([p if isinstance(p, nw.Expr) else nw.lit(p) for p in parts])

    learner, v = col("learner_id").cast(nw.String()), col("verb").cast(nw.String())
    checks: list[tuple[nw.Expr, nw.Expr]] = [
        (col("timestamp").is_null(), nw.lit("timestamp is empty")),
        (learner.is_null() | (learner == ""), nw.lit("learner_id is empty")),
        (learner.str.contains(REPLACEMENT, literal=True), nw.lit(text_problem(REPLACEMENT, "learner_id"))),
        (v.is_null(), nw.lit("verb is empty")),
        (~v.is_in(list(VERBS)), fmt("unknown verb '", v, "'")),
    ]
    for name in ("score", "duration_s"):
        if name not in names:
            continue
        x = nw.col(name).cast(nw.Float64())
        nan = x.is_nan() if schema[name].is_float() else nw.lit(False)
        shown = x.cast(nw.String())
        checks.append((nan, nw.lit(SCORE_NAN if name == "score" else DURATION_NAN)))
        if name == "score":
            checks.append((~nan & ((x < 0) | (x > 1)), fmt("score ", shown, " is outside 0..1")))
        else:
            checks.append((x < 0, fmt("duration_s ", shown, " is negative")))
            checks.append((~nan & (x > MAX_DURATION_S), fmt("duration_s ", shown, f" {TOO_LONG}")))
    checks += [
        (v.is_in(list(verbs)) & col(column).is_null(), fmt("event '", v, f"' has no {column}"))
        for column, verbs in VERB_NEEDS
    ]
    return checks


def event_reason(schema: Any) -> nw.Expr:
    """The messages of the failed checks joined with '; ' (null on a valid row), named ``_reason``."""
    import narwhals.stable.v2 as nw

    joined = nw.concat_str(
        [nw.when(c.fill_null(False)).then(m) for c, m in _checks(schema)], separator="; ", ignore_nulls=True
    )
    return nw.when(joined != "").then(joined).alias("_reason")


def valid_events(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The rows of a typed events frame that pass every check (lazily, on its own engine)."""
    import narwhals.stable.v2 as nw

    bad = [c.fill_null(False) for c, _ in _checks(frame.collect_schema())]
    return frame.filter(~nw.any_horizontal(*bad, ignore_nulls=True))


def type_problems(schema: Any, source: str) -> None:
    """Raise :class:`SchemaError` when a contract column has a type no row could fit (or one is missing)."""
    import polars as pl

    from .schema import column_type_problems

    want = events_schema()
    problems = [
        Problem(
            f"the events table has no column '{c}'",
            Location(file=source, field=c),
            hint=f"add the column '{c}' ({EVENT_COLUMNS[c]})",
            code="column",
        )
        for c in ("timestamp", "learner_id", "verb")
        if c not in schema
    ]
    found, _ = column_type_problems(pl.DataFrame(schema={k: v for k, v in schema.items() if k in want}), want, "events")
    problems += [Problem(p.message, Location(file=source, field=p.location.field), p.hint, code=p.code) for p in found]
    if problems:
        raise SchemaError(problems, table="events", source=source)


def data_paths(data: str | Path) -> tuple[Path, Path]:
    """(events, learners.parquet) of a cohort folder as ``mb synth`` writes it, or of one events file."""
    path = Path(data)
    events = path / "events" if (path / "events").is_dir() else path
    return events, (path if path.is_dir() else path.parent) / "learners.parquet"


def parquet_files(path: Path) -> list[Path]:
    """The Parquet files of a file or (partitioned) folder, in order; :class:`ReaderError` when there are none."""
    hint = (
        "reports read Parquet events as `mb synth` writes them; read CSV or xAPI with "
        "mblib.analytics.readers first and write the table with .collect().write_parquet(...)"
    )
    if path.is_file():
        if path.suffix.lower() != ".parquet":
            raise ReaderError(
                "not a Parquet file (its name does not end in .parquet)", location=Location(file=str(path)), hint=hint
            )
        return [path]
    files = sorted(p for p in path.rglob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))
    if not files:
        raise ReaderError("no .parquet files in this folder", location=Location(file=str(path)), hint=hint)
    return files


@dataclass
class DataCheck:
    """What :func:`check_events_data` found: rows read and rejected, and where the reasons are."""

    source: str
    read: int
    rejected: int
    rejects_path: Path | None = None

    def summary(self) -> str:
        text = (
            f"{Path(self.source).name}: read {self.read:,} events, kept {self.read - self.rejected:,}, "
            f"rejected {self.rejected:,}"
        )
        return text + (f" (reasons in {self.rejects_path})" if self.rejects_path else "")

    def report_line(self) -> str:
        """The counts in words for a report's reader (the rejects file by name only, no local path)."""
        if not self.rejected:
            return f"all {self.read:,} events passed the data checks"
        share = self.rejected / self.read if self.read else 0.0
        where = f"; the reasons are in {Path(self.rejects_path).name}" if self.rejects_path else ""
        return (
            f"{self.rejected:,} of {self.read:,} events ({share:.1%}) failed the data checks and are "
            f"left out of every figure{where}"
        )


def check_events_data(path: str | Path, *, rejects: str | Path | None = None) -> DataCheck:
    """Check Parquet events (a file or partitioned folder) in one streaming pass; write the rejects.

    Each file must be readable Parquet with plain (not list or struct) contract columns of the
    right types; otherwise :class:`~mblib.analytics.readers.ReaderError` or
    :class:`~mblib.analytics.schema.SchemaError` says which file and column. Rejected rows go to
    ``rejects`` (CSV: ``_file``, ``_row`` within its file, ``_reason``, then the columns; default
    ``<path>.rejects.csv`` beside the data); a stale rejects file is removed when none are rejected.
    """
    import narwhals.stable.v2 as nw
    import polars as pl
    from polars.exceptions import PolarsError

    from .backends import collect_polars

    src = Path(path)
    files = parquet_files(src)
    frames = []
    for f in files:
        schema = parquet_schema(f, EVENT_COLUMNS)
        type_problems(schema, str(f))
        keep = [c for c in EVENT_COLUMNS if c in schema]
        rel = str(f.relative_to(src)) if f != src else f.name
        frames.append(
            pl.scan_parquet(f, hive_partitioning=False)
            .select(keep)
            .with_row_index("_row", offset=1)
            .with_columns(pl.lit(rel).alias("_file"))
        )
    raw = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    tagged = nw.from_native(raw).with_columns(event_reason(nw.from_native(raw).collect_schema())).to_native()
    try:
        counts = collect_polars(tagged.select(pl.len().alias("n"), pl.col("_reason").is_not_null().sum().alias("bad")))
        n, n_bad = int(counts["n"][0]), int(counts["bad"][0])
        bad = collect_polars(tagged.filter(pl.col("_reason").is_not_null())) if n_bad else None
    except PolarsError as e:
        raise damaged_parquet(src, e) from None

    def write(out: Path) -> None:
        assert bad is not None
        rows = bad.select(
            ["_file", "_row", "_reason"]
            + [pl.col(c).cast(pl.String) for c in bad.columns if c not in ("_file", "_row", "_reason")]
        )
        rows.write_csv(out)

    target = Path(rejects) if rejects else default_rejects(src)
    return DataCheck(str(src), n, n_bad, finish_rejects(target, n_bad, write))


__all__ = [
    "DataCheck",
    "check_events_data",
    "data_paths",
    "event_reason",
    "parquet_files",
    "type_problems",
    "valid_events",
]
