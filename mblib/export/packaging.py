"""Safe writing and reading of export folders and packages.

Every export is built in a temporary folder beside its target and moved into
place whole (:func:`staged_folder`), so readers see the old export or the new
one, never half of each, and a failed export leaves the previous one intact.
Packages are zipped deterministically (:func:`zip_folder`) and imported
without path traversal, absolute paths, links or zip bombs
(:func:`import_package`).

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with staged_folder(root / "site") as tmp:
...     _ = (tmp / "index.html").write_text("hello")
>>> (root / "site" / "index.html").read_text()
'hello'
>>> sorted(p.name for p in root.iterdir())
['site']
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Location
from .errors import ExportError, UnsafePackageError
from .merge import make_parents, merge_into, refuse_conflicts, remove_empty
from .scratch import clean_stale, make_scratch, scratch_folder
from .unpack import SCRATCH_NAME, check_archive, extract

# Fixed timestamp for zip entries: the same content gives the same bytes.
_ZIP_EPOCH = (2020, 1, 1, 0, 0, 0)

MARKER = ".mblib-export"
"""The file every export folder carries: the next export may replace that folder whole."""
_MARKER_TEXT = b"Written by mblib. The next export to this folder replaces it whole.\n"


def is_replaceable(target: Path) -> bool:
    """Whether an export may replace ``target`` whole: it does not exist, is an empty folder, or is
    a folder an mblib export wrote (its marker file, or, from versions before the marker, a
    page mblib generated or a badges ``achievement.json``)."""
    if not target.exists() and not target.is_symlink():
        return True
    if target.is_symlink() or not target.is_dir():
        return False
    if (target / MARKER).is_file() or not any(target.iterdir()):
        return True
    pages = sorted(p for p in target.glob("*.html") if p.is_file() and not p.is_symlink())[:5]
    for page in pages:  # an export from before the marker: its pages name their generator
        with open(page, "rb") as fh:
            if b'<meta name="generator" content="mblib">' in fh.read(4096):
                return True
    return (target / "achievement.json").is_file() and (target / "credentials").is_dir()


def refuse_foreign_target(target: Path) -> None:
    """Raise :class:`ExportError` unless an export may replace ``target`` (see :func:`is_replaceable`)."""
    if is_replaceable(target):
        return
    if target.is_symlink() or not target.is_dir():
        what = "is a link" if target.is_symlink() else "is a file"
        raise ExportError(
            f"the output '{target}' {what}, not a folder; nothing was written",
            location=Location(file=str(target)),
            hint="choose a new or empty folder for the export (-o/--out)",
        )
    example = sorted(p.name for p in target.iterdir())[0]
    raise ExportError(
        f"the output folder '{target}' already holds files that mblib did not export (e.g. '{example}'); "
        "an export replaces its folder whole, so nothing was written",
        location=Location(file=str(target)),
        hint="choose a new or empty folder for the export (-o/--out), or move those files away first",
    )


@contextmanager
def staged_folder(target: str | Path, *, mark: bool = True) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it replaces ``target`` whole.

    On an exception (in the body or while moving into place) the temporary folder is removed
    and ``target`` is untouched. Stale temporary folders of the same target that a killed run
    left behind are removed first (see :mod:`mblib.export.scratch`). A ``target`` that holds
    files no export wrote (the current folder, a project folder) is refused before anything is
    written: an export never deletes what it did not create. The new folder carries
    :data:`MARKER` (unless ``mark`` is false), so the next export may replace it.
    """
    target = Path(os.path.abspath(target))
    refuse_foreign_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target.parent, target.name)
    tmp = make_scratch(target.parent, target.name)
    try:
        yield tmp
        if mark:
            (tmp / MARKER).write_bytes(_MARKER_TEXT)
        os.chmod(tmp, 0o755)
        refuse_foreign_target(target)  # again: something may have appeared while we built
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_folder(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target``; an existing ``target`` is swapped out and removed."""
    old = None
    if target.exists() or target.is_symlink():
        old = make_scratch(target.parent, target.name, suffix=".old")
        os.rmdir(old)
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def zip_build_folder(out_file: str | Path) -> Iterator[Path]:
    """A scratch folder to build the files of package ``out_file`` in; removed on exit, always.

    Stale build folders of the same package that a killed run left behind are removed first.
    """
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out_file.parent, out_file.stem)  # the bare '.<stem>.<random>' folders of older versions
    with scratch_folder(out_file.parent, out_file.name) as tmp:
        yield tmp


def zip_folder(folder: str | Path, target: str | Path) -> Path:
    """Zip the files under ``folder`` into ``target`` (sorted, fixed timestamps), atomically."""
    from ..content.yamlio import atomic_write

    folder, target = Path(folder), Path(target)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            info = zipfile.ZipInfo(p.relative_to(folder).as_posix(), date_time=_ZIP_EPOCH)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, p.read_bytes())
    atomic_write(target, buf.getvalue())
    return target


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    while unpacking; a failure then undoes the import.

    Where the package goes: a new ``dest`` is built aside and moved into place whole (its
    missing parent folders are created, and removed again if the import fails); an existing,
    empty ``dest`` (``.`` included) is filled; an existing, non-empty one is refused unless
    ``replace`` (see :mod:`mblib.export.merge`).
    """
    package, dest = Path(package), Path(dest)
    name = str(package)
    try:
        zf = zipfile.ZipFile(package)
        size = package.stat().st_size
    except (zipfile.BadZipFile, OSError) as e:
        raise UnsafePackageError(
            f"cannot read '{name}' as a zip file: {e}",
            location=Location(file=name),
            hint="check that the file is a complete .zip package",
        ) from None
    with zf:
        entries = check_archive(zf, name, size, max_bytes=max_bytes, max_files=max_files, max_ratio=max_ratio)
        target = Path(os.path.abspath(dest))
        shown = f"'{dest}'" if str(dest) == str(target) else f"'{dest}' ({target})"
        if not target.exists() and not target.is_symlink():
            created = make_parents(target.parent)
            try:
                with staged_folder(target, mark=False) as tmp:
                    extract(zf, entries, tmp, name, size, max_bytes=max_bytes, max_ratio=max_ratio)
            except BaseException:
                remove_empty(created)
                raise
            return dest
        if not target.is_dir():
            raise ExportError(
                f"{shown} exists and is not a folder",
                location=Location(file=str(dest)),
                hint="give the path of a new or empty folder to unpack into",
            )
        clean_stale(target, SCRATCH_NAME)
        present = sorted(p.name for p in target.iterdir())
        if present and not replace:
            raise ExportError(
                f"{shown} is not empty ({len(present)} file(s) or folder(s), e.g. '{present[0]}'); "
                "nothing was unpacked",
                location=Location(file=str(dest)),
                hint="unpack into a new or empty folder, or pass --replace (Python: replace=True) to overwrite "
                "the paths the package holds; other files in the folder are kept",
            )
        refuse_conflicts(entries, target, str(dest))
        staged = make_scratch(target, SCRATCH_NAME)
        try:
            extract(zf, entries, staged, name, size, max_bytes=max_bytes, max_ratio=max_ratio)
            merge_into(staged, entries, target)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    return dest


__all__ = [
    "MARKER",
    "import_package",
    "is_replaceable",
    "refuse_foreign_target",
    "replace_folder",
    "sha256_file",
    "staged_folder",
    "zip_build_folder",
    "zip_folder",
]
