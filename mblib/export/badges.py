"""Open Badges 3.0: a credential's Achievement and the AchievementCredentials learners earned.

The Achievement (``achievementType`` ``MicroCredential``) carries the
criteria, the skills as alignments, and the elements of the European
approach to micro-credentials: learning outcomes (in the criteria and the
description), workload (``creditsAvailable`` in ECTS, hours in the
description), EQF level (an alignment to the EQF), assessment, form of
participation and quality assurance (description), and a ``resultDescription``
for the average quiz score. Credentials are issued from the learner events
table (docs/architecture.md, "Learner data", read through
:mod:`mblib.analytics.readers`) to learners who passed the
required modules, enough electives, the average score and any credential this
one stacks on. Given an issuer key, :func:`export_badges` signs them (Data Integrity
``eddsa-rdfc-2022``, :mod:`mblib.export.badge_signing`) and publishes their revocation list;
without one they are written unsigned, and the folder says so (``UNSIGNED.txt``).

>>> rows = [{"learner_id": "l1", "verb": "passed", "module_id": "a", "score": 0.9,
...          "timestamp": "2026-01-05T10:00:00Z"}]
>>> best = module_results(rows)
>>> best["l1"]["a"]["score"], best["l1"]["a"]["passed"]
(0.9, True)
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.yamlio import atomic_write
from ..errors import Location
from .badge_results import eligible, learner_events, module_results
from .contexts import CREDENTIAL_CONTEXT
from .errors import ExportError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.credential import Credential
    from ..content.workspace import Workspace
    from .keys import IssuerKey

OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
FRAMEWORK_URLS = {
    "esco": "https://esco.ec.europa.eu/en/classification/skill_main",
    "digcomp 2.2": "https://joint-research-centre.ec.europa.eu/scientific-activities-z/education-and-training/digital-transformation-education/digital-competence-framework-citizens-digcomp_en",
    "eqf": "https://europa.eu/europass/en/description-eight-eqf-levels",
}


# ------------------------------------------------------------------------------------- documents
def _issuer_profile(workspace: Workspace, credential: Credential) -> dict[str, Any]:
    issuer = credential.issuer or workspace.settings.issuer
    if issuer is None:
        raise ExportError(
            f"credential '{credential.id}' has no issuer",
            location=Location(credential_id=credential.id, field="issuer"),
            hint="add [issuer] name and url to mblib.toml, or an issuer: to the credential",
        )
    ident = issuer.id or (str(issuer.url) if issuer.url else None)
    if not ident:
        ident = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "mblib-issuer:" + issuer.name))
    profile: dict[str, Any] = {"id": ident, "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        profile["url"] = str(issuer.url)
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.country:
        profile["address"] = {"type": ["Address"], "addressCountryCode": issuer.country}
    return profile


def _base_url(workspace: Workspace, credential: Credential) -> str:
    issuer = credential.issuer or workspace.settings.issuer
    if issuer is not None and issuer.url:
        return str(issuer.url).rstrip("/")
    return "urn:mblib:" + workspace.root.name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def credential_url(workspace: Workspace, credential: Credential) -> str:
    """Where a credential's badges are published: ``<issuer url>/credentials/<credential id>``
    (``urn:mblib:<workspace>/credentials/<id>`` when the issuer has no website)."""
    return f"{_base_url(workspace, credential)}/credentials/{credential.id}"


def achievement(workspace: Workspace, credential: Credential) -> dict[str, Any]:
    """The OB 3.0 ``Achievement`` of a credential (type MicroCredential)."""
    page = credential_url(workspace, credential)
    eu = credential.european
    lines = [credential.criteria.narrative if credential.criteria else f"Pass every module of {credential.title}."]
    if eu.learning_outcomes:
        lines.append("Learning outcomes:\n" + "\n".join(f"- {o}" for o in eu.learning_outcomes))
    facts = []
    if eu.workload:
        facts.append(
            f"Workload: {eu.workload.hours:g} hours" + (f" ({eu.workload.ects:g} ECTS)" if eu.workload.ects else "")
        )
    if eu.level and eu.level.eqf:
        facts.append(f"Level: EQF {eu.level.eqf}" + (f", {eu.level.description}" if eu.level.description else ""))
    if eu.assessment:
        facts.append(
            f"Assessment: {eu.assessment.type}"
            + ("; supervised" if eu.assessment.supervised else "")
            + ("; identity verified" if eu.assessment.identity_verified else "")
        )
    if eu.participation:
        facts.append(f"Form of participation: {eu.participation}")
    if eu.quality_assurance:
        facts.append(f"Quality assurance: {eu.quality_assurance}")
    if eu.stackability:
        facts.append(f"Stacking: {eu.stackability}")
    description = "\n\n".join([credential.summary or credential.title, *facts])
    alignment = []
    for s in credential.skills:
        url = str(s.url) if s.url else FRAMEWORK_URLS.get((s.framework or "").lower(), f"{page}#skill-{_slug(s.name)}")
        a: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": s.name,
            "targetUrl": url,
            "targetType": "ceasn:Competency",
        }
        if s.framework:
            a["targetFramework"] = s.framework
        if s.code:
            a["targetCode"] = s.code
        alignment.append(a)
    if eu.level and eu.level.eqf:
        alignment.append(
            {
                "type": ["Alignment"],
                "targetName": f"EQF level {eu.level.eqf}",
                "targetFramework": "European Qualifications Framework",
                "targetCode": str(eu.level.eqf),
                "targetType": "CFItem",
                "targetUrl": FRAMEWORK_URLS["eqf"],
                **({"targetDescription": eu.level.description} if eu.level.description else {}),
            }
        )
    out: dict[str, Any] = {
        "id": f"{page}/achievement",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": credential.title,
        "description": description,
        "criteria": {"id": page, "narrative": "\n\n".join(lines)},
        "creator": _issuer_profile(workspace, credential),
        "inLanguage": credential.language,
        "version": credential.version,
        "humanCode": credential.id,
        "tag": sorted({"microcredential", *(eu.participation and [eu.participation] or [])}),
    }
    if alignment:
        out["alignment"] = alignment
    if eu.workload and eu.workload.ects is not None:
        out["creditsAvailable"] = eu.workload.ects
    if credential.criteria and credential.criteria.min_score is not None:
        out["resultDescription"] = [
            {
                "id": f"{page}/results/average-score",
                "type": ["ResultDescription"],
                "name": "Average quiz score",
                "resultType": "Percent",
                "valueMin": "0",
                "valueMax": "100",
                "requiredValue": f"{credential.criteria.min_score * 100:g}",
            }
        ]
    return out


def achievement_credential(
    workspace: Workspace,
    credential: Credential,
    learner_id: str,
    *,
    average: float | None,
    issued: datetime,
    achievement_doc: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned ``AchievementCredential`` (OpenBadgeCredential) for one learner.

    The learner appears as a salted SHA-256 ``IdentityObject`` of their id (no raw id is published).
    """
    ach = achievement_doc or achievement(workspace, credential)
    salt = hashlib.sha256(f"{credential.id}:{learner_id}:mblib".encode()).hexdigest()[:16]
    identity = "sha256$" + hashlib.sha256((learner_id + salt).encode()).hexdigest()
    subject: dict[str, Any] = {
        "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"mblib-learner:{learner_id}")),
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity,
                "identityType": "identifier",
                "hashed": True,
                "salt": salt,
            }
        ],
        "achievement": ach,
    }
    if "creditsAvailable" in ach:
        subject["creditsEarned"] = ach["creditsAvailable"]
    if average is not None and ach.get("resultDescription"):
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": ach["resultDescription"][0]["id"],
                "value": f"{average * 100:.0f}",
            }
        ]
    stamp = issued.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"mblib-credential:{credential.id}:{learner_id}")),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": credential.title,
        "description": credential.summary or credential.title,
        "issuer": ach["creator"],
        "validFrom": stamp,
        "awardedDate": stamp,
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def issue_badges(
    workspace: Workspace,
    credential_id: str,
    events: str | Path | Iterable[Mapping[str, Any]],
    *,
    echo: Callable[[str], Any] | None = None,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The credential's Achievement and ``{learner_id: AchievementCredential}`` for everyone who met the criteria.

    Rows of an events file that break the events contract are kept aside with their reason
    (:func:`learner_events`); ``echo`` receives the reader's counts."""
    cred = workspace.credential(credential_id)
    rows = learner_events(events, echo=echo)
    results = module_results(rows)
    ach = achievement(workspace, cred)
    issued: dict[str, dict[str, Any]] = {}
    memo: dict[tuple[str, str], tuple[bool, dict[str, Any]]] = {}

    def check(cid: str, learner: str, depth: int = 0) -> tuple[bool, dict[str, Any]]:
        key = (cid, learner)
        if key not in memo:
            c = workspace.credentials.get(cid)
            if c is None or depth > 16:
                memo[key] = (False, {})
            else:
                earned = {}
                for req in c.requires_credentials:
                    prior = results.get(learner, {}).get(f"credential:{req}")
                    ok_req, info = check(req, learner, depth + 1)
                    if prior or ok_req:
                        earned[req] = (prior or {}).get("when") or info.get("when")
                memo[key] = eligible(c, results.get(learner, {}), earned)
        return memo[key]

    for learner in sorted(results):
        ok, info = check(cred.id, learner)
        if ok:
            when = info["when"] or datetime.now(UTC)
            issued[learner] = achievement_credential(
                workspace, cred, learner, average=info["average"], issued=when, achievement_doc=ach
            )
    return ach, issued


def credential_file_name(doc: Mapping[str, Any]) -> str:
    """The file name of an issued credential: its own id's UUID (never the learner id), e.g. ``<uuid>.json``.

    >>> credential_file_name({"id": "urn:uuid:0b6f4a1e-9c1d-5f3e-8a2b-1c2d3e4f5a6b"})
    '0b6f4a1e-9c1d-5f3e-8a2b-1c2d3e4f5a6b.json'
    """
    ident = str(doc.get("id") or "")
    tail = ident.rsplit(":", 1)[-1].lower()
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", tail):
        return f"{tail}.json"
    # not a urn:uuid: a hash of the id (a file name must not carry what the id may hold)
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32] + ".json"


def export_badges(
    workspace: Workspace,
    credential_id: str,
    events: str | Path | Iterable[Mapping[str, Any]],
    out_dir: str | Path,
    *,
    echo: Callable[[str], Any] | None = None,
    key: IssuerKey | None = None,
    jwt: bool = False,
    registry: str | Path | None = None,
) -> Path:
    """Write ``achievement.json`` and ``credentials/<uuid>.json`` to ``out_dir`` (moved into place whole).

    Each credential file is named after the credential's own id (its UUID), never after the
    learner id, so no learner id appears in a file name. Two credentials that would share a
    file name raise :class:`~mblib.export.errors.ExportError` naming both; nothing is written.

    With ``key`` every credential is signed (:mod:`mblib.export.badge_signing`: issuer DID,
    ``credentialStatus``, Data Integrity proof; ``jwt`` adds ``credentials/<uuid>.jwt``) and the
    signed status list ``status/revocation.json`` is written beside them; ``registry`` is the
    issuance registry folder (default :func:`mblib.export.issuance.registry_dir`). Without a key
    the folder holds an ``UNSIGNED.txt`` that says so.
    """
    from .packaging import staged_folder

    ach, issued = issue_badges(workspace, credential_id, events, echo=echo)
    names: dict[str, str] = {}
    for doc in issued.values():
        name = credential_file_name(doc)
        if name.casefold() in names:
            raise ExportError(
                f"credentials '{names[name.casefold()]}' and '{doc.get('id')}' would both be written to "
                f"credentials/{name}; nothing was written",
                location=Location(credential_id=credential_id),
                hint="two learners got the same credential id: check the events for learner ids that are "
                "the same learner written two ways",
            )
        names[name.casefold()] = str(doc.get("id"))
    out = Path(out_dir)
    docs, signed = list(issued.values()), None
    if key is not None:
        from .badge_signing import sign_badges

        list_url = credential_url(workspace, workspace.credential(credential_id)) + "/status/revocation.json"
        signed = sign_badges(
            docs, key, list_url, out=out, jwt=jwt, registry_folder=Path(registry) if registry is not None else None
        )
        docs = signed.credentials
    with staged_folder(out) as tmp:
        atomic_write(tmp / "achievement.json", json.dumps(ach, indent=2, ensure_ascii=False).encode("utf-8"))
        for doc in docs:
            atomic_write(
                tmp / "credentials" / credential_file_name(doc),
                json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"),
            )
        if signed is None:
            atomic_write(tmp / "UNSIGNED.txt", UNSIGNED_NOTE.encode("utf-8"))
        else:
            from .badge_signing import write_signed

            write_signed(tmp, signed)
            for ident, token in signed.jwts.items():
                name = credential_file_name({"id": ident}).removesuffix(".json") + ".jwt"
                atomic_write(tmp / "credentials" / name, token.encode("ascii") + b"\n")
    return out


UNSIGNED_NOTE = """These Open Badges 3.0 credentials are NOT signed: they have no proof, so nobody can verify
who issued them, and they cannot be revoked. Export them signed with an issuer key:

    mb keys new                      # once: an Ed25519 key in your mblib configuration folder
    mb export badge CREDENTIAL --events EVENTS --sign
"""


__all__ = [
    "achievement",
    "achievement_credential",
    "credential_file_name",
    "credential_url",
    "eligible",
    "export_badges",
    "issue_badges",
    "learner_events",
    "module_results",
]
