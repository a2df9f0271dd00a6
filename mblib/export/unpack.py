"""Safe reading of zip packages (SCORM, cmi5, ...): every check before a byte is written.

:func:`check_archive` reads only the zip's directory and refuses, naming the entry and
the archive: unsafe names (absolute, ``..``, backslash, NUL, empty, ``.``), links and
special files, two entries that unpack to the same path (``a/b``, ``a//b``, ``./a/b``),
a file and a folder at the same path (``x`` and ``x/y``), too many entries, too many
bytes, and too high an expansion ratio, per entry and for the package as a whole (many
small entries that each look harmless). :func:`extract` then unpacks, counting bytes and
ratio again while unpacking (headers can lie).

Where a package goes, and how a failed import is undone, is
:func:`mblib.export.packaging.import_package` (with :mod:`mblib.export.merge`).
"""

from __future__ import annotations

import os  # noqa: F401  (tests reach the file moves of an import as mblib.export.unpack.os)
import stat
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Location
from .errors import UnsafePackageError

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
    return UnsafePackageError(
        message,
        location=Location(file=package, field=entry),
        hint=hint
        or "a package may only hold plain files and folders with relative paths; "
        "re-create it, or ask its author for a clean copy",
    )


def _entry_parts(name: str, package: str) -> tuple[str, ...]:
    if name == "":
        raise _refuse("an entry has an empty name", package, hint="re-create the package: every entry needs a name")
    if "\\" in name or "\x00" in name:
        raise _refuse(
            f"entry '{name}' has a backslash or NUL in its name",
            package,
            name,
            hint="re-create the package with forward-slash paths",
        )
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise _refuse(
            f"entry '{name}' has an absolute path",
            package,
            name,
            hint="a package may only hold paths relative to its root",
        )
    if any(part == ".." for part in path.parts):
        raise _refuse(
            f"entry '{name}' points outside the package ('..')",
            package,
            name,
            hint="a package may only hold paths relative to its root",
        )
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if not parts:
        raise _refuse(
            f"entry '{name}' names the package's own root folder ('.'), not a file or folder in it",
            package,
            name,
            hint="re-create the package without that entry",
        )
    return parts


def check_archive(
    zf: zipfile.ZipFile, package: str, archive_size: int, *, max_bytes: int, max_files: int, max_ratio: float
) -> list[Entry]:
    """Check every entry of an open zip from its directory alone; return them normalised, or raise."""
    infos = zf.infolist()
    if len(infos) > max_files:
        raise _refuse(
            f"the package has {len(infos)} entries (limit {max_files})", package, hint="raise max_files if you trust it"
        )
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
            what = (
                f"the package has two entries named '{info.filename}'"
                if other.info.filename == info.filename
                else f"entries '{other.info.filename}' and '{info.filename}' both unpack to '{entry.rel}'"
            )
            raise _refuse(
                f"{what}: one would silently overwrite the other",
                package,
                info.filename,
                hint="re-create the package with one entry per path",
            )
        seen.setdefault(parts, entry)
        for i in range(1, len(parts) + (1 if entry.is_dir else 0)):
            folders.setdefault(parts[:i], info.filename)
        key = entry.rel.casefold()
        if key in folded and folded[key] != entry.rel:
            warnings.warn(
                f"{package}: entries '{folded[key]}' and '{entry.rel}' differ only in case; on Windows and "
                "macOS one overwrites the other (they are unpacked side by side here)",
                PackageWarning,
                stacklevel=3,
            )
        folded.setdefault(key, entry.rel)
        entries.append(entry)
    for e in entries:
        if not e.is_dir and e.parts in folders:
            raise _refuse(
                f"entry '{e.info.filename}' is a file, but entry '{folders[e.parts]}' needs a folder at the same path",
                package,
                e.info.filename,
                hint="re-create the package: a path cannot be a file and a folder at once",
            )
    declared = sum(e.info.file_size for e in entries)
    if declared > max_bytes:
        raise _refuse(
            f"the package unpacks to {declared} bytes (limit {max_bytes})",
            package,
            hint="raise max_bytes if you trust it",
        )
    for e in entries:
        info = e.info
        if info.compress_size and info.file_size > _RATIO_FLOOR and info.file_size / info.compress_size > max_ratio:
            raise _refuse(
                f"entry '{info.filename}' expands {info.file_size / info.compress_size:.0f} times (zip bomb?)",
                package,
                info.filename,
                hint="raise max_ratio if you trust it",
            )
    if declared > _RATIO_FLOOR and declared / max(archive_size, 1) > max_ratio:
        raise _refuse(
            f"the package expands {declared / max(archive_size, 1):.0f} times as a whole ({archive_size} "
            f"bytes unpack to {declared}; zip bomb?)",
            package,
            hint="raise max_ratio if you trust it",
        )
    return entries


def extract(
    zf: zipfile.ZipFile,
    entries: list[Entry],
    into: Path,
    package: str,
    archive_size: int,
    *,
    max_bytes: int,
    max_ratio: float,
) -> None:
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
                        raise _refuse(
                            f"the package unpacks to more than {max_bytes} bytes (its header said {declared})",
                            package,
                            name,
                            hint="raise max_bytes if you trust it",
                        )
                    if written > _RATIO_FLOOR and written / max(archive_size, 1) > max_ratio:
                        raise _refuse(
                            f"the package expands more than {max_ratio:.0f} times (its header said "
                            f"{declared} bytes; zip bomb?)",
                            package,
                            name,
                            hint="raise max_ratio if you trust it",
                        )
                    dst.write(chunk)
        except FileExistsError:
            raise _refuse(
                f"entry '{name}' unpacks onto another entry on this file system (names that differ only "
                "in case or accents?)",
                package,
                name,
                hint="re-create the package with names that differ in more than case",
            ) from None
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise _refuse(
                f"entry '{name}' is damaged or does not match its header: {exc}",
                package,
                name,
                hint="get a fresh copy of the package",
            ) from None


__all__ = ["SCRATCH_NAME", "Entry", "PackageWarning", "check_archive", "extract"]
