"""Unpacking into an existing folder (``--replace``) and undoing a failed import.

A package goes into a non-empty folder only with ``replace=True``, and then only the paths
it holds are replaced: every other file stays. :func:`refuse_conflicts` refuses (before
writing) where the package and the folder disagree on a path's kind; :func:`merge_into`
moves each unpacked file into place, the file it replaces to a backup, and on any failure
undoes every move (new files removed, backups put back, new folders removed).
:func:`make_parents` and :func:`remove_empty` create and remove the missing parents of a new
destination. Used by :func:`mblib.export.packaging.import_package`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from ..errors import Location
from .errors import ExportError
from .scratch import make_scratch
from .unpack import SCRATCH_NAME, Entry


def make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    created = []
    for f in reversed(missing):
        f.mkdir()
        created.append(f)
    return created


def remove_empty(folders: list[Path]) -> None:
    for f in reversed(folders):
        with contextlib.suppress(OSError):
            f.rmdir()


def refuse_conflicts(entries: list[Entry], target: Path, shown: str) -> None:
    """Refuse (before writing) where the package and an existing ``target`` disagree on a path's kind."""
    for e in entries:
        for i in range(1, len(e.parts) + 1):
            here = target.joinpath(*e.parts[:i])
            rel = "/".join(e.parts[:i])
            folder = i < len(e.parts) or e.is_dir
            if here.is_symlink() and folder:
                raise ExportError(
                    f"'{shown}/{rel}' is a link; the package would write through it",
                    location=Location(file=shown, field=rel),
                    hint="remove the link, or unpack into another folder",
                )
            if not here.exists() or here.is_symlink():
                break
            if folder and not here.is_dir():
                raise ExportError(
                    f"the package has a folder '{rel}' where '{shown}' has a file",
                    location=Location(file=shown, field=rel),
                    hint="move that file away, or unpack into another folder",
                )
            if not folder and here.is_dir():
                raise ExportError(
                    f"the package has a file '{rel}' where '{shown}' has a folder; --replace never removes folders",
                    location=Location(file=shown, field=rel),
                    hint="move that folder away, or unpack into another folder",
                )


def merge_into(staged: Path, entries: list[Entry], target: Path) -> None:
    """Move the unpacked files from ``staged`` into ``target``; undo every move on failure."""
    backup = make_scratch(target, SCRATCH_NAME, suffix=".old")
    journal: list[tuple[str, Path, Path | None]] = []
    try:
        for n, e in enumerate(sorted(entries, key=lambda e: (len(e.parts), e.parts))):
            dst = target.joinpath(*e.parts)
            for folder in [*reversed(dst.parents)][len(target.parts) :] + ([dst] if e.is_dir else []):
                if not folder.exists():
                    folder.mkdir()
                    journal.append(("folder", folder, None))
            if e.is_dir:
                continue
            if dst.exists() or dst.is_symlink():
                old = backup / str(n)
                os.replace(dst, old)
                journal.append(("restore", dst, old))
            os.replace(staged.joinpath(*e.parts), dst)
            journal.append(("new", dst, None))
    except BaseException as failure:
        lost = []
        for what, path, saved in reversed(journal):
            try:
                if what == "new":
                    path.unlink()
                elif what == "restore" and saved is not None:
                    os.replace(saved, path)
                else:
                    path.rmdir()
            except OSError:
                if what == "restore":
                    lost.append(path)
        if lost:  # keep the backup, under a name no cleaning touches: it holds the only copy of those files
            kept = backup.with_name(f"mblib-import-backup-{backup.name.split('.')[-2]}")
            try:
                os.replace(backup, kept)
                backup = kept
            except OSError:
                pass
            raise ExportError(
                f"the import failed ({failure}) and {len(lost)} replaced file(s) could not be put "
                f"back, e.g. '{lost[0]}'",
                location=Location(file=str(target)),
                hint=f"the previous versions are kept in '{backup}': move them back by hand",
            ) from failure
        shutil.rmtree(backup, ignore_errors=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)


__all__ = ["make_parents", "merge_into", "refuse_conflicts", "remove_empty"]
