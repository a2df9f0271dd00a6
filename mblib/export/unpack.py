"""Safe import of zip packages (SCORM, cmi5, ...): every check before a byte is written.

:func:`check_archive` reads only the zip's directory and refuses, naming the entry and
the archive: unsafe names (absolute, ``..``, backslash, NUL, empty, ``.``), links and
special files, two entries that unpack to the same path (``a/b``, ``a//b``, ``./a/b``),
a file and a folder at the same path (``x`` and ``x/y``), too many entries, too many
bytes, and too high an expansion ratio, per entry and for the package as a whole (many
small entries that each look harmless). :func:`import_package` then unpacks, counting
bytes and ratio again while unpacking (headers can lie).

Where the package goes:

* a new ``dest`` is built aside and moved into place whole; its missing parent folders are
  created, and removed again if the import fails;
* an existing, empty ``dest`` (``.`` included) is filled;
* an existing, non-empty ``dest`` is refused unless ``replace=True`` (``--replace``). Even
  then only the paths the package holds are replaced: every other file in ``dest`` stays.
  The package is unpacked into a scratch folder inside ``dest`` first; then each of its
  files is moved into place, the file it replaces moved to a backup, and on any failure
  every move is undone (new files removed, backups put back, new folders removed).
"""

from __future__ import annotations

import os
import shutil
import stat
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Location
from .errors import ExportError, UnsafePackageError
from .scratch import clean_stale, make_scratch

_RATIO_FLOOR = 1 << 20
"""Expansion ratios are judged only above this many unpacked bytes (tiny files compress wildly)."""
SCRATCH_NAME = "mblib-import"
"""Scratch folders inside an existing destination are ``.mblib-import.<pid>-<random>.tmp``."""


class PackageWarning(UserWarning):
    """A package that unpacks, but not the same everywhere (e.g. names that differ only in case)."""


@dataclass(frozen=True)
class Entry:
    """One checked zip entry: its info and its normalised relative path."""

    info: zipfile.ZipInfo
    parts: tuple[str, ...]
    is_dir: bool

    @property
    def rel(self) -> str:
        return "/".join(self.parts)


def _refuse(message: str, package: str, entry: str | None = None, hint: str | None = None) -> UnsafePackageError:
    return UnsafePackageError(message, location=Location(file=package, field=entry),
                              hint=hint or "a package may only hold plain files and folders with relative paths; "
                                           "re-create it, or ask its author for a clean copy")


def _entry_parts(name: str, package: str) -> tuple[str, ...]:
    if name == "":
        raise _refuse("an entry has an empty name", package, hint="re-create the package: every entry needs a name")
    if "\\" in name or "\x00" in name:
        raise _refuse(f"entry '{name}' has a backslash or NUL in its name", package, name,
                      hint="re-create the package with forward-slash paths")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise _refuse(f"entry '{name}' has an absolute path", package, name,
                      hint="a package may only hold paths relative to its root")
    if any(part == ".." for part in path.parts):
        raise _refuse(f"entry '{name}' points outside the package ('..')", package, name,
                      hint="a package may only hold paths relative to its root")
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if not parts:
        raise _refuse(f"entry '{name}' names the package's own root folder ('.'), not a file or folder in it",
                      package, name, hint="re-create the package without that entry")
    return parts


def check_archive(zf: zipfile.ZipFile, package: str, archive_size: int, *, max_bytes: int, max_files: int,
                  max_ratio: float) -> list[Entry]:
    """Check every entry of an open zip from its directory alone; return them normalised, or raise."""
    infos = zf.infolist()
    if len(infos) > max_files:
        raise _refuse(f"the package has {len(infos)} entries (limit {max_files})", package,
                      hint="raise max_files if you trust it")
    entries: list[Entry] = []
    seen: dict[tuple[str, ...], Entry] = {}
    folders: dict[tuple[str, ...], str] = {}  # folder path -> an entry that makes it
    folded: dict[str, str] = {}
    for info in infos:
        parts = _entry_parts(info.filename, package)
        kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0  # Unix modes only
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise _refuse(f"entry '{info.filename}' is a link or special file", package, info.filename)
        entry = Entry(info, parts, info.is_dir())
        other = seen.get(parts)
        if other is not None and not (entry.is_dir and other.is_dir):
            what = (f"the package has two entries named '{info.filename}'" if other.info.filename == info.filename
                    else f"entries '{other.info.filename}' and '{info.filename}' both unpack to '{entry.rel}'")
            raise _refuse(f"{what}: one would silently overwrite the other", package, info.filename,
                          hint="re-create the package with one entry per path")
        seen.setdefault(parts, entry)
        for i in range(1, len(parts) + (1 if entry.is_dir else 0)):
            folders.setdefault(parts[:i], info.filename)
        key = entry.rel.casefold()
        if key in folded and folded[key] != entry.rel:
            warnings.warn(f"{package}: entries '{folded[key]}' and '{entry.rel}' differ only in case; on Windows and "
                          "macOS one overwrites the other (they are unpacked side by side here)",
                          PackageWarning, stacklevel=3)
        folded.setdefault(key, entry.rel)
        entries.append(entry)
    for e in entries:
        if not e.is_dir and e.parts in folders:
            raise _refuse(f"entry '{e.info.filename}' is a file, but entry '{folders[e.parts]}' needs a folder "
                          f"at the same path", package, e.info.filename,
                          hint="re-create the package: a path cannot be a file and a folder at once")
    declared = sum(e.info.file_size for e in entries)
    if declared > max_bytes:
        raise _refuse(f"the package unpacks to {declared} bytes (limit {max_bytes})", package,
                      hint="raise max_bytes if you trust it")
    for e in entries:
        i = e.info
        if i.compress_size and i.file_size > _RATIO_FLOOR and i.file_size / i.compress_size > max_ratio:
            raise _refuse(f"entry '{i.filename}' expands {i.file_size / i.compress_size:.0f} times (zip bomb?)",
                          package, i.filename, hint="raise max_ratio if you trust it")
    if declared > _RATIO_FLOOR and declared / max(archive_size, 1) > max_ratio:
        raise _refuse(f"the package expands {declared / max(archive_size, 1):.0f} times as a whole ({archive_size} "
                      f"bytes unpack to {declared}; zip bomb?)", package, hint="raise max_ratio if you trust it")
    return entries


def _extract(zf: zipfile.ZipFile, entries: list[Entry], into: Path, package: str, archive_size: int, *,
             max_bytes: int, max_ratio: float) -> None:
    """Unpack checked entries under ``into``, counting bytes and the ratio again (headers can lie)."""
    declared = sum(e.info.file_size for e in entries)
    written = 0
    for e in entries:
        out = into.joinpath(*e.parts)
        if e.is_dir:
            out.mkdir(parents=True, exist_ok=True)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        name = e.info.filename
        try:
            # "xb": never overwrite, even where the file system folds case or Unicode forms
            with zf.open(e.info) as src, open(out, "xb") as dst:
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    if written > max_bytes:
                        raise _refuse(f"the package unpacks to more than {max_bytes} bytes (its header said "
                                      f"{declared})", package, name, hint="raise max_bytes if you trust it")
                    if written > _RATIO_FLOOR and written / max(archive_size, 1) > max_ratio:
                        raise _refuse(f"the package expands more than {max_ratio:.0f} times (its header said "
                                      f"{declared} bytes; zip bomb?)", package, name,
                                      hint="raise max_ratio if you trust it")
                    dst.write(chunk)
        except FileExistsError:
            raise _refuse(f"entry '{name}' unpacks onto another entry on this file system (names that differ only "
                          "in case or accents?)", package, name,
                          hint="re-create the package with names that differ in more than case") from None
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise _refuse(f"entry '{name}' is damaged or does not match its header: {exc}", package, name,
                          hint="get a fresh copy of the package") from None


def _make_parents(folder: Path) -> list[Path]:
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


def _remove_empty(folders: list[Path]) -> None:
    for f in reversed(folders):
        try:
            f.rmdir()
        except OSError:
            pass


def _refuse_conflicts(entries: list[Entry], target: Path, shown: str) -> None:
    """Refuse (before writing) where the package and an existing ``target`` disagree on a path's kind."""
    for e in entries:
        for i in range(1, len(e.parts) + 1):
            here = target.joinpath(*e.parts[:i])
            rel = "/".join(e.parts[:i])
            folder = i < len(e.parts) or e.is_dir
            if here.is_symlink() and folder:
                raise ExportError(f"'{shown}/{rel}' is a link; the package would write through it",
                                  location=Location(file=shown, field=rel),
                                  hint="remove the link, or unpack into another folder")
            if not here.exists() or here.is_symlink():
                break
            if folder and not here.is_dir():
                raise ExportError(f"the package has a folder '{rel}' where '{shown}' has a file",
                                  location=Location(file=shown, field=rel),
                                  hint="move that file away, or unpack into another folder")
            if not folder and here.is_dir():
                raise ExportError(f"the package has a file '{rel}' where '{shown}' has a folder; "
                                  "--replace never removes folders", location=Location(file=shown, field=rel),
                                  hint="move that folder away, or unpack into another folder")


def _merge(staged: Path, entries: list[Entry], target: Path) -> None:
    """Move the unpacked files from ``staged`` into ``target``; undo every move on failure."""
    backup = make_scratch(target, SCRATCH_NAME, suffix=".old")
    journal: list[tuple[str, Path, Path | None]] = []
    try:
        for n, e in enumerate(sorted(entries, key=lambda e: (len(e.parts), e.parts))):
            dst = target.joinpath(*e.parts)
            for folder in [*reversed(dst.parents)][len(target.parts):] + ([dst] if e.is_dir else []):
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
        for what, path, old in reversed(journal):
            try:
                if what == "new":
                    path.unlink()
                elif what == "restore" and old is not None:
                    os.replace(old, path)
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
            raise ExportError(f"the import failed ({failure}) and {len(lost)} replaced file(s) could not be put "
                              f"back, e.g. '{lost[0]}'", location=Location(file=str(target)),
                              hint=f"the previous versions are kept in '{backup}': move them back by hand"
                              ) from failure
        shutil.rmtree(backup, ignore_errors=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def import_package(
    package: str | Path,
    dest: str | Path,
    *,
    replace: bool = False,
    max_bytes: int = 512 * 1024 * 1024,
    max_files: int = 10_000,
    max_ratio: float = 200.0,
) -> Path:
    """Unpack a zip package (SCORM, cmi5, ...) into ``dest`` safely and return ``dest``.

    Refused, with nothing written and no folder created: everything :func:`check_archive`
    refuses, and a non-empty ``dest`` unless ``replace`` (then only the paths the package
    holds are replaced; other files stay). Bytes and the expansion ratio are counted again
    while unpacking; a failure then undoes the import (see the module's description).
    """
    from .packaging import staged_folder

    package, dest = Path(package), Path(dest)
    name = str(package)
    try:
        zf = zipfile.ZipFile(package)
        size = package.stat().st_size
    except (zipfile.BadZipFile, OSError) as e:
        raise UnsafePackageError(f"cannot read '{name}' as a zip file: {e}", location=Location(file=name),
                                 hint="check that the file is a complete .zip package") from None
    limits = {"max_bytes": max_bytes, "max_ratio": max_ratio}
    with zf:
        entries = check_archive(zf, name, size, max_files=max_files, **limits)
        target = Path(os.path.abspath(dest))
        shown = f"'{dest}'" if str(dest) == str(target) else f"'{dest}' ({target})"
        if not target.exists() and not target.is_symlink():
            created = _make_parents(target.parent)
            try:
                with staged_folder(target) as tmp:
                    _extract(zf, entries, tmp, name, size, **limits)
            except BaseException:
                _remove_empty(created)
                raise
            return dest
        if not target.is_dir():
            raise ExportError(f"{shown} exists and is not a folder", location=Location(file=str(dest)),
                              hint="give the path of a new or empty folder to unpack into")
        clean_stale(target, SCRATCH_NAME)
        present = sorted(p.name for p in target.iterdir())
        if present and not replace:
            raise ExportError(
                f"{shown} is not empty ({len(present)} file(s) or folder(s), e.g. '{present[0]}'); "
                "nothing was unpacked",
                location=Location(file=str(dest)),
                hint="unpack into a new or empty folder, or pass --replace (Python: replace=True) to overwrite "
                     "the paths the package holds; other files in the folder are kept")
        _refuse_conflicts(entries, target, str(dest))
        staged = make_scratch(target, SCRATCH_NAME)
        try:
            _extract(zf, entries, staged, name, size, **limits)
            _merge(staged, entries, target)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    return dest


__all__ = ["SCRATCH_NAME", "Entry", "PackageWarning", "check_archive", "import_package"]
