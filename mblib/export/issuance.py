"""The issuer's registry of issued credentials: status list indexes, issue times and revocations.

Issuing is idempotent: a credential's id is derived from the credential and the learner, and the
registry keeps, per status list, each issued credential's index in the list (chosen at random
among the free ones, so that an index says nothing about the order of issue) and the time it was
first signed (the proof's ``created``). Re-exporting therefore gives the same files, byte for
byte, and never re-numbers a learner. ``mb revoke`` records its reason here.

The registry is issuer-side state, like the key: it lives in the user's mblib configuration
folder, ``<config>/issued/`` (``$MBLIB_REGISTRY_DIR`` to choose another), never in the workspace
or the exports. One JSON file per status list; every change is made under the file's advisory lock
and written atomically (:mod:`mblib.content.safewrite`). Keep it, with the key, in your backups.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..content.safewrite import file_lock
from ..content.yamlio import atomic_write
from ..errors import Location, NotFoundError
from .errors import ExportError
from .keys import config_dir
from .signing import timestamp
from .status_list import MIN_BITS

REGISTRY_ENV = "MBLIB_REGISTRY_DIR"


def registry_dir() -> Path:
    """``$MBLIB_REGISTRY_DIR``, else ``<config>/issued`` (see :func:`mblib.export.keys.config_dir`)."""
    env = os.environ.get(REGISTRY_ENV)
    return Path(env).expanduser() if env else config_dir() / "issued"


def registry_path(list_url: str, folder: Path | None = None) -> Path:
    """The registry file of the status list published at ``list_url``."""
    return (folder or registry_dir()) / (hashlib.sha256(list_url.encode("utf-8")).hexdigest()[:20] + ".json")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ExportError(
            f"the issuance registry {path} is damaged: {e}",
            location=Location(file=str(path)),
            hint="restore it from your backup; without it re-exports would give learners new status indexes",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("entries", {}), dict):
        raise ExportError(
            f"the issuance registry {path} is not a registry", location=Location(file=str(path)), hint="restore it"
        )
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    os.chmod(path, 0o600)


@contextlib.contextmanager
def open_registry(list_url: str, folder: Path | None = None) -> Iterator[dict[str, Any]]:
    """The registry of one status list, locked; changes to the yielded dict are saved on exit."""
    path = registry_path(list_url, folder)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with file_lock(path.parent, path):
        data = _read(path)
        before = json.dumps(data, sort_keys=True)
        data.setdefault("statusList", list_url)
        data.setdefault("size", MIN_BITS)
        data.setdefault("entries", {})
        data.setdefault("published", [])
        yield data
        if json.dumps(data, sort_keys=True) != before:
            _write(path, data)


def assign(registry: dict[str, Any], credential_id: str, issued: datetime | None = None) -> dict[str, Any]:
    """The registry entry of ``credential_id``: kept as it is when it exists, else a new random free index."""
    entries: dict[str, Any] = registry["entries"]
    if credential_id in entries:
        return dict(entries[credential_id])
    size = int(registry.get("size", MIN_BITS))
    used = {int(e["index"]) for e in entries.values()}
    if len(used) >= size:
        raise ExportError(
            f"the status list {registry['statusList']} is full ({size} credentials)",
            hint="issue this credential under a new version or id",
        )
    index = secrets.randbelow(size)
    while index in used:
        index = secrets.randbelow(size)
    entry = {"index": index, "issued": timestamp(issued), "revoked": None}
    entries[credential_id] = entry
    registry.setdefault("updated", entry["issued"])
    return dict(entry)


def revoked_indexes(registry: dict[str, Any]) -> set[int]:
    """The indexes whose credentials were revoked."""
    return {int(e["index"]) for e in registry["entries"].values() if e.get("revoked")}


def find_registry(credential_id: str, folder: Path | None = None) -> str:
    """The status list URL whose registry holds ``credential_id`` (``urn:uuid:...`` or the bare UUID)."""
    base = folder or registry_dir()
    wanted = _credential_key(credential_id)
    for path in sorted(base.glob("*.json")) if base.is_dir() else []:
        data = _read(path)
        if wanted in data.get("entries", {}):
            return str(data["statusList"])
    raise NotFoundError(
        f"no credential '{credential_id}' in the issuance registry {base}",
        hint="give the id of a credential exported with --sign (its 'id', urn:uuid:..., or the file name's UUID)",
    )


def _credential_key(credential_id: str) -> str:
    text = credential_id.strip()
    if text.endswith(".json"):
        text = Path(text).stem
    return text if ":" in text else f"urn:uuid:{text}"


def record_revocation(registry: dict[str, Any], credential_id: str, reason: str, when: datetime | None = None) -> int:
    """Mark ``credential_id`` revoked with ``reason``; returns its index. Revoking twice keeps the first record."""
    key = _credential_key(credential_id)
    entry = registry["entries"].get(key)
    if entry is None:
        raise NotFoundError(
            f"'{credential_id}' is not in the registry of {registry['statusList']}", hint="check the id"
        )
    if not reason.strip():
        raise ExportError("a revocation needs a reason", hint="pass --reason 'what happened'")
    if not entry.get("revoked"):
        entry["revoked"] = {"reason": reason.strip(), "at": timestamp(when or datetime.now(UTC))}
        registry["updated"] = entry["revoked"]["at"]
    return int(entry["index"])


__all__ = [
    "REGISTRY_ENV",
    "assign",
    "find_registry",
    "open_registry",
    "record_revocation",
    "registry_dir",
    "registry_path",
    "revoked_indexes",
]
