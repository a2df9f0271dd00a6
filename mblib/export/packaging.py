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
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..errors import Location
from .errors import UnsafePackageError


# Fixed timestamp for zip entries: the same content gives the same bytes.
_ZIP_EPOCH = (2020, 1, 1, 0, 0, 0)


@contextmanager
def staged_folder(target: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it replaces ``target`` whole.

    On an exception the temporary folder is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.chmod(tmp, 0o755)
    replace_folder(tmp, target)


def replace_folder(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target``; an existing ``target`` is swapped out and removed."""
    old = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
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


def _safe_member_name(name: str, package: str) -> PurePosixPath:
    where = Location(file=package, field=name)
    if "\\" in name or "\x00" in name:
        raise UnsafePackageError(f"entry '{name}' has a backslash or NUL in its name", location=where,
                                 hint="re-create the package with forward-slash paths")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise UnsafePackageError(f"entry '{name}' has an absolute path", location=where,
                                 hint="a package may only hold paths relative to its root")
    if any(part == ".." for part in path.parts):
        raise UnsafePackageError(f"entry '{name}' points outside the package ('..')", location=where,
                                 hint="a package may only hold paths relative to its root")
    return path


def import_package(
    package: str | Path,
    dest: str | Path,
    *,
    max_bytes: int = 512 * 1024 * 1024,
    max_files: int = 10_000,
    max_ratio: float = 200.0,
) -> Path:
    """Unpack a zip package (SCORM, cmi5, ...) into ``dest`` safely and return ``dest``.

    Refused, with nothing written: absolute paths, ``..``, backslashes, symbolic links and
    other special files, more than ``max_files`` entries, more than ``max_bytes`` unpacked
    (counted while unpacking, not trusted from the header), and entries that expand more
    than ``max_ratio`` times. The package is unpacked into a temporary folder and moved to
    ``dest`` whole; an existing ``dest`` is replaced only when the whole package is fine.
    """
    package, dest = Path(package), Path(dest)
    name = str(package)
    try:
        zf = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError) as e:
        raise UnsafePackageError(f"cannot read '{name}' as a zip file: {e}", location=Location(file=name),
                                 hint="check that the file is a complete .zip package") from None
    with zf, staged_folder(dest) as tmp:
        infos = zf.infolist()
        if len(infos) > max_files:
            raise UnsafePackageError(f"the package has {len(infos)} entries (limit {max_files})",
                                     location=Location(file=name), hint="raise max_files if you trust it")
        declared = sum(i.file_size for i in infos)
        if declared > max_bytes:
            raise UnsafePackageError(f"the package unpacks to {declared} bytes (limit {max_bytes})",
                                     location=Location(file=name), hint="raise max_bytes if you trust it")
        written = 0
        for info in infos:
            rel = _safe_member_name(info.filename, name)
            kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0  # Unix modes only
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise UnsafePackageError(f"entry '{info.filename}' is a link or special file",
                                         location=Location(file=name, field=info.filename),
                                         hint="a package may only hold plain files and folders")
            out = tmp.joinpath(*rel.parts)
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            if info.compress_size and info.file_size / info.compress_size > max_ratio and info.file_size > 1 << 20:
                raise UnsafePackageError(
                    f"entry '{info.filename}' expands {info.file_size / info.compress_size:.0f} times (zip bomb?)",
                    location=Location(file=name, field=info.filename), hint="raise max_ratio if you trust it")
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(out, "wb") as dst:
                    while True:
                        chunk = src.read(1 << 16)
                        if not chunk:
                            break
                        written += len(chunk)
                        if written > max_bytes:
                            raise UnsafePackageError(
                                f"the package unpacks to more than {max_bytes} bytes (its header said {declared})",
                                location=Location(file=name, field=info.filename),
                                hint="raise max_bytes if you trust it")
                        dst.write(chunk)
            except (zipfile.BadZipFile, EOFError, zlib.error) as e:
                raise UnsafePackageError(f"entry '{info.filename}' is damaged or does not match its header: {e}",
                                         location=Location(file=name, field=info.filename),
                                         hint="get a fresh copy of the package") from None
    return dest


__all__ = ["import_package", "replace_folder",
           "sha256_file", "staged_folder", "zip_folder"]
