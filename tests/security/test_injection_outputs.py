"""Attack: a workspace contributor (or learner data) puts script-injection payloads into every
learner-visible text; no payload may run, navigate, open a dialog or reach the network in any
output mblib writes: the rendered module page, the exported lesson, the credential site, the
SCORM and cmi5 launch pages, a report with its tables and chart tooltips, and a saved chart.

Each output is opened offline in headless Chromium (every request that is not file:, data: or
blob: is aborted and recorded), interacted with (choices ticked, quizzes checked, cards flipped,
panels opened, everything focused, chart marks hovered), then inspected.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

from .injection_payloads import (
    CREDENTIAL_ID,
    DOM_PROBE,
    INLINE,
    INTERACT,
    MODULE_ID,
    PAYLOADS,
    SAMPLE_MODULES,
    TEMPLATE_EVALUATED,
    build_hostile_workspace,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ALLOWED = ("file://", "data:", "blob:", "about:")


# ------------------------------------------------------------------------------ building the outputs


def _report_page(folder: Path) -> Path:
    """The report exporter's page for a notebook whose outputs are a report table and a chart with payload labels."""
    import nbformat
    import polars as pl

    from mblib.analytics import charts
    from mblib.analytics.chart_output import VEGALITE_MIME, chart_spec
    from mblib.analytics.report import export_html, report_table

    n = len(PAYLOADS)
    frame = pl.DataFrame(
        {
            "credential_id": PAYLOADS,
            "segment": list(reversed(PAYLOADS)),
            "enrolled": [40] * n,
            "earned": [10] * n,
            "earn_rate": [0.25] * n,
            "earn_low": [0.1] * n,
            "earn_high": [0.4] * n,
        }
    )
    table = report_table(frame, caption=INLINE, k=5, count_col="enrolled", partition_by=None)
    chart = charts.uptake_by_segment_chart(frame, k=5)
    outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": table._repr_html_(), "text/plain": "t"}),
        nbformat.v4.new_output("display_data", data={VEGALITE_MIME: chart_spec(chart), "text/plain": "c"}),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("report", outputs=outputs)])
    path = folder / "report.html"
    path.write_text(export_html(nb, title=INLINE), encoding="utf-8")
    return path


def _chart_page(folder: Path) -> Path:
    import altair as alt
    import polars as pl

    from mblib.analytics.chart_output import save_chart

    frame = pl.DataFrame(
        {"label": PAYLOADS, "detail": list(reversed(PAYLOADS)), "learners": list(range(5, 5 + len(PAYLOADS)))}
    )
    chart = (
        alt.Chart(frame, title=INLINE, description=INLINE)
        .mark_bar()
        .encode(
            x=alt.X("label:N", axis=alt.Axis(labels=False)),
            y="learners:Q",
            tooltip=["label:N", "detail:N", "learners:Q"],
        )
    )
    return save_chart(chart, folder / "chart.html")


def _unzip(zip_path: Path, folder: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """label -> list of pages to open (plus the unzipped packages for the manifest checks)."""
    from mblib.content import Workspace
    from mblib.export import export_cmi5, export_lessons, export_scorm, export_site
    from mblib.render import write_module_page

    base = tmp_path_factory.mktemp("injection")
    ws = Workspace.open(build_hostile_workspace(SAMPLE, base / "ws"))
    assert ws.module(MODULE_ID).title == INLINE  # the payloads survive YAML as they were written
    out: dict[str, list[Path]] = {}
    out["page"] = [write_module_page(ws.module(MODULE_ID), base / "page", ws)]
    export_lessons(ws, base / "lessons", [MODULE_ID], execute=False)
    out["lesson"] = sorted((base / "lessons").rglob("*.html"))
    site = export_site(ws, CREDENTIAL_ID, base / "site", execute=False)
    out["site"] = sorted(Path(site).glob("*.html"))
    scorm = _unzip(export_scorm(ws, CREDENTIAL_ID, base / "scorm.zip", execute=False), base / "scorm")
    cmi5 = _unzip(export_cmi5(ws, CREDENTIAL_ID, base / "cmi5.zip", execute=False), base / "cmi5")
    out["scorm"] = [scorm / f"{MODULE_ID}.html"]
    out["cmi5"] = [cmi5 / f"{MODULE_ID}.html"]
    out["report"] = [_report_page(base)]
    out["chart"] = [_chart_page(base)]
    out["_packages"] = [scorm, cmi5]
    return out


# ------------------------------------------------------------------------------ opening one page


def _open_and_probe(browser, path: Path) -> dict:
    ctx = browser.new_context()
    page = ctx.new_page()
    left, dialogs, popups, navigations = [], [], [], []

    def gate(route):
        if route.request.url.startswith(ALLOWED):
            return route.continue_()
        left.append(route.request.url)
        return route.abort()

    ctx.route("**/*", gate)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("popup", lambda p: popups.append(p.url))
    try:
        url = path.as_uri()
        page.goto(url)
        page.on("framenavigated", lambda f: f == page.main_frame and navigations.append(f.url))
        if page.locator(".mb-chart-view").count():
            page.wait_for_function(
                "() => [...document.querySelectorAll('.mb-chart-view')].every(e => e.hasAttribute('data-rendered'))",
                timeout=30_000,
            )
            assert page.evaluate(
                "() => [...document.querySelectorAll('.mb-chart-view')]"
                ".every(e => e.getAttribute('data-rendered') === 'true')"
            )
            hovered = 0
            for mark in page.locator(".mb-chart-view svg .role-mark path").all()[:12]:
                mark.hover(force=True, timeout=2_000)
                hovered += (
                    page.evaluate(
                        "() => (document.getElementById('vg-tooltip-element') || {}).textContent || ''"
                    ).count("pwned")
                    > 0
                )
            assert hovered, "no chart tooltip showed a payload: the hover did not reach the marks"
        page.evaluate(INTERACT)
        page.mouse.move(5, 5)
        page.wait_for_timeout(300)  # error events of broken images, late timers
        probe = page.evaluate(DOM_PROBE)
        frames = [
            f.evaluate("() => Object.keys(window).filter(k => k.startsWith('__pwned'))")
            for f in page.frames
            if f != page.main_frame
        ]
        probe.update(
            left=left,
            dialogs=dialogs,
            popups=popups,
            navigations=navigations,
            url=page.url,
            start=url,
            frames=frames,
            html=path.read_text(encoding="utf-8"),
        )
        return probe
    finally:
        ctx.close()


def _script_hashes(csp: str) -> set[str]:
    src = re.search(r"script-src ([^;]*)", csp)
    assert src, f"no script-src in {csp!r}"
    tokens = src.group(1).split()
    if tokens == ["'none'"]:
        return set()
    assert all(t.startswith("'sha256-") for t in tokens), f"scripts are allowed by more than hashes: {tokens}"
    return {t[len("'sha256-") : -1] for t in tokens}


def _assert_safe(p: dict, label: str) -> None:
    ran = p["markers"] + [m for f in p["frames"] for m in f]
    assert ran == [], f"{label}: a payload ran: {ran}"
    assert p["dialogs"] == [] and p["popups"] == [], label
    assert p["left"] == [], f"{label}: requests left the page: {p['left']}"
    assert p["navigations"] == [] and p["url"] == p["start"], f"{label}: navigated to {p['navigations']}"
    assert p["bad"] == [], f"{label}: dangerous markup in the DOM: {sorted(set(p['bad']))}"
    # the documented policy: a CSP meta with default-src 'none', scripts by hash only, before any content
    csp = p["csp"]
    assert csp and "default-src 'none'" in csp, f"{label}: no strict Content-Security-Policy: {csp!r}"
    allowed = _script_hashes(csp)
    for body in p["scripts"]:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert digest in allowed, f"{label}: a script not allowed by the CSP is in the page: {body[:120]!r}"
    html = p["html"]
    head = re.sub(r"<title>.*?</title>", "", html[: html.index('http-equiv="Content-Security-Policy"')], flags=re.S)
    assert set(re.findall(r"<(\w+)", head)) <= {"html", "head", "meta"}, f"{label}: markup before the CSP: {head}"
    for evaluated in TEMPLATE_EVALUATED:  # content is never rendered as a template
        assert evaluated not in p["text"] and evaluated not in p["title"], f"{label}: template evaluated"


# ------------------------------------------------------------------------------ the tests


def test_payload_list_is_broad():
    assert len(PAYLOADS) >= 30 and len(set(PAYLOADS)) == len(PAYLOADS)
    # each either sets its own marker when run, loads from evil.example, or is a template/YAML trick
    for n, p in enumerate(PAYLOADS, start=1):
        text = p + "".join(base64.b64decode(b).decode(errors="ignore") for b in re.findall(r"base64,([\w+/=]+)", p))
        assert f"pwned_{n}=" in text or f"PWNED-{n}" in text or "evil.example" in text or "{" in text, (n, p)


@pytest.mark.parametrize("label", ["page", "lesson", "site", "scorm", "cmi5", "report", "chart"])
def test_no_payload_runs_in_any_output(browser, outputs, label):
    pages = outputs[label]
    assert pages, f"{label}: nothing was written"
    for path in pages:
        probe = _open_and_probe(browser, path)
        _assert_safe(probe, f"{label} {path.name}")
        if path.stem == MODULE_ID:  # plain-text fields are shown escaped, not dropped or interpreted
            assert probe["title"].startswith(INLINE[:60]), probe["title"][:200]
            assert "window.__pwned_1=1" in probe["text"] and "<script>" in probe["text"]
        if label in ("report", "chart"):
            assert "</textarea><script>window.__pwned_12=1</script>" in probe["text"] + probe["tooltip"]


def test_site_covers_the_credential_and_every_module(outputs):
    names = {p.stem for p in outputs["site"]}
    assert {"index", MODULE_ID, *SAMPLE_MODULES} <= names, names
    index = next(p for p in outputs["site"] if p.stem == "index").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned_1=1&lt;/script&gt;" in index  # the credential texts reached the page


def test_package_manifests_keep_payloads_as_text(outputs):
    scorm, cmi5 = outputs["_packages"]
    for xml_file in (scorm / "imsmanifest.xml", cmi5 / "cmi5.xml"):
        root = ET.parse(xml_file).getroot()  # CDATA and tag breakouts would make it malformed
        texts = [e.text or "" for e in root.iter()]
        assert any(INLINE in t for t in texts), f"{xml_file.name}: the title did not survive as text"
        assert not any(e.tag.rsplit("}", 1)[-1].lower() == "script" for e in root.iter())


def test_the_probe_sees_a_payload_that_runs(browser, tmp_path):
    """The detector itself: a page without CSP or sanitising, where payloads do run, fails every check."""
    raw = tmp_path / "unsafe.html"
    raw.write_text(
        "<!doctype html><html><head><title>t</title></head><body>"
        + PAYLOADS[0]
        + PAYLOADS[1]
        + '<img src="https://evil.example/x.png"><script>alert(1)</script></body></html>',
        encoding="utf-8",
    )
    probe = _open_and_probe(browser, raw)
    assert {"__pwned_1", "__pwned_2"} <= set(probe["markers"]) and probe["dialogs"] == ["1"]
    assert "img[onerror]" in probe["bad"] and probe["left"] == ["https://evil.example/x.png"]
    assert probe["csp"] is None
    with pytest.raises(AssertionError, match="a payload ran"):
        _assert_safe(probe, "unsafe")
