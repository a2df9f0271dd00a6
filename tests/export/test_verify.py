"""Signing (eddsa-rdfc-2022, JWS) and offline verification of Open Badges 3.0 credentials."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from tests.export.test_badges import events


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    from mblib.export.keys import new_key

    return new_key(tmp_path_factory.mktemp("keys") / "issuer.json")[1]


@pytest.fixture(scope="module")
def unsigned(export_ws, key):
    from mblib.export.badges import issue_badges

    _ach, issued = issue_badges(export_ws, "data-literacy-foundations", events())
    doc = copy.deepcopy(issued["ada"])
    doc["issuer"]["id"] = key.did
    return doc


@pytest.fixture(scope="module")
def signed(unsigned, key):
    from mblib.export.signing import add_proof

    return add_proof(unsigned, key, created=datetime(2026, 4, 1, tzinfo=UTC))


def test_a_signed_credential_passes_every_check(signed):
    from mblib.export.verify import verify_credential

    report = verify_credential(signed)
    assert report.ok, report.lines()
    assert [c.name for c in report.checks] == ["proof", "issuer key", "schema", "validity", "status"]
    proof = signed["proof"][0]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"] == f"{signed['issuer']['id']}#{signed['issuer']['id'][8:]}"
    assert report.credential_id == signed["id"] and report.issuer == signed["issuer"]["id"]


def test_signing_is_deterministic_for_the_same_time(unsigned, key, signed):
    from mblib.export.signing import add_proof

    again = add_proof(unsigned, key, created=datetime(2026, 4, 1, tzinfo=UTC))
    assert again == signed


def test_a_tampered_field_fails_the_proof_with_its_reason(signed):
    from mblib.export.verify import verify_credential

    bad = copy.deepcopy(signed)
    bad["credentialSubject"]["creditsEarned"] = 30
    report = verify_credential(bad)
    assert not report.ok
    assert report.check("proof").detail.startswith("the signature does not match")
    assert report.check("schema").ok and report.check("issuer key").ok


def test_a_wrong_key_fails(unsigned, tmp_path):
    from mblib.export.keys import new_key
    from mblib.export.signing import add_proof
    from mblib.export.verify import verify_credential

    _p, other = new_key(tmp_path / "other.json")
    forged = add_proof({**unsigned, "issuer": {**unsigned["issuer"], "id": other.did}}, other)
    forged["issuer"] = unsigned["issuer"]  # claims the real issuer, signed by another key
    report = verify_credential(forged)
    assert not report.check("issuer key").ok
    assert "does not belong to the issuer" in report.check("issuer key").detail
    assert not report.ok


def test_signing_with_a_key_that_is_not_the_issuers_is_refused(unsigned, tmp_path):
    from mblib.export.keys import new_key
    from mblib.export.signing import SignatureError, add_proof

    _p, other = new_key(tmp_path / "other.json")
    with pytest.raises(SignatureError, match="the credential's issuer is 'did:key:.*' but the key belongs to"):
        add_proof(unsigned, other)


def test_an_unsigned_credential_says_so(unsigned):
    from mblib.export.verify import verify_credential

    report = verify_credential(unsigned)
    assert not report.ok
    assert report.check("proof").detail == "not signed: the credential has no proof"
    assert report.check("schema").ok


def test_validity_dates_are_checked(signed):
    from mblib.export.verify import verify_credential

    before = verify_credential(signed, now=datetime(2020, 1, 1, tzinfo=UTC))
    assert before.check("validity").detail == f"not valid before {signed['validFrom']}"
    assert before.check("proof").ok and not before.ok


def test_an_undefined_term_cannot_be_signed(unsigned, key):
    from mblib.export.errors import ExportError
    from mblib.export.signing import add_proof

    doc = copy.deepcopy(unsigned)
    doc["credentialSchema"][0]["type"] = "NotDefinedAnywhere"  # a relative @type: refused in safe mode
    with pytest.raises(ExportError, match="relative @type or IRI .NotDefinedAnywhere. is not defined"):
        add_proof(doc, key)


def test_an_unknown_context_is_an_error_never_a_fetch(unsigned, key):
    from mblib.export.contexts import OfflineDocumentError
    from mblib.export.signing import add_proof

    doc = {**unsigned, "@context": [*unsigned["@context"], "https://example.org/evil-context.json"]}
    with pytest.raises(OfflineDocumentError, match="'https://example.org/evil-context.json' is not one mblib ships"):
        add_proof(doc, key)


def test_the_jwt_form_verifies_and_detects_tampering(unsigned, key):
    import base64
    import json

    from mblib.export.signing import sign_jwt
    from mblib.export.verify import verify_jwt

    token = sign_jwt(unsigned, key)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": key.verification_method}
    assert verify_jwt(token).ok, verify_jwt(token).lines()
    head, payload, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["name"] = "Something else"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    report = verify_jwt(f"{head}.{forged}.{sig}")
    assert report.check("proof").detail.startswith("the JWS signature does not match")
    assert verify_jwt("not-a-jwt").check("proof").detail.startswith("a compact JWS has 3 parts")
