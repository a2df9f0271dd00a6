"""Signing credentials: a Data Integrity proof with the cryptosuite ``eddsa-rdfc-2022`` (W3C vc-di-eddsa),
and, as an option, the compact JWS (``EdDSA``) form Open Badges 3.0 also allows.

eddsa-rdfc-2022, as the specification and the reference implementation compute it: the document
without ``proof`` and the proof options (with the document's ``@context``) are each canonicalized
(RDFC-1.0, :func:`mblib.export.contexts.canonize`) and hashed with SHA-256; the Ed25519 signature
of ``hash(proof options) + hash(document)`` is the ``proofValue`` (multibase base58btc, ``z...``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .contexts import canonize
from .didkey import from_multibase_z, multibase_z
from .errors import ExportError

if TYPE_CHECKING:  # pragma: no cover
    from .keys import IssuerKey

CRYPTOSUITE = "eddsa-rdfc-2022"


class SignatureError(ExportError):
    """A proof or JWS that cannot be made or does not verify."""


def timestamp(when: datetime | None = None) -> str:
    """An XML Schema dateTime in UTC, to the second: ``2026-03-05T10:00:00Z``."""
    t = (when or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(unsecured: dict[str, Any], options: dict[str, Any]) -> bytes:
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = unsecured.get("@context")
    proof_hash = hashlib.sha256(canonize(config, what="proof options").encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonize(unsecured, what="credential").encode("utf-8")).digest()
    return proof_hash + doc_hash


def add_proof(doc: dict[str, Any], key: IssuerKey, *, created: datetime | None = None) -> dict[str, Any]:
    """A copy of ``doc`` with a Data Integrity proof (``eddsa-rdfc-2022``, purpose ``assertionMethod``).

    ``proof`` is a list of one proof, as the Open Badges 3.0 JSON Schema requires. An existing ``proof`` is replaced. The document's ``issuer`` (or ``issuer.id``) must be the
    key's DID, so that verifiers can tie the key to the issuer.
    """
    unsecured = {k: v for k, v in copy.deepcopy(doc).items() if k != "proof"}
    issuer = unsecured.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id is not None and issuer_id != key.did:
        raise SignatureError(
            f"the credential's issuer is '{issuer_id}' but the key belongs to '{key.did}'",
            hint="sign with the issuer's own key (the issuer id of signed credentials is the key's DID)",
        )
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsecured, options))
    return {**unsecured, "proof": [{**options, "proofValue": multibase_z(signature)}]}


def check_proof(doc: dict[str, Any], public_key: bytes) -> str | None:
    """Why ``doc``'s Data Integrity proof does not verify with ``public_key``, or None when it does.

    Checks the proof's type, cryptosuite and purpose, then the Ed25519 signature over the
    canonical document and proof options.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    proof = doc.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            return f"{len(proof)} proofs; mblib verifies credentials with exactly one"
        proof = proof[0]
    if not isinstance(proof, dict):
        return "not signed: the credential has no proof"
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return f"proof type {proof.get('type')!r} / cryptosuite {proof.get('cryptosuite')!r} is not supported"
    if proof.get("proofPurpose") != "assertionMethod":
        return f"proofPurpose is {proof.get('proofPurpose')!r}, not 'assertionMethod'"
    if "@context" in proof:
        ctx = doc.get("@context") or []
        want = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        if list(ctx)[: len(want)] != want:
            return "the proof's @context does not match the credential's"
    try:
        signature = from_multibase_z(proof.get("proofValue", ""), "proofValue")
    except ExportError as e:
        return e.message
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    try:
        data = _hash_data(unsecured, options)
    except ExportError as e:
        return e.message
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return "the signature does not match: the credential was changed after signing, or signed by another key"
    return None


# ------------------------------------------------------------------------------------------- JWT
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def sign_jwt(doc: dict[str, Any], key: IssuerKey) -> str:
    """The credential as a compact JWS (``alg`` EdDSA, ``kid`` the verification method).

    As Open Badges 3.0 (section 8.2) asks: the payload is the credential itself plus the JWT
    claims ``iss`` (issuer id), ``jti`` (credential id), ``sub`` (subject id), ``nbf``/``exp``
    (from ``validFrom``/``validUntil``). Any Data Integrity ``proof`` is left out.
    """
    payload = {k: v for k, v in doc.items() if k != "proof"}
    issuer = payload.get("issuer")
    claims: dict[str, Any] = {
        "iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "jti": payload.get("id"),
        "sub": (payload.get("credentialSubject") or {}).get("id"),
        "nbf": _epoch(payload.get("validFrom")),
        "exp": _epoch(payload.get("validUntil")),
    }
    if claims["iss"] != key.did:
        raise SignatureError(
            f"the credential's issuer is '{claims['iss']}' but the key belongs to '{key.did}'",
            hint="sign with the issuer's own key",
        )
    payload.update({k: v for k, v in claims.items() if v is not None})
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.verification_method}
    signing_input = _b64(json.dumps(header, separators=(",", ":")).encode()) + "."
    signing_input += _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return signing_input + "." + _b64(key.sign(signing_input.encode("ascii")))


def read_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """``(header, payload, signing input, signature)`` of a compact JWS; :class:`SignatureError` if malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise SignatureError(
            f"a compact JWS has 3 parts separated by '.', this has {len(parts)}", hint="pass the .jwt file as written"
        )
    try:
        header, payload = json.loads(_unb64(parts[0])), json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (ValueError, UnicodeDecodeError) as e:
        raise SignatureError(f"the JWS is not base64url JSON: {e}", hint="pass the .jwt file as written") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise SignatureError("the JWS header and payload must be JSON objects", hint="pass the .jwt file as written")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def check_jwt(token: str, public_key: bytes) -> str | None:
    """Why a compact JWS does not verify with ``public_key`` (Ed25519), or None when it does."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    header, payload, signing_input, signature = read_jwt(token)
    if header.get("alg") != "EdDSA":
        return f"JWS alg {header.get('alg')!r} is not supported (EdDSA only)"
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signing_input)
    except (InvalidSignature, ValueError):
        return "the JWS signature does not match: the credential was changed after signing, or signed by another key"
    issuer = payload.get("issuer")
    if payload.get("iss") != (issuer.get("id") if isinstance(issuer, dict) else issuer):
        return "the JWT claim iss differs from the credential's issuer"
    if payload.get("jti") != payload.get("id"):
        return "the JWT claim jti differs from the credential's id"
    return None


__all__ = [
    "CRYPTOSUITE",
    "SignatureError",
    "add_proof",
    "check_jwt",
    "check_proof",
    "read_jwt",
    "sign_jwt",
    "timestamp",
]
