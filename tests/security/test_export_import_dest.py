"""`mb export import PACKAGE DEST` never wipes DEST (issue 10, item 4).

A non-empty DEST is refused unless --replace; --replace overwrites only the package's own
paths; DEST `.` is a clear refusal, not a traceback; a refused import creates no folder
and leaves no temporary folder.
"""

from __future__ import annotations

import os
import zipfile

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.export.errors import ExportError, UnsafePackageError
from mblib.export.packaging import import_package


def _package(path, entries=(("index.html", b"<p>new</p>"), ("media/a.svg", b"<svg/>"))):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def _tree(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def dest(tmp_path):
    d = tmp_path / "dest"
    (d / "notes").mkdir(parents=True)
    (d / "thesis.docx").write_text("three years of work")
    (d / "notes" / "a.txt").write_text("mine")
    (d / "index.html").write_text("<p>old</p>")
    return d


def test_a_non_empty_dest_is_refused_naming_dest_and_replace(tmp_path, dest):
    pkg = _package(tmp_path / "pkg.zip")
    before = _tree(dest)
    with pytest.raises(ExportError) as e:
        import_package(pkg, dest)
    text = str(e.value)
    assert str(dest) in text and "is not empty" in text and "--replace" in text and "replace=True" in text
    assert _tree(dest) == before and (dest / "thesis.docx").read_text() == "three years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "pkg.zip"]  # no temporary folder


def test_the_cli_refuses_without_replace_and_keeps_other_files_with_it(tmp_path, dest):
    pkg = _package(tmp_path / "pkg.zip")
    r = CliRunner().invoke(main, ["export", "import", str(pkg), str(dest)])
    assert r.exit_code == 2, r.output
    assert "is not empty" in r.output and "--replace" in r.output and "Traceback" not in r.output
    assert (dest / "index.html").read_text() == "<p>old</p>"
    r = CliRunner().invoke(main, ["export", "import", str(pkg), str(dest), "--replace"])
    assert r.exit_code == 0, r.output
    assert _tree(dest) == ["index.html", "media", "media/a.svg", "notes", "notes/a.txt", "thesis.docx"]
    assert (dest / "index.html").read_text() == "<p>new</p>"  # the package's own path is replaced
    assert (dest / "thesis.docx").read_text() == "three years of work" and (dest / "notes" / "a.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "pkg.zip"]


def test_replace_never_removes_a_folder_or_writes_through_a_link(tmp_path, dest):
    (dest / "media").mkdir()
    pkg = _package(tmp_path / "clash.zip", [("media", b"a file where dest has a folder")])
    with pytest.raises(ExportError, match="has a file 'media' where .* has a folder"):
        import_package(pkg, dest, replace=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (dest / "media").rmdir()
    (dest / "media").symlink_to(outside)
    with pytest.raises(ExportError, match="is a link; the package would write through it"):
        import_package(_package(tmp_path / "pkg.zip"), dest, replace=True)
    assert list(outside.iterdir()) == []


def test_a_failure_while_replacing_restores_dest(tmp_path, dest, monkeypatch):
    from mblib.export import unpack

    pkg = _package(tmp_path / "pkg.zip", [("index.html", b"new"), ("z/late.txt", b"boom")])
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    real = os.replace

    def failing(src, dst):
        if str(dst).endswith("late.txt"):
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(unpack.os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        import_package(pkg, dest, replace=True)
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before
    assert _tree(dest) == ["index.html", "notes", "notes/a.txt", "thesis.docx"]  # no z/, no scratch folder


def test_dot_as_dest_is_a_clear_refusal(tmp_path, monkeypatch):
    pkg = _package(tmp_path / "pkg.zip")
    work = tmp_path / "work"
    work.mkdir()
    (work / "mine.txt").write_text("keep")
    monkeypatch.chdir(work)
    r = CliRunner().invoke(main, ["export", "import", str(pkg), "."])
    assert r.exit_code == 2, r.output
    assert "'.'" in r.output and str(work) in r.output and "--replace" in r.output
    assert "Traceback" not in r.output and not isinstance(r.exception, OSError)
    assert sorted(p.name for p in work.iterdir()) == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg.zip", "work"]  # nothing left beside it
    r = CliRunner().invoke(main, ["export", "import", str(pkg), ".", "--replace"])
    assert r.exit_code == 0, r.output
    assert _tree(work) == ["index.html", "media", "media/a.svg", "mine.txt"]


def test_an_empty_dot_is_filled(tmp_path, monkeypatch):
    pkg = _package(tmp_path / "pkg.zip")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    import_package(pkg, ".")
    assert _tree(tmp_path / "empty") == ["index.html", "media", "media/a.svg"]


def test_a_refused_import_creates_no_parent_folders(tmp_path):
    bad = _package(tmp_path / "bad.zip", [("../evil.txt", b"x")])
    dest = tmp_path / "a" / "b" / "c"
    with pytest.raises(UnsafePackageError):
        import_package(bad, dest)
    assert not (tmp_path / "a").exists()
    # a package that is refused only while unpacking (its header lies about a size)
    liar = _package(tmp_path / "liar.zip", [("big.bin", b"x" * 5000)])
    data = bytearray(liar.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    liar.write_bytes(bytes(data))
    with pytest.raises(UnsafePackageError, match="does not match its header"):
        import_package(liar, dest)
    assert not (tmp_path / "a").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip", "liar.zip"]
    # and a good one creates them
    assert (import_package(_package(tmp_path / "ok.zip"), dest) / "index.html").is_file()


def test_a_file_that_cannot_be_put_back_is_kept_not_deleted(tmp_path, dest, monkeypatch):
    from mblib.export import unpack

    pkg = _package(tmp_path / "pkg.zip", [("index.html", b"new"), ("z/late.txt", b"boom")])
    real = os.replace

    def failing(src, dst):
        if str(dst).endswith("late.txt") or (str(dst).endswith("index.html") and ".old" in str(src)):
            raise OSError("disk gone")
        return real(src, dst)

    monkeypatch.setattr(unpack.os, "replace", failing)
    with pytest.raises(ExportError, match="1 replaced file.* could not be put back") as e:
        import_package(pkg, dest, replace=True)
    kept = [p for p in dest.iterdir() if p.name.startswith("mblib-import-backup-")]
    assert len(kept) == 1 and str(kept[0]) in str(e.value)
    assert [p.read_text() for p in kept[0].iterdir()] == ["<p>old</p>"]  # the only copy of the old file survives
