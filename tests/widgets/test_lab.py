"""A real JupyterLab: open notebook 01 in headless Chromium, run it, add a block, see the preview, save.

Set MBLIB_BUILDER_SCREENSHOT=docs/builder.png to also save the screenshot the README shows.
"""

from __future__ import annotations

import os
import pathlib
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import notebook_tree

BIN = pathlib.Path(sys.executable).parent
KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const c = w && w.sessionContext;
  return !!(c && c.isReady && c.session && c.session.kernel && c.session.kernel.status === 'idle'); }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root, home = tmp_path_factory.mktemp("lab"), tmp_path_factory.mktemp("labhome")
    notebook_tree(root)
    work = root / "work"
    ext = home / "settings/@jupyterlab/apputils-extension"
    ext.mkdir(parents=True)  # no "Jupyter news?" toast
    (ext / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "cfg"),
        JUPYTER_RUNTIME_DIR=str(home / "rt"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"),
        MBLIB_NOTEBOOK_WORKDIR=str(work),
    )
    port, tok = _free_port(), secrets.token_hex(8)
    log = open(home / "lab.log", "w")
    proc = subprocess.Popen(
        [
            str(BIN / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={tok}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base, t0 = f"http://127.0.0.1:{port}", time.time()
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={tok}", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.time() - t0 > 120:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + (home / "lab.log").read_text()[-2000:])
            time.sleep(0.25)
    yield {"root": root, "base": base, "token": tok, "work": work}
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


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
