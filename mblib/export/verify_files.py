"""Verifying credential files and folders (what ``mb verify PATH`` runs), offline.

A folder is searched for credentials (``*.json`` whose ``type`` holds ``VerifiableCredential``,
and ``*.jwt``), status list credentials and ``did.json`` documents; every credential is verified
against the status lists and DID documents found there. For a single file, the supporting
documents are looked for in the export folder that holds it (the nearest folder above it with
``status/``, ``.well-known/`` or ``achievement.json``, at most three levels up).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import Location, NotFoundError
from .verify import Check, VerificationReport, verify_credential, verify_jwt

MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass
class Documents:
    """What a folder holds: credential files, status lists (by URL) and DID documents (by DID)."""

    credentials: list[Path] = field(default_factory=list)
    status_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    did_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    unreadable: dict[Path, str] = field(default_factory=dict)


def _load(path: Path) -> Any:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    return json.loads(path.read_text(encoding="utf-8"))


def _types(doc: Any) -> set[str]:
    if not isinstance(doc, dict):
        return set()
    t = doc.get("type")
    return {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


def collect(root: Path, *, credentials: bool = True) -> Documents:
    """The credentials, status lists and DID documents under ``root`` (symbolic links are not followed)."""
    found = Documents()
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.suffix not in (".json", ".jwt"):
            continue
        if path.suffix == ".jwt":
            if credentials:
                found.credentials.append(path)
            continue
        try:
            doc = _load(path)
        except (OSError, ValueError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            found.unreadable[path] = str(e)
            continue
        types = _types(doc)
        if "BitstringStatusListCredential" in types and isinstance(doc.get("id"), str):
            found.status_lists[doc["id"]] = doc
        elif "VerifiableCredential" in types:
            if credentials:
                found.credentials.append(path)
        elif path.name == "did.json" and isinstance(doc, dict) and str(doc.get("id", "")).startswith("did:"):
            found.did_documents[str(doc["id"])] = doc
    return found


def support_root(file: Path) -> Path:
    """The export folder that holds ``file``'s status lists and DID documents (the nearest folder,
    at most three levels up, with ``status/``, ``.well-known/``, ``achievement.json`` or ``did.json``)."""
    folder = file.parent
    for candidate in [folder, *list(folder.parents)[:3]]:
        if any((candidate / name).exists() for name in ("status", ".well-known", "achievement.json", "did.json")):
            return candidate
    return folder


def verify_file(path: Path, docs: Documents, *, now: datetime | None = None) -> VerificationReport:
    """Verify one credential file (JSON with a Data Integrity proof, or a compact JWS ``.jwt``)."""
    try:
        if path.suffix == ".jwt":
            return verify_jwt(
                path.read_text(encoding="ascii"),
                status_lists=docs.status_lists,
                did_documents=docs.did_documents,
                now=now,
            )
        doc = _load(path)
    except (OSError, ValueError) as e:
        return VerificationReport(checks=[Check("file", False, f"cannot be read: {e}")])
    if not isinstance(doc, dict):
        return VerificationReport(checks=[Check("file", False, "is not a JSON object")])
    return verify_credential(doc, status_lists=docs.status_lists, did_documents=docs.did_documents, now=now)


def verify_path(path: str | Path, *, now: datetime | None = None) -> list[tuple[Path, VerificationReport]]:
    """Verify a credential file, or every credential in a folder; ``[(file, report), ...]``.

    :class:`~mblib.errors.NotFoundError` when the path does not exist or a folder holds no credential.
    """
    target = Path(path)
    if not target.exists():
        raise NotFoundError(
            f"'{target}' does not exist", location=Location(file=str(target)), hint="pass a credential file or folder"
        )
    if target.is_dir():
        docs = collect(target)
        files = docs.credentials
    else:
        docs = collect(support_root(target), credentials=False)
        files = [target]
    if not files:
        raise NotFoundError(
            f"no credential found in '{target}' (JSON files of type VerifiableCredential, or .jwt files)",
            location=Location(file=str(target)),
            hint="pass an export folder of mb export badge, or one credential file",
        )
    return [(f, verify_file(f, docs, now=now)) for f in files]


__all__ = ["Documents", "collect", "support_root", "verify_file", "verify_path"]
