"""The one way workspace files are written: paths kept inside the workspace, one writer at a time.

* :func:`workspace_path` resolves a relative path against the workspace root and refuses
  absolute paths, ``..`` that climbs out and symbolic links that lead outside. Every writer
  in :mod:`mblib.content` and :mod:`mblib.translate` goes through it.
* :func:`file_lock` is an advisory lock (``flock``) per workspace file, kept under
  ``.mblib/locks/``, so that "check the file on disk, then replace it" is atomic between
  processes. The kernel drops the lock when its process ends, so a killed save leaves no
  stale lock behind. The folder holds a ``.gitignore`` so lock files stay out of git.
* :func:`write_workspace_file` is both plus a cleanup of temporaries a killed save left.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> workspace_path(root, "translations/fr/m.yaml") == root.resolve() / "translations/fr/m.yaml"
True
>>> workspace_path(root, "translations/../../escaped/m.yaml")
Traceback (most recent call last):
...
mblib.errors.UnsafePathError: 'translations/../../escaped/m.yaml' climbs out of the workspace folder with '..'
  fix: name a file inside the workspace, without '..' (for a language: a tag such as fr or pt-BR)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import ConflictError, Location, UnsafePathError
from .yamlio import atomic_write, remove_stale_temps

try:  # POSIX; elsewhere saves are not locked between processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_DIR = ".mblib/locks"
_HINT = "name a file inside the workspace, without '..' (for a language: a tag such as fr or pt-BR)"


def workspace_path(root: str | Path, relative: str | Path, *, what: str | None = None) -> Path:
    """``root / relative`` when it stays inside the workspace folder ``root``, else :class:`UnsafePathError`.

    Refused: an absolute path, a ``..`` that climbs above ``root``, and a path that passes through
    a symbolic link leading outside ``root``. ``what`` names the value in the message (default:
    the path itself). The result is ``root`` (resolved) joined with the normalised relative path;
    symbolic links inside the workspace that stay inside are kept as they are.
    """
    base = Path(root).resolve()
    text = os.fspath(relative)
    label = f"'{text}'" if what is None else f"{what} ('{text}')"
    if "\x00" in text:
        raise UnsafePathError(f"{label} contains a NUL character", hint=_HINT)
    rel = Path(text)
    if rel.is_absolute() or rel.drive or text.startswith(("/", "\\")):
        raise UnsafePathError(
            f"{label} is an absolute path; workspace files must stay inside the workspace folder", hint=_HINT
        )
    norm = os.path.normpath(text)
    if norm == ".." or norm.startswith(".." + os.sep):
        raise UnsafePathError(f"{label} climbs out of the workspace folder with '..'", hint=_HINT)
    target = base / norm
    if not target.resolve().is_relative_to(base):
        link = _escaping_link(base, Path(norm))
        how = f"the symbolic link '{link[0]}' points to '{link[1]}'" if link else "it resolves elsewhere"
        raise UnsafePathError(
            f"{label} leads outside the workspace folder {base}: {how}",
            hint="replace the symbolic link with a real folder inside the workspace (or move the workspace)",
        )
    return target


def _escaping_link(base: Path, rel: Path) -> tuple[str, str] | None:
    """The first symbolic link along ``rel`` that leads outside ``base``: (relative link, its target)."""
    current = base
    for part in rel.parts:
        current = current / part
        if current.is_symlink() and not current.resolve().is_relative_to(base):
            return str(current.relative_to(base)), os.readlink(current)
    return None


def relative_to_root(root: str | Path, path: str | Path) -> str:
    """``path`` relative to ``root`` (for lock names and messages); ``path`` as given when it is outside."""
    p = Path(path)
    base = Path(root).resolve()
    for candidate in (p, p.resolve()):
        try:
            return str(candidate.relative_to(base))
        except ValueError:
            continue
    return os.fspath(path)


@contextlib.contextmanager
def file_lock(root: str | Path, path: str | Path) -> Iterator[None]:
    """Hold the advisory lock of one workspace file (``path``, absolute or relative to ``root``).

    Waits while another process (or another thread with its own lock) holds it. The lock file
    ``.mblib/locks/<path>.lock`` is left in place; the lock itself dies with its process.
    """
    if fcntl is None:  # pragma: no cover - no flock on this platform
        yield
        return
    rel = relative_to_root(root, path) if Path(path).is_absolute() else os.fspath(path)
    lock = workspace_path(root, Path(LOCK_DIR) / f"{rel}.lock", what=f"the lock file of '{rel}'")
    lock.parent.mkdir(parents=True, exist_ok=True)
    ignore = workspace_path(root, f"{LOCK_DIR}/.gitignore")
    if not ignore.exists():  # lock files are never part of the course: keep them out of `git status`
        try:
            ignore.write_text("*\n", encoding="utf-8")
        except OSError:  # pragma: no cover - a read-only folder still locks
            pass
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or ``""`` when there is no file (what a save compares against)."""
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def write_workspace_file(
    root: str | Path,
    relative: str | Path,
    data: bytes,
    *,
    what: str | None = None,
    only_if_changed: bool = True,
    expected: str | None = None,
    again: str = "load it again, redo your change and save",
) -> tuple[Path, bool]:
    """Write ``data`` to ``root/relative`` atomically, under the file's lock, after checking the path with
    :func:`workspace_path` and removing temporaries a killed save left beside it.

    With ``expected`` (a :func:`file_digest` taken when the file was read), a file that changed on
    disk since then is not overwritten: :class:`~mblib.errors.ConflictError`, whose hint ends with
    ``again``. Returns ``(path, written)``; with ``only_if_changed`` an identical file is not touched.
    """
    path = workspace_path(root, relative, what=what)
    with file_lock(root, path):
        remove_stale_temps(path)
        if only_if_changed and path.is_file() and path.read_bytes() == data:
            return path, False  # already holds exactly this: nothing is lost, whoever wrote it
        if expected is not None and file_digest(path) != expected:
            raise ConflictError(
                f"'{relative}' changed on disk since it was read (another save, translation run or "
                "import); nothing was written, so that change is kept",
                location=Location(file=str(relative)),
                hint=again,
            )
        atomic_write(path, data)
    return path, True


__all__ = ["LOCK_DIR", "file_digest", "file_lock", "relative_to_root", "workspace_path", "write_workspace_file"]
