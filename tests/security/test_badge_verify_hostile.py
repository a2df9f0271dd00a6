"""Hostile inputs to `mb verify` and the verification API: each gives a failed check with its reason, never a
crash, and nothing is fetched."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from tests.export.test_badges import events


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    import shutil

    from mblib.content import Workspace
    from mblib.export.badges import export_badges
    from mblib.export.keys import new_key
    from tests.conftest import SAMPLE

    base = tmp_path_factory.mktemp("hostile")
    export_ws = Workspace.open(shutil.copytree(SAMPLE, base / "ws", ignore=shutil.ignore_patterns(".mblib")))
    _p, key = new_key(base / "issuer.json")
    out = export_badges(export_ws, "data-literacy-foundations", events(), base / "b", key=key, registry=base / "r")
    doc = json.loads(next((out / "credentials").glob("*.json")).read_text())
    status = json.loads((out / "status" / "revocation.json").read_text())
    return doc, status, key


def _report(doc, status=None):
    from mblib.export.verify import verify_credential

    return verify_credential(doc, status_lists={status["id"]: status} if status else {})


def test_an_unknown_context_fails_the_proof_without_a_fetch(signed):
    doc, status, _key = signed
    bad = {**doc, "@context": [*doc["@context"], "https://attacker.example/ctx.json"]}
    detail = _report(bad, status).check("proof").detail
    assert "'https://attacker.example/ctx.json' is not one mblib ships; nothing is fetched" in detail


@pytest.mark.parametrize(
    ("change", "check", "reason"),
    [
        (lambda d: d["proof"][0].update(proofValue="not-multibase"), "proof", "is not multibase base58btc"),
        (lambda d: d["proof"][0].update(proofValue="z0OIl"), "proof", "'0' is not a base58btc character"),
        (lambda d: d["proof"][0].update(cryptosuite="ecdsa-rdfc-2019"), "proof", "is not supported"),
        (lambda d: d["proof"][0].update(proofPurpose="authentication"), "proof", "not 'assertionMethod'"),
        (lambda d: d["proof"].append(copy.deepcopy(d["proof"][0])), "proof", "2 proofs"),
        (lambda d: d["proof"][0].pop("verificationMethod"), "issuer key", "names no verificationMethod"),
        (lambda d: d["proof"][0].update(verificationMethod="did:key:zBAD#zBAD"), "issuer key", "does not belong"),
        (lambda d: d.update(issuer="did:key:z6Mkxx"), "issuer key", "does not belong to the issuer did:key:z6Mkxx"),
        (lambda d: d.update(validFrom="yesterday"), "validity", "validFrom 'yesterday' is not a date-time"),
        (lambda d: d.update(validUntil="2020-01-01T00:00:00Z"), "validity", "expired on 2020-01-01T00:00:00Z"),
        (lambda d: d["credentialStatus"].update(statusListIndex="abc"), "status", "statusListIndex 'abc' is not"),
        (lambda d: d["credentialStatus"].update(statusListIndex="999999"), "status", "outside the list"),
        (lambda d: d["credentialStatus"].update(statusListCredential="https://x.example/l"), "status", "not found"),
        (lambda d: d["credentialStatus"].update(type="StatusList2021Entry"), "status", "not a BitstringStatusList"),
        (lambda d: d.pop("credentialSubject"), "schema", "'credentialSubject' is a required property"),
    ],
)
def test_each_broken_field_fails_its_check_with_a_reason(signed, change, check, reason):
    doc, status, _key = signed
    bad = copy.deepcopy(doc)
    change(bad)
    report = _report(bad, status)
    assert not report.ok
    assert reason in report.check(check).detail, report.lines()


def test_a_damaged_status_list_fails_the_status_check(signed):
    from mblib.export.signing import add_proof
    from mblib.export.status_list import encode_list

    doc, status, key = signed
    for encoded, reason in (
        ("u!!!", "is not GZIP + base64url"),
        ("u" + encode_list([])[1:40], "is not GZIP + base64url"),
        (_short_list(), "fewer than the 131072"),
    ):
        listed = copy.deepcopy(status)
        listed["credentialSubject"]["encodedList"] = encoded
        listed.pop("proof")
        report = _report(doc, add_proof(listed, key))
        assert reason in report.check("status").detail, report.lines()
    tampered = copy.deepcopy(status)
    tampered["credentialSubject"]["encodedList"] = encode_list(range(131072))
    assert "does not verify: the signature does not match" in _report(doc, tampered).check("status").detail


def _short_list():
    import base64
    import gzip

    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16))).rstrip(b"=").decode()


def test_mb_verify_survives_junk_files_and_reports_missing_paths(signed, tmp_path):
    from mblib.cli import main

    doc, _status, _key = signed
    (tmp_path / "not-json.json").write_text("{ nope")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "cred.json").write_text(json.dumps({**doc, "credentialSubject": "a string"}))
    (tmp_path / "broken.jwt").write_text("a.b")
    r = CliRunner().invoke(main, ["verify", str(tmp_path)])
    assert r.exit_code == 1, r.output
    assert "a compact JWS has 3 parts separated by '.', this has 2" in r.output
    assert "2 credential(s): 0 valid, 2 not valid" in r.output
    single = CliRunner().invoke(main, ["verify", str(tmp_path / "not-json.json")])
    assert single.exit_code == 1 and "FAIL  file: cannot be read" in single.output
    gone = CliRunner().invoke(main, ["verify", str(tmp_path / "missing")])
    assert gone.exit_code == 2 and "does not exist" in gone.output
    empty = tmp_path / "empty"
    empty.mkdir()
    none = CliRunner().invoke(main, ["verify", str(empty)])
    assert none.exit_code == 2 and "no credential found" in none.output
