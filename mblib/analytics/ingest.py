"""Ingest xAPI statements from an LRS (or files) into the month-partitioned events the metrics read.

:func:`ingest_lrs` reads the statements API page by page and keeps what it read under
``OUT/statements/`` (JSON lines, one file per batch) with a checkpoint (``checkpoint.json``: the
files it holds, the last ``stored`` time, the ids stored in the last second). The next run asks
only for what was stored since (less one second; the ids already held are skipped: the statement
id is the key), and a run cut short resumes from the last batch it recorded: a batch file the
checkpoint does not name is removed. Then every statement held is mapped by
:func:`~mblib.analytics.readers.read_xapi` (in batches, voiding applied across them) and
``OUT/events/month=YYYY-MM/part-0.parquet`` is replaced; rejects go to ``OUT/rejects.jsonl``.
:func:`ingest_files` does the same for statement files. With ``infer_structure=True`` the
workspace skeleton and ``activities.yaml`` are first derived from the statements
(:func:`~mblib.analytics.readers.infer_structure`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.yamlio import atomic_write
from ..errors import Location
from .lrs_client import LrsClient, lrs_auth
from .lrs_server import LrsError
from .readers.xapi_input import VOIDED, iter_json_file, parse_iso_datetime, xapi_files

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace
    from .readers.structure import InferredStructure

STATEMENTS = "statements"
CHECKPOINT = "checkpoint.json"
REJECTS = "rejects.jsonl"
BATCH_BYTES = 48 * 2**20
"""Statement files are mapped in batches of about this many bytes (bounds the memory of a large ingest)."""
FLUSH_STATEMENTS = 20_000
OVERLAP = timedelta(seconds=1)

Echo = Callable[[str], Any] | None


@dataclass
class IngestResult:
    """What an ingest did: statements fetched in this run, statements mapped, events written, and the rest."""

    out: Path
    source: str
    fetched: int
    statements: int
    events: int
    rejected: int
    removed: int
    aside: dict[str, int] = field(default_factory=dict)
    rejects_path: Path | None = None
    files: list[Path] = field(default_factory=list)
    structure: InferredStructure | None = None

    def summary(self) -> str:
        parts = [f"{self.source}: {self.fetched:,} new statement(s)", f"{self.statements:,} held"]
        parts.append(f"{self.events:,} events written to {self.out / 'events'}/")
        if self.removed:
            parts.append(f"{self.removed:,} voided or voiding removed")
        if self.aside:
            parts.append(f"{sum(self.aside.values()):,} not learning events set aside")
        parts.append(
            f"{self.rejected:,} rejected" + (f" (reasons in {self.rejects_path})" if self.rejects_path else "")
        )
        return ", ".join(parts)


def _say(echo: Echo, text: str) -> None:
    if echo is not None:
        echo(text)


def _voided_targets(statements: Iterable[Any]) -> set[str]:
    out = set()
    for st in statements:
        if isinstance(st, dict) and isinstance(st.get("verb"), dict) and st["verb"].get("id") == VOIDED:
            target = st.get("object")
            if isinstance(target, dict) and isinstance(target.get("id"), str):
                out.add(target["id"])
    return out


def _batches(files: Sequence[Path]) -> list[list[Path]]:
    batches: list[list[Path]] = []
    size = BATCH_BYTES
    for f in files:
        n = f.stat().st_size
        if size + n > BATCH_BYTES and (not batches or batches[-1]):
            batches.append([])
            size = 0
        batches[-1].append(f)
        size += n
    return [b for b in batches if b]


def _open_workspace(workspace: Workspace | str | Path) -> Workspace:
    from ..content import Workspace

    return workspace if isinstance(workspace, Workspace) else Workspace.open(Path(workspace))


def map_statements(
    files: Sequence[Path],
    workspace: Workspace,
    out: Path,
    *,
    voided: set[str],
    source: str,
    fetched: int,
    pseudonymise: Any = True,
    echo: Echo = print,
) -> IngestResult:
    """Map statement ``files`` onto events (batch by batch) and replace ``out/events/``; rejects to ``out/rejects.jsonl``."""
    import polars as pl

    from .partitions import replace_events
    from .readers.rejects import pseudonymiser
    from .readers.xapi import read_xapi
    from .schema import empty_events

    pseud = pseudonymiser(pseudonymise, workspace)
    frames: list[pl.DataFrame] = []
    statements = rejected = removed = 0
    aside: dict[str, int] = {}
    rejects_path = out / REJECTS
    scratch = out / ".rejects-parts"
    scratch.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    try:
        for i, batch in enumerate(_batches(files)):
            part = scratch / f"{i:05d}.jsonl"
            r = read_xapi(batch, workspace, pseudonymise=pseud or False, rejects=part, echo=None, voided=voided)
            frames.append(r.table.collect())
            statements += r.read
            rejected += r.rejected
            removed += r.removed
            for k, v in r.aside.items():
                aside[k] = aside.get(k, 0) + v
            if r.rejects_path is not None:
                parts.append(r.rejects_path)
        events = pl.concat(frames) if frames else empty_events()
        written = replace_events(events, out)
        if parts:
            atomic_write(rejects_path, b"".join(p.read_bytes() for p in parts))
        elif rejects_path.exists():
            rejects_path.unlink()
    finally:
        for p in scratch.glob("*"):
            p.unlink()
        scratch.rmdir()
    result = IngestResult(
        out, source, statements if fetched < 0 else fetched, statements, events.height, rejected, removed, aside,
        rejects_path if parts else None, written,
    )  # fmt: skip
    _say(echo, result.summary())
    return result


def _load_checkpoint(folder: Path, endpoint: str) -> dict[str, Any]:
    path = folder / CHECKPOINT
    if not path.is_file():
        return {"endpoint": endpoint, "parts": [], "stored": None, "recent": {}, "voided": []}
    try:
        cp = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(cp, dict) or not isinstance(cp.get("parts"), list):
            raise ValueError("not a checkpoint")
    except ValueError:
        raise LrsError(
            "the ingest checkpoint is damaged",
            location=Location(file=str(path)),
            hint="delete the statements folder beside it to read the LRS again from the start",
        ) from None
    if cp.get("endpoint") != endpoint:
        raise LrsError(
            f"this folder holds statements ingested from {cp.get('endpoint')}, not {endpoint}",
            location=Location(file=str(path)),
            hint="ingest each LRS into its own --out folder",
        )
    return cp


def ingest_lrs(
    endpoint: str,
    workspace: Workspace | str | Path,
    out: str | Path,
    *,
    credentials: str | Path | None = None,
    since: str | None = None,
    until: str | None = None,
    page_size: int = 1000,
    infer_structure: bool = False,
    pseudonymise: Any = True,
    client: LrsClient | None = None,
    echo: Echo = print,
) -> IngestResult:
    """Read the statements an LRS holds (``since``/``until``: ISO 8601, on ``stored``) into ``out``.

    Credentials: ``credentials`` (a JSON file) or ``MBLIB_LRS_USER``/``MBLIB_LRS_PASSWORD``
    (:func:`~mblib.analytics.lrs_client.lrs_auth`), unless a ready ``client`` is given.
    """
    out = Path(out)
    if client is None:
        user, password = lrs_auth(credentials)
        client = LrsClient(endpoint, user, password)
    pseudonymise = _pseudonymiser_first(pseudonymise, workspace, infer_structure)
    folder = out / STATEMENTS
    folder.mkdir(parents=True, exist_ok=True)
    cp = _load_checkpoint(folder, endpoint)
    for stray in folder.glob("part-*.jsonl"):  # written by a run cut short before its checkpoint
        if stray.name not in cp["parts"]:
            stray.unlink()
    recent: dict[str, str] = dict(cp.get("recent") or {})
    last = parse_iso_datetime(cp["stored"]) if cp.get("stored") else None
    query_since = since
    if last is not None:
        resume = last - OVERLAP
        if since is None or parse_iso_datetime(since) < resume:
            query_since = resume.isoformat()
    voided = set(cp.get("voided") or [])
    buffer: list[dict[str, Any]] = []
    fetched = 0

    def flush() -> None:
        nonlocal buffer, last, recent
        if not buffer:
            return
        name = f"part-{len(cp['parts']) + 1:06d}.jsonl"
        text = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in buffer)
        atomic_write(folder / name, text.encode("utf-8"))
        voided.update(_voided_targets(buffer))
        assert last is not None
        floor = last - OVERLAP
        recent = {k: v for k, v in recent.items() if parse_iso_datetime(v) > floor}
        cp.update(parts=[*cp["parts"], name], stored=last.isoformat(), recent=recent, voided=sorted(voided))
        atomic_write(folder / CHECKPOINT, json.dumps(cp).encode("utf-8"))
        buffer = []

    for page in client.pages(since=query_since, until=until, limit=page_size):
        for st in page:
            sid = st.get("id")
            if not isinstance(sid, str) or sid in recent:
                continue
            stored = st.get("stored") or st.get("timestamp")
            try:
                when: datetime | None = parse_iso_datetime(stored)
            except (ValueError, OverflowError):
                when = None
            if when is not None:
                if last is None or when > last:
                    last = when
                recent[sid] = when.isoformat()
            buffer.append(st)
            fetched += 1
        if len(buffer) >= FLUSH_STATEMENTS:
            flush()
    if buffer and last is None:
        last = datetime.now().astimezone()
    flush()
    files = [folder / p for p in cp["parts"]]
    ws, structure = _workspace_for(workspace, files, infer_structure, echo)
    result = map_statements(
        files, ws, out, voided=voided, source=endpoint, fetched=fetched, pseudonymise=pseudonymise, echo=echo
    )
    result.structure = structure
    return result


def _pseudonymiser_first(pseudonymise: Any, workspace: Workspace | str | Path, infer: bool) -> Any:
    """The pseudonymiser (or False), made before anything is read or written: a missing key stops the run here."""
    from .readers.rejects import pseudonymiser

    root = Path(workspace) if isinstance(workspace, (str, Path)) else workspace.root
    if infer and not (root / "mblib.toml").is_file():  # a new workspace gets the default privacy settings
        return pseudonymiser(pseudonymise, None) or False
    return pseudonymiser(pseudonymise, _open_workspace(workspace)) or False


def _workspace_for(
    workspace: Workspace | str | Path, files: list[Path], infer: bool, echo: Echo
) -> tuple[Workspace, InferredStructure | None]:
    from .readers.structure import infer_structure

    if not infer:
        return _open_workspace(workspace), None
    root = workspace.root if not isinstance(workspace, (str, Path)) else Path(workspace)
    structure = infer_structure(files, root, echo=echo)
    return _open_workspace(root), structure


def ingest_files(
    sources: str | Path | Iterable[str | Path],
    workspace: Workspace | str | Path,
    out: str | Path,
    *,
    infer_structure: bool = False,
    pseudonymise: Any = True,
    echo: Echo = print,
) -> IngestResult:
    """Read statement files (as :func:`~mblib.analytics.readers.read_xapi` reads them) into ``out``, like :func:`ingest_lrs`."""
    out = Path(out)
    pseudonymise = _pseudonymiser_first(pseudonymise, workspace, infer_structure)
    if isinstance(sources, (str, Path)):
        sources = [sources]
    files = xapi_files([Path(s) for s in sources])
    voided: set[str] = set()
    for f in files:  # voiding may cross batches: find the voided ids first (cheap when there are none)
        with open(f, "rb") as fh:
            if VOIDED.encode() not in fh.read():
                continue
        for _, value, _ in iter_json_file(f):
            items = value.get("statements") if isinstance(value, dict) and "verb" not in value else value
            voided |= _voided_targets(items if isinstance(items, list) else [items])
    ws, structure = _workspace_for(workspace, files, infer_structure, echo)
    source = str(files[0].parent if len(files) > 1 else files[0]) if files else "no files"
    result = map_statements(
        files, ws, out, voided=voided, source=source, fetched=-1, pseudonymise=pseudonymise, echo=echo
    )
    result.structure = structure
    return result


__all__ = ["CHECKPOINT", "REJECTS", "STATEMENTS", "IngestResult", "ingest_files", "ingest_lrs", "map_statements"]
