"""A block the preview swaps in after an edit works at once (real Chromium, no Lab): the page
script's ``window.mblib.init`` binds it, and binding is idempotent (no element bound twice)."""

from __future__ import annotations

import re

import pytest

from mblib.render.page import render_module
from mblib.widgets.preview import PREVIEW_CSS, PREVIEW_SCRIPT, STATIC

from ..test_render import all_blocks_module

pytestmark = pytest.mark.browser

UPDATE = "(m) => window.postMessage(m, '*')"


def test_the_preview_frame_lets_quizzes_submit_but_stays_cross_origin():
    # a sandbox without allow-forms fires no "submit": the quiz's Check answer would do nothing
    js = (STATIC / "preview.js").read_text(encoding="utf-8")
    sandbox = re.search(r'setAttribute\("sandbox", "([^"]*)"\)', js)
    assert sandbox and set(sandbox.group(1).split()) == {"allow-scripts", "allow-forms"}
    assert "form-action 'none'" in _page()  # nothing is ever sent by a form


def _page(**edits: str) -> str:
    module = all_blocks_module()
    module.blocks = [b for b in module.blocks if b.type not in ("video", "image")]
    for b in module.blocks:
        if b.id == "q1" and "question" in edits:
            b.question = edits["question"]
        if b.id == "cards" and "front" in edits:
            b.cards[0].front = edits["front"]
        if b.id == "todo" and "item" in edits:
            b.items[0].text = edits["item"]
        if b.id == "acc" and "panel" in edits:
            b.items[0].title = edits["panel"]
    return render_module(module, scripts=[PREVIEW_SCRIPT], styles=[PREVIEW_CSS]).html


@pytest.fixture
def preview(page, tmp_path):
    first = _page()
    (tmp_path / "p.html").write_text(first, encoding="utf-8")
    page.goto((tmp_path / "p.html").as_uri())
    page.evaluate(UPDATE, {"mblibPreview": "base", "html": first})
    page.evaluate("() => { window.__kept = 1; document.querySelector('#block-q2').__same = 1; }")
    return page


def _swap(page, html: str, block: str, text: str) -> None:
    page.evaluate(UPDATE, {"mblibPreview": "update", "html": html, "id": block, "flash": False})
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=text)
    assert page.evaluate("() => window.__kept") == 1  # updated in place, not reloaded


def test_a_swapped_quiz_checks_answers_and_counts_in_the_score(preview):
    page = preview
    page.locator("#block-q1").get_by_label("Five").check()
    page.locator("#block-q1").get_by_role("button", name="Check answer").click()
    assert page.locator(".mb-score-text").text_content() == "1 of 2 questions answered."
    _swap(page, _page(question="Three plus one?"), "q1", "Three plus one?")
    assert page.evaluate("() => document.querySelector('#block-q2').__same") == 1  # untouched block kept
    q1 = page.locator("#block-q1")
    assert q1.locator(".mb-feedback").text_content() == ""  # the swapped quiz starts unanswered
    assert page.locator(".mb-score-text").text_content() == "0 of 2 questions answered."
    q1.get_by_role("button", name="Check answer").click()
    assert q1.locator(".mb-feedback").text_content() == "Choose an answer first."
    q1.get_by_label("Four").check()
    q1.get_by_role("button", name="Check answer").click()
    assert q1.locator(".mb-feedback").text_content().startswith("Correct!")
    assert q1.locator("[data-choice-id=a] .mb-mark").text_content() == "Correct"
    assert page.locator(".mb-score-text").text_content() == "1 of 2 questions answered."
    q1.get_by_role("button", name="Try again").click()
    assert q1.locator(".mb-feedback").text_content() == "" and q1.get_by_label("Four").is_enabled()
    assert page.errors == [] and page.blocked == []


def test_swapped_flashcards_and_checklist_work_and_binding_is_idempotent(preview):
    page = preview
    _swap(page, _page(front="Median", item="First", panel="Why so"), "cards", "Median")
    card = page.locator(".mb-card").first
    card.click()
    assert card.get_attribute("aria-pressed") == "true" and page.locator(".mb-card-back").first.is_visible()
    # binding again (the whole page, then the block) adds no second listener: one click still flips once
    page.evaluate("() => { window.mblib.init(document); window.mblib.init(document.querySelector('#block-cards')); }")
    card.click()
    assert card.get_attribute("aria-pressed") == "false" and page.locator(".mb-card-back").first.is_hidden()
    page.get_by_label("First", exact=True).check()
    assert page.locator(".mb-checklist-status").text_content() == "1 of 2 done"
    page.get_by_text("Why so", exact=True).click()  # the accordion is <details>: it needs no script
    assert page.locator(".mb-panel-body").first.is_visible()
    # an unchanged quiz answered before a re-bind keeps its answer and is not bound twice
    q2 = page.locator("#block-q2")
    q2.get_by_label("2", exact=True).check()
    q2.get_by_label("4", exact=True).check()
    q2.get_by_role("button", name="Check answer").click()
    page.evaluate("() => window.mblib.init(document)")
    assert page.evaluate("() => window.mblib.state().answers.q2.correct") is True
    q2.get_by_role("button", name="Try again").click()
    q2.get_by_label("3", exact=True).check()
    q2.get_by_role("button", name="Check answer").click()
    assert q2.locator(".mb-feedback").text_content().startswith("Not quite")  # one handler: one verdict
    assert page.errors == [] and page.blocked == []
