"""Helpers for the notebook tests: a throw-away copy of notebooks/ beside the datasets they read."""

from __future__ import annotations

import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO


def notebook_tree(root: pathlib.Path) -> pathlib.Path:
    """``root/notebooks`` (a copy) and ``root/datasets`` (the sample workspace copied, other data linked),
    so that notebooks run with their relative paths and cannot touch the repository. Returns the
    notebooks folder."""
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = root / "datasets"
    data.mkdir()
    for entry in (REPO / "datasets").iterdir():
        if entry.name == "sample-workspace":
            shutil.copytree(entry, data / entry.name)
        else:
            (data / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return root / "notebooks"


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


def run_offline_notebook(lab, browser, name: str, source: str, *, height: int = 900):
    """Write a one-cell notebook ``name`` into the Lab root, open it in a new browser context whose
    requests outside JupyterLab are refused (and listed), wait for the kernel and run the cell.
    Returns ``(context, page, blocked)``; the caller closes the context."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab["root"] / name)
    ctx = browser.new_context(viewport={"width": 1400, "height": height})
    page = ctx.new_page()
    blocked: list[str] = []

    def gate(route):
        if route.request.url.startswith(lab["base"]):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    page.route("**/*", gate)
    page.goto(f"{lab['base']}/lab/tree/{name}?token={lab['token']}")
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return ctx, page, blocked
