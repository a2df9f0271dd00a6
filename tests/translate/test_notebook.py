"""The translation notebook runs headless and leaves the shipped sample untouched."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.slow


def test_notebook_runs_headless(monkeypatch, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    before = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*"))
    nb = nbformat.read(REPO / "notebooks" / "03-translate-a-module.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(REPO / "notebooks")}}
    ).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "segments; the first ones" in text and "reading-bar-charts -> fr" in text
    assert "warning[translation.stale]" in text and "<xliff" in text and "shown in English, marked" in text
    assert sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*")) == before
