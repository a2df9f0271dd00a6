"""Hostile zips refused from the zip's directory, before anything is unpacked (issue 10, items 9 and 11).

The whole package's expansion ratio (many small entries), duplicate entries (also after
normalisation), a file and a folder at one path, entries named `.` or nothing: each is a
clear refusal naming the entry and the archive, never a traceback.
"""

from __future__ import annotations

import warnings
import zipfile

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.export.errors import UnsafePackageError
from mblib.export.packaging import import_package
from mblib.export.unpack import PackageWarning


def _zip(path, entries, *, level=9):
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        for name, data in entries:
            info = zipfile.ZipInfo(name)  # as given: zf.writestr(str) would tidy the name
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


@pytest.fixture
def no_unpacking(monkeypatch):
    """Fail the test if any entry is opened for reading: the checks must refuse before unpacking."""
    real = zipfile.ZipFile.open

    def refuse(self, name, mode="r", *a, **kw):
        if mode == "r":
            raise AssertionError("an entry was read before the package was refused")
        return real(self, name, mode, *a, **kw)  # building the hostile zip in the test

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


def _nothing_written(tmp_path, *names):
    return sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_many_small_entries_that_expand_a_lot_together_are_refused(tmp_path, no_unpacking):
    # 40 entries of 900 KiB of zeros each: every entry is under the 1 MiB per-entry floor,
    # together ~36 MB unpack from ~40 KB (ratio ~900, far above 200)
    block = b"\0" * (900 << 10)
    bomb = _zip(tmp_path / "bomb.zip", [(f"f{i:03d}.bin", block) for i in range(40)])
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnsafePackageError, match=r"expands \d+ times as a whole") as e:
        import_package(bomb, tmp_path / "out")
    assert "bomb.zip" in str(e.value) and "max_ratio" in str(e.value)
    assert _nothing_written(tmp_path, "bomb.zip")


def test_an_ordinary_package_of_small_files_still_imports(tmp_path):
    pkg = _zip(tmp_path / "ok.zip", [(f"page{i}.html", b"<p>lesson text %d</p>" % i * 50) for i in range(30)])
    out = import_package(pkg, tmp_path / "out")
    assert len(list(out.iterdir())) == 30


@pytest.mark.parametrize(
    "names, message",
    [
        (["a/b.txt", "a/b.txt"], "two entries named 'a/b.txt'"),
        (["a/b.txt", "a//b.txt"], "entries 'a/b.txt' and 'a//b.txt' both unpack to 'a/b.txt'"),
        (["a/b.txt", "./a/b.txt"], "entries 'a/b.txt' and './a/b.txt' both unpack to 'a/b.txt'"),
        (["x", "x/y"], "entry 'x' is a file, but entry 'x/y' needs a folder at the same path"),
        (["x/y", "x"], "entry 'x' is a file, but entry 'x/y' needs a folder at the same path"),
        (["x/", "x"], "entries 'x/' and 'x' both unpack to 'x'"),
        (["index.html", "."], "entry '.' names the package's own root folder"),
        (["index.html", "./"], "entry './' names the package's own root folder"),
        (["index.html", ""], "an entry has an empty name"),
    ],
)
def test_clashing_and_nameless_entries_are_refused_before_unpacking(tmp_path, no_unpacking, names, message):
    pkg = _zip(tmp_path / "hostile.zip", [(n, b"data") for n in names])
    with pytest.raises(UnsafePackageError) as e:
        import_package(pkg, tmp_path / "out")
    assert message in str(e.value) and "hostile.zip" in str(e.value)
    assert _nothing_written(tmp_path, "hostile.zip")


def test_the_cli_prints_the_refusal_not_a_traceback(tmp_path):
    pkg = _zip(tmp_path / "hostile.zip", [("x", b"1"), ("x/y", b"2")])
    r = CliRunner().invoke(main, ["export", "import", str(pkg), str(tmp_path / "out")])
    assert r.exit_code == 2 and "error: " in r.output and "entry 'x' is a file" in r.output, r.output
    assert "Traceback" not in r.output and not (tmp_path / "out").exists()


def test_duplicate_folder_entries_are_harmless(tmp_path):
    out = import_package(_zip(tmp_path / "ok.zip", [("d/", b""), ("d/", b""), ("d/f.txt", b"x")]), tmp_path / "out")
    assert (out / "d" / "f.txt").read_text() == "x"


def test_names_that_differ_only_in_case_warn(tmp_path):
    pkg = _zip(tmp_path / "case.zip", [("Index.html", b"A"), ("index.html", b"B")])
    with pytest.warns(PackageWarning, match="'Index.html' and 'index.html' differ only in case") as w:
        import_package(pkg, tmp_path / "out")
    assert "case.zip" in str(w[0].message)
    r = CliRunner().invoke(main, ["export", "import", str(pkg), str(tmp_path / "out2")])
    assert r.exit_code == 0 and "warning: " in r.output and "differ only in case" in r.output
