"""The analytics dashboard in a real JupyterLab with no network: JupyterLab's own Vega draws each
view's chart (interactive, labelled), and a filter chosen in the widget redraws it."""

from __future__ import annotations

import pytest

from .conftest import run_offline_notebook  # the `lab` fixture comes from conftest.py

CELL = """from mblib.analytics.report import open_report_data
from mblib.analytics.synth import synthesise, write_cohort
from mblib.content import Workspace
from mblib.widgets.dashboard import AnalyticsDashboard

ws = Workspace.open("datasets/sample-workspace")
write_cohort(synthesise(ws, learners=300, seed=5), "dashboard-cohort", overwrite=True)
dash = AnalyticsDashboard(open_report_data(ws, "dashboard-cohort", k=5))
dash"""

BARS = ".jp-OutputArea-output .vega-embed svg path[aria-roledescription='bar']"


@pytest.mark.slow
@pytest.mark.browser
def test_the_dashboard_draws_interactive_charts_offline_and_redraws_on_a_filter(lab, browser):  # noqa: F811
    ctx, page, blocked = run_offline_notebook(lab, browser, "dashboard.ipynb", CELL, height=1000)
    try:
        page.locator(BARS).first.wait_for(timeout=120_000)  # drawn by JupyterLab's Vega, not an image
        output = page.locator(".jp-OutputArea-output").first
        assert output.locator("img").count() == 0  # the live dashboard sends no SVG fallback
        assert "Credential outcomes" in output.locator(".vega-embed svg").first.text_content()
        page.locator(BARS).first.hover()
        page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
        tip = page.text_content("#vg-tooltip-element")
        assert "Enrolled" in tip and "enrolled" not in tip.replace("Enrolled", "")
        # choose another view in the widget's own control: the chart is redrawn for it
        view = page.locator("select").filter(has=page.locator("option", has_text="Completion by module")).first
        view.select_option(label="Completion by module")
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll('.jp-OutputArea-output .vega-embed svg'))
                 .some((s) => s.textContent.includes('Completion by module'))""",
            timeout=60_000,
        )
        assert page.locator(".jp-OutputArea-output table.gt_table").count() >= 1  # the styled table under it
        credential = page.locator("select").filter(has=page.locator("option", has_text="All credentials")).first
        assert "data-literacy-foundations" not in credential.inner_text()  # titles, not ids
        assert page.locator("text=Error loading script").count() == 0 and blocked == []
    finally:
        ctx.close()
