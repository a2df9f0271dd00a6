"""The `mb` command, through click's runner."""

from __future__ import annotations

import importlib.util
import json

from click.testing import CliRunner

from mblib.cli import main
from mblib.content import Workspace


def run(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


def test_new_workspace_and_module_then_lint_and_render(tmp_path):
    ws = tmp_path / "course"
    r = run("new", "workspace", str(ws), "--title", "My course")
    assert r.exit_code == 0 and (ws / "mblib.toml").is_file()
    r = run("new", "module", "reading-maps", "-w", str(ws))
    assert r.exit_code == 0, r.output
    assert Workspace.open(ws).module("reading-maps").title == "Reading maps"
    r = run("lint", "-w", str(ws))  # the starter texts are flagged until the designer replaces them
    assert r.exit_code == 0 and "0 error(s)" in r.output and "warning[content.placeholder]" in r.output
    r = run("render", "-w", str(ws), "-o", str(tmp_path / "out"))
    assert r.exit_code == 0 and (tmp_path / "out" / "reading-maps.html").is_file()
    assert (tmp_path / "out" / "index.html").is_file()


def test_new_module_refuses_to_overwrite(tmp_path):
    ws = tmp_path / "course"
    run("new", "workspace", str(ws))
    run("new", "module", "m1", "-w", str(ws))
    r = CliRunner().invoke(main, ["new", "module", "m1", "-w", str(ws)])
    assert r.exit_code == 2 and "already exists" in r.output


def test_lint_reports_errors_with_location_and_exit_code(tmp_path):
    ws = tmp_path / "course"
    run("new", "workspace", str(ws))
    (ws / "modules" / "bad.yaml").write_text(
        "id: bad\ntitle: Bad\nblocks:\n  - id: pic\n    type: image\n    src: media/none.png\n"
    )
    r = CliRunner().invoke(main, ["lint", "-w", str(ws)])
    assert r.exit_code == 1
    assert (
        "error[a11y.alt-missing] course/modules/bad.yaml:4:5: block 'pic', field 'alt': image has no alt text"
        in r.output
    )
    assert "error[media.missing]" in r.output and "fix:" in r.output
    r = CliRunner().invoke(main, ["lint", "-w", str(ws), "--format", "json"])
    found = json.loads(r.output)
    assert {f["code"] for f in found} == {"a11y.alt-missing", "media.missing"}
    assert all(f["line"] == 4 and f["block_id"] == "pic" for f in found)


def test_lint_reports_load_errors_without_traceback(tmp_path):
    ws = tmp_path / "course"
    run("new", "workspace", str(ws))
    (ws / "modules" / "x.yaml").write_text("id: x\ntitle: X\nblocks:\n  - id: q\n    type: quizz\n")
    r = CliRunner().invoke(main, ["lint", "-w", str(ws)])
    assert r.exit_code == 1 and "unknown block type 'quizz'" in r.output and "Traceback" not in r.output


def test_missing_workspace_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MBLIB_WORKSPACE", raising=False)
    r = CliRunner().invoke(main, ["lint"])
    assert r.exit_code == 2 and "no workspace given" in r.output and "-w PATH" in r.output
    r = CliRunner().invoke(main, ["lint", "-w", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_demo_renders_every_sample_module(tmp_path):
    from .conftest import SAMPLE

    r = run("demo", "-o", str(tmp_path))
    assert r.exit_code == 0, r.output
    pages = tmp_path / "sample-workspace" / "pages"
    modules = sorted(p.stem for p in (SAMPLE / "modules").glob("*.yaml"))
    assert sorted(p.stem for p in pages.glob("*.html") if p.stem != "index") == modules
    assert "lint: 0 error(s)" in r.output and str(pages) in r.output
    if importlib.util.find_spec("ralph") is not None:  # the lrs extra: the cohort went through Ralph and back
        assert "lrs: Ralph started in" in r.output and "(0 rejected)" in r.output
        assert (tmp_path / "ingested" / "events").is_dir() and (tmp_path / "ingested" / "learners.parquet").is_file()
