"""Publishing signed credentials: `mb share` verifies first, pages for JSON and JWT (VC-JOSE) credentials,
the status list and a did:web issuer's did.json beside them, revocation reaching the published copy,
and ECTS credits and the EQF level where Open Badges 3.0 puts them, valid against the official schema.

Each test has its own configuration folder, key and issuance registry (function-scoped fixtures), so a
test that revokes a credential shares no state with one that expects it valid.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from tests.conftest import AXE_JS, axe_violations
from tests.export.test_badges import events

CID = "data-literacy-foundations"
BASE = "https://learning.northwind.example/credentials/data-literacy-foundations/pages"


@pytest.fixture
def signed(key, export_ws, tmp_path):
    """A signed export of the sample cohort (ada and ed), with the JWT form beside each credential."""
    from mblib.export.badges import export_badges

    return export_badges(export_ws, CID, events(), tmp_path / "badges", key=key, jwt=True)


def _mb(*args):
    from mblib.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def _docs(folder):
    return [json.loads(p.read_text()) for p in sorted((folder / "credentials").glob("*.json"))]


def _stem(doc):
    return doc["id"].rsplit(":", 1)[1]


def test_mb_share_verifies_and_prints_one_line_per_page(signed, tmp_path):
    out = tmp_path / "site" / "credentials"
    r = _mb("share", signed, "--out", out, "--base-url", BASE)
    assert r.exit_code == 0, r.output
    docs = _docs(signed)
    lines = [line for line in r.output.splitlines() if line.startswith("page: ")]
    assert sorted(lines) == sorted(f"page: {out / (_stem(d) + '.html')} verified" for d in docs)
    assert f"credential pages: 2 in {out} (2 verified)" in r.output
    for doc in docs:
        html = (out / f"{_stem(doc)}.html").read_text()
        assert "Verified when this page was published: every check passed." in html
        assert '<span class="mb-check-mark">Passed:</span> proof: signature valid</li>' in html
        assert '<span class="mb-check-mark">Passed:</span> JWT proof: signature valid</li>' in html
        assert f'href="{_stem(doc)}.jwt" download type="application/vc+jwt"' in html
        assert (out / f"{_stem(doc)}.jwt").read_bytes() == (signed / "credentials" / f"{_stem(doc)}.jwt").read_bytes()
    # the published folder is self-contained for a verifier: its status list travels with it
    assert (out / "status" / "revocation.json").read_bytes() == (signed / "status" / "revocation.json").read_bytes()
    v = _mb("verify", out)
    assert v.exit_code == 0 and "4 credential(s): 4 valid, 0 not valid" in v.output, v.output


def test_the_badge_of_a_jwt_credential_bakes_the_jwt(signed, tmp_path):
    from mblib.export.badge_image import read_baked_text
    from mblib.export.badge_publish import publish_credential_pages

    for f in (signed / "credentials").glob("*.json"):
        f.unlink()  # a folder of VC-JOSE credentials only
    pages = publish_credential_pages(signed, tmp_path / "pages")
    assert len(pages) == 2 and all(p.ok for p in pages), [p.checks for p in pages]
    for p in pages:
        token = (signed / "credentials" / f"{p.page.stem}.jwt").read_text().strip()
        assert read_baked_text((p.page.with_suffix(".svg")).read_bytes()) == ("jwt", token)
        html = p.page.read_text()
        assert "Download the credential (signed JWT, VC-JOSE)" in html and "(JSON, for wallets)" not in html
        assert not p.page.with_suffix(".json").exists()
        assert "Passed:</span> proof: signature valid" in html and "JWT proof" not in html
    assert "2 credential(s): 2 valid" in _mb("verify", tmp_path / "pages").output


def test_a_failing_credential_is_published_only_when_allowed_and_its_page_says_so(signed, tmp_path):
    from mblib.export.badge_publish import publish_credential_pages
    from mblib.export.errors import ExportError

    doc = _docs(signed)[0]
    path = signed / "credentials" / f"{_stem(doc)}.json"
    path.write_text(json.dumps({**doc, "name": "Forged Achievement"}, indent=2))
    with pytest.raises(ExportError, match=r"1 of 2 credential\(s\) .* fail verification; nothing was published") as e:
        publish_credential_pages(signed, tmp_path / "pages")
    assert f"{doc['id']}: proof (" in str(e.value) and "--allow-unverified" in str(e.value)
    assert not (tmp_path / "pages").exists()
    r = _mb("share", signed, "--out", tmp_path / "pages")
    assert r.exit_code == 2 and "fail verification; nothing was published" in r.output
    r = _mb("share", signed, "--out", tmp_path / "pages", "--allow-unverified")
    assert r.exit_code == 0, r.output
    page = tmp_path / "pages" / f"{_stem(doc)}.html"
    assert f"page: {page} NOT VERIFIED (proof; the page says so)" in r.output
    assert "credential pages: 2 in" in r.output and "(1 verified)" in r.output
    html = page.read_text()
    assert "Verification failed when this page was published: 1 check(s) failed." in html
    assert '<li class="is-failed"><span class="mb-check-mark">Failed:</span> proof:' in html


def test_revoking_reaches_the_published_pages_folder(config, key, signed, tmp_path):
    from mblib.export.badge_publish import publish_credential_pages

    out = tmp_path / "site" / "credentials"
    publish_credential_pages(signed, out)
    first = _docs(signed)[0]
    r = _mb("revoke", first["id"], "--reason", "issued in error")
    assert r.exit_code == 0, r.output
    assert f"status list: {out.resolve() / 'status' / 'revocation.json'} (publish it again)" in r.output
    v = _mb("verify", out / f"{_stem(first)}.json")
    assert v.exit_code == 1 and "FAIL  status: revocation: bit" in v.output, v.output
    r = _mb("share", signed, "--out", tmp_path / "again")
    assert r.exit_code == 2 and f"{first['id']}: status (revocation: bit" in r.output


def test_did_web_issuer_gets_its_did_json_in_the_exported_site(config, export_ws, tmp_path):
    from mblib.export.badge_publish import publish_credential_pages
    from mblib.export.badges import export_badges
    from mblib.export.keys import load_key

    r = _mb("keys", "new", "--did-web", "learning.northwind.example")
    assert r.exit_code == 0 and "issuer: did:web:learning.northwind.example" in r.output
    key = load_key()
    badges = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key)
    site = tmp_path / "site"
    pages = publish_credential_pages(badges, site / "credentials", site=site)
    assert all(p.ok for p in pages) and len(pages) == 2
    did_json = site / ".well-known" / "did.json"  # where https://learning.northwind.example resolves it
    assert json.loads(did_json.read_text()) == key.did_document()
    assert (site / "credentials" / ".well-known" / "did.json").read_bytes() == did_json.read_bytes()
    v = _mb("verify", site)
    assert (
        v.exit_code == 0
        and "ok    issuer key: did:web:learning.northwind.example (from the local did.json)" in v.output
    )
    assert "2 credential(s): 2 valid" in v.output
    did_json.unlink()
    (site / "credentials" / ".well-known" / "did.json").unlink()
    v = _mb("verify", site)
    assert v.exit_code == 1 and "no local did.json for did:web:learning.northwind.example" in v.output


def test_ects_and_eqf_are_in_the_ob3_fields_schema_valid_and_on_the_page(signed, schemas, tmp_path):
    from jsonschema import Draft201909Validator

    from mblib.export.badge_publish import publish_credential_pages

    official = json.loads((schemas / "openbadges3" / "schema" / "achievementcredential.json").read_text())
    validator = Draft201909Validator(official, format_checker=Draft201909Validator.FORMAT_CHECKER)
    pages = {p.page.stem: p.page for p in publish_credential_pages(signed, tmp_path / "pages")}
    for doc in _docs(signed):
        assert isinstance(doc["proof"], list)  # as the official schema asks
        assert [e.message for e in validator.iter_errors(doc)] == []
        ach = doc["credentialSubject"]["achievement"]
        assert ach["creditsAvailable"] == 0.1 and doc["credentialSubject"]["creditsEarned"] == 0.1
        eqf = [a for a in ach["alignment"] if a.get("targetFramework") == "European Qualifications Framework"]
        assert len(eqf) == 1 and eqf[0]["targetCode"] == "4" and eqf[0]["targetName"] == "EQF level 4"
        assert eqf[0]["type"] == ["Alignment"] and eqf[0]["targetUrl"].startswith("https://europa.eu/europass/")
        html = pages[_stem(doc)].read_text()
        assert '<dt>Workload</dt><dd lang="en">3 hours (0.1 ECTS)</dd>' in html
        assert '<dt>EQF level</dt><dd lang="en">EQF level 4: ' in html
    wrong = dict(_docs(signed)[0])
    wrong["credentialSubject"] = {**wrong["credentialSubject"], "creditsEarned": "a tenth"}
    assert any("creditsEarned" in "/".join(map(str, e.absolute_path)) for e in validator.iter_errors(wrong))


@pytest.mark.browser
def test_a_published_signed_page_opens_offline_without_errors_and_is_accessible(page, signed, tmp_path):
    from mblib.export.badge_publish import publish_credential_pages

    pages = publish_credential_pages(signed, tmp_path / "pages", base_url=BASE)
    page.add_init_script(path=str(AXE_JS))
    page.goto(pages[0].page.as_uri())
    csp = page.get_attribute("meta[http-equiv='Content-Security-Policy']", "content")
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    assert page.text_content(".mb-status-line") == "Verified when this page was published: every check passed."
    assert page.locator(".mb-checks li.is-ok").count() == 6  # proof, issuer key, schema, validity, status, JWT
    assert page.evaluate("() => document.querySelector('img.mb-badge').naturalWidth") == 512
    link = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert link.startswith("https://www.linkedin.com/profile/add?") and "certUrl=" in link
    assert axe_violations(page) == []
    assert page.errors == [] and page.blocked == []


def _b64(obj):
    import base64

    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not-a-jwt", "a compact JWS has 3 parts separated by '.', this has 1"),
        ("é.b.c".encode(), "is not a compact JWS (a non-ASCII byte at 0)"),
        (b"e30.!!!.c2ln", "the JWS is not base64url JSON"),
        (f"{_b64({'alg': 'EdDSA'})}.{_b64({'type': ['VerifiableCredential']})}.c2ln".encode(), "not an Open Badges"),
        (f"{_b64({'alg': 'EdDSA'})}.{_b64([1])}.c2ln".encode(), "header and payload must be JSON objects"),
        (b"a." * (2 * 1024 * 1024) + b"b", "bytes is not read"),
    ],
)
def test_hostile_jwt_files_are_refused_with_their_name(tmp_path, data, message):
    from mblib.export.badge_page import write_credential_pages
    from mblib.export.errors import ExportError

    src = tmp_path / "credentials"
    src.mkdir()
    (src / "bad.jwt").write_bytes(data)
    with pytest.raises(ExportError, match=re.escape(message)) as e:
        write_credential_pages(src, tmp_path / "out")
    assert "bad.jwt" in str(e.value) and not (tmp_path / "out").exists()


def test_a_did_web_path_that_leaves_the_folder_is_refused(signed, tmp_path):
    from mblib.export.badge_publish import publish_credential_pages
    from mblib.export.errors import ExportError

    evil = "did:web:evil.example:..:..:escaped"
    src = tmp_path / "hostile"
    (src / "credentials").mkdir(parents=True)
    doc = _docs(signed)[0]
    (src / "credentials" / f"{_stem(doc)}.json").write_text(
        json.dumps({**doc, "issuer": {**doc["issuer"], "id": evil}})
    )
    (src / "did.json").write_text(json.dumps({"id": evil, "verificationMethod": []}))
    with pytest.raises(ExportError, match="outside the folder; nothing was published") as e:
        publish_credential_pages(src, tmp_path / "site" / "credentials", site=tmp_path / "site", allow_unverified=True)
    assert "../../escaped/did.json" in str(e.value)
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "site").exists()
