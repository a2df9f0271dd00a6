"""Shared fixtures: the sample workspace, rendered pages, and an offline headless Chromium."""

from __future__ import annotations

import functools
import http.server
import pathlib
import shutil
import threading

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = REPO / "datasets" / "sample-workspace"
SCHEMAS = REPO.parent / "shared" / "schemas"
CHROMIUM = "/usr/bin/chromium"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("file://", "data:", "blob:", "http://127.0.0.1", "http://localhost")


@pytest.fixture(autouse=True, scope="session")
def private_mblib_config(tmp_path_factory):
    """Issuer keys and issuance registries go to a temporary mblib configuration folder, never the user's."""
    import os

    folder = tmp_path_factory.mktemp("mblib-config")
    names = ("MBLIB_CONFIG_DIR", "MBLIB_ISSUER_KEY", "MBLIB_REGISTRY_DIR")
    saved = {n: os.environ.pop(n, None) for n in names}
    os.environ["MBLIB_CONFIG_DIR"] = str(folder)
    yield folder
    for n, v in saved.items():
        os.environ.pop(n, None)
        if v is not None:
            os.environ[n] = v


@pytest.fixture
def sample_ws(tmp_path):
    """A private copy of the shipped sample workspace (tests never touch the original)."""
    from mblib.content import Workspace

    dest = tmp_path / "sample-workspace"
    shutil.copytree(SAMPLE, dest)
    return Workspace.open(dest)


@pytest.fixture(scope="session")
def sample_pages(tmp_path_factory):
    """The sample workspace rendered once per run: folder with one page per module + index.html."""
    from mblib.content import Workspace
    from mblib.render import render_workspace

    out = tmp_path_factory.mktemp("pages")
    render_workspace(Workspace.open(SAMPLE), out)
    return out


@pytest.fixture(scope="session")
def ralph(tmp_path_factory):
    """Ralph, a real LRS, on 127.0.0.1 for the whole test session (stopped after it).

    ``.server`` is the running :class:`~mblib.analytics.lrs_server.LrsServer` (pages of 200
    statements, so that ``more`` links are followed); ``.page_port`` is a port reserved for a page
    server whose pages call the LRS from a browser (Ralph allows that origin).
    """
    import types

    pytest.importorskip("ralph", reason='the LRS extra is missing: pip install "mblib[lrs]"')
    from mblib.analytics.lrs_server import free_port, start_lrs, stop_lrs

    folder = tmp_path_factory.mktemp("lrs")
    page_port = free_port()
    server = start_lrs(folder, port=None, page_size=200, cors_origins=[f"http://127.0.0.1:{page_port}"])
    try:
        yield types.SimpleNamespace(server=server, page_port=page_port, folder=folder)
    finally:
        stop_lrs(folder)


@pytest.fixture(scope="session")
def browser():
    if not pathlib.Path(CHROMIUM).exists():
        pytest.skip("Chromium is missing: run `make test` (it installs the Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """An offline page: non-local requests are aborted and recorded; console errors are recorded."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.errors, pg.blocked = [], []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def gate(route):
        if route.request.url.startswith(LOCAL):
            return route.continue_()
        pg.blocked.append(route.request.url)
        return route.abort()

    pg.route("**/*", gate)
    yield pg
    ctx.close()


def axe_violations(page, impacts=("serious", "critical")):
    """axe-core violations of the loaded page (call after page.add_init_script(path=AXE_JS) and goto)."""
    found = page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
        resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact,
        help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))""")
    return [v for v in found if v["impact"] in impacts]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture
def serve():
    """serve(folder) -> 'http://127.0.0.1:PORT', stopped after the test."""
    servers = []

    def start(folder):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()
