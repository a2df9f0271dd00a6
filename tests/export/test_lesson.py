"""Lesson notebooks, the mblesson exporter, incremental export and failing code blocks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mblib.content import Module, Workspace
from mblib.export.errors import CodeBlockError, ExportError
from mblib.export.lesson import execute_notebook, module_to_notebook, notebook_to_module
from mblib.render import render_module

from ..test_render import all_blocks_module


def test_every_block_type_round_trips_through_a_valid_notebook():
    import nbformat

    module = all_blocks_module()
    nb = module_to_notebook(module)
    nbformat.validate(nb)
    assert [c.metadata["mblib"]["id"] for c in nb.cells] == [b.id for b in module.blocks]
    assert [c.cell_type for c in nb.cells if c.metadata["mblib"]["type"] == "code"] == ["code"]
    assert nb.cells[-1].outputs[0]["text"] == "2"  # stored outputs travel with the cell
    again = nbformat.reads(nbformat.writes(nb), as_version=4)
    assert notebook_to_module(again) == module


def test_edits_to_text_and_code_cells_are_kept_and_foreign_cells_ignored():
    import nbformat

    nb = module_to_notebook(all_blocks_module())
    nb.cells[0].source = "Edited **text**."
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source = "print(3)"
    nb.cells.append(nbformat.v4.new_code_cell("print('scratch')"))
    module = notebook_to_module(nb)
    assert module.block("t").body == "Edited **text**."
    assert module.block("code").source == "print(3)"
    assert len(module.blocks) == len(all_blocks_module().blocks)


def test_a_plain_notebook_is_refused_with_a_hint():
    import nbformat

    with pytest.raises(ExportError, match="not an mblib lesson") as e:
        notebook_to_module(nbformat.v4.new_notebook())
    assert "mb export lesson" in str(e.value)


def test_exported_page_is_the_renderers_page_with_outputs(lessons, export_ws):
    import nbformat

    out, report = lessons
    assert sorted(report.built) == sorted(export_ws.modules) and report.reused == []
    assert len(report.executed) == 5  # the five sample modules with code blocks
    nb = nbformat.read(out / "mean-median-and-outliers.ipynb", as_version=4)
    nbformat.validate(nb)
    module = notebook_to_module(nb)
    assert "With founder: mean 5,140" in module.block("founder-pay").outputs[0].data
    html = (out / "mean-median-and-outliers.html").read_text()
    assert html == render_module(module, export_ws).html  # one renderer, same templates/CSS/JS/CSP
    assert "With founder: mean 5,140  median 2,950" in html
    assert (out / "index.html").is_file()


@pytest.mark.slow
def test_jupyter_nbconvert_to_mblesson(lessons, tmp_path):
    out, _ = lessons
    jupyter = Path(sys.executable).parent / "jupyter"
    proc = subprocess.run(
        [
            str(jupyter),
            "nbconvert",
            "--to",
            "mblesson",
            str(out / "line-charts-over-time.ipynb"),
            "--output-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    made = (tmp_path / "line-charts-over-time.html").read_text()
    assert made == (out / "line-charts-over-time.html").read_text()


def test_unchanged_modules_are_not_exported_again(lessons, export_ws):
    from mblib.export.lessons import export_lessons
    from mblib.export.state import executed_modules

    out, _ = lessons
    before = {p.name: p.stat().st_ino for p in out.iterdir()}
    report = export_lessons(export_ws, out, workers=2)
    assert report.built == [] and report.executed == [] and sorted(report.reused) == sorted(export_ws.modules)
    after = {p.name: p.stat().st_ino for p in out.iterdir()}
    assert after.keys() == before.keys()
    # the executed modules are cached in .mblib: a site or package export runs no code again
    _mods, _hashes, ran = executed_modules(export_ws, list(export_ws.modules), workers=2)
    assert ran == []
    state = json.loads((export_ws.root / ".mblib" / "export-state.json").read_text())
    assert set(state["targets"][f"lessons:{out.resolve()}"]) == set(export_ws.modules)


def test_changing_one_module_rebuilds_only_that_one(sample_ws, tmp_path):
    from mblib.export.lessons import export_lessons

    out = tmp_path / "lessons"
    first = export_lessons(sample_ws, out, execute=False)
    assert len(first.built) == 10
    m = sample_ws.module("reading-bar-charts")
    m.title = "Reading bar charts, again"
    sample_ws.save_module(m)
    ws = Workspace.open(sample_ws.root)
    second = export_lessons(ws, out, execute=False)
    assert second.built == ["reading-bar-charts"] and len(second.reused) == 9
    assert "Reading bar charts, again" in (out / "reading-bar-charts.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lessons", "sample-workspace"]  # no temp folders left


@pytest.fixture
def code_ws(tmp_path):
    ws = Workspace.create(tmp_path / "ws", title="Code")
    ws.save_module(
        Module(
            id="calc",
            title="Calc",
            blocks=[
                {"id": "intro", "type": "text", "body": "Some maths."},
                {"id": "answer", "type": "code", "source": "print(6 * 7)"},
            ],
        )
    )
    return ws


@pytest.mark.slow
def test_failing_code_block_names_module_and_block_and_keeps_the_previous_export(code_ws, tmp_path):
    from mblib.export.lessons import export_lessons

    out = tmp_path / "exports" / "lessons"
    export_lessons(code_ws, out, workers=1)
    good = (out / "calc.html").read_text()
    assert '<pre class="mb-output" tabindex="0">42\n</pre>' in good
    m = code_ws.module("calc")
    m.blocks[1].source = "total = 6 * 7\nprint(totl)"
    code_ws.save_module(m)
    with pytest.raises(CodeBlockError) as e:
        export_lessons(Workspace.open(code_ws.root), out, workers=1)
    msg = str(e.value)
    assert "module 'calc'" in msg and "block 'answer'" in msg and "NameError" in msg and "totl" in msg
    assert "modules/calc.yaml" in msg
    assert (out / "calc.html").read_text() == good  # the earlier export is intact
    assert sorted(p.name for p in out.parent.iterdir()) == ["lessons"]  # and no half-written folder


@pytest.mark.slow
def test_exporter_executes_when_asked_and_reports_failures(code_ws):
    from mblib.export.exporter import LessonExporter

    nb = module_to_notebook(code_ws.module("calc"), workspace=code_ws.root)
    html, resources = LessonExporter(execute=True).from_notebook_node(nb)
    assert ">42\n</pre>" in html and resources["output_extension"] == ".html"
    assert nb.cells[1].outputs == []  # the caller's notebook is not modified
    nb.cells[1].source = "raise ValueError('no data')"
    with pytest.raises(CodeBlockError, match=r"module 'calc': block 'answer'.*ValueError: no data"):
        LessonExporter(execute=True).from_notebook_node(nb)


def test_notebook_without_code_starts_no_kernel():
    nb = module_to_notebook(Module(id="m", title="M", blocks=[{"id": "t", "type": "text", "body": "x"}]))
    assert execute_notebook(nb, cwd="/nonexistent") is nb


class _FlakyStartClient:
    """Stands in for nbclient's NotebookClient: the kernel dies before kernel_info ``fails`` times."""

    starts = 0

    def __init__(self, nb, **kwargs):
        self.nb = nb
        self.code_cells_executed = 0

    def execute(self, **kwargs):
        type(self).starts += 1
        if type(self).starts <= self.fails:
            raise RuntimeError("Kernel died before replying to kernel_info")
        self.code_cells_executed = 1


def _code_notebook():
    m = Module(id="m", title="M", blocks=[{"id": "c", "type": "code", "source": "print(1)"}])
    return module_to_notebook(m)


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch):
    import nbclient

    client = type("Client", (_FlakyStartClient,), {"fails": 2, "starts": 0})
    monkeypatch.setattr(nbclient, "NotebookClient", client)
    execute_notebook(_code_notebook(), module_id="m")
    assert client.starts == 3


def test_a_kernel_that_never_starts_is_a_clear_error(monkeypatch):
    import nbclient

    client = type("Client", (_FlakyStartClient,), {"fails": 99, "starts": 0})
    monkeypatch.setattr(nbclient, "NotebookClient", client)
    with pytest.raises(CodeBlockError, match=r"kernel 'python3' did not start \(3 attempts\)") as e:
        execute_notebook(_code_notebook(), module_id="m")
    assert "make setup" in str(e.value) and client.starts == 3
