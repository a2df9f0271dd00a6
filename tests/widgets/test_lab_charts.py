"""Charts in a real JupyterLab with no network and no extra call: interactive (tooltips), not a CDN script."""

from __future__ import annotations

import pytest

from .conftest import run_offline_notebook  # the `lab` fixture comes from conftest.py

CELL = """import polars as pl
from mblib.analytics import charts

frame = pl.DataFrame({"module_id": ["reading-bar-charts", "line-charts"], "started": [40, 30], "completed": [30, 12],
                      "completion_rate": [0.75, 0.4], "completion_low": [0.6, 0.25], "completion_high": [0.86, 0.58],
                      "passed": [28, 10], "pass_rate": [0.7, 0.33]})
charts.module_outcomes_chart(frame)"""


@pytest.mark.slow
@pytest.mark.browser
def test_a_chart_renders_offline_in_jupyterlab_with_tooltips(lab, browser):  # noqa: F811
    ctx, page, blocked = run_offline_notebook(lab, browser, "charts.ipynb", CELL)
    try:
        mark = page.locator(".jp-OutputArea-output svg path[aria-roledescription='bar']").first
        mark.wait_for(timeout=90_000)  # drawn by JupyterLab's own Vega (an SVG image has no such path)
        assert page.locator("text=Error loading script").count() == 0
        mark.hover()
        page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
        tip = page.text_content("#vg-tooltip-element")
        assert "Completion rate" in tip and "completion_rate" not in tip  # labelled, interactive
        assert blocked == []
    finally:
        ctx.close()
