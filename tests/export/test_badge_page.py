"""What a learner shares: the public credential page, the baked SVG badge, the LinkedIn link, the raw JSON."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import AXE_JS, axe_violations
from tests.export.test_badges import events

BASE = "https://learn.northwind.example/credentials"
PUBLISHED = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def issued(export_ws, tmp_path_factory):
    """``mb export badge`` output for the sample cohort: ada and ed earn Data Literacy Foundations."""
    from mblib.export.badges import export_badges

    folder = export_badges(export_ws, "data-literacy-foundations", events(), tmp_path_factory.mktemp("b") / "badges")
    docs = {}
    for f in sorted((folder / "credentials").glob("*.json")):
        doc = json.loads(f.read_text())
        docs[doc["credentialSubject"]["result"][0]["value"]] = (f, doc)  # ada averages 90, ed 80
    return folder, docs["90"], docs["80"]


@pytest.fixture(scope="module")
def pages(issued, tmp_path_factory):
    from mblib.export.badge_page import write_credential_pages

    folder, _ada, _ed = issued
    out = tmp_path_factory.mktemp("site") / "credentials"
    written = write_credential_pages(
        folder, out, display_names={"ada": "Ada Lovelace"}, base_url=BASE, published=PUBLISHED
    )
    return out, written


def _page(out, doc):
    return out / (doc["id"].rsplit(":", 1)[1] + ".html")


def test_every_credential_gets_a_page_a_badge_and_its_json(issued, pages):
    folder, (ada_file, ada), (ed_file, ed) = issued
    out, written = pages
    stems = sorted(p.stem for p in written)
    assert stems == sorted([ada_file.stem, ed_file.stem])  # named after the credential id, never the learner
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == sorted(f"{s}.{ext}" for s in stems for ext in ("html", "json", "svg"))
    assert (out / ada_file.name).read_bytes() == ada_file.read_bytes()  # the credential, byte for byte


def test_page_shows_the_achievement_issuer_dates_and_european_elements(issued, pages):
    _f, (_af, ada), _ed = issued
    out, _ = pages
    html = _page(out, ada).read_text()
    assert '<h1 lang="en">Data Literacy Foundations</h1>' in html
    assert "Read charts and everyday statistics at work" in html  # description
    assert ">Learning outcomes</h2>" in html and "<li>Choose between the mean and the median" in html
    assert "average quiz score of at least 75%" in html  # criteria
    assert '<dt>Workload</dt><dd lang="en">3 hours (0.1 ECTS)</dd>' in html
    assert '<dt>EQF level</dt><dd lang="en">EQF level 4: Practical knowledge' in html
    assert '>interpret current data</a> <span class="mb-meta">(ESCO)</span>' in html
    assert "(DigComp 2.2 1.2)" in html  # framework and code
    assert ">Northwind Learning Academy</a>" in html and "10 March 2026" in html and "does not expire" in html
    assert "<dt>Average quiz score</dt><dd>90%</dd>" in html
    assert "Content-Security-Policy" in html and "default-src &#39;none&#39;; script-src &#39;none&#39;" in html
    assert "<script" not in html


def test_learner_is_named_only_when_the_issuer_gave_a_display_name(issued, pages):
    _f, (_af, ada), (_ef, ed) = issued
    out, _ = pages
    ada_html, ed_html = _page(out, ada).read_text(), _page(out, ed).read_text()
    assert 'Earned by <strong class="mb-learner">Ada Lovelace</strong>' in ada_html
    ed_hash = ed["credentialSubject"]["identifier"][0]["identityHash"]
    assert f'<code class="mb-hash">{ed_hash}</code>' in ed_html and "mb-learner" not in ed_html
    assert "This page names no learner" in ed_html


def test_display_names_match_learner_id_credential_id_or_hash(issued):
    from mblib.export.badge_view import learner_display_name

    _f, (_af, ada), (_ef, ed) = issued
    assert learner_display_name(ada, {"ada": "A"}) == "A"
    assert learner_display_name(ed, {"ada": "A"}) == ""  # another learner's name is never shown
    assert learner_display_name(ed, {ed["id"]: "E"}) == "E"
    assert learner_display_name(ed, {ed["credentialSubject"]["identifier"][0]["identityHash"]: "H"}) == "H"
    assert learner_display_name(ed, None) == ""


def test_linkedin_link_carries_name_issuer_date_page_url_and_id(issued, pages):
    _f, (_af, ada), _ed = issued
    out, _ = pages
    html = _page(out, ada).read_text()
    href = html.split('href="https://www.linkedin.com/profile/add?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert dict(parse_qsl(href)) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Data Literacy Foundations",
        "organizationName": "Northwind Learning Academy",
        "issueYear": "2026",
        "issueMonth": "3",
        "certUrl": f"{BASE}/{_page(out, ada).name}",
        "certId": ada["id"],
    }
    assert "%20" in href and " " not in href and "+" not in href  # percent-encoded


def test_linkedin_url_encodes_every_value_and_adds_expiry():
    from mblib.export.badge_view import linkedin_url

    url = linkedin_url(
        name="A&B=C #1 / é",
        organization="X?Y",
        issued="2026-01-31T23:00:00Z",
        expires=datetime(2028, 12, 1, tzinfo=UTC),
        cert_url="https://e.example/p.html?x=1&y=2",
        cert_id="urn:uuid:1",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    q = dict(parse_qsl(parts.query))
    assert q["name"] == "A&B=C #1 / é" and q["organizationName"] == "X?Y"
    assert q["certUrl"] == "https://e.example/p.html?x=1&y=2"
    assert (q["issueYear"], q["issueMonth"], q["expirationYear"], q["expirationMonth"]) == ("2026", "1", "2028", "12")
    assert "#" not in url and "&B" not in url


def test_without_base_url_the_linkedin_link_has_no_credential_url(issued, tmp_path):
    from mblib.export.badge_page import write_credential_pages

    folder, _ada, _ed = issued
    written = write_credential_pages(folder, tmp_path / "c", published=PUBLISHED)
    html = written[0].read_text()
    assert "certUrl" not in html and "without a credential link" in html


def test_verification_status_as_computed_when_published(issued):
    from mblib.export.badge_page import render_credential_page

    _f, (_af, ada), _ed = issued
    unsigned = render_credential_page(ada, published=PUBLISHED)
    assert "Unsigned: this credential carries no proof" in unsigned and 'class="mb-checks"' not in unsigned
    signed = dict(ada, proof={"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z1"})
    not_checked = render_credential_page(signed, published=PUBLISHED)
    assert "Not verified when this page was published" in not_checked and "mb verify" in not_checked
    good = [("proof", True, "eddsa-rdfc-2022 signature valid"), ("schema", True, ""), ("status", True, "not revoked")]
    ok = render_credential_page(signed, verification=good, published=PUBLISHED)
    assert "Verified when this page was published: every check passed." in ok
    assert ok.count('<li class="is-ok">') == 3
    assert '<span class="mb-check-mark">Passed:</span> proof: eddsa-rdfc-2022 signature valid</li>' in ok
    assert '<time datetime="2026-04-01T12:00:00Z">1 April 2026</time>' in ok
    bad = [("proof", False, "Invalid signature."), ("status", True, "not revoked")]
    failed = render_credential_page(signed, verification=bad, published=PUBLISHED)
    assert "Verification failed when this page was published: 1 check(s) failed." in failed
    assert '<li class="is-failed"><span class="mb-check-mark">Failed:</span> proof: Invalid signature.</li>' in failed


def test_verification_given_as_a_function_or_a_mapping(issued, tmp_path):
    from mblib.export.badge_page import write_credential_pages

    folder, (_af, ada), (_ef, ed) = issued
    seen = []

    def verify(doc):  # the shape of verify_credential's report: .checks and .ok
        seen.append(doc["id"])
        return SimpleNamespace(checks=[("proof", True, f"checked {doc['id'][-4:]}")], ok=True)

    out = tmp_path / "f"
    write_credential_pages(folder, out, verification=verify, published=PUBLISHED)
    assert sorted(seen) == sorted([ada["id"], ed["id"]])
    assert f"checked {ada['id'][-4:]}" in _page(out, ada).read_text()
    out2 = tmp_path / "m"
    write_credential_pages(folder, out2, verification={ed["id"]: [("proof", False, "wrong key")]}, published=PUBLISHED)
    assert "Failed:</span> proof: wrong key" in _page(out2, ed).read_text()
    assert "Unsigned" in _page(out2, ada).read_text()  # no entry for ada: not verified


def test_baked_badge_round_trips_the_credential(issued, pages):
    from mblib.export.badge_image import BAKE_NS, extract_baked_credential

    _f, (ada_file, ada), _ed = issued
    out, _ = pages
    svg = out / (ada_file.stem + ".svg")
    text = svg.read_text()
    assert f'xmlns:openbadges="{BAKE_NS}"' in text and BAKE_NS == "https://purl.imsglobal.org/ob/v3p0"
    # the credential element comes directly after the <svg> tag, its JSON in CDATA
    assert text.split(">", 2)[2].startswith("<openbadges:credential><![CDATA[{")
    assert text.count("<openbadges:credential") == 1
    assert extract_baked_credential(svg) == ada == json.loads(ada_file.read_text())
    assert '<title id="badge-title">Data Literacy Foundations</title>' in text and "<desc " in text
    assert "Northwind Learning Academy" in text
    root = ET.fromstring(svg.read_bytes())  # our own output; the hostile-input reader is tested apart
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert tags <= {"svg", "credential", "title", "desc", "circle", "path", "text", "tspan"}, tags  # nothing external
    assert not [a for el in root.iter() for a in el.attrib if a.endswith("href") or a.startswith("on")]


def test_baked_jwt_goes_in_the_verify_attribute(issued, tmp_path):
    from mblib.export.badge_image import badge_svg, extract_baked_credential, read_baked_text

    _f, (_af, ada), _ed = issued

    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    jws = f"{b64({'alg': 'EdDSA', 'typ': 'vc+jwt'})}.{b64(ada)}.c2lnbmF0dXJl"
    svg = badge_svg(ada, jwt=jws)
    assert f'<openbadges:credential verify="{jws}"></openbadges:credential>' in svg
    path = tmp_path / "jwt.svg"
    path.write_text(svg)
    assert read_baked_text(path.read_bytes()) == ("jwt", jws)
    assert extract_baked_credential(path) == ada  # the payload (unverified: verify the JWS itself)
    wrapped = f"{b64({'alg': 'EdDSA'})}.{b64({'vc': ada, 'iss': 'x'})}.c2ln"  # VC-JWT of VCDM 1.1 wraps it in "vc"
    path.write_text(badge_svg(ada, jwt=wrapped))
    assert extract_baked_credential(path) == ada


@pytest.mark.browser
@pytest.mark.slow
def test_page_opens_offline_without_errors_and_is_accessible(page, issued, pages):
    _f, (_af, ada), _ed = issued
    out, _ = pages
    page.add_init_script(path=str(AXE_JS))
    page.goto(_page(out, ada).as_uri())
    assert page.title() == "Data Literacy Foundations: Northwind Learning Academy"
    assert page.evaluate("() => document.querySelector('img.mb-badge').naturalWidth") == 512  # the badge drew
    assert page.get_by_role("link", name="Add to LinkedIn profile").count() == 1
    assert page.get_by_role("link", name="Download the credential (JSON, for wallets)").get_attribute("href") == (
        _page(out, ada).stem + ".json"
    )
    assert axe_violations(page) == []
    assert page.errors == [] and page.blocked == []


@pytest.mark.browser
def test_page_and_badge_served_over_http(page, issued, pages, serve):
    _f, _ada, (ed_file, ed) = issued
    out, _ = pages
    url = serve(out)
    page.goto(f"{url}/{ed_file.stem}.html")
    assert "This page names no learner" in page.text_content("footer")
    svg = page.request.get(f"{url}/{ed_file.stem}.svg")
    assert svg.ok and "<openbadges:credential>" in svg.text()
    raw = page.request.get(f"{url}/{ed_file.stem}.json")
    assert raw.ok and json.loads(raw.text()) == ed
    assert page.errors == [] and page.blocked == []


def test_mb_share_writes_the_pages_with_names_from_a_csv(issued, tmp_path):
    from click.testing import CliRunner

    from mblib.cli import main

    folder, (_af, ada), (_ef, ed) = issued
    names = tmp_path / "names.csv"
    names.write_text("learner_id,display_name\nada,Ada Lovelace\ned,\n", encoding="utf-8")
    out = tmp_path / "site" / "credentials"
    args = ["share", str(folder), "--out", str(out), "--names", str(names), "--base-url", BASE]
    refused = CliRunner().invoke(main, args)  # these credentials are unsigned: mb share verifies by default
    assert refused.exit_code == 2 and "2 of 2 credential(s)" in refused.output, refused.output
    assert "fail verification; nothing was published" in refused.output and "--allow-unverified" in refused.output
    assert not out.exists()
    r = CliRunner().invoke(main, [*args, "--allow-unverified"])
    assert r.exit_code == 0, r.output
    assert f"credential pages: 2 in {out} (0 verified)" in r.output and "no --base-url" not in r.output
    lines = [line for line in r.output.splitlines() if line.startswith("page: ")]
    assert sorted(lines) == sorted(
        f"page: {_page(out, d)} NOT VERIFIED (proof, issuer key; the page says so)" for d in (ada, ed)
    )
    assert "Ada Lovelace" in _page(out, ada).read_text()
    assert "Verification failed when this page was published" in _page(out, ada).read_text()
    assert "mb-learner" not in _page(out, ed).read_text()  # an empty display name names nobody
    r = CliRunner().invoke(main, ["share", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "does not exist" in r.output and "mb export badge" in r.output
    r = CliRunner().invoke(main, ["share", str(folder), "--out", str(tmp_path / "p"), "--allow-unverified"])
    assert r.exit_code == 0 and "no --base-url, so the LinkedIn links carry no credential URL" in r.output


@pytest.mark.browser
@pytest.mark.slow
def test_verified_and_failed_pages_are_accessible_too(page, issued, tmp_path):
    from mblib.export.badge_page import write_credential_pages

    folder, (_af, ada), (_ef, ed) = issued
    checks = {
        ada["id"]: [("proof", True, "signature valid"), ("status", True, "not revoked")],
        ed["id"]: [("proof", False, "Invalid signature."), ("dates", True, "valid from 2026-03-15")],
    }
    out = tmp_path / "v"
    write_credential_pages(folder, out, verification=checks, base_url=BASE, published=PUBLISHED)
    page.add_init_script(path=str(AXE_JS))
    for doc, status in ((ada, "Verified when"), (ed, "Verification failed when")):
        page.goto(_page(out, doc).as_uri())
        assert page.text_content(".mb-status-line").startswith(status)
        assert page.locator(".mb-checks li").count() == 2
        assert axe_violations(page) == [], doc["id"]
    assert page.errors == [] and page.blocked == []
