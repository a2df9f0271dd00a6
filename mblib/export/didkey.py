"""Identifiers of issuer keys: multibase base58btc, Ed25519 ``Multikey`` values, ``did:key`` and ``did:web``.

A ``did:key`` *is* its public key, so it resolves from itself, offline. A ``did:web`` names a
domain; its document (``did.json``) is only read from a local copy (never fetched).

>>> did = did_key(bytes(32))
>>> did
'did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP'
>>> public_key_from_did(did) == bytes(32)
True
>>> did_web("example.org:8443", "badges")
'did:web:example.org%3A8443:badges'
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ExportError

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub (varint 0xed)
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv (varint 0x1300)
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class KeyFormatError(ExportError):
    """A key, DID or multibase value that cannot be read."""


def base58_encode(data: bytes) -> str:
    """Bitcoin base58 (the alphabet of multibase ``z``)."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def base58_decode(text: str) -> bytes:
    """The bytes of a base58btc string; :class:`KeyFormatError` on a character outside the alphabet."""
    n = 0
    for c in text:
        if c not in _B58_INDEX:
            raise KeyFormatError(
                f"'{c}' is not a base58btc character (in '{text[:24]}...')",
                hint="multibase values start with 'z' followed by base58btc characters (no 0, O, I, l)",
            )
        n = n * 58 + _B58_INDEX[c]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def multibase_z(data: bytes) -> str:
    """``z`` + base58btc (multibase)."""
    return "z" + base58_encode(data)


def from_multibase_z(value: str, what: str = "value") -> bytes:
    """The bytes of a multibase base58btc (``z...``) string."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyFormatError(
            f"{what} '{str(value)[:24]}' is not multibase base58btc", hint="the value must start with 'z'"
        )
    return base58_decode(value[1:])


def public_multikey(public: bytes) -> str:
    """The ``publicKeyMultibase`` of an Ed25519 public key (``z6Mk...``)."""
    return multibase_z(ED25519_PUB + public)


def secret_multikey(secret: bytes) -> str:
    """The ``secretKeyMultibase`` of an Ed25519 private key seed (``zrv...``)."""
    return multibase_z(ED25519_PRIV + secret)


def public_from_multikey(value: str) -> bytes:
    """The raw 32-byte Ed25519 key of a ``publicKeyMultibase``."""
    raw = from_multibase_z(value, "publicKeyMultibase")
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise KeyFormatError(
            f"publicKeyMultibase '{value[:24]}...' is not an Ed25519 public key",
            hint="only Ed25519 keys (z6Mk...) are supported",
        )
    return raw[2:]


def secret_from_multikey(value: str) -> bytes:
    """The raw 32-byte Ed25519 seed of a ``secretKeyMultibase``."""
    raw = from_multibase_z(value, "secretKeyMultibase")
    if not raw.startswith(ED25519_PRIV) or len(raw) != 34:
        raise KeyFormatError("secretKeyMultibase is not an Ed25519 private key", hint="create a key with: mb keys new")
    return raw[2:]


def did_key(public: bytes) -> str:
    """The ``did:key`` of an Ed25519 public key."""
    return "did:key:" + public_multikey(public)


def public_key_from_did(did: str) -> bytes:
    """The Ed25519 public key a ``did:key`` (or one of its ``#fragment`` URLs) stands for."""
    base = did.split("#", 1)[0]
    if not base.startswith("did:key:"):
        raise KeyFormatError(f"'{did}' is not a did:key", hint="did:web documents are read from did.json")
    return public_from_multikey(base[len("did:key:") :])


def did_web(domain: str, *path: str) -> str:
    """The ``did:web`` of a domain (a port's ``:`` is written ``%3A``) and optional path segments."""
    host = domain.strip().lower().removeprefix("https://").rstrip("/")
    if not re.fullmatch(r"[a-z0-9.-]+(:[0-9]{1,5})?", host) or "." not in host.split(":")[0]:
        raise KeyFormatError(
            f"'{domain}' is not a domain name for did:web", hint="give the issuer's domain, e.g. badges.example.org"
        )
    return ":".join(["did:web", host.replace(":", "%3A"), *[p.strip("/") for p in path if p.strip("/")]])


def did_web_document_path(did: str) -> str:
    """Where a ``did:web`` document is published, relative to the domain root (``.well-known/did.json``
    for a bare domain, ``a/b/did.json`` for ``did:web:domain:a:b``)."""
    parts = did.split("#", 1)[0].split(":")[3:]
    return "/".join([*parts, "did.json"]) if parts else ".well-known/did.json"


def verification_method(did: str, public: bytes) -> dict[str, Any]:
    """The ``Multikey`` verification method of ``did`` (fragment: the key itself for did:key, ``#key-1`` else)."""
    mk = public_multikey(public)
    fragment = mk if did.startswith("did:key:") else "key-1"
    return {"id": f"{did}#{fragment}", "type": "Multikey", "controller": did, "publicKeyMultibase": mk}


def did_document(did: str, public: bytes) -> dict[str, Any]:
    """The DID document of an issuer with one Ed25519 key, used for assertions (signing credentials)."""
    vm = verification_method(did, public)
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [vm],
        "authentication": [vm["id"]],
        "assertionMethod": [vm["id"]],
    }


def resolve_did_key(url: str) -> dict[str, Any]:
    """The DID document (for a bare DID) or the verification method (for ``did:key:...#...``), from the key."""
    did = url.split("#", 1)[0]
    doc = did_document(did, public_key_from_did(did))
    if "#" in url:
        vm = dict(doc["verificationMethod"][0])
        if vm["id"] != url:
            raise KeyFormatError(f"'{url}' names no key of {did}", hint=f"the key is {vm['id']}")
        return {"@context": list(DID_CONTEXTS), **vm}
    return doc


__all__ = [
    "KeyFormatError",
    "base58_decode",
    "base58_encode",
    "did_document",
    "did_key",
    "did_web",
    "did_web_document_path",
    "from_multibase_z",
    "multibase_z",
    "public_from_multikey",
    "public_key_from_did",
    "public_multikey",
    "resolve_did_key",
    "secret_from_multikey",
    "secret_multikey",
    "verification_method",
]
