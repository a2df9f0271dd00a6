"""Verifying Open Badges 3.0 credentials offline: proof, issuer key, JSON Schema, validity dates, revocation.

Nothing is fetched: ``did:key`` keys are read from the identifier itself, ``did:web`` documents
and status lists are passed in (:func:`verify_credential`) or found in the folder being verified
(:func:`verify_path`). Each check gives one line with its reason.

>>> report = verify_credential({"type": ["VerifiableCredential"]}, now=None)
>>> report.ok, [c.name for c in report.checks]
(False, ['proof', 'issuer key', 'schema', 'validity', 'status'])
>>> print(report.checks[0].format())
FAIL  proof: not signed: the credential has no proof
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .didkey import public_from_multikey, public_key_from_did
from .errors import ExportError
from .signing import check_jwt, check_proof, read_jwt
from .status_list import bit_is_set, decode_list, entry_index


@dataclass(frozen=True)
class Check:
    """One verification check: its name, whether it passed, and why (or what was seen)."""

    name: str
    ok: bool
    detail: str

    def format(self) -> str:
        return f"{'ok   ' if self.ok else 'FAIL '} {self.name}: {self.detail}"


@dataclass(frozen=True)
class VerificationReport:
    """The checks of one credential; ``ok`` when every check passed."""

    checks: list[Check] = field(default_factory=list)
    credential_id: str | None = None
    issuer: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def check(self, name: str) -> Check:
        """The check called ``name`` (``KeyError`` if there is none)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def lines(self) -> list[str]:
        """One line per check, as ``mb verify`` prints them."""
        return [c.format() for c in self.checks]


def _issuer_id(doc: Mapping[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def proof_method(doc: Mapping[str, Any]) -> str | None:
    """The ``verificationMethod`` of a document's (first) proof; ``""`` for a proof without one, None unsigned."""
    proof = doc.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    if first is None:
        return None
    vm = first.get("verificationMethod") if isinstance(first, Mapping) else None
    return vm if isinstance(vm, str) else ""


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def resolve_key(
    verification_method: Any, issuer: str | None, did_documents: Mapping[str, Mapping[str, Any]]
) -> tuple[bytes | None, Check]:
    """The public key a proof names, checked against the issuer: ``(key or None, the 'issuer key' check)``."""
    if not isinstance(verification_method, str) or not verification_method:
        return None, Check("issuer key", False, "the proof names no verificationMethod")
    did = verification_method.split("#", 1)[0]
    if issuer != did:
        return None, Check(
            "issuer key", False, f"the key {verification_method} does not belong to the issuer {issuer or '(none)'}"
        )
    if did.startswith("did:key:"):
        try:
            key = public_key_from_did(did)
        except ExportError as e:
            return None, Check("issuer key", False, e.message)
        if verification_method != f"{did}#{did[len('did:key:') :]}":
            return None, Check("issuer key", False, f"{verification_method} is not the key of {did}")
        return key, Check("issuer key", True, f"{did} (did:key: the key is the identifier)")
    if did.startswith("did:web:"):
        doc = did_documents.get(did)
        if doc is None:
            return None, Check(
                "issuer key",
                False,
                f"no local did.json for {did}; nothing is fetched: verify the folder that holds the "
                "site's .well-known/did.json (or did.json)",
            )
        methods = [m for m in doc.get("verificationMethod") or [] if isinstance(m, Mapping)]
        found = next(
            (m for m in methods if m.get("id") in (verification_method, "#" + verification_method.split("#")[-1])), None
        )
        assertion = [a if isinstance(a, str) else a.get("id") for a in doc.get("assertionMethod") or []]
        if found is None or not ({verification_method, "#" + verification_method.split("#")[-1]} & set(assertion)):
            return None, Check("issuer key", False, f"{did}'s did.json lists no assertion key {verification_method}")
        try:
            key = public_from_multikey(str(found.get("publicKeyMultibase")))
        except ExportError as e:
            return None, Check("issuer key", False, f"{did}'s did.json: {e.message}")
        return key, Check("issuer key", True, f"{did} (from the local did.json)")
    return None, Check("issuer key", False, f"{did}: only did:key and did:web issuers can be verified")


@functools.cache
def _schema_validator() -> Any:
    from jsonschema import Draft201909Validator

    from .contexts import shipped_json

    return Draft201909Validator(
        shipped_json("achievementcredential.json"), format_checker=Draft201909Validator.FORMAT_CHECKER
    )


def check_schema(doc: Mapping[str, Any]) -> Check:
    """The Open Badges 3.0 AchievementCredential JSON Schema (draft 2019-09, formats checked).

    A single ``proof`` object is read as the one-element list the schema asks for (in JSON-LD the
    two mean the same; other implementations write the object).
    """
    data = dict(doc)
    if isinstance(data.get("proof"), Mapping):
        data["proof"] = [data["proof"]]
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return Check("schema", True, "valid Open Badges 3.0 AchievementCredential")
    shown = "; ".join(f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:160]}" for e in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return Check("schema", False, shown + more)


def check_validity(doc: Mapping[str, Any], now: datetime) -> Check:
    """``validFrom`` <= now <= ``validUntil``."""
    start, end = _time(doc.get("validFrom")), _time(doc.get("validUntil"))
    if start is None:
        return Check("validity", False, f"validFrom {doc.get('validFrom')!r} is not a date-time")
    if now < start:
        return Check("validity", False, f"not valid before {doc['validFrom']}")
    if "validUntil" in doc and end is None:
        return Check("validity", False, f"validUntil {doc.get('validUntil')!r} is not a date-time")
    if end is not None and now > end:
        return Check("validity", False, f"expired on {doc['validUntil']}")
    return Check("validity", True, f"valid from {doc['validFrom']}" + (f" until {doc['validUntil']}" if end else ""))


def check_status(
    doc: Mapping[str, Any],
    status_lists: Mapping[str, Mapping[str, Any]],
    did_documents: Mapping[str, Mapping[str, Any]],
    now: datetime,
) -> Check:
    """The credential's Bitstring Status List entries: each list found locally, signed by the issuer, bit clear."""
    entries = doc.get("credentialStatus")
    if entries is None:
        return Check("status", True, "no credentialStatus: the issuer cannot revoke this credential")
    notes = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            return Check("status", False, "credentialStatus is not a BitstringStatusListEntry")
        url = entry.get("statusListCredential")
        listed = status_lists.get(str(url))
        if listed is None:
            return Check(
                "status",
                False,
                f"status list {url} not found locally; nothing is fetched: verify the folder that holds it",
            )
        key, key_check = resolve_key(proof_method(listed), _issuer_id(listed), did_documents)
        why = check_proof(dict(listed), key) if key is not None else key_check.detail
        if why:
            return Check("status", False, f"the status list {url} does not verify: {why}")
        if _issuer_id(listed) != _issuer_id(doc):
            return Check("status", False, f"the status list {url} was issued by {_issuer_id(listed)}, not the issuer")
        until = _time(listed.get("validUntil"))
        if until is not None and now > until:
            return Check("status", False, f"the status list {url} expired on {listed['validUntil']}")
        subject = listed.get("credentialSubject")
        if not isinstance(subject, Mapping):
            return Check("status", False, f"the status list {url} has no credentialSubject")
        purpose = entry.get("statusPurpose")
        if subject.get("statusPurpose") != purpose:
            return Check("status", False, f"the list's purpose {subject.get('statusPurpose')!r} is not {purpose!r}")
        try:
            index = entry_index(dict(entry))
            revoked = bit_is_set(decode_list(str(subject.get("encodedList") or "")), index)
        except ExportError as e:
            return Check("status", False, e.message)
        if revoked:
            return Check("status", False, f"{purpose or 'revoked'}: bit {index} of {url} is set")
        notes.append(f"not {'revoked' if purpose == 'revocation' else purpose} (bit {index} of {url})")
    return Check("status", True, "; ".join(notes))


def _verify(
    doc: Mapping[str, Any],
    proof_check: Any,
    vm: Any,
    status_lists: Mapping[str, Mapping[str, Any]] | None,
    did_documents: Mapping[str, Mapping[str, Any]] | None,
    now: datetime | None,
) -> VerificationReport:
    when = now or datetime.now(UTC)
    dids = did_documents or {}
    issuer = _issuer_id(doc)
    key, key_check = (None, Check("issuer key", False, "not checked: the credential is not signed"))
    if vm is not None:
        key, key_check = resolve_key(vm, issuer, dids)
    if vm is None:
        proof = Check("proof", False, proof_check(None) or "not signed")
    elif key is None:
        proof = Check("proof", False, "not checked: the issuer's key is unknown (see 'issuer key')")
    else:
        why = proof_check(key)
        proof = Check("proof", why is None, why or "signature valid")
    checks = [
        proof,
        key_check,
        check_schema(doc),
        check_validity(doc, when),
        check_status(doc, status_lists or {}, dids, when),
    ]
    ident = doc.get("id")
    return VerificationReport(checks=checks, credential_id=ident if isinstance(ident, str) else None, issuer=issuer)


def verify_credential(
    doc: Mapping[str, Any],
    *,
    status_lists: Mapping[str, Mapping[str, Any]] | None = None,
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify a credential with a Data Integrity proof (``eddsa-rdfc-2022``), offline.

    ``status_lists``: status list URL -> its BitstringStatusListCredential; ``did_documents``:
    ``did:web`` DID -> its DID document (``did.json``); ``now``: the time to check dates against.
    """
    vm = proof_method(doc)

    def proof_check(key: bytes | None) -> str | None:
        return check_proof(dict(doc), key) if key is not None else "not signed: the credential has no proof"

    return _verify(doc, proof_check, vm, status_lists, did_documents, now)


def verify_jwt(
    token: str,
    *,
    status_lists: Mapping[str, Mapping[str, Any]] | None = None,
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify a credential in its compact JWS form (``alg`` EdDSA), like :func:`verify_credential`."""
    try:
        header, payload, _, _ = read_jwt(token)
    except ExportError as e:
        return VerificationReport(checks=[Check("proof", False, e.message)])
    claims = {"iss", "jti", "sub", "nbf", "exp", "iat"}
    doc = {k: v for k, v in payload.items() if k not in claims}

    def proof_check(key: bytes | None) -> str | None:
        return check_jwt(token, key) if key is not None else "the JWS names no key (kid)"

    return _verify(doc, proof_check, header.get("kid") or "", status_lists, did_documents, now)


__all__ = [
    "Check",
    "VerificationReport",
    "check_schema",
    "check_status",
    "check_validity",
    "resolve_key",
    "verify_credential",
    "verify_jwt",
]
