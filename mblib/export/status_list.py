"""Revocation: W3C Bitstring Status List (``statusPurpose`` revocation).

The list is a bitstring of at least 131,072 bits (16 KiB, so one credential's entry hides among
many), bit 0 the left-most bit of the first byte, GZIP-compressed and written as multibase
base64url without padding (``u...``). Each issued credential carries a
``BitstringStatusListEntry`` naming the list and its index; a set bit means revoked.

>>> bits = decode_list(encode_list({3, 131071}))
>>> bit_is_set(bits, 3), bit_is_set(bits, 4), bit_is_set(bits, 131071), len(bits) * 8
(True, False, True, 131072)
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .contexts import VC_CONTEXT
from .errors import ExportError

MIN_BITS = 131072
STATUS_PURPOSE = "revocation"


class StatusListError(ExportError):
    """A status list that cannot be read, or an index outside it."""


def encode_list(revoked: Iterable[int], size: int = MIN_BITS) -> str:
    """The ``encodedList`` of a bitstring of ``size`` bits with the ``revoked`` indexes set."""
    bits = bytearray(max(size, MIN_BITS) // 8)
    for i in revoked:
        if not 0 <= i < len(bits) * 8:
            raise StatusListError(
                f"status index {i} lies outside the list (0..{len(bits) * 8 - 1})", hint="check the issuance registry"
            )
        bits[i // 8] |= 0x80 >> (i % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (multibase base64url ``u...``; a bare base64url string is accepted)."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("the status list has no encodedList", hint="re-export the badges to publish it again")
    text = encoded[1:] if encoded.startswith("u") else encoded
    try:
        packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        raw = gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as e:
        raise StatusListError(
            f"the encodedList is not GZIP + base64url: {e}", hint="re-export the badges to publish the list again"
        ) from None
    if len(raw) * 8 < MIN_BITS:
        raise StatusListError(
            f"the status list has {len(raw) * 8} bits, fewer than the {MIN_BITS} the standard requires",
            hint="re-export the badges to publish the list again",
        )
    return raw


def bit_is_set(bits: bytes, index: int) -> bool:
    """Whether bit ``index`` (0 = left-most bit of the first byte) is set."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(
            f"status index {index} lies outside the list (0..{len(bits) * 8 - 1})",
            hint="the credential names an index its list does not have",
        )
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` of a credential at ``index`` of the list published at ``list_url``."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str, issuer: dict[str, Any] | str, revoked: Iterable[int], *, valid_from: datetime
) -> dict[str, Any]:
    """The (unsigned) ``BitstringStatusListCredential`` published at ``list_url``."""
    from .signing import timestamp

    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_list(revoked),
        },
    }


def entry_index(entry: dict[str, Any]) -> int:
    """The ``statusListIndex`` of a status entry as an integer."""
    raw = entry.get("statusListIndex")
    try:
        index = int(str(raw))
    except ValueError:
        raise StatusListError(
            f"statusListIndex {raw!r} is not a number", hint="the credential's credentialStatus is malformed"
        ) from None
    if index < 0:
        raise StatusListError(f"statusListIndex {index} is negative", hint="the credentialStatus is malformed")
    return index


__all__ = [
    "MIN_BITS",
    "STATUS_PURPOSE",
    "StatusListError",
    "bit_is_set",
    "decode_list",
    "encode_list",
    "entry_index",
    "status_entry",
    "status_list_credential",
]
