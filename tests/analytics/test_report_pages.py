"""Both sample reports as a reader sees them in Chromium: findings first, human labels, no cut table,
no overlapping chart labels; and the PDF that `mb report --pdf` prints."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from mblib.analytics.labels import has_snake_case
from mblib.analytics.report import run_report
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# every visible text a reader meets: table captions/headers/cells, chart text (axes, legends, titles)
TEXTS = """() => [...document.querySelectorAll(
    '.mb-table caption, .mb-table th, .mb-table td, .mb-chart svg text, .mb-chart figcaption, h1, h2')]
    .map(e => e.textContent.trim()).filter(t => t)"""

# a table is cut when it reaches past its box and the box does not scroll; and a box past main
CLIPPED = """() => [...document.querySelectorAll('.mb-table')].flatMap(box => {
    const t = box.querySelector('table'); const b = box.getBoundingClientRect();
    const m = document.querySelector('main').getBoundingClientRect();
    const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    let el = t.parentElement, scroller = null;
    while (el && el !== box.parentElement) { if (scrolls(el)) { scroller = el; break; } el = el.parentElement; }
    const out = [];
    if (b.right > m.right + 1 || b.left < m.left - 1) out.push('box outside main: ' + t.querySelector('caption').textContent);
    if (t.getBoundingClientRect().right > b.right + 1 && !(scroller && scroller.scrollWidth >= t.scrollWidth))
        out.push('cut: ' + t.querySelector('caption').textContent);
    return out; })"""

# text labels of one chart whose boxes overlap by more than 1 px each way
OVERLAPS = """() => [...document.querySelectorAll('.mb-chart svg')].flatMap((svg, n) => {
    const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
        .map(t => [t.textContent.trim(), t.getBoundingClientRect()]).filter(([, r]) => r.width > 0 && r.height > 0);
    const out = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, r] = boxes[i], [b, s] = boxes[j];
        const dx = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const dy = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (dx > 1 && dy > 1) out.push(`chart ${n + 1}: "${a}" overlaps "${b}"`);
    }
    return out; })"""


# prose a reader meets besides tables and charts (findings, notes, section summaries)
PROSE = """() => [...document.querySelectorAll('main p, main li, h3')].map(e => e.textContent.trim()).filter(t => t)"""


def _titled_ids() -> dict[str, str]:
    """Module and credential ids of the sample workspace -> their titles (where a title exists)."""
    from mblib.content import Workspace

    ws = Workspace.open(SAMPLE)
    things = [*ws.modules.values(), *ws.credentials.values()]
    return {t.id: t.title for t in things if t.title and t.title != t.id}


def shown_ids(ids, texts) -> list[tuple[str, str]]:
    """(id, text) for each id that ``texts`` show as a word of its own (never inside another id)."""
    return sorted({(i, t) for i in ids for t in texts if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", t)})


def block_ids(workspace) -> set[str]:
    """The block ids of ``workspace`` a reader must never meet: those that are not also a word of
    the workspace's own names (an id like ``trust`` may well be a word of a question)."""
    from mblib.analytics.labels import workspace_titles

    names = [n for titles in workspace_titles(workspace).values() for n in titles.values()]
    ids = {b.id for m in workspace.modules.values() for b in m.blocks}
    return ids - {i for i, _ in shown_ids(ids, names)}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Both sample reports on a synthetic cohort (run once for the module)."""
    from mblib.analytics.synth import synthesise, write_cohort
    from mblib.content import Workspace

    folder = tmp_path_factory.mktemp("pages")
    write_cohort(synthesise(Workspace.open(SAMPLE), learners=400, seed=7), folder / "data", overwrite=True)
    return {
        name: run_report(name, workspace=SAMPLE, data=folder / "data", out=folder)
        for name in ("credential-uptake", "completion-analytics")
    }


def _open(page, path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function(
        """() => [...document.querySelectorAll('.mb-chart-view')].every(e => e.getAttribute('data-rendered'))""",
        timeout=60_000,
    )


@pytest.mark.parametrize("name", ["credential-uptake", "completion-analytics"])
def test_report_reads_well_in_chromium(reports, page, name):
    _open(page, reports[name])
    assert page.errors == [] and page.blocked == []
    assert page.evaluate("() => [...document.querySelectorAll('[data-rendered=error]')].length") == 0
    # key findings come first, and every finding links to a section of the page
    headings = page.evaluate("() => [...document.querySelectorAll('h2')].map(h => h.textContent.replace('¶', ''))")
    assert headings[0].strip() == "Key findings", headings
    links = page.evaluate(
        """() => [...document.querySelectorAll('a[href^="#"]')].filter(a => a.textContent === 'See the details')
        .map(a => [a.getAttribute('href'), !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))])"""
    )
    assert links and all(ok for _, ok in links), links
    texts = page.evaluate(TEXTS)
    snake = [t for t in texts if has_snake_case(t)]
    assert snake == [], snake[:10]
    # titles, never the kebab-case ids, wherever the workspace has a title for a module or credential
    titled = _titled_ids()
    seen = [*texts, *page.evaluate(PROSE)]
    ids_shown = shown_ids(titled, seen)
    assert ids_shown == [], ids_shown[:8]
    assert any(title in t for title in titled.values() for t in texts)
    # blocks by their words (quiz items by their question, "Q1 · ..."), never by their ids: charts,
    # tables, findings
    from mblib.content import Workspace

    ids = block_ids(Workspace.open(SAMPLE))
    assert len(ids) >= 40  # the check is not vacuous: most ids are no word of any name
    assert shown_ids(ids, seen) == [], shown_ids(ids, seen)[:8]
    if name == "completion-analytics":  # its quiz section names items and choices by their words
        assert any(re.match(r"Q\d+ · \w", t) for t in texts), [t for t in texts if "Q" in t][:8]
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate(OVERLAPS) == []


def test_uptake_report_tables_show_rates_with_intervals_and_hidden_groups(reports, page):
    _open(page, reports["credential-uptake"])
    cells = page.evaluate("() => [...document.querySelectorAll('.mb-table td')].map(td => td.textContent.trim())")
    assert any(c.endswith(")") and "% (" in c for c in cells)  # "42.0% (37.3-46.9)"
    assert any(c.startswith("<5") for c in cells)  # a small segment, with its footnote mark
    assert any("not reached" in c for c in cells)  # an empty median says why
    assert page.locator("svg text", has_text="hidden (<5)").count() >= 1  # suppressed groups drawn as marks


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext missing: `make browser` installs poppler-utils"
)
def test_mb_report_pdf_is_paginated_and_shows_the_findings(reports, tmp_path, browser):
    from mblib.cli import main

    data = reports["credential-uptake"].parent / "data"
    r = CliRunner().invoke(
        main,
        ["report", "credential-uptake", "-w", str(SAMPLE), "-d", str(data), "-o", str(tmp_path), "--pdf"],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    pdf = tmp_path / "credential-uptake-report.pdf"
    assert f"PDF written: {pdf}" in r.output and pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 3
    flat = " ".join(text.split())
    assert "Key findings" in flat and "The largest drop-off along a pathway is at step" in flat
    assert "Outcomes per credential" in flat and "Uptake by organisation unit" in flat


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext missing: `make browser` installs poppler-utils"
)
def test_a_long_table_repeats_its_header_on_every_printed_page(tmp_path, browser):
    import nbformat
    import polars as pl

    from mblib.analytics.report import export_html, report_table
    from mblib.analytics.report_pdf import report_pdf

    rows = 150
    frame = pl.DataFrame(
        {
            "segment": [f"Team {i:03d}" for i in range(rows)],
            "enrolled": [1000 + i for i in range(rows)],
            "earned": [500] * rows,
            "earn_rate": [0.5] * rows,
            "earn_low": [0.47] * rows,
            "earn_high": [0.53] * rows,
        }
    )
    table = report_table(frame, caption="Long table", k=5, count_col="enrolled")
    out = nbformat.v4.new_output("display_data", data={"text/html": table._repr_html_(), "text/plain": "t"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Long"), nbformat.v4.new_code_cell("t")])
    nb.cells[1].outputs = [out]
    html = tmp_path / "long.html"
    html.write_text(export_html(nb, title="Long"))
    pdf = report_pdf(html)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    assert all("Enrolled" in p and "Earn rate" in p for p in pages), [p[:200] for p in pages]
    assert "1,149" in text and "50.0% (47.0-53.0)" in text  # thousands separators, rate with its interval


def test_the_checks_catch_a_cut_table_and_overlapping_labels(page):
    """The page checks above are not vacuous: a table cut by its box and two overlapping labels are found."""
    wide = "<tr>" + "".join(f"<td>cell number {i}</td>" for i in range(40)) + "</tr>"
    page.set_content(
        '<main style="width:600px"><div class="mb-table" style="overflow:hidden;width:500px">'
        f"<table><caption>Cut</caption>{wide}</table></div>"
        '<div class="mb-table" style="overflow-x:auto;width:500px"><table><caption>Scrolls</caption>'
        f"{wide}</table></div>"
        '<figure class="mb-chart"><svg width="200" height="50"><text x="10" y="20">start_rate</text>'
        '<text x="14" y="22">Earn rate</text></svg></figure></main>'
    )
    assert page.evaluate(CLIPPED) == ["cut: Cut"]
    assert page.evaluate(OVERLAPS) == ['chart 1: "start_rate" overlaps "Earn rate"']
    assert [t for t in page.evaluate(TEXTS) if has_snake_case(t)] == ["start_rate"]
