"""What a public credential page shows, read from an AchievementCredential (Open Badges 3.0).

:func:`credential_view` turns one credential document into plain values (strings, lists,
dates) for the page template; :func:`linkedin_url` builds LinkedIn's add-certification link.
Nothing here renders HTML: the page template escapes every value (:mod:`mblib.export.badge_page`).

The credentials ``mb export badge`` writes (:mod:`mblib.export.badges`) put the learning
outcomes in the criteria narrative (``Learning outcomes:`` and ``- `` lines) and workload,
level, assessment, participation and quality assurance as ``Key: value`` paragraphs of the
achievement's description; both are read back into their own sections. Other issuers'
credentials show their description and criteria as written.

>>> url = linkedin_url(name="Data & charts", organization="Northwind", issued="2026-03-15T10:00:00Z",
...                    cert_url="https://example.org/c/1.html", cert_id="urn:uuid:1")
>>> url.split("?")[1]
'startTask=CERTIFICATION_NAME&name=Data%20%26%20charts&organizationName=Northwind&issueYear=2026&issueMonth=3&certUrl=https%3A%2F%2Fexample.org%2Fc%2F1.html&certId=urn%3Auuid%3A1'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
FACT_KEYS = ("Workload", "Level", "Assessment", "Form of participation", "Quality assurance", "Stacking")
_FACT = re.compile(r"^(" + "|".join(re.escape(k) for k in FACT_KEYS) + r"): (.+)$", re.S)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass
class Skill:
    """One skill alignment: its name, framework and code, and a link when it is an http(s) URL."""

    name: str
    framework: str = ""
    code: str = ""
    url: str = ""


@dataclass
class CredentialView:
    """The values a public credential page shows (all plain text; the template escapes them)."""

    id: str
    name: str
    description: list[str]
    criteria: list[list[str] | str]  # a paragraph (str) or a bulleted list (list of str)
    outcomes: list[str]
    facts: list[tuple[str, str]]
    skills: list[Skill]
    issuer: str
    issuer_url: str
    issued: datetime | None
    expires: datetime | None
    learner: str  # the issuer-supplied display name, or ""
    identity_hash: str
    results: list[tuple[str, str]] = field(default_factory=list)
    signed: bool = False
    language: str = "en"


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, Mapping):  # a language map / MultiLocaleString-like object: take its first text
        for x in v.values():
            if isinstance(x, str):
                return x
        return ""
    return "" if v is None else str(v)


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [] if v is None else [v]


def _time(v: Any) -> datetime | None:
    if not isinstance(v, str) or not v:
        return None
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def web_url(v: Any) -> str:
    """``v`` when it is an absolute http(s) URL (safe as a plain link), else ``""``."""
    s = _text(v).strip()
    try:
        parts = urlsplit(s)
    except ValueError:
        return ""
    ok = parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() or ord(c) < 32 for c in s)
    return s if ok else ""


def long_date(t: datetime | None) -> str:
    """``5 March 2026`` (UTC), or ``""``."""
    return f"{t.day} {_MONTHS[t.month - 1]} {t.year}" if t else ""


def subject_of(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = doc.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    return subject if isinstance(subject, Mapping) else {}


def achievement_of(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    ach = subject_of(doc).get("achievement")
    return ach if isinstance(ach, Mapping) else {}


def identities(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [i for i in _list(subject_of(doc).get("identifier")) if isinstance(i, Mapping)]


def learner_display_name(doc: Mapping[str, Any], display_names: Mapping[str, str] | None) -> str:
    """The display name the issuer gave for this credential's learner, or ``""``.

    ``display_names`` keys may be the learner's own identifier (matched against the salted
    ``identityHash`` of the credential's ``IdentityObject``, as Open Badges 3.0 describes), the
    credential id, the subject id, or the ``identityHash`` itself.
    """
    if not display_names:
        return ""
    subject = subject_of(doc)
    direct = [doc.get("id"), subject.get("id"), *(i.get("identityHash") for i in identities(doc))]
    for key in direct:
        if isinstance(key, str) and key in display_names:
            return str(display_names[key])
    for ident in identities(doc):
        target, salt = ident.get("identityHash"), ident.get("salt") or ""
        if not isinstance(target, str) or not target.startswith("sha256$") or ident.get("hashed") is False:
            continue
        for key, name in display_names.items():
            if "sha256$" + hashlib.sha256((key + str(salt)).encode("utf-8")).hexdigest() == target.lower():
                return str(name)
    return ""


def _split_description(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    paragraphs, facts = [], []
    for para in re.split(r"\n\s*\n", text.strip()):
        m = _FACT.match(para.strip())
        if m:
            facts.append((m.group(1), m.group(2).strip()))
        elif para.strip():
            paragraphs.append(para.strip())
    return paragraphs, facts


def _split_criteria(text: str) -> tuple[list[list[str] | str], list[str]]:
    out: list[list[str] | str] = []
    outcomes: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.rstrip() for ln in para.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        if lines[0].strip().lower() == "learning outcomes:" and all(ln.lstrip().startswith("- ") for ln in lines[1:]):
            outcomes += [ln.lstrip()[2:].strip() for ln in lines[1:]]
        elif all(ln.lstrip().startswith("- ") for ln in lines):
            out.append([ln.lstrip()[2:].strip() for ln in lines])
        else:
            out.append("\n".join(lines))
    return out, outcomes


def _number(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return ""
    try:
        return f"{float(v):g}"
    except ValueError:
        return ""


def credential_view(doc: Mapping[str, Any], *, learner: str = "") -> CredentialView:
    """The page values of one credential. ``learner``: the display name to show (``""``: none)."""
    ach = achievement_of(doc)
    subject = subject_of(doc)
    description, facts = _split_description(_text(ach.get("description") or doc.get("description")))
    criteria_doc = ach.get("criteria")
    narrative = criteria_doc.get("narrative") if isinstance(criteria_doc, Mapping) else None
    criteria, outcomes = _split_criteria(_text(narrative))
    skills, eqf = [], []
    for a in _list(ach.get("alignment")):
        if not isinstance(a, Mapping):
            continue
        framework = _text(a.get("targetFramework"))
        name = _text(a.get("targetName"))
        if "european qualifications framework" in framework.lower() or re.match(r"EQF level\b", name):
            level = _text(a.get("targetCode")) or name
            detail = _text(a.get("targetDescription"))
            eqf.append(f"EQF level {level}" + (f": {detail}" if detail else "") if level != name else name)
            continue
        skills.append(Skill(name, framework, _text(a.get("targetCode")), web_url(a.get("targetUrl"))))
    ects = _number(subject.get("creditsEarned")) or _number(ach.get("creditsAvailable"))
    shown: list[tuple[str, str]] = []
    for key, value in facts:
        if key == "Level" and eqf:
            continue  # the EQF alignment says it in full
        shown.append((key, value))
    if ects and not any(k == "Workload" and "ECTS" in v for k, v in shown):
        shown.insert(0, ("Credits", f"{ects} ECTS"))
    for level in eqf:
        shown.append(("EQF level", level))
    results = []
    described = {_text(r.get("id")): r for r in _list(ach.get("resultDescription")) if isinstance(r, Mapping)}
    for r in _list(subject.get("result")):
        if not isinstance(r, Mapping) or not _text(r.get("value")):
            continue
        rd = described.get(_text(r.get("resultDescription")), {})
        unit = "%" if _text(rd.get("resultType")) == "Percent" else ""
        results.append((_text(rd.get("name")) or "Result", _text(r.get("value")) + unit))
    issuer = doc.get("issuer")
    issuer_map = issuer if isinstance(issuer, Mapping) else {}
    idents = identities(doc)
    return CredentialView(
        id=_text(doc.get("id")),
        name=_text(ach.get("name") or doc.get("name")) or "Credential",
        description=description,
        criteria=criteria,
        outcomes=outcomes,
        facts=shown,
        skills=skills,
        issuer=_text(issuer_map.get("name")) or _text(issuer) or "Unknown issuer",
        issuer_url=web_url(issuer_map.get("url")),
        issued=_time(doc.get("validFrom") or doc.get("awardedDate") or doc.get("issuanceDate")),
        expires=_time(doc.get("validUntil") or doc.get("expirationDate")),
        learner=learner,
        identity_hash=_text(idents[0].get("identityHash")) if idents else _text(subject.get("id")),
        results=results,
        signed=bool(doc.get("proof")),
        language=_text(ach.get("inLanguage")) or "en",
    )


def linkedin_url(
    *,
    name: str,
    organization: str,
    issued: datetime | str | None = None,
    expires: datetime | str | None = None,
    cert_url: str | None = None,
    cert_id: str | None = None,
) -> str:
    """LinkedIn's add-certification link (``startTask=CERTIFICATION_NAME``), every value URL-encoded.

    Parameters as LinkedIn's Add to Profile documents them: ``name``, ``organizationName``,
    ``issueYear``/``issueMonth``, ``expirationYear``/``expirationMonth``, ``certUrl``, ``certId``.
    """
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    params.append(("organizationName", organization))
    for prefix, value in (("issue", issued), ("expiration", expires)):
        t = _time(value) if isinstance(value, str) else value
        if t is not None:
            params += [(f"{prefix}Year", str(t.year)), (f"{prefix}Month", str(t.month))]
    if cert_url:
        params.append(("certUrl", cert_url))
    if cert_id:
        params.append(("certId", cert_id))
    return LINKEDIN_ADD + "?" + urlencode(params, quote_via=quote, safe="")


Check = tuple[str, bool, str]


def verification_checks(result: Any) -> list[Check] | None:
    """Checks as ``[(name, ok, detail)]`` from a verification report (``.checks``) or a sequence; ``None`` stays ``None``."""
    if result is None:
        return None
    checks = getattr(result, "checks", result)
    out = []
    for c in checks if isinstance(checks, Sequence) and not isinstance(checks, str) else []:
        if all(hasattr(c, a) for a in ("name", "ok", "detail")):  # a Check of mblib.export.verify
            name, ok, detail = c.name, c.ok, c.detail
        elif isinstance(c, Sequence):
            name, ok, detail = (tuple(c) + ("", "", ""))[:3]
        else:
            name, ok, detail = str(c), False, ""
        out.append((_text(name), ok is True, _text(detail)))
    return out


__all__ = [
    "Check",
    "CredentialView",
    "Skill",
    "credential_view",
    "learner_display_name",
    "linkedin_url",
    "long_date",
    "verification_checks",
    "web_url",
]
