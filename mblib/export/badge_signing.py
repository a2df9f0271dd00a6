"""Signing a credential's badges: each AchievementCredential gets the issuer's DID, a
``credentialStatus`` entry and a Data Integrity proof; the status list credential is signed with
them; ``revoke_credential`` flips one bit and re-signs the list.

Files a signed badges export adds (the folder is published at ``<issuer url>/credentials/<id>/``):
``status/revocation.json`` (the BitstringStatusListCredential) and, for a ``did:web`` issuer, its
DID document at the path the DID names (``.well-known/did.json`` for a bare domain).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.yamlio import atomic_write
from .didkey import did_web_document_path
from .errors import ExportError
from .issuance import assign, find_registry, open_registry, record_revocation, revoked_indexes
from .signing import add_proof, sign_jwt
from .status_list import status_entry, status_list_credential

if TYPE_CHECKING:  # pragma: no cover
    from .keys import IssuerKey

STATUS_LIST_FILE = "status/revocation.json"


@dataclass
class SignedBadges:
    """What a signed export writes besides ``achievement.json``."""

    credentials: list[dict[str, Any]] = field(default_factory=list)
    jwts: dict[str, str] = field(default_factory=dict)  # credential id -> compact JWS
    status_list: dict[str, Any] = field(default_factory=dict)
    did_document: dict[str, Any] | None = None


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def signed_status_list(registry: dict[str, Any], key: IssuerKey) -> dict[str, Any]:
    """The status list credential of a registry, signed (its time: the registry's last change)."""
    issuer = registry.get("issuer")
    if issuer and issuer != key.did:
        raise ExportError(
            f"the status list {registry['statusList']} was issued by {issuer}, not by this key ({key.did})",
            hint="use the key the credentials were signed with (--key FILE or $MBLIB_ISSUER_KEY)",
        )
    when = _when(str(registry.get("updated") or "2000-01-01T00:00:00Z"))
    doc = status_list_credential(registry["statusList"], key.did, sorted(revoked_indexes(registry)), valid_from=when)
    return add_proof(doc, key, created=when)


def sign_badges(
    issued: list[dict[str, Any]],
    key: IssuerKey,
    list_url: str,
    *,
    out: Path | None = None,
    jwt: bool = False,
    registry_folder: Path | None = None,
) -> SignedBadges:
    """Sign every credential of ``issued`` (unsigned AchievementCredentials) with ``key``.

    Each gets ``issuer.id`` = the key's DID, its ``credentialStatus`` in the list at ``list_url``
    (index and first signing time from the registry, so re-exports are identical) and a proof.
    ``out`` (the folder the export will be moved to) is recorded for ``mb revoke``.
    """
    result = SignedBadges()
    with open_registry(list_url, registry_folder) as registry:
        registry.setdefault("issuer", key.did)
        if out is not None and str(Path(out).resolve()) not in registry["published"]:
            registry["published"].append(str(Path(out).resolve()))
        for doc in sorted(issued, key=lambda d: str(d.get("id"))):
            entry = assign(registry, str(doc["id"]))
            unsigned = {**doc, "issuer": {**doc["issuer"], "id": key.did}}
            unsigned["credentialStatus"] = status_entry(list_url, int(entry["index"]))
            result.credentials.append(add_proof(unsigned, key, created=_when(entry["issued"])))
            if jwt:
                result.jwts[str(doc["id"])] = sign_jwt(unsigned, key)
        result.status_list = signed_status_list(registry, key)
    if key.did.startswith("did:web:"):
        result.did_document = key.did_document()
    return result


def write_signed(folder: Path, signed: SignedBadges) -> None:
    """Write the status list and the DID document (did:web) of a signed export into ``folder``."""
    atomic_write(folder / STATUS_LIST_FILE, _json(signed.status_list))
    if signed.did_document is not None:
        atomic_write(folder / did_web_document_path(str(signed.did_document["id"])), _json(signed.did_document))


def _json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def revoke_credential(
    credential_id: str,
    reason: str,
    key: IssuerKey,
    *,
    registry_folder: Path | None = None,
    out: Path | None = None,
    when: datetime | None = None,
) -> tuple[int, list[Path]]:
    """Revoke an issued credential: record ``reason``, set its bit, re-sign the status list and write
    it into every folder it was exported to (and ``out``). Returns ``(index, files written)``."""
    list_url = find_registry(credential_id, registry_folder)
    with open_registry(list_url, registry_folder) as registry:
        index = record_revocation(registry, credential_id, reason, when)
        document = signed_status_list(registry, key)
        folders = [Path(p) for p in registry["published"]]
    if out is not None:
        folders.append(Path(out))
    written = []
    for folder in dict.fromkeys(folders):
        if folder.is_dir():
            atomic_write(folder / STATUS_LIST_FILE, _json(document))
            written.append(folder / STATUS_LIST_FILE)
    return index, written


__all__ = ["STATUS_LIST_FILE", "SignedBadges", "revoke_credential", "sign_badges", "signed_status_list", "write_signed"]
