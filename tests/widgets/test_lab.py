"""A real JupyterLab: open notebook 01 in headless Chromium, run it, add a block, see the preview, save.

Set MBLIB_BUILDER_SCREENSHOT=docs/builder.png to also save the screenshot the README shows.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from .conftest import KERNEL_IDLE


@pytest.mark.slow
@pytest.mark.browser
def test_builder_in_jupyterlab_adds_a_block_previews_and_saves(lab, browser):
    module_file = lab["work"] / "sample-workspace" / "modules" / "reading-bar-charts.yaml"
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab["base"]) else r.abort())
    try:
        page.goto(f"{lab['base']}/lab/tree/notebooks/01-author-a-module.ipynb?token={lab['token']}")
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        add = page.locator("button.jupyter-button", has_text="Add block")
        add.click(timeout=90_000)
        preview = page.frame_locator("iframe.mblib-preview")
        preview.locator('[data-block-id="text-1"]').wait_for(timeout=30_000)  # the preview shows the new block
        assert "Write here." in preview.locator('[data-block-id="text-1"]').inner_text()
        page.locator(".mblib-status", has_text="unsaved changes").wait_for(timeout=10_000)
        shot = os.environ.get("MBLIB_BUILDER_SCREENSHOT")
        if shot:
            page.locator(".mblib-builder").scroll_into_view_if_needed()
            page.locator(".mblib-builder").screenshot(path=shot)
        page.locator("button.jupyter-button").filter(has_text=re.compile(r"^\s*Save\s*$")).click()
        deadline = time.time() + 20
        while time.time() < deadline and "id: text-1" not in (module_file.read_text() if module_file.exists() else ""):
            time.sleep(0.2)
        text = module_file.read_text()
        assert "id: text-1" in text and "Write here." in text
        page.locator(".mblib-status", has_text=re.compile(r"^\W*saved$")).wait_for(timeout=10_000)
    finally:
        ctx.close()
