"""Issue 16 in a real JupyterLab (headless Chromium, no network), used as a designer would: the
preview follows the edited block and keeps its scroll, a quiz edited in the form can be answered
in the preview at once, blocks reorder by drag and drop and by
keyboard, forms refuse to empty a required field, no label is cut, the pathway chart fits its
column without overlapping labels, and the review widget says what to do and follows the file.

Set MBLIB_SCREENSHOTS=docs to also save docs/builder.png, docs/credential-builder.png and
docs/review.png (the README shows them).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from .conftest import KERNEL_IDLE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CELLS = [
    "import os, pathlib, shutil\n"
    "from mblib.content import Workspace\n"
    "root = pathlib.Path(os.environ['MBLIB_NOTEBOOK_WORKDIR']) / 'issue16'\n"
    "shutil.copytree(pathlib.Path('..') / 'datasets' / 'sample-workspace', root, dirs_exist_ok=True)\n"
    "ws = Workspace.open(root)",
    "from mblib import ModuleBuilder\nModuleBuilder(ws, 'reading-bar-charts')",
    "from mblib import CredentialBuilder\nCredentialBuilder(ws, 'data-literacy-foundations')",
    "from mblib.widgets import TranslationReview\nTranslationReview(ws, module='reading-bar-charts', language='fr')",
]

#: Texts of buttons, labels and tabs under ``root`` whose text is cut or that stick out of ``root``.
CUT = """(root) => {
  const box = root.getBoundingClientRect(), out = [];
  root.querySelectorAll("button, .widget-label, .lm-TabBar-tabLabel").forEach((el) => {
    const r = el.getBoundingClientRect();
    if (!el.offsetParent || r.width === 0 || !(el.textContent || "").trim()) { return; }
    if (el.scrollWidth > el.clientWidth + 1 || r.right > box.right + 1 || r.left < box.left - 1) {
      out.push(el.textContent.trim() + " [" + el.scrollWidth + ">" + el.clientWidth + "]");
    }
  });
  return out;
}"""

#: Where a block is in the preview frame, and whether it is highlighted.
WHERE = """(id) => {
  const el = document.querySelector('main [data-block-id="' + id + '"]');
  if (!el) { return null; }
  const r = el.getBoundingClientRect();
  return {top: r.top, height: innerHeight, y: scrollY, focus: el.classList.contains("mb-preview-focus"),
          text: el.innerText, marker: window.__kept === 1};
}"""

#: Boxes of the chart's node labels (each a <text>; their white halo apart), and the chart's box against
#: its container's; the halo texts; circles (centre, radius) and edge ends, all in screen pixels.
CHART = """(root) => {
  const svg = root.querySelector(".mblib-pathway svg"), box = root.querySelector(".mblib-pathway").getBoundingClientRect();
  const s = svg.getBoundingClientRect();
  const boxes = (sel) => Array.from(svg.querySelectorAll(sel)).map((t) => {
    const r = t.getBoundingClientRect(); return {text: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
  });
  const labels = boxes(".mark-text.role-mark:not(.pathway_halo_marks) text");
  const halo = Array.from(svg.querySelectorAll(".mark-text.pathway_halo_marks text")).map((t) => ({
    text: t.textContent, stroke: t.getAttribute("stroke"), width: Number(t.getAttribute("stroke-width")),
    before: !!(t.compareDocumentPosition(svg.querySelector(".mark-text.role-mark:not(.pathway_halo_marks)")) & 4)
  }));
  const circles = Array.from(svg.querySelectorAll(".mark-symbol.layer_2_marks path")).map((c) => {
    const r = c.getBoundingClientRect(); return {x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2, r: r.width / 2};
  });
  const at = (el, x, y) => { const p = new DOMPoint(x, y).matrixTransform(el.getScreenCTM()); return [p.x, p.y]; };
  const edges = Array.from(svg.querySelectorAll(".mark-rule.role-mark line")).map((l) => [
    at(l, l.x1.baseVal.value, l.y1.baseVal.value), at(l, l.x2.baseVal.value, l.y2.baseVal.value)
  ]);
  return {svg: [s.left, s.right], box: [box.left, box.right], labels: labels, halo: halo, circles: circles, edges: edges};
}"""


def _notebook(folder: Path) -> str:
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c} for c in CELLS
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "issue16.ipynb").write_text(json.dumps(nb))
    return "notebooks/issue16.ipynb"


def _overlaps(labels: list[dict]) -> list[tuple[str, str]]:
    bad = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a["l"] < b["r"] - 1 and b["l"] < a["r"] - 1 and a["t"] < b["b"] - 1 and b["t"] < a["b"] - 1:
                bad.append((a["text"], b["text"]))
    return bad


def _seg_gap(a: list[float], b: list[float], c: dict) -> float:
    """Distance from a circle's edge to the segment a-b (negative: the segment runs through it)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((c["x"] - a[0]) * dx + (c["y"] - a[1]) * dy) / ((dx * dx + dy * dy) or 1.0)))
    return ((a[0] + t * dx - c["x"]) ** 2 + (a[1] + t * dy - c["y"]) ** 2) ** 0.5 - c["r"]


def _edges_meet_circles_at_their_edge(chart: dict) -> None:
    """No edge segment runs through a circle; each edge starts just off its source circle's edge and
    ends (at its arrow head, whose tip touches the target) a few pixels off another circle's edge; the
    bends of an edge routed around a third node are ends shared by two segments."""
    assert chart["edges"] and chart["circles"], chart
    ends = [p for e in chart["edges"] for p in e]
    for a, b in chart["edges"]:
        assert min(_seg_gap(a, b, c) for c in chart["circles"]) > 0, (a, b)
    for end in ends:
        if sum(abs(end[0] - o[0]) < 0.5 and abs(end[1] - o[1]) < 0.5 for o in ends) > 1:
            continue  # a bend
        gaps = [((end[0] - c["x"]) ** 2 + (end[1] - c["y"]) ** 2) ** 0.5 - c["r"] for c in chart["circles"]]
        assert min(gaps) > 0 and min(gaps) < 12, (end, sorted(gaps)[:2])


def _wait(fn, what: str, timeout: float = 20.0):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    """Lab with the notebook run once: module builder, credential builder and review widget."""
    path = _notebook(lab["root"] / "notebooks")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab["base"]) else r.abort())
    page.goto(f"{lab['base']}/lab/tree/{path}?token={lab['token']}")
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.locator(".mblib-review .mblib-review-row").first.wait_for(timeout=120_000)
    page.locator(".mblib-pathway svg").wait_for(timeout=60_000)
    yield page, lab["work"] / "issue16"
    ctx.close()


def _frame(page, scope: str):
    return page.locator(f"{scope} iframe.mblib-preview").first.element_handle().content_frame()


def _shot(page, selector: str, name: str, max_height: int = 1300) -> None:
    """Screenshot of a widget from its top (a tall window, so that Lab's toolbar covers nothing)."""
    folder = os.environ.get("MBLIB_SCREENSHOTS")
    if not folder:
        return
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 2600})
    try:
        el = page.locator(selector).first
        el.evaluate("e => e.scrollIntoView({block: 'start'})")
        time.sleep(0.5)
        box = el.bounding_box()
        clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": min(box["height"], max_height)}
        page.screenshot(path=str(Path(folder) / name), clip=clip)
    finally:
        page.set_viewport_size(size)


def test_preview_follows_the_selected_and_edited_block_and_keeps_its_scroll(lab_page):
    page, _ = lab_page
    builder = page.locator(".mblib-builder").first
    builder.locator(".mblib-blockitem").first.wait_for()
    frame = _wait(lambda: _frame(page, ".mblib-builder"), "the preview frame")
    _wait(lambda: frame.evaluate(WHERE, "sort-tip"), "the preview page")
    frame.evaluate("() => { window.__kept = 1; window.scrollTo(0, 0); }")  # gone if the frame reloads
    frame.evaluate("() => { document.querySelector('[data-block-id=\"intro\"]').__same = 1; }")
    builder.locator('.mblib-blockitem[data-block-id="sort-tip"]').click()
    at = _wait(lambda: (w := frame.evaluate(WHERE, "sort-tip")) and w["focus"] and w, "the preview to follow")
    assert -2 <= at["top"] < at["height"] / 2 and at["y"] > 300, at  # scrolled to the block, which is highlighted
    body = builder.locator(".widget-textarea", has=page.locator("label", has_text=re.compile(r"^Body \*$")))
    body.locator("textarea").fill("Sort the bars **by value**, edited in the form.")
    body.locator("textarea").evaluate("e => e.blur()")
    at = _wait(lambda: (w := frame.evaluate(WHERE, "sort-tip")) and "edited in the form" in w["text"] and w, "the edit")
    assert at["marker"] and -2 <= at["top"] < at["height"] / 2, at  # updated in place, the edited block in view
    same = "() => document.querySelector('[data-block-id=\"intro\"]').__same === 1"
    assert frame.evaluate(same)  # a block the edit did not change is the very same element
    # an edit of the module's settings keeps the scroll position
    frame.evaluate("() => window.scrollTo(0, 900)")
    builder.locator(
        ".jupyter-widget-Collapse-header, .lm-Accordion-header, .p-Collapse-header", has_text="Module settings"
    ).first.click()
    title = builder.locator(".widget-text", has=page.locator("label", has_text=re.compile(r"^Title \*$"))).first
    title.locator("input").fill("Reading bar charts, edited")
    title.locator("input").press("Enter")
    _wait(lambda: frame.evaluate("() => document.title") == "Reading bar charts, edited", "the new title")
    assert frame.evaluate("() => [window.__kept, Math.round(scrollY)]") == [1, 900]
    # a required field cannot be emptied
    body.locator("textarea").fill("")
    body.locator("textarea").evaluate("e => e.blur()")
    builder.locator(".mblib-form-notice", has_text="'Body' is required").wait_for(timeout=10_000)
    assert "edited in the form" in body.locator("textarea").input_value()


def test_a_quiz_edited_in_the_form_can_be_answered_in_the_preview_at_once(lab_page):
    page, _ = lab_page
    builder = page.locator(".mblib-builder").first
    frame = _wait(lambda: _frame(page, ".mblib-builder"), "the preview frame")
    frame.evaluate("() => { window.__kept = 1; }")  # gone if the frame reloads
    builder.locator('.mblib-blockitem[data-block-id="read-the-bars"]').click()
    _wait(lambda: (w := frame.evaluate(WHERE, "read-the-bars")) and w["focus"], "the preview to follow")
    field = builder.locator(
        ".widget-textarea, .widget-text", has=page.locator("label", has_text=re.compile(r"^Question \*$"))
    ).first
    field.locator("textarea, input").fill("Which sentence about the chart is accurate (edited)?")
    field.locator("textarea, input").evaluate("e => e.blur()")
    _wait(lambda: "(edited)" in (frame.evaluate(WHERE, "read-the-bars") or {}).get("text", ""), "the swapped quiz")
    assert frame.evaluate("() => window.__kept") == 1  # swapped in place, not reloaded
    quiz = frame.locator('[data-block-id="read-the-bars"]')
    quiz.get_by_label("East won about half as many new customers as North.").check()
    quiz.get_by_role("button", name="Check answer").click()
    feedback = quiz.locator(".mb-feedback")
    _wait(lambda: feedback.text_content().startswith("Not quite."), "the feedback of the swapped quiz")
    assert "two thirds of 420" in feedback.text_content() and quiz.locator(".mb-explanation").is_visible()
    quiz.get_by_role("button", name="Try again").click()
    quiz.get_by_label("North won more than twice as many new customers as West.").check()
    quiz.get_by_role("button", name="Check answer").click()
    _wait(lambda: feedback.text_content().startswith("Correct!"), "the second answer to be checked")


def test_blocks_reorder_by_drag_and_drop_and_keyboard_and_the_library_adds_a_quiz(lab_page):
    page, _ = lab_page
    builder = page.locator(".mblib-builder").first
    items = builder.locator(".mblib-blockitem")

    def order() -> list[str]:
        return items.evaluate_all("els => els.map(e => e.dataset.blockId)")

    before = order()
    items.nth(0).drag_to(items.nth(2))
    _wait(lambda: order()[2] == before[0], "the drop to reorder the list")
    frame = _frame(page, ".mblib-builder")
    main_order = "() => Array.from(document.querySelector('main').children).map(e => e.dataset.blockId)"
    _wait(lambda: frame.evaluate(main_order) == order(), "the preview to follow the new order")
    moved = builder.locator(f'.mblib-blockitem[data-block-id="{before[0]}"]')
    moved.focus()
    moved.press("Alt+ArrowUp")
    _wait(lambda: order()[1] == before[0], "Alt+ArrowUp to move the block")
    # the block library: every type with its icon and description; add a quiz after the selected block
    picker = builder.locator("select").filter(has_text="Quiz: a question with choices and feedback").first
    assert picker.locator("option").count() == 9
    picker.select_option(label="? Quiz: a question with choices and feedback")
    builder.locator("button.jupyter-button", has_text="Add block").click()
    _wait(lambda: "quiz-1" in order(), "the new quiz in the list")
    at = _wait(lambda: frame.evaluate(WHERE, "quiz-1"), "the new quiz in the preview")
    assert -2 <= at["top"] < at["height"], at
    cut = builder.evaluate(CUT)
    assert cut == [], f"cut or overflowing labels in the module builder: {cut}"
    _shot(page, ".mblib-builder", "builder.png")


def test_credential_builder_fits_its_column(lab_page):
    page, _ = lab_page
    cred = page.locator(".mblib-builder").nth(1)
    chart = cred.evaluate(CHART)
    assert chart["svg"][1] <= chart["box"][1] + 1 and chart["svg"][0] >= chart["box"][0] - 1, chart
    assert len(chart["labels"]) == 7 and _overlaps(chart["labels"]) == [], chart["labels"]
    # every label sits on a white halo drawn before it (an edge crossing it never hides it)
    assert sorted(h["text"] for h in chart["halo"]) == sorted(label["text"] for label in chart["labels"])
    assert all(h["stroke"] == "white" and h["width"] >= 3 and h["before"] for h in chart["halo"]), chart["halo"]
    _edges_meet_circles_at_their_edge(chart)
    assert cred.locator(".mblib-pathway svg .mark-symbol.layer_1_marks path").count() == 6  # one arrow per edge
    assert cred.locator(".mblib-workload-warning").count() == 1
    # the check itself: a button squeezed to 60 px is reported as cut
    squeeze = (
        "(b, w) => { b.style.setProperty('width', w, 'important'); b.style.setProperty('min-width', w, 'important'); }"
    )
    add_group = cred.locator("button.jupyter-button", has_text="Add elective group")
    add_group.evaluate(squeeze, "60px")
    assert any(t.startswith("Add elective group") for t in cred.evaluate(CUT))
    add_group.evaluate("b => { b.style.removeProperty('width'); b.style.removeProperty('min-width'); }")
    for tab in ("Prerequisites", "Details and criteria", "European elements", "Modules"):
        cred.locator(".lm-TabBar-tab", has_text=tab).click()
        cut = cred.evaluate(CUT)
        assert cut == [], f"cut or overflowing labels on tab {tab!r}: {cut}"
        if tab == "European elements":
            assert cred.locator("label", has_text="EQF level").count() == 1
            assert cred.locator("label", has_text="ECTS credits").count() == 1
    # a prerequisite edit redraws the chart: it still fits and no labels overlap
    cred.locator(".lm-TabBar-tab", has_text="Prerequisites").click()
    module = page.locator("option", has_text=re.compile(r"^samples-and-surveys$"))
    cred.locator("select:not([multiple]):visible", has=module).first.select_option("samples-and-surveys")
    before = cred.locator(".mblib-pathway").inner_html()
    pass_first = cred.locator("select[multiple]:visible").first
    offered = pass_first.locator("option").all_inner_texts()
    assert len(offered) == 6 and not any("storytelling" in o or "decision-makers" in o for o in offered)
    pass_first.select_option(
        label=["Reading a bar chart (reading-bar-charts)", "Mean, median and outliers (mean-median-and-outliers)"]
    )
    _wait(lambda: cred.locator(".mblib-pathway").inner_html() != before, "the chart to redraw")
    chart = cred.evaluate(CHART)
    assert chart["svg"][1] <= chart["box"][1] + 1 and _overlaps(chart["labels"]) == [], chart
    _edges_meet_circles_at_their_edge(chart)
    cred.locator(".lm-TabBar-tab", has_text="Modules").click()
    _shot(page, ".mblib-builder >> nth=1", "credential-builder.png")


def test_review_says_what_to_do_and_follows_the_translations_file(lab_page):
    page, ws_root = lab_page
    review = page.locator(".mblib-review")
    review.scroll_into_view_if_needed()
    assert review.locator(".mblib-next-step").text_content() == "mb models pull en-fr"
    rows = review.locator(".mblib-review-row")
    approve = review.locator(".mblib-review-row button", has_text="Approve")
    assert approve.count() == rows.count() > 0
    assert all(approve.nth(i).is_disabled() for i in range(approve.count()))  # nothing translated yet
    assert review.locator(".mblib-review-block").count() >= 2 and "page 1 of" in review.inner_text()
    assert "<strong>" in rows.first.inner_html() or "mblib-rendered" in rows.first.inner_html()
    from mblib.content import Workspace
    from mblib.translate.apply import review_segment

    review_segment(Workspace.open(ws_root), "reading-bar-charts", "fr", "_module/title/0", "Lire un diagramme")
    review.locator(".mblib-review-row", has_text="Lire un diagramme").wait_for(timeout=15_000)  # the watcher
    assert "reviewed: 1" in review.inner_text()
    cut = review.evaluate(CUT)
    assert cut == [], f"cut or overflowing labels in the review widget: {cut}"
    _shot(page, ".mblib-review", "review.png", max_height=1100)
    review.locator(".lm-TabBar-tab", has_text="Translated page").click()
    frame = _wait(lambda: _frame(page, ".mblib-review"), "the translated page")
    _wait(lambda: frame.evaluate("() => document.documentElement.lang") == "fr", "the French page")
    assert "Lire un diagramme" in frame.evaluate("() => document.title")
