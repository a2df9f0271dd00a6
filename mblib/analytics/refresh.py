"""Incremental refresh: the cube's facts cached next to the data, one small file per events file.

``<data>/.mblib/cube/events/`` (next to a cohort folder's ``events/``; other data is folded in
memory) holds one Parquet file of facts
(:func:`mblib.analytics.cube.fold_events`) per events Parquet file, named by a hash of that
file's path, and ``manifest.json`` (each events file's size and mtime, and its facts file).
:func:`refresh_cube` folds only the events files that are new or changed since the manifest was
written, drops the facts of files that are gone, and rewrites the manifest (every write
atomic). Facts of separate files stack without merging (a learner's first times are minima over
them; distinct counts are taken at query time), so appending a day of events (a new file)
costs one small fold and one small write, whatever the history's length.

A damaged cache (unreadable manifest, a facts file that does not read back with the facts'
columns) is rebuilt with a :class:`CubeCacheWarning`; the events are never changed.

>>> import tempfile, polars as pl
>>> from pathlib import Path
>>> from mblib.analytics.metrics import demo_events
>>> d = Path(tempfile.mkdtemp()); (d / "events").mkdir()
>>> demo_events().collect().write_parquet(d / "events" / "part-0.parquet")
>>> refresh_cube(d).folded, refresh_cube(d).folded
(1, 0)
>>> load_cube(d).facts.height > 0
True
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, MblibError

if TYPE_CHECKING:  # pragma: no cover
    from .cube import Cube

MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_PIECE = re.compile(r"[0-9a-f]{64}\.parquet")
_VERSION = 1


class CubeError(MblibError):
    """The cube cannot be built or cached for this data (an events file outside its folder...)."""


class CubeCacheWarning(UserWarning):
    """The cube cache next to the data was damaged and is being rebuilt from the events."""


@dataclass
class RefreshResult:
    """What :func:`refresh_cube` did: files folded anew, files reused, facts files removed, the cache folder."""

    folded: int
    reused: int
    removed: int
    folder: Path
    pieces: list[Path] = field(default_factory=list)


def cache_folder(data: str | Path) -> Path:
    """Where the cube of ``data`` (a cohort folder holding ``events/``) is cached: ``<data>/.mblib/cube/events``.

    Only a cohort folder gets a cache: next to a bare events folder or file the cache would sit
    where a scan of the folder above (``**/*.parquet``) would read it as events.
    """
    path = Path(data)
    if not (path / "events").is_dir():
        raise CubeError(
            f"{path}: the cube is cached only next to a cohort folder's events/",
            location=Location(file=str(path)),
            hint="lay the data out as `mb synth` writes it (DATA/events/month=YYYY-MM/*.parquet), "
            "or build the cube in memory with Cube.from_events",
        )
    return path / ".mblib" / "cube" / "events"


def _files(events: Path) -> dict[str, Path]:
    from .datacheck import parquet_files

    root = events.resolve()
    out: dict[str, Path] = {}
    for f in parquet_files(events):
        real = f.resolve()
        if events.is_dir() and not real.is_relative_to(root):
            raise CubeError(
                f"events file {f} leads outside the events folder ({real})",
                location=Location(file=str(f)),
                hint="copy the file into the events folder instead of linking to it",
            )
        out[f.relative_to(events).as_posix() if events.is_dir() else f.name] = f
    return out


def _read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The manifest's entries, or {} (with a warning) when it is missing or damaged."""
    if not path.is_file():
        return {}
    problem = None
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            problem = f"larger than {MAX_MANIFEST_BYTES} bytes"
        else:
            doc = json.loads(path.read_text(encoding="utf-8"))
            files = doc.get("files") if isinstance(doc, dict) and doc.get("version") == _VERSION else None
            if not isinstance(files, dict):
                problem = "not a cube manifest of this version"
            else:
                for name, e in files.items():
                    ok = isinstance(e, dict) and isinstance(e.get("size"), int) and isinstance(e.get("mtime_ns"), int)
                    if not (ok and isinstance(e.get("piece"), str) and _PIECE.fullmatch(e["piece"])):
                        problem = f"entry '{str(name)[:80]}' is malformed"
                        break
                else:
                    return files
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        problem = f"unreadable ({e.__class__.__name__}: {e})"
    warnings.warn(
        f"{path}: cube manifest {problem}; rebuilding the cube from the events", CubeCacheWarning, stacklevel=3
    )
    return {}


def _fold_file(f: Path) -> Any:
    from .backends import scan_events
    from .cube import fold_events
    from .datacheck import valid_events

    return fold_events(valid_events(scan_events(f)))


def _write(path: Path, df: Any) -> None:
    from ..content.yamlio import atomic_write

    buf = io.BytesIO()
    df.write_parquet(buf, statistics=False)
    atomic_write(path, buf.getvalue())


def refresh_cube(data: str | Path) -> RefreshResult:
    """Bring the cached facts of ``data`` up to date with its events files; fold only what changed."""
    from .datacheck import data_paths

    events, _ = data_paths(Path(data))
    folder = cache_folder(data)
    files = _files(events)
    old = _read_manifest(folder / MANIFEST)
    entries: dict[str, dict[str, Any]] = {}
    folded = reused = 0
    for rel, f in files.items():
        st = f.stat()
        piece = hashlib.sha256(rel.encode()).hexdigest() + ".parquet"
        e = old.get(rel)
        if e and e["size"] == st.st_size and e["mtime_ns"] == st.st_mtime_ns and (folder / piece).is_file():
            reused += 1
        else:
            _write(folder / piece, _fold_file(f))
            folded += 1
        entries[rel] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "piece": piece}
    keep = {e["piece"] for e in entries.values()}
    removed = 0
    if folder.is_dir():
        for p in folder.iterdir():
            if _PIECE.fullmatch(p.name) and p.name not in keep and p.is_file() and not p.is_symlink():
                p.unlink()
                removed += 1
    if folded or removed or entries != old:
        from ..content.yamlio import atomic_write

        doc = {"version": _VERSION, "files": entries}
        atomic_write(folder / MANIFEST, json.dumps(doc, indent=1, sort_keys=True).encode())
    pieces = [folder / entries[rel]["piece"] for rel in files]
    return RefreshResult(folded, reused, removed, folder, pieces)


def read_facts(data: str | Path) -> Any:
    """The cached facts of ``data`` as one polars DataFrame, refreshed first; a damaged facts file is
    folded again from its events file (with a :class:`CubeCacheWarning`)."""
    import polars as pl

    from .cube import FACT_KEYS, FACT_VALUES

    done = refresh_cube(data)
    want = [*FACT_KEYS, *FACT_VALUES]
    try:
        facts = pl.read_parquet([str(p) for p in done.pieces]) if done.pieces else None
        if facts is not None and sorted(facts.columns) != sorted(want):
            raise ValueError(f"columns {facts.columns}")
    except Exception as e:  # a truncated or foreign file: polars raises several kinds
        warnings.warn(
            f"{done.folder}: cube cache unreadable ({e}); rebuilding it from the events", CubeCacheWarning, stacklevel=2
        )
        for p in done.pieces:
            p.unlink(missing_ok=True)
        facts = pl.read_parquet([str(p) for p in refresh_cube(data).pieces])
    return facts.select(want) if facts is not None else facts


def load_cube(data: str | Path, learners: Any | None = None) -> Cube:
    """The cube of ``data`` from its cache (refreshed first), with ``learners`` for segments."""
    from .cube import Cube

    return Cube.from_facts(read_facts(data), learners)


_LOCK = threading.Lock()
_SOURCES: list[tuple[Any, Path]] = []  # (events frame, data path): frames opened by open_report_data
_CUBES: list[tuple[Any, Any, Cube]] = []  # (events, learners, cube), most recent last
_KEEP = 4


def register_source(events: Any, data: str | Path) -> None:
    """Remember that ``events`` were opened from ``data``, so their cube is cached next to it
    (a cohort folder only; other data is folded in memory)."""
    if not (Path(data) / "events").is_dir():
        return
    with _LOCK:
        _SOURCES[:] = [s for s in _SOURCES if s[0] is not events][-(_KEEP - 1) :] + [(events, Path(data))]


def cube_for(events: Any, learners: Any | None = None) -> Cube:
    """The cube of ``events`` (built once per data load, then reused while the frame lives).

    Events opened by :func:`mblib.analytics.report.open_report_data` use the cache next to their
    data (:func:`load_cube`); other frames are folded in memory.
    """
    from .cube import Cube
    from .cube_learners import warm

    with _LOCK:
        for ev, people, cube in _CUBES:
            if ev is events and people is learners:
                return cube
        source = next((d for ev, d in _SOURCES if ev is events), None)
    cube = warm(load_cube(source, learners) if source is not None else Cube.from_events(events, learners))
    with _LOCK:
        _CUBES[:] = _CUBES[-(_KEEP - 1) :] + [(events, learners, cube)]
    return cube


__all__ = [
    "MANIFEST",
    "CubeCacheWarning",
    "CubeError",
    "RefreshResult",
    "cache_folder",
    "cube_for",
    "load_cube",
    "read_facts",
    "refresh_cube",
    "register_source",
]
