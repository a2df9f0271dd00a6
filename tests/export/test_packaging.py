"""Safe package import (crafted malicious zips), folders moved into place whole, deterministic zips."""

from __future__ import annotations

import stat
import zipfile

import pytest

from mblib.export.errors import UnsafePackageError
from mblib.export.packaging import import_package, staged_folder, zip_folder


def _zip(path, entries):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data, *mode in entries:
            info = zipfile.ZipInfo(name)
            if mode:
                info.external_attr = mode[0] << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


@pytest.fixture
def dest(tmp_path):
    d = tmp_path / "dest"
    d.mkdir()
    (d / "keep.txt").write_text("previous import")
    return d


def _unchanged(dest):
    return (
        sorted(p.name for p in dest.iterdir()) == ["keep.txt"] and (dest / "keep.txt").read_text() == "previous import"
    )


@pytest.mark.parametrize(
    "name, message",
    [
        ("../evil.txt", "points outside the package"),
        ("a/../../evil.txt", "points outside the package"),
        ("/etc/evil.txt", "absolute path"),
        ("C:/evil.txt", "absolute path"),
        ("a\\..\\evil.txt", "backslash"),
    ],
)
def test_traversal_and_absolute_paths_are_refused(tmp_path, dest, name, message):
    pkg = _zip(tmp_path / "bad.zip", [("index.html", b"ok"), (name, b"evil")])
    with pytest.raises(UnsafePackageError, match=message) as e:
        import_package(pkg, dest)
    assert "bad.zip" in str(e.value) and name in str(e.value)
    assert _unchanged(dest) and not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip", "dest"]  # no temp folder left behind


def test_symlinks_are_refused(tmp_path, dest):
    pkg = _zip(tmp_path / "link.zip", [("index.html", b"ok"), ("passwd", b"/etc/passwd", stat.S_IFLNK | 0o777)])
    with pytest.raises(UnsafePackageError, match="link or special file"):
        import_package(pkg, dest)
    assert _unchanged(dest)


def test_zip_bombs_are_refused(tmp_path, dest):
    bomb = _zip(tmp_path / "bomb.zip", [("zeros.bin", b"\0" * (8 << 20))])
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnsafePackageError, match="expands .* times"):
        import_package(bomb, dest)
    with pytest.raises(UnsafePackageError, match=r"unpacks to 8388608 bytes \(limit 1000000\)"):
        import_package(bomb, dest, max_bytes=1_000_000, max_ratio=10_000)
    many = _zip(tmp_path / "many.zip", [(f"f{i}.txt", b"x") for i in range(20)])
    with pytest.raises(UnsafePackageError, match="20 entries"):
        import_package(many, dest, max_files=10)
    assert _unchanged(dest)


def test_a_lying_header_is_caught_while_unpacking(tmp_path, dest):
    pkg = _zip(tmp_path / "liar.zip", [("big.bin", b"x" * 5000)])
    data = bytearray(pkg.read_bytes())
    # shrink the declared size in the central directory; the real stream is still 5000 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    pkg.write_bytes(bytes(data))
    with pytest.raises(UnsafePackageError, match="does not match its header"):
        import_package(pkg, dest, max_bytes=100_000, replace=True)
    assert _unchanged(dest)


def test_not_a_zip_is_a_clear_error(tmp_path, dest):
    (tmp_path / "x.zip").write_text("hello")
    with pytest.raises(UnsafePackageError, match="cannot read .* as a zip file"):
        import_package(tmp_path / "x.zip", dest)


def test_a_good_package_replaces_its_own_paths_only(tmp_path, dest):
    src = tmp_path / "src"
    (src / "media").mkdir(parents=True)
    (src / "index.html").write_text("<p>hi</p>")
    (src / "media" / "a.svg").write_text("<svg/>")
    pkg = zip_folder(src, tmp_path / "pkg.zip")
    first = pkg.read_bytes()
    assert zip_folder(src, tmp_path / "pkg.zip").read_bytes() == first  # deterministic bytes
    out = import_package(pkg, dest, replace=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "index.html",
        "keep.txt",
        "media",
        "media/a.svg",
    ]
    assert (out / "keep.txt").read_text() == "previous import"


def test_a_failed_staged_folder_leaves_the_target_intact(tmp_path):
    target = tmp_path / "site"
    with staged_folder(target) as tmp:
        (tmp / "index.html").write_text("v1")
    with pytest.raises(RuntimeError):
        with staged_folder(target) as tmp:
            (tmp / "index.html").write_text("half")
            raise RuntimeError("boom")
    assert (target / "index.html").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
