"""Publishing what learners share, verified first: what ``mb share`` and ``mb demo`` run.

:func:`publish_credential_pages` verifies every credential of a badges export offline
(:func:`mblib.export.verify_files.verify_file`: proof, issuer key, schema, dates, revocation),
refuses to publish one that fails unless the caller allows it, and writes the learner pages
(:func:`mblib.export.badge_page.write_credential_pages`) with the verification status computed
at that moment. The folder it writes is self-contained for ``mb verify``: it also holds the
signed status list the credentials name and, for a ``did:web`` issuer, the DID document;
with ``site`` the DID document is written at the site's root too (``.well-known/did.json``),
where a verifier resolves it. The folder is recorded in the issuer's registry, so that
``mb revoke`` writes the re-signed status list into it as well.

>>> from mblib.export.verify import Check
>>> page = PublishedPage(Path("c.html"), "urn:uuid:1", (Check("proof", True, "signature valid"),
...                      Check("status", False, "revocation: bit 7 is set")))
>>> page.ok, page.failed()
(False, ['status'])
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..content.yamlio import atomic_write
from ..errors import Location
from .badge_page import write_credential_pages
from .badge_signing import STATUS_LIST_FILE
from .badges import credential_file_name
from .didkey import did_web_document_path
from .errors import ExportError
from .issuance import open_registry, registry_path
from .verify import Check, VerificationReport
from .verify_files import Documents, collect, support_root, verify_file


@dataclass(frozen=True)
class PublishedPage:
    """One learner page: where it was written, its credential and the checks it shows."""

    page: Path
    credential_id: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failed(self) -> list[str]:
        """The names of the checks that failed."""
        return [c.name for c in self.checks if not c.ok]


def _credential_files(src: Path) -> list[Path]:
    folder = src / "credentials" if (src / "credentials").is_dir() else src
    if not folder.is_dir():
        raise ExportError(
            f"credentials folder '{folder}' does not exist",
            location=Location(file=str(folder)),
            hint="export the credentials first: mb export badge CREDENTIAL --events EVENTS --sign --out FOLDER",
        )
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".json", ".jwt") and not p.is_symlink())


def verify_for_pages(src: Path, *, now: datetime | None = None) -> tuple[dict[str, tuple[Check, ...]], Documents]:
    """Credential id -> the checks its page shows, for every credential file in ``src``; and the
    status lists and DID documents found beside them (only those of the credentials' issuers).

    A credential in both forms (``<uuid>.json`` with a Data Integrity proof and ``<uuid>.jwt``)
    shows the checks of the JSON form and one more line, ``JWT proof``, for its compact JWS.
    """
    files = _credential_files(src)
    docs = collect(support_root(files[0]), credentials=False) if files else Documents()
    reports: dict[str, dict[str, VerificationReport]] = {}
    for file in files:
        report = verify_file(file, docs, now=now)
        ident = report.credential_id or "urn:file:" + file.stem
        reports.setdefault(ident, {})[file.suffix.lower()] = report
    issuers = {r.issuer for forms in reports.values() for r in forms.values() if r.issuer}
    docs.did_documents = {did: d for did, d in docs.did_documents.items() if did in issuers}
    checks: dict[str, tuple[Check, ...]] = {}
    for ident, forms in reports.items():
        if ".json" in forms:
            extra = []
            if ".jwt" in forms:
                proof = forms[".jwt"].checks[0]
                extra.append(Check("JWT proof", proof.ok, proof.detail))
            checks[ident] = (*forms[".json"].checks, *extra)
        else:
            checks[ident] = tuple(forms[".jwt"].checks)
    return checks, docs


def _support_files(docs: Documents) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for n, (url, listed) in enumerate(sorted(docs.status_lists.items())):
        name = STATUS_LIST_FILE if n == 0 else f"status/{credential_file_name({'id': url})}"
        files[name] = _json(listed)
    for did, document in sorted(docs.did_documents.items()):
        if did.startswith("did:web:"):
            files[_did_path(did)] = _json(document)
    return files


def _did_path(did: str) -> str:
    """Where a did:web document goes, refusing a DID whose path would leave the folder."""
    relative = did_web_document_path(did)
    if not all(re.fullmatch(r"[A-Za-z0-9._%-]+", part) and part not in (".", "..") for part in relative.split("/")):
        raise ExportError(
            f"the DID document of '{did}' would be written to '{relative}', outside the folder; nothing was published",
            location=Location(field="issuer.id"),
            hint="a did:web path has plain segments only (did:web:example.org:badges): check the issuer's did.json",
        )
    return relative


def _json(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def _register(docs: Documents, out: Path, registry_folder: Path | None) -> None:
    """Record ``out`` in the registry of its status list, so that ``mb revoke`` updates its copy too."""
    if len(docs.status_lists) != 1:
        return
    list_url = next(iter(docs.status_lists))
    if not registry_path(list_url, registry_folder).is_file():
        return  # not a list this issuer keeps (someone else's credentials): nothing to record
    with open_registry(list_url, registry_folder) as registry:
        where = str(out.resolve())
        if where not in registry["published"]:
            registry["published"].append(where)


def publish_credential_pages(
    badges: str | Path,
    out: str | Path,
    *,
    site: str | Path | None = None,
    allow_unverified: bool = False,
    display_names: Mapping[str, str] | None = None,
    base_url: str | None = None,
    registry_folder: Path | None = None,
    published: datetime | None = None,
    now: datetime | None = None,
) -> list[PublishedPage]:
    """Verify the credentials of ``badges`` (an ``mb export badge`` folder, or its ``credentials/``)
    and write their public pages into ``out``; returns one :class:`PublishedPage` per credential.

    A credential that fails a check is refused with an :class:`ExportError` that names it and the
    failed checks, and nothing is written, unless ``allow_unverified``: then its page is written
    and says that verification failed. ``site``: the root of the site ``out`` belongs to (a
    ``did:web`` issuer's DID document is written there too). ``registry_folder``: the issuance
    registry (default :func:`mblib.export.issuance.registry_dir`). ``now``: the time the
    validity dates are checked against; ``published``: the date the pages show.
    """
    src, target = Path(badges), Path(out)
    checks, docs = verify_for_pages(src, now=now)
    failing = {ident: c for ident, c in checks.items() if not all(x.ok for x in c)}
    if failing and not allow_unverified:
        shown = "; ".join(
            f"{ident}: " + ", ".join(f"{c.name} ({c.detail})" for c in cs if not c.ok)
            for ident, cs in list(failing.items())[:3]
        )
        more = f" (and {len(failing) - 3} more)" if len(failing) > 3 else ""
        raise ExportError(
            f"{len(failing)} of {len(checks)} credential(s) in '{src}' fail verification; nothing was published: "
            + shown
            + more,
            location=Location(file=str(src)),
            hint="fix the export (mb export badge --sign) and run `mb verify` on it; to publish anyway, with "
            "pages that say verification failed, pass --allow-unverified",
        )
    support = _support_files(docs)
    pages = write_credential_pages(
        src,
        target,
        verification=checks,
        display_names=display_names,
        base_url=base_url,
        published=published,
        extra_files=support,
    )
    if site is not None:
        for relative, content in support.items():
            if not relative.startswith("status/"):  # the DID document, where did:web resolves it
                atomic_write(Path(site) / relative, content)
    _register(docs, target, registry_folder)
    by_stem = {credential_file_name({"id": ident})[: -len(".json")]: ident for ident in checks}
    return [
        PublishedPage(page=p, credential_id=by_stem.get(p.stem, ""), checks=checks.get(by_stem.get(p.stem, ""), ()))
        for p in pages
    ]


__all__ = ["PublishedPage", "publish_credential_pages", "verify_for_pages"]
