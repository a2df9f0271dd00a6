"""The credential site in headless Chromium, from file:// and from a static server."""

from __future__ import annotations

import re
import sys
import types

import pytest

from tests.conftest import AXE_JS, axe_violations

from .conftest import answer_quizzes

pytestmark = pytest.mark.browser
CRED = "data-literacy-foundations"


@pytest.fixture(scope="module")
def site(lessons, export_ws, tmp_path_factory):
    from mblib.export.site import export_site

    return export_site(export_ws, CRED, tmp_path_factory.mktemp("site") / CRED, workers=2)


def test_index_shows_the_pathway_and_pages_link_in_order(site, export_ws):
    cred = export_ws.credential(CRED)
    order = cred.pathway()
    index = (site / "index.html").read_text()
    assert re.findall(r'<li data-module-id="([^"]+)">', index) == order
    assert "Do first: Reading a bar chart, Line charts over time, Percentages and percentage points" in index
    assert "Elective: choose 1 of 2 (Reasoning with evidence)" in index
    assert "EQF level 4" in index and "3.0 hours (0.1 ECTS)" in index
    for i, mid in enumerate(order):
        html = (site / f"{mid}.html").read_text()
        assert '<p class="mb-breadcrumb"><a href="index.html">Data Literacy Foundations</a></p>' in html
        if i:
            assert f'<a rel="prev" href="{order[i - 1]}.html">' in html
        if i + 1 < len(order):
            assert f'<a rel="next" href="{order[i + 1]}.html">' in html
    assert "With founder: mean 5,140" in (site / "mean-median-and-outliers.html").read_text()  # executed outputs


def _progress_round_trip(page, base, export_ws):
    module = export_ws.module("reading-bar-charts")
    page.goto(f"{base}/index.html")
    status = page.locator("[data-progress-module='reading-bar-charts']")
    assert status.text_content() == "Not started"
    status_text = page.locator(".mb-site-progress").text_content()
    assert status_text == "0 of 7 modules done or passed."
    page.get_by_role("link", name="Reading a bar chart").click()
    answer_quizzes(page, module)
    assert page.locator(".mb-score-text").text_content().startswith("Score: 100%")
    page.get_by_role("link", name=re.compile("Line charts over time")).click()  # next
    assert page.url.endswith("line-charts-over-time.html")
    page.get_by_role("link", name="Data Literacy Foundations").click()  # back to the index
    assert page.locator("[data-progress-module='reading-bar-charts']").text_content() == "Passed (100%)"
    assert page.locator("[data-progress-module='line-charts-over-time']").text_content() == "Started"
    assert page.locator(".mb-site-progress").text_content() == "1 of 7 modules done or passed."
    assert page.errors == [] and page.blocked == []


def test_progress_is_kept_when_opened_from_the_file_system(page, site, export_ws):
    _progress_round_trip(page, site.as_uri(), export_ws)


def test_progress_is_kept_on_a_static_server(page, site, serve, export_ws):
    _progress_round_trip(page, serve(site), export_ws)


def test_site_works_when_the_browser_refuses_storage(page, site, export_ws):
    page.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});"
    )
    page.goto((site / "reading-bar-charts.html").as_uri())
    answer_quizzes(page, export_ws.module("reading-bar-charts"))
    assert page.locator(".mb-score-text").text_content().startswith("Score: 100%")
    page.goto((site / "index.html").as_uri())
    assert "does not let the site keep your progress" in page.locator(".mb-site-progress").text_content()
    assert page.errors == []


def test_site_index_has_no_serious_accessibility_violations(page, site):
    page.add_init_script(path=str(AXE_JS))
    page.goto((site / "index.html").as_uri())
    assert axe_violations(page) == []


@pytest.fixture
def fake_translate(monkeypatch):
    """Stands in for mblib.translate (built separately): French = title and text bodies prefixed."""
    fake = types.ModuleType("mblib.translate")

    def translated_module(workspace, module, lang):
        blocks = [b.model_copy(update={"body": f"[{lang}] {b.body}"}) if b.type == "text" else b for b in module.blocks]
        return module.model_copy(update={"title": f"[{lang}] {module.title}", "language": lang, "blocks": blocks})

    def untranslated_fields(workspace, module, lang):  # plain-text fields still in English
        return frozenset({"sort-tip/title"}) if module.id == "reading-bar-charts" else frozenset()

    fake.translated_module = translated_module
    fake.untranslated_fields = untranslated_fields
    monkeypatch.setitem(sys.modules, "mblib.translate", fake)
    return fake


def test_language_switcher_when_translations_exist(sample_ws, tmp_path, fake_translate, page):
    from mblib.export.site import export_site

    (sample_ws.root / "translations" / "fr").mkdir(parents=True)
    for mid in ("reading-bar-charts", "line-charts-over-time"):
        (sample_ws.root / "translations" / "fr" / f"{mid}.yaml").write_text("module: " + mid + "\n")
    site = export_site(sample_ws, CRED, tmp_path / "site", execute=False)
    fr = (site / "fr" / "reading-bar-charts.html").read_text()
    assert '<html lang="fr">' in fr and "[fr] Reading a bar chart" in fr
    assert '<span lang="en" class="mb-fallback">Sorted bars are faster to read</span>' in fr
    assert (site / "fr" / "index.html").is_file() and not (site / "fr" / "samples-and-surveys.html").exists()
    page.goto((site / "reading-bar-charts.html").as_uri())
    switch = page.get_by_role("navigation", name="Language")
    assert switch.get_by_role("link", name="English").get_attribute("aria-current") == "page"
    switch.get_by_role("link", name="Français").click()
    assert page.url.endswith("/fr/reading-bar-charts.html")
    assert page.locator("h1").text_content() == "[fr] Reading a bar chart"
    page.get_by_role("link", name=re.compile("Line charts over time")).click()  # next, still in French
    assert page.url.endswith("/fr/line-charts-over-time.html")
    page.get_by_role("link", name=re.compile("Mean, median")).click()  # next has no French page: English one
    assert page.url.endswith("/site/mean-median-and-outliers.html")
    assert page.errors == [] and page.blocked == []


def test_no_language_switcher_without_translations(site):
    assert 'aria-label="Language"' not in (site / "index.html").read_text()
    assert 'aria-label="Language"' not in (site / "reading-bar-charts.html").read_text()
