"""Cross-implementation: credentials signed by mblib verify with Digital Bazaar's reference libraries
(``@digitalbazaar/vc`` + ``eddsa-rdfc-2022-cryptosuite``, under node), and credentials they sign verify
with ``mb verify``; a tampered field, a wrong key and a revoked credential fail in both.

Needs node and ``npm ci`` (``make test`` runs it); skipped elsewhere, but never in CI.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO
from tests.export.test_badges import events

SCRIPT = REPO / "tests" / "export" / "js" / "ob3.mjs"
CONTEXTS = REPO / "mblib" / "export" / "ob3"
CID = "data-literacy-foundations"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def node():
    exe = shutil.which("node")
    missing = exe is None or not (REPO / "node_modules" / "@digitalbazaar" / "vc").is_dir()
    if missing:
        if os.environ.get("CI"):
            pytest.fail("node and the npm devDependencies are needed in CI: run `make node` (npm ci)")
        pytest.skip("node or node_modules/@digitalbazaar/vc missing: run `make node` (npm ci)")
    return exe


def _node(node, *args):
    r = subprocess.run([node, str(SCRIPT), *[str(a) for a in args]], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def signed(tmp_path_factory, export_ws):
    """A signed export (two credentials and their status list) and the key that signed it."""
    from mblib.export.badges import export_badges
    from mblib.export.keys import new_key

    base = tmp_path_factory.mktemp("interop")
    key_path, key = new_key(base / "issuer.json")
    out = export_badges(export_ws, CID, events(), base / "badges", key=key, registry=base / "issued")
    return out, key_path, key, base


def _verify_py(folder):
    from mblib.export.verify_files import verify_path

    return {f.name: r for f, r in verify_path(folder)}


def test_mblib_signed_credentials_verify_in_node_and_tampering_fails(node, signed, tmp_path):
    out, _key_path, _key, _base = signed
    status = out / "status" / "revocation.json"
    files = sorted((out / "credentials").glob("*.json"))
    assert len(files) == 2
    for f in files:
        assert _node(node, "verify", CONTEXTS, f, status) == {"verified": True, "error": ""}
    doc = json.loads(files[0].read_text())
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = 60
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    result = _node(node, "verify", CONTEXTS, tampered, status)
    assert result["verified"] is False and "Invalid signature" in result["error"]
    from mblib.export.verify import verify_credential

    lists = {json.loads(status.read_text())["id"]: json.loads(status.read_text())}
    assert verify_credential(doc, status_lists=lists).check("proof").detail.startswith("the signature does not match")


def test_node_signed_credentials_verify_with_mb_verify(node, signed, tmp_path, export_ws):
    from click.testing import CliRunner

    from mblib.cli import main

    out, key_path, key, _base = signed
    folder = tmp_path / "node-badges"
    shutil.copytree(out, folder)
    for f in sorted((folder / "credentials").glob("*.json")):
        doc = json.loads(f.read_text())
        doc.pop("proof")
        unsigned = tmp_path / f"unsigned-{f.name}"
        unsigned.write_text(json.dumps(doc))
        r = subprocess.run(
            [node, str(SCRIPT), "issue", str(CONTEXTS), str(unsigned), str(key_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        node_signed = json.loads(r.stdout)
        assert isinstance(node_signed["proof"], dict)  # the reference library writes one proof object
        assert node_signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        f.write_text(json.dumps(node_signed))
    result = CliRunner().invoke(main, ["verify", str(folder)])
    assert result.exit_code == 0, result.output
    assert "2 credential(s): 2 valid, 0 not valid" in result.output
    ours = json.loads(next((out / "credentials").glob("*.json")).read_text())["proof"][0]
    theirs = json.loads((folder / "credentials" / next((out / "credentials").glob("*.json")).name).read_text())
    assert theirs["proof"]["verificationMethod"] == ours["verificationMethod"] == key.verification_method


def test_a_wrong_key_fails_in_both(node, signed, tmp_path):
    from mblib.export.keys import new_key
    from mblib.export.signing import add_proof
    from mblib.export.verify import verify_credential

    out, _kp, key, _base = signed
    status = out / "status" / "revocation.json"
    doc = json.loads(next((out / "credentials").glob("*.json")).read_text())
    _p, other = new_key(tmp_path / "other.json")
    forged = add_proof({**doc, "issuer": {**doc["issuer"], "id": other.did}}, other)
    forged["issuer"] = copy.deepcopy(doc["issuer"])  # claims the real issuer
    file = tmp_path / "forged.json"
    file.write_text(json.dumps(forged))
    assert _node(node, "verify", CONTEXTS, file, status)["verified"] is False
    report = verify_credential(forged)
    assert not report.ok and "does not belong to the issuer" in report.check("issuer key").detail


def test_a_revoked_credential_fails_in_both(node, signed, tmp_path):
    from mblib.export.badge_signing import revoke_credential

    out, _kp, key, base = signed
    folder = tmp_path / "revoked-badges"
    shutil.copytree(out, folder)
    victim = sorted((folder / "credentials").glob("*.json"))[0]
    ident = json.loads(victim.read_text())["id"]
    registry = tmp_path / "issued"  # a copy, so that the module's export stays unrevoked
    shutil.copytree(base / "issued", registry, ignore=shutil.ignore_patterns(".mblib"))
    for file in registry.glob("*.json"):
        file.write_text(json.dumps({**json.loads(file.read_text()), "published": []}))
    index, written = revoke_credential(ident, "issued in error", key, registry_folder=registry, out=folder)
    assert written == [folder / "status" / "revocation.json"]
    status = folder / "status" / "revocation.json"
    result = _node(node, "verify", CONTEXTS, victim, status)
    assert result == {"verified": False, "error": f"revocation: bit {index} is set"}
    reports = _verify_py(folder)
    assert not reports[victim.name].ok and f"bit {index} of" in reports[victim.name].check("status").detail
    others = [r for name, r in reports.items() if name != victim.name]
    assert others and all(r.ok for r in others)
    for other in (folder / "credentials").glob("*.json"):
        if other != victim:
            assert _node(node, "verify", CONTEXTS, other, status)["verified"] is True


def test_jwt_credentials_verify_across_implementations(node, signed, tmp_path, export_ws):
    """VC-JOSE: mblib's .jwt verify under node (Multikey verifier, claims, status) and a JWS node signs
    verifies with `mb verify`; a tampered payload and a revoked credential fail in both."""
    from mblib.export.badge_signing import revoke_credential
    from mblib.export.badges import export_badges
    from mblib.export.verify_files import verify_path

    _out, key_path, key, _base = signed
    registry = tmp_path / "issued"  # its own registry: revoking here leaves the module's export alone
    out = export_badges(export_ws, CID, events(), tmp_path / "badges", key=key, jwt=True, registry=registry)
    status = out / "status" / "revocation.json"
    tokens = sorted((out / "credentials").glob("*.jwt"))
    assert len(tokens) == 2
    for token in tokens:
        assert _node(node, "verify-jwt", CONTEXTS, token, status) == {"verified": True, "error": ""}
    head, payload, sig = tokens[0].read_text().strip().split(".")
    doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**doc, "name": "Forged"}).encode()).rstrip(b"=").decode()
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(f"{head}.{forged}.{sig}\n")
    assert _node(node, "verify-jwt", CONTEXTS, tampered, status) == {
        "verified": False,
        "error": "invalid JWS signature",
    }
    assert verify_path(tampered)[0][1].check("proof").detail.startswith("the JWS signature does not match")

    theirs = tmp_path / "node" / "credentials"
    theirs.mkdir(parents=True)
    shutil.copytree(out / "status", tmp_path / "node" / "status")
    for f in sorted((out / "credentials").glob("*.json")):
        unsigned = tmp_path / f"unsigned-{f.name}"
        unsigned.write_text(json.dumps({k: v for k, v in json.loads(f.read_text()).items() if k != "proof"}))
        r = subprocess.run(
            [node, str(SCRIPT), "issue-jwt", str(CONTEXTS), str(unsigned), str(key_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        (theirs / f.with_suffix(".jwt").name).write_text(r.stdout)
    reports = verify_path(tmp_path / "node")
    assert len(reports) == 2 and all(rep.ok for _, rep in reports), [rep.lines() for _, rep in reports]

    victim = tokens[0]
    ident = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["id"]
    index, _written = revoke_credential(ident, "issued in error", key, registry_folder=registry)
    result = _node(node, "verify-jwt", CONTEXTS, victim, status)
    assert result == {"verified": False, "error": f"revocation: bit {index} is set"}
    report = verify_path(victim)[0][1]
    assert not report.ok and f"bit {index} of" in report.check("status").detail
    assert _node(node, "verify-jwt", CONTEXTS, tokens[1], status)["verified"] is True
