"""Every notebook in notebooks/ runs headless (nbclient, kernel python3) in a copy of the folder."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import REPO

from .conftest import notebook_tree

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


def test_the_authoring_notebooks_exist():
    assert {"01-author-a-module.ipynb", "02-assemble-a-credential.ipynb"} <= set(NOTEBOOKS)


def _check_01(work):
    module = yaml.safe_load((work / "sample-workspace" / "modules" / "line-charts-over-time.yaml").read_text())
    assert any(b.get("title") == "Check the axis" for b in module["blocks"])


def _check_02(work):
    cred = yaml.safe_load((work / "sample-workspace" / "credentials" / "data-storytelling.yaml").read_text())
    assert cred["european"]["participation"] == "blended"


def _snapshot() -> dict[str, bytes]:
    sample = REPO / "datasets" / "sample-workspace"
    return {str(p.relative_to(sample)): p.read_bytes() for p in sorted(sample.rglob("*")) if p.is_file()}


CHECKS = {"01-author-a-module.ipynb": _check_01, "02-assemble-a-credential.ipynb": _check_02}


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_headless(name, tmp_path, monkeypatch):
    import nbclient
    import nbformat

    before = _snapshot()
    folder = notebook_tree(tmp_path)
    work = tmp_path / "work"
    monkeypatch.setenv("MBLIB_NOTEBOOK_WORKDIR", str(work))  # the kernel inherits it: edits go to a copy
    nb = nbformat.read(folder / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()  # raises CellExecutionError quoting the failing cell
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    if name in CHECKS:
        CHECKS[name](work)
    assert _snapshot() == before, "a notebook changed the shipped sample workspace"
