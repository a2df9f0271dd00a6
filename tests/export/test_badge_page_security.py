"""Attack: hostile text in a credential (every payload of tests/security/injection_payloads.py), hostile
badge images given to the reader, hostile files in the credentials folder. Nothing may run, load or
leak; every refusal names the file and says how to fix it."""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import UTC, datetime

import pytest

from tests.export.test_badges import events
from tests.security.injection_payloads import DOM_PROBE, INLINE, INTERACT, MARKDOWN, PAYLOADS, TEMPLATE_EVALUATED

PUBLISHED = datetime(2026, 4, 1, tzinfo=UTC)
ALLOWED = ("file://", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def credential(export_ws, tmp_path_factory):
    from mblib.export.badges import issue_badges

    _ach, issued = issue_badges(export_ws, "data-literacy-foundations", events())
    return issued["ada"]


def hostile(doc):
    """``doc`` with a payload in every text the page, the badge or the LinkedIn link shows."""
    d = copy.deepcopy(doc)
    ach = d["credentialSubject"]["achievement"]
    d["id"] = "urn:x:" + PAYLOADS[9]
    d["name"] = ach["name"] = INLINE
    ach["description"] = MARKDOWN + "\n\nWorkload: " + INLINE + "\n\nLevel: " + PAYLOADS[0]
    ach["criteria"]["narrative"] = MARKDOWN + "\n\nLearning outcomes:\n" + "\n".join(f"- {p}" for p in PAYLOADS)
    ach["inLanguage"] = PAYLOADS[9]
    ach["alignment"] = [
        {"type": ["Alignment"], "targetName": p, "targetFramework": INLINE, "targetCode": p, "targetUrl": url}
        for p, url in zip(
            PAYLOADS,
            [
                "javascript:window.__pwned_1=1",
                "data:text/html,<script>x</script>",
                " javascript:x",
                "https://ok.example/",
            ]
            * 9,
            strict=False,
        )
    ]
    ach["alignment"].append(
        {
            "type": ["Alignment"],
            "targetName": "EQF level 9",
            "targetFramework": "European Qualifications Framework",
            "targetCode": PAYLOADS[1],
            "targetDescription": PAYLOADS[2],
        }  # fmt: skip
    )
    ach["resultDescription"][0]["name"] = PAYLOADS[3]
    d["credentialSubject"]["result"][0]["value"] = PAYLOADS[4]
    d["credentialSubject"]["identifier"][0]["identityHash"] = PAYLOADS[5]
    d["issuer"] = dict(d["issuer"], name=INLINE, url="javascript:window.__pwned_2=1")
    d["validFrom"] = PAYLOADS[6]
    d["validUntil"] = "2027-01-01T00:00:00Z"
    return d


def _open(browser, path):
    ctx = browser.new_context()
    page = ctx.new_page()
    left, dialogs, errors = [], [], []

    def gate(route):
        if route.request.url.startswith(ALLOWED):
            return route.continue_()
        left.append(route.request.url)
        return route.abort()

    ctx.route("**/*", gate)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.evaluate(INTERACT)
        page.wait_for_timeout(200)
        probe = page.evaluate(DOM_PROBE)
        probe.update(left=left, dialogs=dialogs, errors=errors, url=page.url)
        return probe
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.slow
def test_no_payload_runs_in_the_page_or_the_badge(browser, credential, tmp_path):
    from mblib.export.badge_image import extract_baked_credential
    from mblib.export.badge_page import write_credential_pages

    doc = hostile(credential)
    src = tmp_path / "in"
    src.mkdir()
    (src / "c.json").write_text(json.dumps(doc, ensure_ascii=False))
    checks = {doc["id"]: [(p, i % 2 == 0, p) for i, p in enumerate(PAYLOADS)]}
    [page_path] = write_credential_pages(
        src, tmp_path / "out", verification=checks, display_names={doc["id"]: INLINE}, published=PUBLISHED
    )
    svg_path = page_path.with_suffix(".svg")
    for path in (page_path, svg_path):
        p = _open(browser, path)
        assert p["markers"] == [] and p["dialogs"] == [] and p["errors"] == [], (path.name, p["markers"])
        assert p["left"] == [] and p["url"] == path.as_uri(), (path.name, p["left"])
        assert p["bad"] == [], (path.name, sorted(set(p["bad"])))
        assert p["scripts"] == [], path.name
        for evaluated in TEMPLATE_EVALUATED:
            assert evaluated not in p["text"] and evaluated not in p["title"]
    page = _open(browser, page_path)
    assert "default-src 'none'" in page["csp"] and "script-src 'none'" in page["csp"]
    assert page["title"].startswith(INLINE[:60])  # shown as text, not dropped
    text = " ".join(page["text"].split())
    assert "<script>window.__pwned_1=1</script>" in text and "Earned by " + " ".join(INLINE[:40].split()) in text
    html = page_path.read_text()
    links = re.findall(r'<a [^>]*href="([^"]*)"', html)
    stem = page_path.stem
    assert all(h == "#main" or h in (f"{stem}.json", f"{stem}.svg") or h.startswith("https://") for h in links), links
    assert 'href="https://ok.example/"' in html  # a plain https skill link is kept
    assert extract_baked_credential(svg_path) == doc  # "]]>" and every payload survive the CDATA intact


def test_linkedin_link_keeps_payloads_inside_its_parameters(credential):
    from urllib.parse import parse_qsl, urlsplit

    from mblib.export.badge_view import linkedin_url

    url = linkedin_url(name=INLINE, organization=MARKDOWN, issued="2026-01-01T00:00:00Z", cert_id=PAYLOADS[9])
    parts = urlsplit(url)
    assert parts.netloc == "www.linkedin.com" and not parts.fragment
    assert dict(parse_qsl(parts.query))["name"] == INLINE
    assert dict(parse_qsl(parts.query))["organizationName"] == MARKDOWN
    assert not any(c in url for c in " <>\"'\n")


# ------------------------------------------------------------------------------ hostile badge images
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'


def _svg(tmp_path, text, name="b.svg"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            + SVG_HEAD
            + "<openbadges:credential>&c;</openbadges:credential></svg>",
            "holds a DOCTYPE",
        ),
        (
            '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + SVG_HEAD
            + "<openbadges:credential>&x;</openbadges:credential></svg>",
            "holds a DOCTYPE",
        ),
        (SVG_HEAD + "<openbadges:credential>{}</openbadges:credential>" * 2 + "</svg>", "more than one"),
        (SVG_HEAD + "<circle r='1'/></svg>", "holds no baked credential"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><credential xmlns="urn:other">{}</credential></svg>',
            "no baked credential",
        ),
        ('<html xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential/></html>', "not an SVG"),
        (SVG_HEAD + "<openbadges:credential>{}</openbadges:credential>", "not a well-formed SVG"),
        (SVG_HEAD + "<g>" * 100 + "</g>" * 100 + "</svg>", "nest deeper than 64"),
        (SVG_HEAD + "<openbadges:credential>[1, 2]</openbadges:credential></svg>", "not a JSON object"),
        (SVG_HEAD + "<openbadges:credential>{'a': 1}</openbadges:credential></svg>", "not JSON"),
        (SVG_HEAD + '<openbadges:credential verify="not a jws"/></svg>', "not a compact JWS"),
        (SVG_HEAD + '<openbadges:credential verify="e30.!!!.c2ln"/></svg>', "not a compact JWS"),
        (SVG_HEAD + '<openbadges:credential verify="e30.WzFd.c2ln"/></svg>', "payload is not a JSON object"),
    ],
)
def test_hostile_badge_images_are_refused_with_a_clear_message(tmp_path, svg, message):
    from mblib.export.badge_image import extract_baked_credential
    from mblib.export.errors import ExportError

    path = _svg(tmp_path, svg)
    with pytest.raises(ExportError, match=message) as e:
        extract_baked_credential(path)
    assert str(path) in str(e.value) and "fix:" in str(e.value)


def test_oversized_badge_image_and_credential_are_refused_unread(tmp_path):
    from mblib.export.badge_image import MAX_SVG_BYTES, extract_baked_credential
    from mblib.export.errors import ExportError

    big = _svg(tmp_path, SVG_HEAD + " " * MAX_SVG_BYTES + "</svg>")
    with pytest.raises(ExportError, match=r"bytes; badge images over 8,388,608 bytes are not read"):
        extract_baked_credential(big)
    fat = _svg(
        tmp_path, SVG_HEAD + '<openbadges:credential>{"a": "' + "x" * 2_200_000 + '"}</openbadges:credential></svg>'
    )
    with pytest.raises(ExportError, match=r"baked credential is over 2,097,152 characters"):
        extract_baked_credential(fat)
    with pytest.raises(ExportError, match="cannot read the badge image"):
        extract_baked_credential(tmp_path / "missing.svg")


def test_characters_xml_cannot_hold_survive_baking(tmp_path):
    from mblib.export.badge_image import badge_svg, extract_baked_credential

    doc = {"id": "urn:uuid:1", "name": "a\x0bb\ufffe c\ud800 ]]> ]]]]> <![CDATA[ 🎓", "issuer": {"name": "\x00N"}}
    path = _svg(tmp_path, badge_svg(doc))
    assert extract_baked_credential(path) == doc


def test_a_jwt_that_is_not_one_is_not_baked(credential):
    from mblib.export.badge_image import badge_svg
    from mblib.export.errors import ExportError

    with pytest.raises(ExportError, match="not a compact JWS"):
        badge_svg(credential, jwt='a.b"><script>x</script>.c')


# ------------------------------------------------------------------------------ hostile credential folders
def _folder(tmp_path, files):
    src = tmp_path / "in"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return src


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"id": 1,\n  "type": ', r"c\.json: not valid JSON \(Expecting value\)"),
        ("[1, 2]", r"a credential is a JSON object, this file holds a list"),
        ('{"type": ["VerifiableCredential"]}', r"not an Open Badges credential"),
        (b'{"type": "\xff"}', r"is not UTF-8 text \(byte 10\)"),
        ("[" * 100_000 + "]" * 100_000, r"nests too deeply|not valid JSON"),
    ],
)
def test_hostile_credential_files_are_refused_and_nothing_is_written(tmp_path, data, message):
    from mblib.export.badge_page import write_credential_pages
    from mblib.export.errors import ExportError

    src = _folder(tmp_path, {"c.json": data})
    with pytest.raises(ExportError, match=message) as e:
        write_credential_pages(src, tmp_path / "out")
    assert "fix:" in str(e.value) and not (tmp_path / "out").exists()


def test_oversized_linked_and_duplicate_credentials_are_refused(tmp_path, credential):
    from mblib.export.badge_page import MAX_CREDENTIAL_BYTES, write_credential_pages
    from mblib.export.errors import ExportError

    text = json.dumps(credential)
    src = _folder(tmp_path, {"a.json": text, "b.json": text})
    with pytest.raises(ExportError, match=r"a\.json and b\.json hold the same credential id .*nothing was written"):
        write_credential_pages(src, tmp_path / "out")
    (src / "b.json").unlink()
    (src / "big.json").write_bytes(b" " * (MAX_CREDENTIAL_BYTES + 1))
    with pytest.raises(ExportError, match=r"big\.json is 4,194,305 bytes; a credential file over"):
        write_credential_pages(src, tmp_path / "out")
    (src / "big.json").unlink()
    secret = tmp_path / "secret.json"
    secret.write_text(text)
    os.symlink(secret, src / "link.json")
    with pytest.raises(ExportError, match=r"link\.json is not a plain file"):
        write_credential_pages(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_or_empty_folder_and_a_bad_base_url(tmp_path, credential):
    from mblib.export.badge_page import write_credential_pages
    from mblib.export.errors import ExportError

    with pytest.raises(ExportError, match="does not exist") as e:
        write_credential_pages(tmp_path / "nope", tmp_path / "out")
    assert "mb export badge" in str(e.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match=r"no credential files \(\*\.json, \*\.jwt\)"):
        write_credential_pages(tmp_path / "empty", tmp_path / "out")
    src = _folder(tmp_path, {"a.json": json.dumps(credential)})
    with pytest.raises(ExportError, match="is not an http"):
        write_credential_pages(src, tmp_path / "out", base_url="javascript:alert(1)//")


def test_an_export_never_replaces_a_folder_it_did_not_write(tmp_path, credential):
    from mblib.export.badge_page import write_credential_pages
    from mblib.export.errors import ExportError

    src = _folder(tmp_path, {"a.json": json.dumps(credential)})
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("keep me")
    with pytest.raises(ExportError):
        write_credential_pages(src, mine)
    assert (mine / "todo.txt").read_text() == "keep me"
    written = write_credential_pages(src, tmp_path / "pages", published=PUBLISHED)
    again = write_credential_pages(src, tmp_path / "pages", published=PUBLISHED)  # its own folder: replaced whole
    assert written == again and written[0].read_text().startswith("<!doctype html>")
    assert (tmp_path / "pages" / ".mblib-export").is_file()  # marked: the next run may replace it


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,name\nada,Ada\n", r"lacks the column\(s\) \['display_name', 'learner_id'\]"),
        ("learner_id,display_name\nada,Ada\nbo,Bo\nada,Other\n", r"learner 'ada' is listed twice \(lines 2 and 4\)"),
        (b"learner_id,display_name\nada,\xff\n", r"is not UTF-8 text"),
    ],
)
def test_hostile_names_files_are_refused(tmp_path, text, message):
    from mblib.export.badge_page import read_display_names
    from mblib.export.errors import ExportError

    path = tmp_path / "names.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ExportError, match=message) as e:
        read_display_names(path)
    assert str(path) in str(e.value) and "fix:" in str(e.value)


def test_names_file_keeps_payloads_as_names_and_refuses_a_huge_one(tmp_path):
    from mblib.export.badge_page import MAX_NAMES_BYTES, read_display_names
    from mblib.export.errors import ExportError

    path = tmp_path / "names.csv"
    path.write_text('learner_id,display_name\nada,"' + PAYLOADS[0] + '"\n', encoding="utf-8")
    assert read_display_names(path) == {"ada": PAYLOADS[0]}  # escaped when shown (the page test above)
    path.write_bytes(b"learner_id,display_name\n" + b"x" * MAX_NAMES_BYTES)
    with pytest.raises(ExportError, match=r"bytes; a names file over 16,777,216 bytes is not read"):
        read_display_names(path)
