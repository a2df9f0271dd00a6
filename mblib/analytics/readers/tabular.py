"""Tabular readers: events and learners tables from CSV or Parquet files (or partitioned folders).

Columns are matched by name; each row is checked against the events contract (the rules shared
with the report data check are in :mod:`mblib.analytics.validation`) and rows that do not fit go
to the rejects file (:mod:`mblib.analytics.readers.rejects`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ...errors import Location
from ..schema import EVENT_COLUMNS, LEARNER_COLUMNS
from ..validation import (
    ReaderError,
    damaged_parquet,
    parquet_schema,
)
from .rejects import Echo, ReadResult, default_rejects, echo_result, finish_rejects, pseudonymiser
from .tabular_rows import as_string, events_mapping, learners_mapping

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ...content.workspace import Workspace


def _files(source: Path) -> tuple[str, list[Path]]:
    """(format, files) of a file or a (partitioned) folder."""
    if not source.exists():
        raise ReaderError(
            f"{source} does not exist",
            location=Location(file=str(source)),
            hint="check the path (a .csv or .parquet file, or a folder of them)",
        )
    if source.is_file():
        files = [source]
    else:
        files = sorted(
            p
            for p in source.rglob("*")
            if p.is_file()
            and not p.name.startswith((".", "_"))
            and p.suffix.lower() in (".csv", ".parquet")
            and ".rejects." not in p.name
        )
        if not files:
            raise ReaderError(
                f"the folder {source} holds no .csv or .parquet files",
                location=Location(file=str(source)),
                hint="point at the file or folder with the data",
            )
    kinds = {p.suffix.lower() for p in files}
    if kinds - {".csv", ".parquet"} or len(kinds) != 1:
        raise ReaderError(
            f"cannot read {source}: found {sorted(kinds)} files",
            location=Location(file=str(source)),
            hint="use one format per folder: .csv or .parquet (xAPI: read_xapi, OULAD: read_oulad)",
        )
    return kinds.pop().lstrip("."), files


def _scan_raw(fmt: str, source: Path, files: list[Path], kind: str = "events") -> pl.LazyFrame:
    """All columns as text, plus ``_file`` and ``_row`` (1-based data row within its file)."""
    import polars as pl

    frames = []
    for f in files:
        if fmt == "parquet":
            contract = EVENT_COLUMNS if kind == "events" else LEARNER_COLUMNS
            schema = parquet_schema(f, contract, kind)
            lf = pl.scan_parquet(f, hive_partitioning=False)  # other nested columns are not read
            lf = lf.select([as_string(n, t).alias(n) for n, t in schema.items() if n in contract or not t.is_nested()])
        else:
            lf = pl.scan_csv(f, infer_schema=False, null_values=[""])
        rel = str(f.relative_to(source)) if f != source else f.name
        frames.append(lf.with_row_index("_row", offset=1).with_columns(pl.lit(rel).alias("_file")))
    return pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]


def csv_tolerant(path: Path, source: Path) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Slow path for CSV files polars refuses: each line on its own; malformed lines are rejected."""
    import polars as pl

    good: list[list[str | None]] = []
    bad: list[dict[str, Any]] = []
    rel = str(path.relative_to(source)) if path != source else path.name
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return pl.DataFrame(), []
        rows_seen = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                rows_seen += 1
                bad.append({"_file": rel, "_row": rows_seen, "_reason": f"malformed CSV line: {e}", "_line": ""})
                continue
            rows_seen += 1
            if len(row) != len(header):
                bad.append(
                    {
                        "_file": rel,
                        "_row": rows_seen,
                        "_reason": f"line has {len(row)} fields, the header has {len(header)}",
                        "_line": ",".join(row),
                    }
                )
                continue
            good.append([v if v != "" else None for v in row] + [rows_seen])  # type: ignore[list-item]
    cols = header + ["_row"]
    data = {c: [r[i] for r in good] for i, c in enumerate(cols)}
    df = pl.DataFrame({c: pl.Series(c, v, dtype=pl.UInt32 if c == "_row" else pl.String) for c, v in data.items()})
    return df.with_columns(pl.lit(rel).alias("_file")), bad


def _read_table(
    source: str | Path,
    kind: Literal["events", "learners"],
    *,
    workspace: Workspace | None,
    pseudonymise: Any,
    rejects: str | Path | None,
    echo: Echo,
) -> ReadResult:
    import polars as pl

    src = Path(source)
    fmt, files = _files(src)
    pseud = pseudonymiser(pseudonymise, workspace)
    rejects_path = Path(rejects) if rejects else default_rejects(src)
    mapping = events_mapping if kind == "events" else learners_mapping
    malformed: list[dict[str, Any]] = []

    def build(raw: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        have = [c for c in raw.collect_schema().names() if not c.startswith("_")]
        if "learner_id" not in have:
            raise ReaderError(
                f"{src} has no learner_id column (its columns: {', '.join(have)})",
                location=Location(file=str(src), field="learner_id"),
                hint=f"rename the learner column to learner_id; the {kind} columns are "
                f"{', '.join(EVENT_COLUMNS if kind == 'events' else LEARNER_COLUMNS)}",
            )
        exprs, reason = mapping(have)
        tagged = raw.with_columns(reason.alias("_reason"))
        good = tagged.filter(pl.col("_reason").is_null()).select(exprs)
        bad = tagged.filter(pl.col("_reason").is_not_null())
        return good, bad

    raw = _scan_raw(fmt, src, files, kind)
    try:
        good, bad = build(raw)
        reason = mapping([c for c in raw.collect_schema().names() if not c.startswith("_")])[1]
        # one pass: the count, and the (usually few) rejected rows
        counts, bad_rows = pl.collect_all([raw.select(pl.len().alias("n")), bad])
        bad = bad_rows.lazy()
        n, n_bad = int(counts["n"][0]), bad_rows.height
        del reason
    except pl.exceptions.PolarsError as e:
        if fmt != "csv":
            raise damaged_parquet(src, e) from None
        parts, malformed = [], []
        for f in files:
            df, bad_lines = csv_tolerant(f, src)
            parts.append(df)
            malformed += bad_lines
        raw = pl.concat([p.lazy() for p in parts], how="diagonal")
        good, bad = build(raw)
        good, bad = good.collect().lazy(), bad.collect().lazy()
        n_ok_lines = int(raw.select(pl.len()).collect().item())
        n_bad_mapped = int(bad.select(pl.len()).collect().item())
        n, n_bad = n_ok_lines + len(malformed), n_bad_mapped + len(malformed)

    if pseud is not None:
        good = pseud.apply(good)
        bad = pseud.apply(bad)

    def write(path: Path) -> None:
        rows = bad.collect()
        if malformed:
            extra = pl.DataFrame(
                malformed, schema={"_file": pl.String, "_row": pl.UInt32, "_reason": pl.String, "_line": pl.String}
            )
            rows = pl.concat([rows, extra], how="diagonal")
        front = ["_file", "_row", "_reason"]
        rows = rows.select(front + [c for c in rows.columns if c not in front]).sort("_file", "_row")
        rows.write_csv(path)

    written = finish_rejects(rejects_path, n_bad, write)
    result = ReadResult(str(src), good, n, n_bad, written, kind=kind)
    return echo_result(echo, result)


def source_columns(source: str | Path) -> list[str]:
    """The column names of a CSV or Parquet file, or of a (partitioned) folder of them, as the readers find them.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = f.write_text("learner_id,verb\\nann,launched\\n")
    >>> source_columns(f)
    ['learner_id', 'verb']
    """
    import polars as pl

    src = Path(source)
    fmt, files = _files(src)
    try:
        names = _scan_raw(fmt, src, files).collect_schema().names()
    except pl.exceptions.PolarsError as e:
        if fmt != "csv":
            raise damaged_parquet(src, e) from None
        names = [n for f in files for n in csv_tolerant(f, src)[0].columns]
    return list(dict.fromkeys(n for n in names if not n.startswith("_")))


def read_events(
    source: str | Path,
    *,
    workspace: Workspace | None = None,
    pseudonymise: Any = True,
    rejects: str | Path | None = None,
    echo: Echo = print,
) -> ReadResult:
    """Read an events table from a CSV or Parquet file, or a (month-partitioned) folder of them.

    Columns are matched by name (see :data:`mblib.analytics.schema.EVENT_COLUMNS`; missing
    nullable columns become null). Timestamps are ISO 8601 (``Z``, an offset, or none meaning
    UTC), converted to UTC microseconds; ``success`` accepts true/false/1/0/yes/no. Rows that do
    not fit (unknown verb, a timestamp or score that does not parse, a module event without
    module_id, ...) go to ``rejects`` (default ``<name>.rejects.csv`` beside the source) with
    ``_file``, ``_row`` and ``_reason``. The returned table is lazy; one counting pass is made.

    ``pseudonymise``: ``True`` (key from ``workspace``'s settings, else ``$MBLIB_PSEUDONYM_KEY``),
    a :class:`~mblib.analytics.privacy.Pseudonymiser`, or ``False`` for already-pseudonymous data.
    Learner ids in the rejects file are pseudonymised too.
    """
    return _read_table(source, "events", workspace=workspace, pseudonymise=pseudonymise, rejects=rejects, echo=echo)


def read_learners(
    source: str | Path,
    *,
    workspace: Workspace | None = None,
    pseudonymise: Any = True,
    rejects: str | Path | None = None,
    echo: Echo = print,
) -> ReadResult:
    """Read a learners table (learner_id, org_unit, role, country, language, enrolled_at); see :func:`read_events`.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "learners.csv"
    >>> _ = f.write_text("learner_id,country,enrolled_at\\nann,NL,2025-01-06\\n,BE,2025-01-07\\n")
    >>> r = read_learners(f, pseudonymise=False, echo=None)
    >>> r.collect().row(0)
    ('ann', None, None, 'NL', None, datetime.datetime(2025, 1, 6, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC')))
    >>> r.rejected
    1
    """
    return _read_table(source, "learners", workspace=workspace, pseudonymise=pseudonymise, rejects=rejects, echo=echo)


__all__ = ["csv_tolerant", "read_events", "read_learners", "source_columns"]
