"""Signed badge exports: issuer keys, the issuance registry, status lists, revocation, `mb keys|verify|revoke`."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from tests.export.test_badges import events

CID = "data-literacy-foundations"


def _mb(*args):
    from mblib.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def _credentials(folder):
    return {p.name: json.loads(p.read_text()) for p in sorted((folder / "credentials").glob("*.json"))}


def test_keys_are_owner_only_outside_workspace_and_never_overwritten(config, export_ws, tmp_path):
    r = _mb("keys", "new")
    assert r.exit_code == 0, r.output
    path = config / "keys" / "issuer.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    doc = json.loads(path.read_text())
    assert f"issuer: {doc['controller']}" in r.output and doc["controller"].startswith("did:key:z6Mk")
    before = path.read_bytes()
    again = _mb("keys", "new")
    assert again.exit_code == 2 and "an issuer key already exists" in again.output and "--force" in again.output
    assert path.read_bytes() == before
    assert _mb("keys", "new", "--force").exit_code == 0 and path.read_bytes() != before
    inside = _mb("keys", "new", "--out", export_ws.root / "issuer.json", "-w", export_ws.root)
    assert inside.exit_code == 2 and "refusing to write an issuer key inside" in inside.output
    assert not (export_ws.root / "issuer.json").exists()


def test_did_web_key_and_its_document(config, export_ws, tmp_path):
    from mblib.export.badges import export_badges
    from mblib.export.keys import load_key
    from mblib.export.verify_files import verify_path

    plain = _mb("keys", "new", "--out", tmp_path / "plain.json", "-w", export_ws.root, "--did-key")
    assert plain.exit_code == 0 and "issuer: did:key:z6Mk" in plain.output
    both = _mb("keys", "new", "--out", tmp_path / "x.json", "--did-key", "--did-web", "example.org")
    assert both.exit_code == 2 and "choose one of --did-web and --did-key" in both.output
    # the issuer has a website: its key is a did:web of that site unless --did-key says otherwise
    r = _mb("keys", "new", "-w", export_ws.root)
    assert r.exit_code == 0 and "issuer: did:web:learning.northwind.example (the issuer's website" in r.output
    assert "https://learning.northwind.example/.well-known/did.json" in r.output
    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=load_key())
    did_doc = json.loads((out / ".well-known" / "did.json").read_text())
    assert did_doc["id"] == "did:web:learning.northwind.example"
    assert did_doc["assertionMethod"] == ["did:web:learning.northwind.example#key-1"]
    assert all(report.ok for _, report in verify_path(out)), [r.lines() for _, r in verify_path(out)]
    (out / ".well-known" / "did.json").unlink()  # nothing is fetched: without the local did.json, no key
    report = verify_path(out)[0][1]
    assert (
        not report.ok
        and "no local did.json for did:web:learning.northwind.example" in report.check("issuer key").detail
    )
    assert _mb("keys", "new", "--out", tmp_path / "k.json", "--did-web", "not a domain").exit_code == 2
    sub = _mb("keys", "new", "--out", tmp_path / "sub.json", "--did-web", "example.org/badges")
    assert "issuer: did:web:example.org:badges" in sub.output and "https://example.org/badges/did.json" in sub.output


def test_a_key_readable_by_others_or_broken_is_refused(config, key, tmp_path, monkeypatch):
    from mblib.export.keys import IssuerKeyError, load_key

    path = config / "keys" / "issuer.json"
    os.chmod(path, 0o644)
    with pytest.raises(IssuerKeyError, match="can be read by other users") as e:
        load_key()
    assert "chmod 600" in str(e.value)
    os.chmod(path, 0o600)
    data = json.loads(path.read_text())
    data["publicKeyMultibase"] = "z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP"
    path.write_text(json.dumps(data))
    with pytest.raises(IssuerKeyError, match="publicKeyMultibase does not belong to secretKeyMultibase"):
        load_key()
    with pytest.raises(IssuerKeyError, match="no issuer key at"):
        load_key(tmp_path / "missing.json")


def test_the_key_can_come_from_an_environment_variable(config, key, monkeypatch):
    from mblib.export.keys import load_key

    text = (config / "keys" / "issuer.json").read_text()
    (config / "keys" / "issuer.json").unlink()
    monkeypatch.setenv("MBLIB_ISSUER_KEY", text)
    assert load_key().did == key.did
    monkeypatch.setenv("MBLIB_ISSUER_KEY", json.loads(text)["secretKeyMultibase"])
    assert load_key().did == key.did


def test_unsigned_export_says_so(config, export_ws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    csv = tmp_path / "events.csv"
    csv.write_text(
        "timestamp,learner_id,verb,module_id,score,success\n"
        + "".join(f"2026-01-0{i + 1}T00:00:00Z,zoe,passed,{m},0.9,true\n" for i, m in enumerate(_zoe_modules()))
    )
    r = _mb("export", "badge", CID, "--events", csv, "-w", export_ws.root, "-o", tmp_path / "u")
    assert r.exit_code == 0 and "UNSIGNED: nobody can verify these credentials" in r.output
    assert "NOT signed" in (tmp_path / "u" / "UNSIGNED.txt").read_text()
    v = _mb("verify", tmp_path / "u")
    assert v.exit_code == 1 and "FAIL  proof: not signed: the credential has no proof" in v.output
    s = _mb("export", "badge", CID, "--events", csv, "-w", export_ws.root, "-o", tmp_path / "s", "--sign")
    assert s.exit_code == 2 and "no issuer key at" in s.output and "mb keys new" in s.output


def _zoe_modules():
    return [
        "reading-bar-charts",
        "line-charts-over-time",
        "mean-median-and-outliers",
        "percentages-and-percentage-points",
        "spotting-misleading-charts",
        "samples-and-surveys",
    ]


def test_signed_export_verifies_and_reexport_is_identical(config, key, export_ws, tmp_path):
    from mblib.export.badges import export_badges
    from mblib.export.status_list import MIN_BITS, decode_list

    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key, jwt=True)
    first = _credentials(out)
    assert len(first) == 2 and len(list((out / "credentials").glob("*.jwt"))) == 2
    assert not (out / "UNSIGNED.txt").exists()
    status = json.loads((out / "status" / "revocation.json").read_text())
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status["credentialSubject"]["statusPurpose"] == "revocation"
    assert len(decode_list(status["credentialSubject"]["encodedList"])) * 8 == MIN_BITS
    indexes = set()
    for doc in first.values():
        entry = doc["credentialStatus"]
        assert entry["type"] == "BitstringStatusListEntry" and entry["statusListCredential"] == status["id"]
        indexes.add(entry["statusListIndex"])
        assert doc["issuer"]["id"] == key.did and doc["issuer"]["name"] == "Northwind Learning Academy"
    assert len(indexes) == 2
    r = _mb("verify", out)
    assert r.exit_code == 0, r.output
    assert "4 credential(s): 4 valid, 0 not valid" in r.output
    again = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key, jwt=True)
    assert _credentials(again) == first  # same ids, same indexes, same proofs
    registry = next((config / "issued").glob("*.json"))
    assert stat.S_IMODE(registry.stat().st_mode) == 0o600
    assert len(json.loads(registry.read_text())["entries"]) == 2


def test_revoke_flips_the_bit_and_resigns_the_list(config, key, export_ws, tmp_path):
    from mblib.export.badges import export_badges

    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key)
    name = sorted(_credentials(out))[0]
    ident = _credentials(out)[name]["id"]
    r = _mb("revoke", ident, "--reason", "assessment fraud")
    assert r.exit_code == 0 and f"revoked: {ident}" in r.output, r.output
    v = _mb("verify", out / "credentials" / name)
    assert v.exit_code == 1 and "FAIL  status: revocation: bit" in v.output and "is set" in v.output
    everything = _mb("verify", out)
    assert "2 credential(s): 1 valid, 1 not valid" in everything.output
    registry = json.loads(next((config / "issued").glob("*.json")).read_text())
    assert registry["entries"][ident]["revoked"]["reason"] == "assessment fraud"
    # re-exporting keeps the revocation in the list
    export_badges(export_ws, CID, events(), tmp_path / "badges", key=key)
    assert _mb("verify", out / "credentials" / name).exit_code == 1
    unknown = _mb("revoke", "urn:uuid:00000000-0000-0000-0000-000000000000", "--reason", "x")
    assert unknown.exit_code == 2 and "no credential 'urn:uuid:00000000-0000-0000-0000-000000000000'" in unknown.output


def test_a_status_list_signed_by_someone_else_or_missing_fails(config, key, export_ws, tmp_path):
    from mblib.export.badges import export_badges
    from mblib.export.keys import new_key
    from mblib.export.signing import add_proof
    from mblib.export.verify_files import verify_path

    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key)
    listed = out / "status" / "revocation.json"
    doc = json.loads(listed.read_text())
    _p, other = new_key(tmp_path / "other.json")
    listed.write_text(json.dumps(add_proof({**doc, "issuer": other.did}, other)))
    report = verify_path(out)[0][1]
    assert "was issued by did:key:" in report.check("status").detail and not report.ok
    listed.unlink()
    report = verify_path(out)[0][1]
    assert "not found locally; nothing is fetched" in report.check("status").detail


def test_recognition_ects_and_eqf_use_terms_the_ob3_context_defines(config, key, export_ws, tmp_path):
    import re

    from mblib.export.badges import export_badges
    from mblib.export.contexts import canonize

    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key)
    doc = next(iter(_credentials(out).values()))
    ach = doc["credentialSubject"]["achievement"]
    assert ach["creditsAvailable"] == 0.1 and doc["credentialSubject"]["creditsEarned"] == 0.1
    eqf = [a for a in ach["alignment"] if a["targetFramework"] == "European Qualifications Framework"]
    assert eqf and eqf[0]["targetCode"] == "4"
    quads = canonize({k: v for k, v in doc.items() if k != "proof"})
    ob = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
    assert f"<{ob}creditsAvailable>" in quads and f"<{ob}creditsEarned>" in quads
    assert "<https://w3id.org/security#" not in quads  # the proof is not part of the document
    undefined = re.findall(r"<https://www\.w3\.org/ns/credentials/issuer-dependent#([^>]+)>", quads)
    assert undefined == []  # every term is defined by a context (none falls back to @vocab)


def test_verify_without_pyld_names_the_export_extra(config, key, export_ws, tmp_path, monkeypatch):
    import sys

    from mblib.export.badges import export_badges

    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key)
    monkeypatch.setitem(sys.modules, "pyld", None)  # `import pyld` now fails as if it were not installed
    r = _mb("verify", out)
    assert r.exit_code == 2 and "mb verify needs the package 'pyld'" in r.output, r.output
    assert "pip install 'mblib[export]'" in r.output
