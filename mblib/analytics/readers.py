"""Readers: CSV, Parquet, xAPI statements and OULAD, each mapped onto the events/learners tables.

Every reader returns a :class:`ReadResult`: the mapped table (a polars ``LazyFrame``), how many
rows were read and rejected, and where the rejects went. Rows that cannot be mapped are never
dropped silently: each goes to a rejects file with its position and the reason, and one malformed
line does not stop the rest. Learner ids are pseudonymised on read (see
:mod:`mblib.analytics.privacy`) unless ``pseudonymise=False``.

>>> import polars as pl, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "events.csv").write_text(
...     "timestamp,learner_id,verb,module_id\\n"
...     "2025-01-06T09:00:00Z,ann,launched,reading-bar-charts\\n"
...     "2025-01-06T09:05:00Z,ann,clicked,reading-bar-charts\\n")
>>> r = read_events(folder / "events.csv", pseudonymise=False, echo=None)
>>> r.read, r.rejected, r.rejects_path.name
(2, 1, 'events.rejects.csv')
>>> r.summary()
'events.csv: read 2 rows, kept 1, rejected 1 (reasons in events.rejects.csv)'
>>> pl.read_csv(r.rejects_path)["_reason"].to_list()
["unknown verb 'clicked'"]
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Location
from .schema import EVENT_COLUMNS, LEARNER_COLUMNS, VERBS
from .validation import (MAX_DURATION_S, REPLACEMENT, ReaderError, Reject, damaged_parquet, parquet_schema, duration_problem, kind, number, obj, objects, shown, text,
                         text_problem)

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ..content.workspace import Workspace
    from .privacy import Pseudonymiser

Echo = Callable[[str], Any] | None


@dataclass
class ReadResult:
    """What a reader produced: ``table`` (lazy, on the contract), counts and the rejects file.

    ``read`` counts the source rows (statements for xAPI); ``rejected`` those that went to
    ``rejects_path`` (``None`` when nothing was rejected); ``notes`` holds anything else worth
    saying (voided statements removed, LRS pages not followed).
    """

    source: str
    table: "pl.LazyFrame"
    read: int
    rejected: int
    rejects_path: Path | None = None
    kind: str = "events"
    notes: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.read - self.rejected - self.removed

    removed: int = 0  # rows removed on purpose (voided xAPI statements and their voiding statements)

    def summary(self) -> str:
        """One line: source, rows read, kept and rejected, and where the reasons are."""
        unit = "statements" if self.kind == "xapi" else "rows"
        text = f"{Path(self.source).name}: read {self.read:,} {unit}, kept {self.kept:,}, rejected {self.rejected:,}"
        if self.removed:
            text += f", removed {self.removed:,} voided"
        if self.rejects_path is not None:
            text += f" (reasons in {self.rejects_path.name})"
        for note in self.notes:
            text += f"; {note}"
        return text

    def collect(self) -> "pl.DataFrame":
        """The mapped table, collected."""
        return self.table.collect()


# ---------------------------------------------------------------------------------------------
# shared helpers


def _pseudonymiser(pseudonymise: Any, workspace: "Workspace | None") -> "Pseudonymiser | None":
    from .privacy import PrivacyError, Pseudonymiser

    if pseudonymise is False or pseudonymise is None:
        return None
    if isinstance(pseudonymise, Pseudonymiser):
        return pseudonymise
    if workspace is not None:
        return Pseudonymiser.for_workspace(workspace)
    from ..content.settings import PrivacySettings

    try:
        return Pseudonymiser.from_settings(PrivacySettings())
    except PrivacyError as e:
        raise PrivacyError(e.message + " (and no workspace was given)", location=e.location,
                           hint=(e.hint or "") + "; or pass workspace=..., a Pseudonymiser, "
                           "or pseudonymise=False for data that is already pseudonymous") from None


def _default_rejects(source: Path, suffix: str = ".rejects.csv") -> Path:
    if source.is_dir():
        return source.parent / (source.name + suffix)
    name = source.name
    for ext in (".csv.gz", ".jsonl", ".ndjson", ".parquet", ".csv", ".json", ".txt"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    return source.with_name(name + suffix)


def _finish_rejects(path: Path, count: int, write: Callable[[Path], None]) -> Path | None:
    """Write the rejects (atomically) when there are any; remove a stale rejects file otherwise."""
    from ..content.yamlio import atomic_write

    if count == 0:
        if path.exists():
            path.unlink()
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = path.with_name(path.name + ".part")
    write(buf)
    atomic_write(path, buf.read_bytes())
    buf.unlink()
    return path


def _echo(echo: Echo, result: ReadResult) -> ReadResult:
    if echo is not None:
        echo(result.summary())
    return result


# ---------------------------------------------------------------------------------------------
# CSV and Parquet

_TRUE = ["true", "1", "yes", "y", "t"]
_FALSE = ["false", "0", "no", "n", "f"]
_MODULE_VERBS = ["launched", "progressed", "answered", "completed", "passed", "failed"]


def _as_string(name: str, dtype: Any) -> "pl.Expr":
    import polars as pl

    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            col = col.dt.replace_time_zone("UTC")
        return col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
    return col.cast(pl.String)


def _parse_timestamp(raw: "pl.Expr") -> "pl.Expr":
    """ISO 8601 text (``Z``, an offset, or none meaning UTC; date only allowed) to Datetime(us, UTC)."""
    import polars as pl

    s = raw.str.strip_chars().str.replace(" ", "T", literal=True)
    with_offset = s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC", strict=False)
    naive = s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False).dt.replace_time_zone("UTC")
    minutes = s.str.to_datetime("%Y-%m-%dT%H:%M", time_unit="us", strict=False).dt.replace_time_zone("UTC")
    date = s.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    zulu = s.str.replace(r"[zZ]$", "+00:00")
    with_z = zulu.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us", time_zone="UTC", strict=False)
    return pl.coalesce(with_z, with_offset, naive, minutes, date)


def _raw_columns(have: list[str]) -> Callable[[str], "pl.Expr"]:
    """``raw(name)``: a text column stripped, empty as null (null when the source lacks it)."""
    import polars as pl

    def raw(name: str) -> pl.Expr:
        if name in have:
            return pl.col(name).str.strip_chars().replace("", None)
        return pl.lit(None, pl.String)

    return raw


def _reason(checks: list[tuple["pl.Expr", "pl.Expr"]]) -> "pl.Expr":
    """The messages of the failed checks joined with '; ', or null when every check passes."""
    import polars as pl

    return pl.concat_str([pl.when(c.fill_null(False)).then(msg) for c, msg in checks], separator="; ",
                         ignore_nulls=True).replace("", None)


def _not_utf8(learner: "pl.Expr") -> tuple["pl.Expr", "pl.Expr"]:
    """A learner id with U+FFFD: undecodable bytes (the file is read with replacement); learners would merge."""
    import polars as pl

    return learner.str.contains(REPLACEMENT, literal=True), pl.lit(text_problem(REPLACEMENT, "learner_id"))


def _events_mapping(have: list[str]) -> tuple[list["pl.Expr"], "pl.Expr"]:
    """(expressions for the contract columns, expression giving the reject reason or null)."""
    import polars as pl

    raw = _raw_columns(have)
    ts = _parse_timestamp(raw("timestamp"))
    score = raw("score").cast(pl.Float64, strict=False)
    duration = raw("duration_s").cast(pl.Float64, strict=False)
    succ_raw = raw("success").str.to_lowercase()
    success = pl.when(succ_raw.is_in(_TRUE)).then(True).when(succ_raw.is_in(_FALSE)).then(False)
    verb_raw = raw("verb").str.to_lowercase()
    response = raw("response")
    response = response.str.split(" ").list.eval(pl.element().filter(pl.element() != "")).list.sort().list.join(" ")
    cols = {
        "timestamp": ts,
        "learner_id": raw("learner_id"),
        "verb": verb_raw.cast(pl.Enum(list(VERBS)), strict=False),
        "credential_id": raw("credential_id"),
        "module_id": raw("module_id"),
        "block_id": raw("block_id"),
        "score": score,
        "success": success.otherwise(None).cast(pl.Boolean),
        "duration_s": duration,
        "response": response,
        "language": raw("language"),
    }
    v = verb_raw
    checks: list[tuple[pl.Expr, pl.Expr]] = [
        (raw("timestamp").is_null(), pl.lit("timestamp is empty")),
        (raw("timestamp").is_not_null() & ts.is_null(),
         pl.format("timestamp '{}' is not an ISO 8601 date-time", raw("timestamp"))),
        (raw("learner_id").is_null(), pl.lit("learner_id is empty")),
        _not_utf8(raw("learner_id")),
        (v.is_null(), pl.lit("verb is empty")),
        (v.is_not_null() & ~v.is_in(list(VERBS)), pl.format("unknown verb '{}'", raw("verb"))),
        (raw("score").is_not_null() & score.is_null(), pl.format("score '{}' is not a number", raw("score"))),
        (score.is_nan(), pl.lit("score NaN is not a number")),
        (~score.is_nan() & ((score < 0) | (score > 1)), pl.format("score {} is outside 0..1", score)),
        (raw("duration_s").is_not_null() & duration.is_null(),
         pl.format("duration_s '{}' is not a number", raw("duration_s"))),
        (duration.is_nan(), pl.lit("duration_s is not a number (NaN)")),
        (duration < 0, pl.format("duration_s {} is negative", duration)),
        (~duration.is_nan() & (duration > MAX_DURATION_S),
         pl.format(f"duration_s {{}} is longer than a year (at most {MAX_DURATION_S:,.0f} s)", duration)),
        (succ_raw.is_not_null() & ~succ_raw.is_in(_TRUE + _FALSE),
         pl.format("success '{}' is not true or false", raw("success"))),
        (v.is_in(_MODULE_VERBS) & raw("module_id").is_null(), pl.format("event '{}' has no module_id", v)),
        (v.is_in(["progressed", "answered"]) & raw("block_id").is_null(), pl.format("event '{}' has no block_id", v)),
        (v.is_in(["enrolled", "earned"]) & raw("credential_id").is_null(),
         pl.format("event '{}' has no credential_id", v)),
    ]
    return [e.alias(n) for n, e in cols.items()], _reason(checks)


def _learners_mapping(have: list[str]) -> tuple[list["pl.Expr"], "pl.Expr"]:
    import polars as pl

    raw = _raw_columns(have)
    enrolled = _parse_timestamp(raw("enrolled_at"))
    cols = [raw(c).alias(c) for c in ("learner_id", "org_unit", "role", "country", "language")]
    cols.append(enrolled.alias("enrolled_at"))
    checks = [
        (raw("learner_id").is_null(), pl.lit("learner_id is empty")),
        _not_utf8(raw("learner_id")),
        (raw("enrolled_at").is_not_null() & enrolled.is_null(),
         pl.format("enrolled_at '{}' is not an ISO 8601 date-time", raw("enrolled_at"))),
    ]
    return cols, _reason(checks)


def _files(source: Path) -> tuple[str, list[Path]]:
    """(format, files) of a file or a (partitioned) folder."""
    if not source.exists():
        raise ReaderError(f"{source} does not exist", location=Location(file=str(source)),
                          hint="check the path (a .csv or .parquet file, or a folder of them)")
    if source.is_file():
        files = [source]
    else:
        files = sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
                       and p.suffix.lower() in (".csv", ".parquet") and ".rejects." not in p.name)
        if not files:
            raise ReaderError(f"the folder {source} holds no .csv or .parquet files",
                              location=Location(file=str(source)), hint="point at the file or folder with the data")
    kinds = {p.suffix.lower() for p in files}
    if kinds - {".csv", ".parquet"} or len(kinds) != 1:
        raise ReaderError(f"cannot read {source}: found {sorted(kinds)} files",
                          location=Location(file=str(source)),
                          hint="use one format per folder: .csv or .parquet (xAPI: read_xapi, OULAD: read_oulad)")
    return kinds.pop().lstrip("."), files


def _scan_raw(fmt: str, source: Path, files: list[Path], kind: str = "events") -> "pl.LazyFrame":
    """All columns as text, plus ``_file`` and ``_row`` (1-based data row within its file)."""
    import polars as pl

    frames = []
    for f in files:
        if fmt == "parquet":
            contract = EVENT_COLUMNS if kind == "events" else LEARNER_COLUMNS
            schema = parquet_schema(f, contract, kind)
            lf = pl.scan_parquet(f, hive_partitioning=False)  # other nested columns are not read
            lf = lf.select([_as_string(n, t).alias(n) for n, t in schema.items() if n in contract or not t.is_nested()])
        else:
            lf = pl.scan_csv(f, infer_schema=False, null_values=[""])
        rel = str(f.relative_to(source)) if f != source else f.name
        frames.append(lf.with_row_index("_row", offset=1).with_columns(pl.lit(rel).alias("_file")))
    return pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]


def _csv_tolerant(path: Path, source: Path) -> tuple["pl.DataFrame", list[dict[str, Any]]]:
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
                bad.append({"_file": rel, "_row": rows_seen,
                            "_reason": f"line has {len(row)} fields, the header has {len(header)}",
                            "_line": ",".join(row)})
                continue
            good.append([v if v != "" else None for v in row] + [rows_seen])  # type: ignore[list-item]
    cols = header + ["_row"]
    data = {c: [r[i] for r in good] for i, c in enumerate(cols)}
    df = pl.DataFrame({c: pl.Series(c, v, dtype=pl.UInt32 if c == "_row" else pl.String) for c, v in data.items()})
    return df.with_columns(pl.lit(rel).alias("_file")), bad


def _read_table(source: str | Path, kind: Literal["events", "learners"], *, workspace: "Workspace | None",
                pseudonymise: Any, rejects: str | Path | None, echo: Echo) -> ReadResult:
    import polars as pl

    src = Path(source)
    fmt, files = _files(src)
    pseud = _pseudonymiser(pseudonymise, workspace)
    rejects_path = Path(rejects) if rejects else _default_rejects(src)
    mapping = _events_mapping if kind == "events" else _learners_mapping
    malformed: list[dict[str, Any]] = []

    def build(raw: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        have = [c for c in raw.collect_schema().names() if not c.startswith("_")]
        if "learner_id" not in have:
            raise ReaderError(f"{src} has no learner_id column (its columns: {', '.join(have)})",
                              location=Location(file=str(src), field="learner_id"),
                              hint=f"rename the learner column to learner_id; the {kind} columns are "
                                   f"{', '.join(EVENT_COLUMNS if kind == 'events' else LEARNER_COLUMNS)}")
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
            df, bad_lines = _csv_tolerant(f, src)
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
            extra = pl.DataFrame(malformed, schema={"_file": pl.String, "_row": pl.UInt32, "_reason": pl.String,
                                                    "_line": pl.String})
            rows = pl.concat([rows, extra], how="diagonal")
        front = ["_file", "_row", "_reason"]
        rows = rows.select(front + [c for c in rows.columns if c not in front]).sort("_file", "_row")
        rows.write_csv(path)

    written = _finish_rejects(rejects_path, n_bad, write)
    result = ReadResult(str(src), good, n, n_bad, written, kind=kind)
    return _echo(echo, result)


def read_events(source: str | Path, *, workspace: "Workspace | None" = None, pseudonymise: Any = True,
                rejects: str | Path | None = None, echo: Echo = print) -> ReadResult:
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


def read_learners(source: str | Path, *, workspace: "Workspace | None" = None, pseudonymise: Any = True,
                  rejects: str | Path | None = None, echo: Echo = print) -> ReadResult:
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
    return _read_table(source, "learners", workspace=workspace, pseudonymise=pseudonymise, rejects=rejects,
                       echo=echo)


# ---------------------------------------------------------------------------------------------
# xAPI

ADL = "http://adlnet.gov/expapi/verbs/"
XAPI_VERBS: dict[str, str] = {
    ADL + "registered": "enrolled",
    "https://w3id.org/xapi/tla/verbs/registered": "enrolled",
    "http://id.tincanapi.com/verb/enrolled": "enrolled",
    ADL + "launched": "launched",
    ADL + "initialized": "launched",
    ADL + "attempted": "launched",
    ADL + "progressed": "progressed",
    ADL + "experienced": "progressed",
    "http://id.tincanapi.com/verb/viewed": "progressed",
    ADL + "answered": "answered",
    ADL + "responded": "answered",
    ADL + "completed": "completed",
    ADL + "passed": "passed",
    ADL + "failed": "failed",
    "http://id.tincanapi.com/verb/earned": "earned",
    "https://w3id.org/xapi/adl/verbs/satisfied": "earned",
}
"""ADL (and common community) verb IRIs -> event verbs. Pass ``verbs=`` to add your own."""
VOIDED = ADL + "voided"

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:[.,]\d+)?)Y)?(?:(?P<mo>\d+(?:[.,]\d+)?)M)?(?:(?P<w>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<d>\d+(?:[.,]\d+)?)D)?(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<mi>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$")


def iso_duration_seconds(text: str) -> float:
    """Seconds in an ISO 8601 duration, as xAPI ``result.duration`` writes it.

    Years and months are counted as 365 and 30 days (xAPI durations are rarely that long).

    >>> iso_duration_seconds("PT1H2M3.5S"), iso_duration_seconds("P1DT30M"), iso_duration_seconds("PT0,5S")
    (3723.5, 88200.0, 0.5)
    >>> iso_duration_seconds("1 hour")
    Traceback (most recent call last):
    ...
    ValueError: '1 hour' is not an ISO 8601 duration (e.g. PT4M30S)
    """
    m = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not m or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration (e.g. PT4M30S)")
    unit = {"y": 365 * 86400, "mo": 30 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "mi": 60, "s": 1}
    return float(sum(float(v.replace(",", ".")) * unit[k] for k, v in m.groupdict().items() if v))


def _parse_iso_datetime(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError(f"timestamp {text!r} is not text")
    t = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


class _ActivityIndex:
    """Maps activity IRIs to (credential_id, module_id, block_id) through the workspace's ids."""

    def __init__(self, workspace: "Workspace", extra: dict[str, tuple[str | None, str | None, str | None]] | None):
        self.modules = {mid: {b.id for b in m.blocks} for mid, m in workspace.modules.items()}
        self.credentials = set(workspace.credentials)
        self.extra = extra or {}

    def block_in(self, iri: str, module: str) -> str | None:
        """The block of ``module`` that the IRI names (its last matching path segment)."""
        parts = [p for p in re.split(r"[/#?=&]", iri) if p]
        hits = [p for p in parts if p in self.modules.get(module, ())]
        return hits[-1] if hits else None

    def lookup(self, iri: str) -> tuple[str | None, str | None, str | None] | None:
        if iri in self.extra:
            return self.extra[iri]
        parts = [p for p in re.split(r"[/#?=&]", iri) if p]
        module = block = cred = None
        for i, part in enumerate(parts):
            if part in self.modules:
                module = part
                for later in parts[i + 1:]:
                    if later in self.modules[part]:
                        block = later
            elif part in self.credentials:
                cred = part
        if module is None and cred is None:
            return None
        return cred, module, block


def _iter_json_file(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """(position, parsed value or None, error) for each statement-like item in one file.

    Handles a JSON array, JSON lines, a single statement, and a StatementResult page; a
    truncated or malformed part is reported and the parser resumes at the next object.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    stripped = text.lstrip()
    if not stripped:
        return
    decoder = json.JSONDecoder()
    lines = path.suffix.lower() in (".jsonl", ".ndjson")
    if stripped[0] == "{" or lines:
        try:
            value = json.loads(text) if not lines else None
        except (json.JSONDecodeError, RecursionError):
            value = None
        if isinstance(value, dict):
            yield ("1", value, None)
            return
        # JSON lines (or a broken single object)
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield (f"line {lineno}", json.loads(line), None)
            except json.JSONDecodeError as e:
                yield (f"line {lineno}", line[:2000], f"malformed JSON: {e.msg} at column {e.colno}")
            except RecursionError:
                yield (f"line {lineno}", line[:2000], "malformed JSON: nested too deeply to read")
        return
    if stripped[0] != "[":
        yield ("1", text[:2000], "not JSON: a file of statements starts with '[' or '{'")
        return
    pos = text.index("[") + 1
    index = 0
    n = len(text)
    while pos < n:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] == "]":
            break
        index += 1
        try:
            value, end = decoder.raw_decode(text, pos)
            yield (f"item {index}", value, None)
            pos = end
            continue
        except json.JSONDecodeError as e:
            err = f"malformed JSON: {e.msg} (char {e.pos})"
        except RecursionError:
            err = f"malformed JSON: nested too deeply to read (char {pos})"
        # resume at the next '{' that starts a whole statement
        nxt = pos + 1
        resumed = False
        while True:
            nxt = text.find("{", nxt)
            if nxt < 0:
                break
            try:
                value, end = decoder.raw_decode(text, nxt)
            except (json.JSONDecodeError, RecursionError):
                nxt += 1
                continue
            if isinstance(value, dict) and "verb" in value and "actor" in value:
                yield (f"item {index}", text[pos:nxt].strip().rstrip(",")[:2000], err)
                pos = nxt
                resumed = True
                break
            nxt += 1
        if not resumed:
            yield (f"item {index}", text[pos:].strip()[:2000], err + "; the rest of the file is truncated")
            break


def _xapi_files(sources: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for s in sources:
        p = Path(s)
        if not p.exists():
            raise ReaderError(f"{p} does not exist", location=Location(file=str(p)),
                              hint="give a .json/.jsonl file of statements, or a folder of them")
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".json", ".jsonl", ".ndjson")
                            and ".rejects." not in f.name)
        else:
            files.append(p)
    return files


def _actor_id(actor: Any) -> str | None:
    """The learner id of an actor (account homePage|name, mbox, mbox_sha1sum or openid), or ``None``.

    Lenient (never raises): used to pseudonymise rejected statements; :func:`_learner` checks.
    """
    try:
        return _learner(actor)
    except Reject:
        return None


def _learner(actor: Any) -> str | None:
    """The learner id of an actor; :class:`Reject` when a part of it is of the wrong kind or not valid text."""
    if actor is None:
        return None
    if not isinstance(actor, dict):
        raise Reject(f"actor {shown(actor)} is {kind(actor)}, not an object")
    acc = obj(actor, "account", "actor.account")
    name = text(acc, "name", "actor.account.name")
    if name:
        home = text(acc, "homePage", "actor.account.homePage") or ""
        return f"{home}|{name}" if home else name
    for key in ("mbox", "mbox_sha1sum", "openid"):
        v = text(actor, key, f"actor.{key}")
        if v:
            return v[len("mailto:"):] if v.startswith("mailto:") else v
    return None


def _response(result: dict[str, Any]) -> str | None:
    r = result.get("response")
    if r is None:
        return None
    if isinstance(r, bool) or not isinstance(r, (str, int, float)):
        raise Reject(f"result.response {shown(r)} is {kind(r)}, not text")
    if isinstance(r, str) and (problem := text_problem(r, "result.response")):
        raise Reject(problem)
    parts = [p.strip() for p in re.split(r"\[,\]|\s+", str(r)) if p.strip()]
    return " ".join(sorted(parts)) or None


def _score(result: dict[str, Any]) -> float | None:
    """``result.score.scaled``, else ``(raw - min) / (max - min)``; :class:`Reject` on a bad shape or range."""
    sc = obj(result, "score", "result.score")
    scaled = number(sc, "scaled", "result.score.scaled")
    score = scaled
    if scaled is None:
        raw = number(sc, "raw", "result.score.raw")
        hi = number(sc, "max", "result.score.max")
        lo = number(sc, "min", "result.score.min") or 0.0
        if raw is not None and hi not in (None, 0) and hi != lo:
            score = (raw - lo) / (hi - lo)  # type: ignore[operator]
    if score is not None and not (math.isfinite(score) and 0 <= score <= 1):
        return _reject(f"result.score.scaled {score} is outside 0..1")
    return score


def _reject(reason: str) -> Any:
    raise Reject(reason)


def _map_statement(st: Any, index: _ActivityIndex, verbs: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
    """(event row, None) or (None, reason). Never raises, whatever the JSON's shape."""
    if not isinstance(st, dict):
        return None, "not a statement (expected a JSON object)"
    try:
        return _map_checked(st, index, verbs), None
    except Reject as e:
        return None, e.reason
    except Exception as e:  # noqa: BLE001 - a shape no check foresaw is a reject, never an aborted read
        return None, f"statement could not be mapped ({type(e).__name__}: {e})"


def _map_checked(st: dict[str, Any], index: _ActivityIndex, verbs: dict[str, str]) -> dict[str, Any]:
    text(st, "id", "id")  # a statement id is a UUID string (voiding refers to it)
    verb_iri = text(obj(st, "verb", "verb"), "id", "verb.id")
    if not verb_iri:
        raise Reject("statement has no verb.id")
    mapped = verbs.get(verb_iri)
    if mapped is None:
        raise Reject(f"unknown verb IRI {verb_iri} (map it with verbs={{'{verb_iri}': 'progressed'}})")
    learner = _learner(st.get("actor"))
    if not learner:
        raise Reject("actor has no account name, mbox, mbox_sha1sum or openid")
    stamp = st.get("timestamp") or st.get("stored")
    if not stamp:
        raise Reject("statement has no timestamp")
    try:
        ts = _parse_iso_datetime(stamp)
    except (ValueError, OverflowError):
        raise Reject(f"timestamp {stamp!r} is not ISO 8601"[:300]) from None
    obj_id = text(obj(st, "object", "object"), "id", "object.id")
    if not obj_id:
        raise Reject("statement has no object.id")
    found = index.lookup(obj_id)
    ctx = obj(st, "context", "context")
    cred = module = block = None
    if found is not None:
        cred, module, block = found
    acts = obj(ctx, "contextActivities", "context.contextActivities")
    for key in ("parent", "grouping"):
        for i, act in enumerate(objects(acts, key, f"context.contextActivities.{key}"), 1):
            act_id = text(act, "id", f"context.contextActivities.{key}[{i}].id")
            hit = index.lookup(act_id) if act_id else None
            if hit:
                cred = cred or hit[0]
                module = module or hit[1]
    if found is None and module is not None:  # a block named only by its id, its module by the parent
        block = index.block_in(obj_id, module)
        found = (cred, module, block) if block else None
    if found is None:
        raise Reject(f"activity {obj_id} matches no module, block or credential of the workspace")
    if mapped in _MODULE_VERBS and module is None:
        raise Reject(f"a '{mapped}' statement about {obj_id} names no module of the workspace")
    if mapped in ("progressed", "answered") and block is None:
        raise Reject(f"a '{mapped}' statement about {obj_id} names no block of module '{module}'")
    if mapped in ("enrolled", "earned") and cred is None:
        raise Reject(f"a '{mapped}' statement about {obj_id} names no credential of the workspace")
    result = obj(st, "result", "result")
    score = _score(result)
    duration = None
    raw_duration = result.get("duration")
    if raw_duration is not None:
        try:
            duration = iso_duration_seconds(raw_duration)
        except ValueError as e:
            raise Reject(f"result.duration: {e}"[:300]) from None
        problem = duration_problem(duration, f"result.duration {raw_duration!r}")
        if problem:
            raise Reject(problem)
    success = result.get("success")
    if success is not None and not isinstance(success, bool):
        raise Reject(f"result.success {success!r} is not true or false"[:300])
    if mapped in ("enrolled", "earned"):
        module = block = None
    language = ctx.get("language")
    return {
        "timestamp": ts, "learner_id": learner, "verb": mapped, "credential_id": cred, "module_id": module,
        "block_id": block, "score": score, "success": success, "duration_s": duration,
        "response": _response(result),
        "language": text(ctx, "language", "context.language") if isinstance(language, str) else None,
    }


def read_xapi(sources: str | Path | Iterable[str | Path], workspace: "Workspace", *, pseudonymise: Any = True,
              verbs: dict[str, str] | None = None,
              activities: dict[str, tuple[str | None, str | None, str | None]] | None = None,
              rejects: str | Path | None = None, echo: Echo = print) -> ReadResult:
    """Read xAPI statements onto the events table.

    ``sources``: files or folders holding a JSON array of statements, JSON lines, one statement
    per file, or LRS ``StatementResult`` pages (``{"statements": [...], "more": "..."}``; save each
    page as a file, the ``more`` links are checked for a gap). ADL verb IRIs map through
    :data:`XAPI_VERBS` (extend with ``verbs``); activity ids map to module, block and credential
    ids through the workspace: an IRI whose path names a module id (then a block id of that
    module) or a credential id, e.g. ``https://lms.example/xapi/modules/reading-bar-charts/blocks/axis-check``;
    ``context.contextActivities.parent``/``grouping`` supply the module or credential when the
    object is a block. ``result.duration`` (ISO 8601) becomes seconds, ``result.score.scaled`` the
    score, ``result.response`` (``a[,]b``) sorted space-separated choice ids, ``context.language``
    the language. Voided statements and the statements that void them are removed (counted in
    ``removed``). Everything else that cannot be mapped goes to ``rejects`` (JSON lines: source,
    position, reason, statement; default ``<name>.rejects.jsonl``).
    """
    import polars as pl

    from .schema import events_schema

    if isinstance(sources, (str, Path)):
        sources = [sources]
    sources = list(sources)
    files = _xapi_files(sources)
    first = Path(sources[0]) if sources else Path("xapi")
    rejects_path = Path(rejects) if rejects else _default_rejects(first, ".rejects.jsonl")
    pseud = _pseudonymiser(pseudonymise, workspace)
    index = _ActivityIndex(workspace, activities)
    table = dict(XAPI_VERBS)
    table.update(verbs or {})
    items: list[tuple[str, str, Any]] = []
    bad: list[dict[str, Any]] = []
    notes: list[str] = []
    pages_more: list[str] = []
    page_ids: set[str] = set()
    for f in files:
        rel = str(f)
        for pos, value, err in _iter_json_file(f):
            if err:
                bad.append({"source": rel, "position": pos, "reason": err, "statement": value})
                continue
            if isinstance(value, dict) and isinstance(value.get("statements"), list) and "verb" not in value:
                if value.get("more"):
                    pages_more.append(str(value["more"]))
                page_ids.add(f.name)
                for i, st in enumerate(value["statements"], 1):
                    items.append((rel, f"{pos}, statements[{i}]", st))
            elif isinstance(value, list):
                for i, st in enumerate(value, 1):
                    items.append((rel, f"{pos}[{i}]", st))
            else:
                items.append((rel, pos, value))
    # voiding
    voided: set[str] = set()
    voiding: set[int] = set()
    for k, (_, _, st) in enumerate(items):
        if isinstance(st, dict) and isinstance(st.get("verb"), dict) and st["verb"].get("id") == VOIDED:
            obj = st.get("object") if isinstance(st.get("object"), dict) else {}
            if obj.get("id"):
                voided.add(str(obj["id"]))
            voiding.add(k)
    rows: list[dict[str, Any]] = []
    removed = 0
    for k, (rel, pos, st) in enumerate(items):
        if k in voiding or (isinstance(st, dict) and isinstance(st.get("id"), str) and st["id"] in voided):
            removed += 1
            continue
        row, reason = _map_statement(st, index, table)
        if row is None:
            bad.append({"source": rel, "position": pos, "reason": reason, "statement": st})
        else:
            rows.append(row)
    if pages_more:
        # a page's `more` is followed by a later page; the last page's `more` is empty
        unfollowed = len(pages_more) - max(0, len(page_ids) - 1)
        if unfollowed > 0:
            notes.append(f"{unfollowed} StatementResult page(s) point to more results ({pages_more[-1]}) "
                         "that were not given: fetch them from the LRS and read them too")
    n_read = len(items) + sum(1 for b in bad if b["reason"].startswith(("malformed", "not JSON")))
    schema = events_schema()
    df = pl.DataFrame(rows, schema={k: (pl.String if k == "verb" else v) for k, v in schema.items()}) \
        .with_columns(pl.col("verb").cast(schema["verb"]))
    lf = df.lazy()
    if pseud is not None:
        lf = pseud.apply(lf)

    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as out:
            for b in bad:
                st = b["statement"]
                if pseud is not None and isinstance(st, dict) and "actor" in st:
                    st = dict(st)
                    aid = _actor_id(st.get("actor"))
                    st["actor"] = {"pseudonym": pseud.pseudonym(aid)} if aid else None
                try:
                    line = json.dumps({**b, "statement": st}, ensure_ascii=False, default=str)
                except (RecursionError, ValueError):
                    line = json.dumps({**b, "statement": repr(st)[:2000]}, ensure_ascii=False)
                out.write(line + "\n")

    written = _finish_rejects(rejects_path, len(bad), write)
    result = ReadResult(str(first), lf, n_read, len(bad), written, kind="xapi", notes=notes, removed=removed)
    return _echo(echo, result)


# ---------------------------------------------------------------------------------------------
# OULAD

OULAD_TABLES = ("courses", "assessments", "vle", "studentInfo", "studentRegistration", "studentAssessment",
                "studentVle")
"""The seven tables of the Open University Learning Analytics Dataset (Kuzilek et al., 2017)."""

_OULAD_INTS = {
    "courses": ["module_presentation_length"],
    "assessments": ["id_assessment", "date", "weight"],
    "vle": ["id_site", "week_from", "week_to"],
    "studentInfo": ["id_student", "num_of_prev_attempts", "studied_credits"],
    "studentRegistration": ["id_student", "date_registration", "date_unregistration"],
    "studentAssessment": ["id_assessment", "id_student", "date_submitted", "is_banked", "score"],
    "studentVle": ["id_student", "id_site", "date", "sum_click"],
}
_OULAD_REQUIRED = {
    "courses": ["code_module", "code_presentation"],
    "assessments": ["code_module", "code_presentation", "id_assessment"],
    "vle": ["id_site", "code_module", "code_presentation"],
    "studentInfo": ["code_module", "code_presentation", "id_student"],
    "studentRegistration": ["code_module", "code_presentation", "id_student"],
    "studentAssessment": ["id_assessment", "id_student"],
    "studentVle": ["code_module", "code_presentation", "id_student", "id_site", "date"],
}


@dataclass
class OuladData:
    """OULAD mapped onto the contract: ``events`` and ``learners`` results plus per-table counts."""

    events: ReadResult
    learners: ReadResult
    tables: dict[str, tuple[int, int]]  # table -> (read, rejected)

    def summary(self) -> str:
        parts = [f"{t}: {r:,} read, {b:,} rejected" for t, (r, b) in self.tables.items()]
        return "OULAD " + "; ".join(parts)


def presentation_start(code_presentation: str) -> datetime:
    """Start date of an OULAD presentation: ``2013B`` starts in February, ``2013J`` in October.

    (Kuzilek, Hlosta & Zdrahal 2017, Scientific Data 4:170171; dates in the tables are days
    relative to this start.)

    >>> presentation_start("2014J").date().isoformat()
    '2014-10-01'
    """
    m = re.fullmatch(r"(\d{4})([BJ])", code_presentation.strip())
    if not m:
        raise ValueError(f"code_presentation {code_presentation!r} is not like 2013B or 2014J")
    return datetime(int(m.group(1)), 2 if m.group(2) == "B" else 10, 1, tzinfo=timezone.utc)


def _oulad_scan(folder: Path, table: str) -> "pl.LazyFrame":
    import polars as pl

    path = folder / f"{table}.csv"
    if not path.is_file():
        raise ReaderError(f"the OULAD table {table}.csv is missing from {folder}",
                          location=Location(file=str(path)),
                          hint=f"the folder needs all of: {', '.join(t + '.csv' for t in OULAD_TABLES)}")
    try:
        lf = pl.scan_csv(path, infer_schema=False, null_values=["?", ""], quote_char='"')
        lf.head(1).collect()
        lf.select(pl.len()).collect()
        return lf.with_row_index("_row", offset=1)
    except pl.exceptions.PolarsError:
        df, bad = _csv_tolerant(path, path)
        df = df.with_columns([pl.col(c).replace("?", None) for c in df.columns if c not in ("_row", "_file")])
        lf = df.lazy().drop("_file")
        if bad:
            lf = pl.concat([lf, pl.DataFrame([{"_row": b["_row"], "_bad": b["_reason"]} for b in bad],
                                             schema={"_row": pl.UInt32, "_bad": pl.String}).lazy()],
                           how="diagonal")
        return lf


def _typed(lf: "pl.LazyFrame", table: str) -> "pl.LazyFrame":
    """Give each row its reject reason (non-numeric ids, dates and scores; missing keys)."""
    import polars as pl

    have = lf.collect_schema().names()
    ints = [c for c in _OULAD_INTS[table] if c in have]
    checks = []
    for c in ints:
        raw = pl.col(c).str.strip_chars()
        checks.append(pl.when(raw.is_not_null() & raw.cast(pl.Float64, strict=False).is_null())
                      .then(pl.format(f"{c} '{{}}' is not a number", raw)))
    for c in _OULAD_REQUIRED[table]:
        if c not in have:
            raise ReaderError(f"OULAD table {table}.csv has no column {c}", location=Location(field=c),
                              hint="use the published OULAD files (header row with the original column names)")
        checks.append(pl.when(pl.col(c).is_null()).then(pl.lit(f"{c} is missing")))
    if "_bad" in have:
        checks.insert(0, pl.col("_bad"))
    reason = pl.concat_str(checks, separator="; ", ignore_nulls=True).replace("", None)
    return lf.with_columns(reason.alias("_reason"))


def _cleaned(lf: "pl.LazyFrame", table: str) -> "pl.LazyFrame":
    """The numeric columns of the rows that passed :func:`_typed`, as numbers."""
    import polars as pl

    have = lf.collect_schema().names()
    return lf.with_columns([pl.col(c).str.strip_chars().cast(pl.Float64, strict=False).alias(c)
                            for c in _OULAD_INTS[table] if c in have])


def read_oulad(folder: str | Path, *, pseudonymise: Any = True, workspace: "Workspace | None" = None,
               rejects: str | Path | None = None, pass_mark: float = 0.4, echo: Echo = print) -> OuladData:
    """Read the seven OULAD tables (quoted or unquoted CSV, ``?`` or empty as missing) onto the contract.

    Mapping (dates are days from the presentation start, see :func:`presentation_start`):

    - a course presentation (``code_module`` + ``code_presentation``, e.g. ``AAA-2013J``) is a credential;
    - each assessment is a module ``<course>-assessment-<id_assessment>``; each VLE site a block
      ``site-<id_site>`` of the module ``<course>-vle``;
    - ``studentRegistration`` -> ``enrolled`` (at ``date_registration``);
    - ``studentVle`` -> ``progressed`` on the site (``sum_click`` kept in ``response`` as
      ``clicks=N``; one event per student, site and day);
    - ``studentAssessment`` -> ``completed`` (submitted) plus ``passed``/``failed`` against
      ``pass_mark`` (OU pass mark 40/100) with ``score`` = score/100; a missing score gives only
      ``completed``;
    - ``studentInfo`` -> the learners table (``region`` as org_unit, country ``GB``, language
      ``en``) and ``earned`` at the end of the presentation for Pass or Distinction.

    Rows with a non-numeric id, date or score, or a missing key, go to the rejects file (CSV
    with ``_table``, ``_row`` and ``_reason``; default ``<folder>.rejects.csv``).
    """
    import polars as pl

    src = Path(folder)
    if not src.is_dir():
        raise ReaderError(f"{src} is not a folder", location=Location(file=str(src)),
                          hint="point at the folder holding the seven OULAD .csv files")
    pseud = _pseudonymiser(pseudonymise, workspace)
    rejects_path = Path(rejects) if rejects else _default_rejects(src)
    t = {name: _typed(_oulad_scan(src, name), name) for name in OULAD_TABLES}
    ok = {name: _cleaned(lf.filter(pl.col("_reason").is_null()), name) for name, lf in t.items()}
    course = pl.concat_str([pl.col("code_module"), pl.col("code_presentation")], separator="-")
    year = pl.col("code_presentation").str.slice(0, 4).cast(pl.Int32, strict=False)
    month = pl.when(pl.col("code_presentation").str.slice(4, 1) == "B").then(2).otherwise(10)
    start = pl.datetime(year, month, 1, time_unit="us", time_zone="UTC")

    def at(days: pl.Expr) -> pl.Expr:
        return start + pl.duration(days=days.cast(pl.Int64))

    bad_pres = ~pl.col("code_presentation").str.contains(r"^\d{4}[BJ]$")
    null_s, null_f = pl.lit(None, pl.String), pl.lit(None, pl.Float64)

    def events(verb: str, **cols: pl.Expr) -> list[pl.Expr]:
        base = {"timestamp": None, "learner_id": pl.col("id_student").cast(pl.Int64).cast(pl.String),
                "verb": pl.lit(verb), "credential_id": null_s, "module_id": null_s, "block_id": null_s,
                "score": null_f, "success": pl.lit(None, pl.Boolean), "duration_s": null_f, "response": null_s,
                "language": pl.lit("en")}
        base.update(cols)
        return [v.alias(k) for k, v in base.items()]

    reg = ok["studentRegistration"].filter(pl.col("date_registration").is_not_null() & ~bad_pres)
    enrolled = reg.select(events("enrolled", timestamp=at(pl.col("date_registration")), credential_id=course))
    vle = ok["studentVle"].filter(~bad_pres).select(events(
        "progressed", timestamp=at(pl.col("date")), credential_id=course,
        module_id=pl.concat_str([course, pl.lit("vle")], separator="-"),
        block_id=pl.format("site-{}", pl.col("id_site").cast(pl.Int64)),
        response=pl.format("clicks={}", pl.col("sum_click").cast(pl.Int64))))
    assess = ok["assessments"].filter(~bad_pres).select("id_assessment", "code_module", "code_presentation")
    sa = ok["studentAssessment"].join(assess, on="id_assessment", how="inner")
    module = pl.format("{}-assessment-{}", course, pl.col("id_assessment").cast(pl.Int64))
    score = (pl.col("score") / 100.0).clip(0.0, 1.0)
    submitted = sa.filter(pl.col("date_submitted").is_not_null())
    completed = submitted.select(events("completed", timestamp=at(pl.col("date_submitted")), credential_id=course,
                                        module_id=module, score=score))
    graded = submitted.filter(pl.col("score").is_not_null())
    verdict = graded.select(events("passed", timestamp=at(pl.col("date_submitted")), credential_id=course,
                                   module_id=module, score=score, success=score >= pass_mark)) \
        .with_columns(pl.when(pl.col("success")).then(pl.lit("passed")).otherwise(pl.lit("failed")).alias("verb"))
    info = ok["studentInfo"].filter(~bad_pres)
    courses = ok["courses"].select("code_module", "code_presentation", "module_presentation_length")
    earned = info.filter(pl.col("final_result").is_in(["Pass", "Distinction"])).join(
        courses, on=["code_module", "code_presentation"], how="left").select(events(
            "earned", timestamp=at(pl.col("module_presentation_length").fill_null(0)), credential_id=course))
    ev = pl.concat([enrolled, vle, completed, verdict, earned], how="vertical_relaxed") \
        .with_columns(pl.col("verb").cast(pl.Enum(list(VERBS))))
    first_reg = ok["studentRegistration"].filter(~bad_pres & pl.col("date_registration").is_not_null()).group_by(
        pl.col("id_student").cast(pl.Int64).cast(pl.String).alias("learner_id")).agg(
        at(pl.col("date_registration")).min().alias("enrolled_at"))
    learners = info.group_by(pl.col("id_student").cast(pl.Int64).cast(pl.String).alias("learner_id")).agg(
        pl.col("region").sort_by("_row").last().alias("org_unit")).with_columns(
        pl.lit(None, pl.String).alias("role"), pl.lit("GB").alias("country"), pl.lit("en").alias("language")) \
        .join(first_reg, on="learner_id", how="left").select(list(LEARNER_COLUMNS))
    # presentations with a bad code are rejected in every table that has one
    rejected_frames = []
    counts: dict[str, tuple[int, int]] = {}
    for name, lf in t.items():
        reason = pl.col("_reason")
        if "code_presentation" in lf.collect_schema().names():
            reason = pl.concat_str([reason, pl.when(pl.col("code_presentation").is_not_null() & bad_pres).then(
                pl.format("code_presentation '{}' is not like 2013B or 2014J", pl.col("code_presentation")))],
                separator="; ", ignore_nulls=True).replace("", None)
        tagged = lf.with_columns(reason.alias("_reason"))
        c = tagged.select(pl.len().alias("n"), pl.col("_reason").is_not_null().sum().alias("bad")).collect()
        n, nb = int(c["n"][0]), int(c["bad"][0])
        counts[name] = (n, nb)
        if nb:
            bad_rows = tagged.filter(pl.col("_reason").is_not_null()).drop("_bad", strict=False).collect()
            bad_rows = bad_rows.select([pl.col(col).cast(pl.String) for col in bad_rows.columns])
            rejected_frames.append(bad_rows.with_columns(pl.lit(name).alias("_table")))
    if pseud is not None:
        ev = pseud.apply(ev)
        learners = pseud.apply(learners)
        rejected_frames = [f.with_columns(pseud.expr("id_student")) if "id_student" in f.columns else f
                           for f in rejected_frames]
    total_bad = sum(b for _, b in counts.values())

    def write(path: Path) -> None:
        rows = pl.concat(rejected_frames, how="diagonal")
        front = ["_table", "_row", "_reason"]
        rows.select(front + [c for c in rows.columns if c not in front]).write_csv(path)

    written = _finish_rejects(rejects_path, total_bad, write)
    n_all = sum(n for n, _ in counts.values())
    ev_result = ReadResult(str(src), ev, n_all, total_bad, written, kind="events")
    info_n, info_bad = counts["studentInfo"]
    lr_result = ReadResult(str(src / "studentInfo.csv"), learners, info_n, info_bad, written, kind="learners")
    data = OuladData(ev_result, lr_result, counts)
    if echo is not None:
        echo(data.summary() + (f" (reasons in {written.name})" if written else ""))
    return data


__all__ = ["ADL", "OULAD_TABLES", "OuladData", "ReadResult", "ReaderError", "XAPI_VERBS", "iso_duration_seconds",
           "presentation_start", "read_events", "read_learners", "read_oulad", "read_xapi"]
