"""Memory (resume, reviewer wins), glossary, staleness, lint, fallback rendering, review widget."""

from __future__ import annotations

import pytest

from mblib.content import Workspace, lint_workspace
from mblib.render import render_module
from mblib.render.markdown import to_html
from mblib.translate import lint_with_translations
from mblib.translate.apply import review_rows, review_segment, translate_module, translated_module
from mblib.translate.memory import TranslationMemory
from mblib.translate.segments import module_segments
from mblib.translate.store import load_translations, translation_path

from .engines_for_tests import ShoutEngine


def test_interrupted_run_resumes_without_loss_or_double_work(tws):
    n = len(module_segments(tws.module("bar-basics")))
    first = ShoutEngine(batch_size=4, fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        translate_module(tws, "bar-basics", "fr", engine=first)
    assert first.calls == 2 and len(first.seen) == 8
    second = ShoutEngine(batch_size=4)
    r = translate_module(tws, "bar-basics", "fr", engine=second)
    assert set(first.seen).isdisjoint(second.seen)
    assert len(first.seen) + len(second.seen) == n
    assert r.kept + r.from_memory + r.translated == n and r.translated == len(second.seen)
    tf = load_translations(tws, "bar-basics", "fr")
    assert len(tf.segments) == n
    third = ShoutEngine()
    assert translate_module(tws, "bar-basics", "fr", engine=third).kept == n and third.calls == 0


def test_memory_serves_a_fresh_run_and_a_reviewer_edit_always_wins(tws):
    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    review_segment(tws, "bar-basics", "fr", "_module/title/0", "Lire un diagramme en barres")
    translation_path(tws.root, "fr", "bar-basics").unlink()
    again = ShoutEngine()
    r = translate_module(tws, "bar-basics", "fr", engine=again)
    assert again.calls == 0 and r.from_memory == r.segments
    e = load_translations(tws, "bar-basics", "fr").segments["_module/title/0"]
    assert (e.target, e.status) == ("Lire un diagramme en barres", "reviewed")
    with TranslationMemory.for_workspace(tws.root) as tm:
        assert tm._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert tm.get("en", "fr", "other-model", "Reading a bar chart").origin == "reviewed"


def test_glossary_terms_are_enforced_and_losses_flagged(tws):
    (tws.root / "translations").mkdir(exist_ok=True)
    (tws.root / "translations" / "glossary.yaml").write_text(
        "do_not_translate: [region]\nterms:\n  - source: bar chart\n    fr: diagramme en barres\n"
    )
    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    tf = load_translations(tws, "bar-basics", "fr")
    assert tf.segments["_module/title/0"].target == "READING A diagramme en barres"
    assert tf.segments["chart/alt/0"].target == "A diagramme en barres OF SALES BY region."
    assert not any(e.flags for e in tf.segments.values())
    # an engine that drops protected tokens: terms come back at the end, and the segment is flagged
    tws2 = Workspace.open(tws.root)
    translate_module(tws2, "bar-basics", "de", engine=ShoutEngine(drop_tokens=True))
    tf = load_translations(tws2, "bar-basics", "de")
    assert "markup lost: **" in tf.segments["_module/summary/0"].flags
    assert "intro/body/3" in [r.key for r in review_rows(tws2, "bar-basics", "de", "glossary")]


def test_glossary_errors_name_the_file(tws):
    from mblib.translate.glossary import Glossary, GlossaryError

    (tws.root / "translations").mkdir(exist_ok=True)
    (tws.root / "translations" / "glossary.yaml").write_text("terms:\n  - fr: sans source\n")
    with pytest.raises(GlossaryError, match="translations/glossary.yaml:2.*has no 'source'"):
        Glossary.load(tws.root)


def test_a_source_edit_makes_segments_stale_everywhere(tws):
    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    m = tws.module("bar-basics")
    m.blocks[3].body = "Sorted bars are much faster to read."
    tws.save_module(m)
    ws = Workspace.open(tws.root)
    assert [p for p in lint_workspace(ws) if p.code.startswith("translation.")] == []  # content lint only
    stale = [p for p in lint_with_translations(ws) if p.code == "translation.stale"]
    assert len(stale) == 1 and stale[0].location.block_id == "tip" and "tip/body/0" in stale[0].message
    assert (
        stale[0].location.file == "translations/fr/bar-basics.yaml"
        and "mb translate bar-basics --to fr" in stale[0].hint
    )
    assert [r.key for r in review_rows(ws, "bar-basics", "fr", "stale")] == ["tip/body/0"]
    fr = translated_module(ws, ws.module("bar-basics"), "fr")
    assert fr.blocks[3].body == '<span lang="en" class="mb-fallback">Sorted bars are much faster to read.</span>'
    assert fr.blocks[4].title == "KEY TERMS"


def test_fallback_is_visible_in_the_page_and_the_sanitizer_allows_only_that_class(tws):
    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    path = translation_path(tws.root, "fr", "bar-basics")
    path.write_text(path.read_text().replace('"intro/body/1":', '"intro/body/1-gone":'))
    page = render_module(translated_module(tws, tws.module("bar-basics"), "fr"), tws, language="fr")
    assert '<html lang="fr">' in page.html
    assert '<span lang="en" class="mb-fallback">Each bar stands for one value.</span>' in page.html
    assert "COMPARE THE LENGTHS" in page.html and ".mb-fallback" in page.html
    assert to_html('<span class="evil mb-fallback">x</span>') == '<p><span class="mb-fallback">x</span></p>'
    assert to_html('<p class="mb-fallback">x</p>') == "<p>x</p>"


def test_review_widget_runs_edits_approves_and_filters(tws):
    from mblib.widgets import TranslationReview

    w = TranslationReview(tws, module="bar-basics", language="fr", engine=ShoutEngine(batch_size=5), watch=False)
    assert {r.state for r in w.rows} == {"missing"}
    seen = []
    for page in range(w.page_count):  # every row once, page by page, grouped by block
        w.show_page(page)
        seen += list(w.views)
        assert all(v.approve_button.disabled for v in w.views.values())  # nothing to approve yet
    assert seen == [r.key for r in w.rows] and w.page_count == 2
    w.show_page(0)
    w.run()
    assert w.progress.value == w.progress.max == 23
    assert {r.state for r in w.rows} == {"machine"}
    w.editors["_module/title/0"].value = "Lire un diagramme en barres"
    w.approve("_module/title/0")
    assert load_translations(tws, "bar-basics", "fr").segments["_module/title/0"].status == "reviewed"
    w.filter.value = "unreviewed"
    assert "_module/title/0" not in [r.key for r in w.rows] and len(w.rows) == 22
    w.approve("no/such/0", "x")  # errors land in the widget, it keeps working
    assert "no segment 'no/such/0'" in str(w.errors.outputs)
    assert "reviewed: 1" in w.status.value


def test_untranslated_plain_fields_are_marked_on_the_page(tws):
    from mblib.translate.apply import untranslated_fields

    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    m = tws.module("bar-basics")
    assert untranslated_fields(tws, m, "fr") == frozenset()
    titled = next(b for b in m.blocks if getattr(b, "title", None))
    path = translation_path(tws.root, "fr", "bar-basics")
    text = path.read_text()
    for key in ("_module/title/0", f"{titled.id}/title/0"):
        assert f'"{key}":' in text
        text = text.replace(f'"{key}":', f'"{key}-gone":')
    path.write_text(text)
    missing = untranslated_fields(tws, m, "fr")
    assert missing == {"_module/title", f"{titled.id}/title"}
    page = render_module(translated_module(tws, m, "fr"), tws, language="fr", untranslated=missing)
    assert f'<h1><span lang="en" class="mb-fallback">{m.title}</span></h1>' in page.html
    assert f'<span lang="en" class="mb-fallback">{titled.title}</span></h2>' in page.html
    plain = render_module(translated_module(tws, m, "fr"), tws, language="fr")
    assert f"<h1>{m.title}</h1>" in plain.html  # without the keys nothing is marked
