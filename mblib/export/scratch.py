"""Scratch folders beside an export target, and the cleaning of ones a killed run left behind.

Every temporary folder an export makes is named ``.<target>.<pid>-<random>.tmp`` (or
``.old`` for a previous export being swapped out), in the folder of its target. A run
that is killed (Ctrl-C twice, out of memory, power cut) cannot remove its own, so the
next run *for the same target* removes the ones that are stale:

* only names of exactly that pattern, for exactly that target name (``.lessons.*`` is
  never confused with ``.lessons-old.*`` or ``.lessons.v2.*``), plus the names older
  mblib versions used (``.<target>.<random>.tmp``, ``.old`` and the bare
  ``.<target>.<random>`` of SCORM/cmi5 builds);
* only when untouched for :data:`STALE_AFTER_S` seconds, and, when the name carries the
  id of a process of this machine that is still running, only after a day: a concurrent
  run of the same command keeps its folder. No lock file is needed (a lock file would
  itself be one more thing a killed run leaves behind).

>>> import tempfile, pathlib, os, time
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> old = root / ".site.abcd1234.tmp"; old.mkdir()
>>> os.utime(old, (time.time() - 3600, time.time() - 3600))
>>> (root / ".site-notes.txt").write_text("mine") and None
>>> [p.name for p in clean_stale(root, "site")]
['.site.abcd1234.tmp']
>>> sorted(p.name for p in root.iterdir())
['.site-notes.txt']
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STALE_AFTER_S = 10 * 60
"""A scratch folder untouched this long, whose process is gone, is a leftover."""
IN_USE_MAX_S = 24 * 3600
"""Even a folder whose process id is alive is a leftover after this long (process ids are reused)."""

_RANDOM = r"[a-z0-9_]{8}"  # tempfile.mkdtemp's random part


def _pattern(target_name: str) -> re.Pattern[str]:
    name = re.escape(target_name)
    return re.compile(rf"^\.{name}\.(?:(?P<pid>\d+)[.-])?{_RANDOM}(?:\.tmp|\.old)?$")


def _alive(pid: int) -> bool:
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) is not a probe on Windows
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def is_stale(path: Path, target_name: str, *, now: float | None = None, stale_after: float = STALE_AFTER_S) -> bool:
    """Whether ``path`` is a scratch folder (or file) of ``target_name`` that no running export uses."""
    m = _pattern(target_name).match(path.name)
    if m is None:
        return False
    try:
        st = path.lstat()
    except OSError:
        return False
    age = (time.time() if now is None else now) - st.st_mtime
    if age < stale_after:
        return False
    pid = m.group("pid")
    return pid is None or not _alive(int(pid)) or age > IN_USE_MAX_S


def clean_stale(folder: str | Path, target_name: str, *, stale_after: float = STALE_AFTER_S) -> list[Path]:
    """Remove the stale scratch folders of ``target_name`` in ``folder``; return what was removed.

    Links are never followed nor removed; errors (a folder another process is removing) are ignored.
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        candidates = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        if path.is_symlink() or not is_stale(path, target_name, now=now, stale_after=stale_after):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                continue
        if not path.exists():
            removed.append(path)
    return removed


def make_scratch(folder: str | Path, target_name: str, suffix: str = ".tmp") -> Path:
    """A new empty scratch folder ``.<target_name>.<pid>-<random><suffix>`` in ``folder``."""
    return Path(tempfile.mkdtemp(prefix=f".{target_name}.{os.getpid()}-", suffix=suffix, dir=folder))


@contextmanager
def scratch_folder(folder: str | Path, target_name: str) -> Iterator[Path]:
    """Clean stale scratch folders of ``target_name``, then yield a new one; it is removed on exit, always."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(folder, target_name)
    tmp = make_scratch(folder, target_name)
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["IN_USE_MAX_S", "STALE_AFTER_S", "clean_stale", "is_stale", "make_scratch", "scratch_folder"]
