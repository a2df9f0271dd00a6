"""Rendering: one standalone page per module, sanitised, with a strict CSP and no network."""

from __future__ import annotations

import re

import pytest

from mblib.content import BLOCK_TYPES, Module, Workspace
from mblib.errors import RenderError
from mblib.render import render_module, render_workspace, sanitize_html, to_html, to_inline_html, write_module_page
from mblib.render.page import TEMPLATES

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def all_blocks_module() -> Module:
    return Module(
        id="every-block",
        title="Every block",
        summary="All *block* types",
        objectives=["See them all"],
        blocks=[
            {"id": "t", "type": "text", "body": "# Heading\n\nSome **bold** text and `code`."},
            {"id": "img", "type": "image", "src": "media/dot.svg", "alt": "A black square", "caption": "A *square*"},
            {"id": "deco", "type": "image", "src": "media/dot.svg", "decorative": True},
            {
                "id": "vid",
                "type": "video",
                "src": "media/clip.webm",
                "title": "A clip",
                "duration_s": 12,
                "captions": [{"src": "media/clip.vtt", "language": "en", "label": "English"}],
                "transcript": "Words.",
            },
            {"id": "note", "type": "callout", "variant": "warning", "title": "Careful", "body": "Mind the gap."},
            {
                "id": "q1",
                "type": "quiz",
                "question": "Two plus two?",
                "choices": [
                    {"id": "a", "text": "Four", "correct": True, "feedback": "Yes, four."},
                    {"id": "b", "text": "Five", "feedback": "Count again."},
                ],
                "explanation": "Arithmetic.",
            },
            {
                "id": "q2",
                "type": "quiz",
                "question": "Even numbers?",
                "multiple": True,
                "weight": 2,
                "choices": [
                    {"id": "a", "text": "2", "correct": True},
                    {"id": "b", "text": "3"},
                    {"id": "c", "text": "4", "correct": True},
                ],
            },
            {
                "id": "cards",
                "type": "flashcards",
                "title": "Terms",
                "cards": [{"id": "c1", "front": "Mean", "back": "The average"}],
            },
            {
                "id": "acc",
                "type": "accordion",
                "title": "More",
                "items": [{"id": "p1", "title": "Why", "body": "Because."}],
            },
            {
                "id": "todo",
                "type": "checklist",
                "title": "Do",
                "items": [{"id": "i1", "text": "One"}, {"id": "i2", "text": "Two"}],
            },
            {"id": "code", "type": "code", "source": "print(1 + 1)", "outputs": [{"mime": "text/plain", "data": "2"}]},
        ],
    )


@pytest.fixture
def ws(tmp_path):
    ws = Workspace.create(tmp_path / "ws", title="Render test")
    (ws.root / "media" / "dot.svg").write_bytes(SVG)
    (ws.root / "media" / "clip.webm").write_bytes(b"\x1aE\xdf\xa3" + b"\0" * 64)
    (ws.root / "media" / "clip.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n")
    ws.save_module(all_blocks_module())
    return ws


def test_every_block_type_has_a_template():
    for t in BLOCK_TYPES:
        assert (TEMPLATES / "blocks" / f"{t}.html.j2").is_file(), t


def test_page_renders_every_block_with_its_id(ws):
    page = render_module(ws.module("every-block"), ws)
    for b in ws.module("every-block").blocks:
        assert f'data-block-id="{b.id}"' in page.html
        assert f'data-block-type="{b.type}"' in page.html
    assert page.missing_media == [] and page.assets == {}
    assert '<html lang="en">' in page.html
    assert page.html.count("<h1>") == 1 and "<h2>Heading</h2>" in page.html  # Markdown headings shift down


def test_page_is_standalone_with_strict_csp(ws):
    html = render_module(ws.module("every-block"), ws).html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp)
    # nothing is loaded from elsewhere: no external script, stylesheet or media
    assert not re.search(r"""<(script|link|img|video|source|track)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "data:image/svg+xml;base64," in html and "data:text/vtt;base64," in html


def test_media_over_the_embed_limit_is_written_beside_the_page(ws, tmp_path):
    page = render_module(ws.module("every-block"), ws, embed_limit=50)
    assert set(page.assets) == {"media/dot.svg", "media/clip.webm"}
    assert "media-src data: 'self'" in page.html
    out = write_module_page(ws.module("every-block"), tmp_path / "out", ws, embed_limit=50)
    assert out.name == "every-block.html" and (tmp_path / "out" / "media" / "dot.svg").read_bytes() == SVG


def test_missing_media_is_reported_and_shown_as_placeholder(tmp_path):
    ws = Workspace.create(tmp_path / "ws2")
    m = Module(id="m", title="M", blocks=[{"id": "img", "type": "image", "src": "media/nope.png", "alt": "Gone"}])
    page = render_module(m, ws)
    assert page.missing_media == ["media/nope.png"]
    assert "Image not available: media/nope.png" in page.html


def test_media_outside_the_workspace_is_refused(tmp_path):
    ws = Workspace.create(tmp_path / "ws3")
    (tmp_path / "secret.txt").write_text("x")
    m = Module(id="m", title="M", blocks=[{"id": "img", "type": "image", "src": "../secret.txt", "alt": "x"}])
    with pytest.raises(RenderError, match="outside the workspace"):
        render_module(m, ws)


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(https://evil.example)">x</div>',
        "<svg><script>alert(1)</script></svg>",
        '<a href="https://ok.example" onclick="alert(1)">ok</a>',
        '<form action="https://evil.example"><input></form>',
        "<object data=x></object><embed src=x>",
    ],
)
def test_content_cannot_inject_script(evil):
    for html in (to_html(evil), to_inline_html(evil)):
        low = html.lower()
        assert "<script" not in low and "onerror" not in low and "onclick" not in low
        assert "javascript:" not in low.replace("[x](javascript:alert(1))", "")
        assert "<iframe" not in low and "style=" not in low and "<form" not in low and "<object" not in low
        assert "<embed" not in low


def test_injection_through_every_text_field_is_escaped(tmp_path):
    evil = "<img src=x onerror=alert(1)><script>alert(2)</script>\"'>"
    m = Module(
        id="m",
        title=evil,
        summary=evil,
        objectives=[evil],
        blocks=[
            {
                "id": "q",
                "type": "quiz",
                "question": evil,
                "explanation": evil,
                "choices": [{"id": "a", "text": evil, "correct": True, "feedback": evil}, {"id": "b", "text": "b"}],
            },
            {"id": "f", "type": "flashcards", "title": evil, "cards": [{"id": "c", "front": evil, "back": evil}]},
            {"id": "c", "type": "callout", "title": evil, "body": evil},
            {"id": "k", "type": "checklist", "title": evil, "items": [{"id": "i", "text": evil}]},
            {"id": "a", "type": "accordion", "title": evil, "items": [{"id": "p", "title": evil, "body": evil}]},
            {
                "id": "code",
                "type": "code",
                "source": evil,
                "outputs": [{"mime": "text/html", "data": evil}, {"mime": "text/plain", "data": evil}],
            },
        ],
    )
    html = render_module(m).html
    body = html.split("<body>", 1)[1].rsplit("<script>", 1)[0]  # everything but our own script
    assert "<script" not in body.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", body, re.I)  # no event-handler attribute on any tag
    assert "&lt;script&gt;" in body  # plain-text fields are escaped, not dropped


def test_sanitize_keeps_ordinary_markup():
    html = to_html("A [link](https://example.org) and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert sanitize_html("<p lang='fr'>Bonjour</p>") == '<p lang="fr">Bonjour</p>'


def test_render_workspace_writes_index_and_pages(ws, tmp_path):
    paths = render_workspace(ws, tmp_path / "site")
    assert {p.name for p in paths} == {"every-block.html", "index.html"}
    assert 'href="every-block.html"' in (tmp_path / "site" / "index.html").read_text()


def test_previous_next_navigation(ws):
    html = render_module(
        ws.module("every-block"),
        ws,
        nav={"previous": {"href": "a.html", "title": "A"}, "next": {"href": "b.html", "title": "B"}},
    ).html
    assert 'rel="prev" href="a.html"' in html and 'rel="next" href="b.html"' in html
