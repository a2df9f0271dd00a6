"""xAPI input: ISO 8601 durations and date-times, and the statement files themselves.

:func:`iter_json_file` reads a JSON array, JSON lines, one statement, or an LRS StatementResult
page, and resumes after a malformed or truncated part; :mod:`mblib.analytics.readers.xapi` maps
what it yields onto the events table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...errors import Location
from ..validation import ReaderError
from .xapi_verbs import ADL, XAPI_VERBS

VOIDED = ADL + "voided"

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:[.,]\d+)?)Y)?(?:(?P<mo>\d+(?:[.,]\d+)?)M)?(?:(?P<w>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<d>\d+(?:[.,]\d+)?)D)?(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<mi>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)


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


def parse_iso_datetime(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError(f"timestamp {text!r} is not text")
    t = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def iter_json_file(path: Path) -> Iterator[tuple[str, Any, str | None]]:
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


def xapi_files(sources: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for s in sources:
        p = Path(s)
        if not p.exists():
            raise ReaderError(
                f"{p} does not exist",
                location=Location(file=str(p)),
                hint="give a .json/.jsonl file of statements, or a folder of them",
            )
        if p.is_dir():
            files += sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in (".json", ".jsonl", ".ndjson") and ".rejects." not in f.name
            )
        else:
            files.append(p)
    return files


__all__ = ["ADL", "VOIDED", "XAPI_VERBS", "iso_duration_seconds", "iter_json_file", "parse_iso_datetime", "xapi_files"]
