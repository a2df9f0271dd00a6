"""Rendered pages in a real headless Chromium: quizzes, cards, accordion, checklist, CSP, axe."""

from __future__ import annotations

import pytest

from mblib.content import Workspace
from mblib.render import write_module_page

from .conftest import AXE_JS, SAMPLE, axe_violations
from .test_render import SVG, all_blocks_module

pytestmark = pytest.mark.browser


@pytest.fixture
def lesson(tmp_path):
    ws = Workspace.create(tmp_path / "ws", title="Browser test")
    (ws.root / "media" / "dot.svg").write_bytes(SVG)
    (ws.root / "media" / "clip.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n")
    module = all_blocks_module()
    module.blocks = [b for b in module.blocks if b.type != "video"]
    ws.save_module(module)
    return write_module_page(ws.module("every-block"), tmp_path / "out", ws).as_uri()


def test_quiz_feedback_and_score_by_clicking(page, lesson):
    page.goto(lesson)
    q1 = page.locator("#block-q1")
    q1.get_by_label("Five").check()
    q1.get_by_role("button", name="Check answer").click()
    assert "Not quite." in q1.locator(".mb-feedback").text_content()
    assert "Count again." in q1.locator(".mb-feedback").text_content()
    assert q1.locator("[data-choice-id=b] .mb-mark").text_content() == "Incorrect"
    assert q1.locator(".mb-explanation").is_visible()
    assert page.locator(".mb-score-text").text_content() == "1 of 2 questions answered."
    q1.get_by_role("button", name="Try again").click()
    q1.get_by_label("Four").check()
    q1.get_by_role("button", name="Check answer").click()
    assert q1.locator(".mb-feedback").text_content().startswith("Correct!")
    q2 = page.locator("#block-q2")
    q2.get_by_label("2", exact=True).check()
    q2.get_by_label("4", exact=True).check()
    q2.get_by_role("button", name="Check answer").click()
    assert q2.locator(".mb-feedback").text_content().startswith("Correct!")
    score = page.locator(".mb-score-text").text_content()
    assert score.startswith("Score: 100% (3 of 3 points). Passed")
    state = page.evaluate("() => window.mblib.state()")
    assert state["passed"] is True and state["scaled"] == 1 and state["answers"]["q2"]["choices"] == ["a", "c"]
    assert page.errors == [] and page.blocked == []


def test_weighted_score_below_pass_mark(page, lesson):
    page.goto(lesson)
    page.locator("#block-q1").get_by_label("Four").check()
    page.locator("#block-q1").get_by_role("button", name="Check answer").click()
    page.locator("#block-q2").get_by_label("2", exact=True).check()  # half right = wrong
    page.locator("#block-q2").get_by_role("button", name="Check answer").click()
    text = page.locator(".mb-score-text").text_content()
    assert text.startswith("Score: 33% (1 of 3 points). Not passed yet")


def test_keyboard_only_quiz(page, lesson):
    page.goto(lesson)
    radio = page.locator("#q-q1-a")
    radio.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form
    assert page.locator("#block-q1 .mb-feedback").text_content().startswith("Correct!")


def test_flashcard_flips(page, lesson):
    page.goto(lesson)
    card = page.locator(".mb-card").first
    assert card.get_attribute("aria-pressed") == "false"
    assert page.locator(".mb-card-back").first.is_hidden()
    card.click()
    assert card.get_attribute("aria-pressed") == "true"
    assert page.locator(".mb-card-back").first.is_visible() and "The average" in card.text_content()
    card.press("Enter")
    assert card.get_attribute("aria-pressed") == "false"


def test_accordion_opens(page, lesson):
    page.goto(lesson)
    body = page.locator(".mb-panel-body").first
    assert body.is_hidden()
    page.get_by_text("Why", exact=True).click()
    assert body.is_visible() and body.text_content().strip() == "Because."


def test_checklist_counts_and_remembers(page, lesson):
    page.goto(lesson)
    page.get_by_label("One", exact=True).check()
    assert page.locator(".mb-checklist-status").text_content() == "1 of 2 done"
    page.get_by_label("Two", exact=True).check()
    assert page.locator(".mb-checklist-status").text_content() == "2 of 2 done. Well done!"


def test_progress_event_for_lms_adapters(page, lesson):
    page.goto(lesson)
    page.evaluate(
        "() => { window.got = []; document.addEventListener('mblib:progress', e => window.got.push(e.detail)); }"
    )
    page.locator("#block-q1").get_by_label("Four").check()
    page.locator("#block-q1").get_by_role("button", name="Check answer").click()
    got = page.evaluate("() => window.got")
    assert got[-1]["answered"] == 1 and got[-1]["moduleId"] == "every-block"


def test_csp_blocks_injected_script(page, lesson):
    page.goto(lesson)
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                     document.body.appendChild(s); }""")
    assert page.evaluate("() => window.pwned") is None
    assert any("Content Security Policy" in e for e in page.errors)


def test_responsive_no_horizontal_scroll(browser, lesson):
    ctx = browser.new_context(viewport={"width": 360, "height": 740})
    pg = ctx.new_page()
    pg.goto(lesson)
    assert pg.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    ctx.close()


@pytest.fixture(scope="module")
def sample_module_ids():
    return sorted(p.stem for p in (SAMPLE / "modules").glob("*.yaml"))


def test_every_sample_page_passes_axe_offline(browser, sample_pages, sample_module_ids):
    assert len(sample_module_ids) >= 6
    problems = {}
    for mid in sample_module_ids + ["index"]:
        ctx = browser.new_context()
        pg = ctx.new_page()
        errors, blocked = [], []
        pg.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        pg.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        pg.route(
            "**/*",
            lambda r, blocked=blocked: (
                r.continue_()
                if r.request.url.startswith(("file://", "data:"))
                else (blocked.append(r.request.url), r.abort())
            ),
        )
        pg.add_init_script(path=str(AXE_JS))
        pg.goto((sample_pages / f"{mid}.html").as_uri())
        found = axe_violations(pg)
        if found or errors or blocked:
            problems[mid] = {"axe": found, "errors": errors, "blocked": blocked}
        ctx.close()
    assert problems == {}


def test_sample_video_has_captions_and_plays(page, sample_pages):

    pages = [p for p in sample_pages.glob("*.html") if "<video" in p.read_text()]
    assert pages, "the sample workspace should have a video"
    page.goto(pages[0].as_uri())
    page.wait_for_function("() => document.querySelector('video').readyState >= 1", timeout=10_000)
    info = page.evaluate("""() => { const v = document.querySelector('video');
        return {duration: v.duration, tracks: v.textTracks.length, kind: v.textTracks[0].kind}; }""")
    assert info["duration"] > 0 and info["tracks"] >= 1 and info["kind"] == "captions"
    assert page.errors == [] and page.blocked == []
