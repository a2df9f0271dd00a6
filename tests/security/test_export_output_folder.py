"""An export replaces its output folder whole; it must never delete files it did not write.

`mb export lesson|site|badge -o FOLDER` once wiped whatever FOLDER held (`-o .` in a project
emptied the project). Now a folder holding files no export wrote is refused before anything is
written, while re-exporting to an export's own folder (marked, or from an earlier version)
still replaces it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.content import Workspace
from mblib.export.errors import ExportError
from mblib.export.packaging import MARKER, staged_folder
from mblib.export.site import export_site
from tests.conftest import SAMPLE


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".mblib"))
    return Workspace.open(root)


def test_a_folder_with_foreign_files_is_refused_and_kept(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(ExportError) as err:
        export_site(ws, "data-literacy-foundations", out)
    assert "already holds files that mblib did not export (e.g. 'thesis.docx')" in err.value.message
    assert "nothing was written" in err.value.message
    assert "-o/--out" in (err.value.hint or "")
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".project")] == []  # no scratch left


def test_the_cli_refuses_the_current_folder(ws: Workspace, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep me", encoding="utf-8")
    old = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(
            main, ["export", "site", "data-literacy-foundations", "-w", str(ws.root), "-o", "."]
        )
    finally:
        os.chdir(old)
    assert result.exit_code != 0
    assert "already holds files that mblib did not export" in result.output
    assert "Traceback" not in result.output
    assert (work / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_an_export_folder_is_marked_and_replaced_by_the_next_export(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    export_site(ws, "data-literacy-foundations", out)
    assert (out / MARKER).is_file()
    (out / "stale-page.html").write_text("old", encoding="utf-8")  # a page of a module since removed
    export_site(ws, "data-literacy-foundations", out)
    assert not (out / "stale-page.html").exists() and (out / "index.html").is_file()


def test_an_export_from_before_the_marker_is_still_replaced(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    export_site(ws, "data-literacy-foundations", out)
    (out / MARKER).unlink()  # as written by an earlier mblib: recognised by its generator tag
    export_site(ws, "data-literacy-foundations", out)
    assert (out / MARKER).is_file()


def test_a_file_or_a_link_as_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        with staged_folder(tmp_path / "a-file"):
            pass
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    with pytest.raises(ExportError, match="is a link, not a folder"):
        with staged_folder(tmp_path / "link"):
            pass
    assert elsewhere.is_dir() and (tmp_path / "a-file").read_text(encoding="utf-8") == "x"


def test_files_appearing_while_building_are_not_deleted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ExportError, match="did not export"):
        with staged_folder(out) as tmp:
            (tmp / "page.html").write_text("new", encoding="utf-8")
            out.mkdir()
            (out / "someone-else.txt").write_text("mine", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["someone-else.txt"]
