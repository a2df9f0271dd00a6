"""Badge images: an SVG per credential with the credential baked in, and reading it back.

Baking follows Open Badges 3.0 (section "Baking", SVG): the ``<svg>`` root carries
``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` and, directly after the ``<svg>``
tag, one ``<openbadges:credential>`` element. A credential with an embedded proof (or none)
goes into the element's body as JSON wrapped in ``<![CDATA[...]]>``; a VC-JWT goes into its
``verify`` attribute as the compact JWS, and the body stays empty.

Reading back (:func:`extract_baked_credential`) treats the SVG as hostile: the file size is
bounded, any DOCTYPE or entity declaration is refused (no entity expansion, nothing fetched),
nesting depth and the credential's own size are bounded, and only the first
``<openbadges:credential>`` counts (a second one is an error, as the specification allows one).

>>> doc = {"id": "urn:uuid:1", "name": "Data ]]> literacy", "issuer": {"name": "Northwind"},
...        "credentialSubject": {"achievement": {"name": "Data ]]> literacy"}}}
>>> svg = badge_svg(doc)
>>> svg.count("<openbadges:credential>"), read_baked_text(svg.encode())[1] == credential_json(doc)
(1, True)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from ..errors import Location
from .errors import ExportError

SVG_NS = "http://www.w3.org/2000/svg"
BAKE_NS = "https://purl.imsglobal.org/ob/v3p0"
MAX_SVG_BYTES = 8 * 1024 * 1024  # a badge image bigger than this is refused unread
MAX_CREDENTIAL_CHARS = 2 * 1024 * 1024  # the baked credential itself
MAX_DEPTH = 64
Kind = Literal["json", "jwt"]


# ------------------------------------------------------------------------------------ baking
def credential_json(doc: Mapping[str, Any]) -> str:
    """The JSON text baked into an image (and written beside a page): UTF-8, 2-space indent."""
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _cdata(text: str) -> str:
    """``text`` as CDATA sections; a ``]]>`` inside is split across two sections, so no text can end one early."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: Any) -> str:
    """Text safe in XML 1.0: characters XML cannot hold (most control characters) are dropped."""
    return _NOT_XML.sub("", str(value))


def _json_for_xml(text: str) -> str:
    """JSON text whose characters XML cannot hold are written as ``\\uXXXX`` escapes (the same JSON value)."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _names(doc: Mapping[str, Any]) -> tuple[str, str, str]:
    subject = doc.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    ach = subject.get("achievement") if isinstance(subject, Mapping) else None
    name = (ach.get("name") if isinstance(ach, Mapping) else None) or doc.get("name") or "Credential"
    issuer = doc.get("issuer")
    issuer_name = (issuer.get("name") if isinstance(issuer, Mapping) else None) or str(issuer or "")
    when = str(doc.get("validFrom") or doc.get("awardedDate") or doc.get("issuanceDate") or "")[:10]
    return _xml_text(name), _xml_text(issuer_name), _xml_text(when)


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def badge_svg(doc: Mapping[str, Any], *, jwt: str | None = None) -> str:
    """A self-contained SVG badge for credential ``doc`` with the credential baked in (Open Badges 3.0).

    The image names the achievement and the issuer (and the issue date), has a ``<title>`` and
    ``<desc>`` for assistive technology, and refers to nothing outside itself. ``jwt``: the
    credential's VC-JWT (compact JWS); when given it is baked in the ``verify`` attribute
    instead of the JSON.
    """
    name, issuer, when = _names(doc)
    if jwt is not None:
        if not _is_compact_jws(jwt):
            raise ExportError(
                "the VC-JWT to bake is not a compact JWS (three base64url parts joined by dots)",
                location=Location(field="jwt"),
                hint="pass the JWT exactly as the signer produced it",
            )
        baked = f"<openbadges:credential verify={quoteattr(jwt)}></openbadges:credential>"
    else:
        baked = f"<openbadges:credential>{_cdata(_json_for_xml(credential_json(doc)))}</openbadges:credential>"
    title_lines = _lines(name, 22, 3)
    issuer_lines = _lines(issuer, 30, 2)
    y0 = 250 - 17 * (len(title_lines) - 1)
    title_text = "".join(
        f'<tspan x="256" y="{y0 + 34 * i}">{escape(line)}</tspan>' for i, line in enumerate(title_lines)
    )
    issuer_text = "".join(
        f'<tspan x="256" y="{370 + 24 * i}">{escape(line)}</tspan>' for i, line in enumerate(issuer_lines)
    )
    desc = f"Open Badge: {name}. Issued by {issuer}" + (f" on {when}" if when else "") + "."
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{BAKE_NS}" viewBox="0 0 512 512" width="512" height="512" '
        'role="img" aria-labelledby="badge-title badge-desc">'
        f"{baked}\n"
        f'<title id="badge-title">{escape(name)}</title>\n'
        f'<desc id="badge-desc">{escape(desc)}</desc>\n'
        '<circle cx="256" cy="256" r="248" fill="#0b57d0"/>\n'
        '<circle cx="256" cy="256" r="222" fill="#ffffff"/>\n'
        '<circle cx="256" cy="256" r="206" fill="none" stroke="#0b57d0" stroke-width="4"/>\n'
        '<path d="M226 120 l20 20 l40 -44" fill="none" stroke="#136c2e" stroke-width="12" '
        'stroke-linecap="round" stroke-linejoin="round"/>\n'
        '<text font-family="system-ui, sans-serif" text-anchor="middle" fill="#1b1f24" font-size="28" '
        f'font-weight="700">{title_text}</text>\n'
        '<text font-family="system-ui, sans-serif" text-anchor="middle" fill="#4a5563" '
        f'font-size="18">{issuer_text}</text>\n'
        + (
            f'<text x="256" y="440" font-family="system-ui, sans-serif" text-anchor="middle" fill="#4a5563" '
            f'font-size="16">{escape(when)}</text>\n'
            if when
            else ""
        )
        + "</svg>\n"
    )


# ------------------------------------------------------------------------------------ reading
def _is_compact_jws(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 3 and all(p and all(c.isalnum() or c in "-_" for c in p) for p in parts[:2])


def _refuse(what: str, name: str) -> Any:
    def handler(*_a: Any) -> Any:
        raise ExportError(
            f"{name}: the SVG holds {what}; badge images are read without DTDs or entities",
            location=Location(file=name),
            hint="bake the credential into a plain SVG (no <!DOCTYPE>, no <!ENTITY>)",
        )

    return handler


def read_baked_text(data: bytes, *, name: str = "<svg>") -> tuple[Kind, str]:
    """The credential baked into SVG bytes: ``("json", text)`` or ``("jwt", compact JWS)``.

    Raises :class:`~mblib.export.errors.ExportError` for an SVG that is too big, not well-formed,
    declares a DOCTYPE or entities, nests too deep, holds no or two credentials, or whose
    credential is too big. ``name`` is used in messages (e.g. the file name).
    """
    if len(data) > MAX_SVG_BYTES:
        raise ExportError(
            f"{name}: the SVG is {len(data):,} bytes; badge images over {MAX_SVG_BYTES:,} bytes are not read",
            location=Location(file=name),
            hint="bake the credential into a smaller image",
        )
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("a DOCTYPE", name)
    parser.EntityDeclHandler = _refuse("an entity declaration", name)
    parser.UnparsedEntityDeclHandler = _refuse("an unparsed entity", name)
    parser.ExternalEntityRefHandler = _refuse("an external entity", name)
    state: dict[str, Any] = {"depth": 0, "found": 0, "inside": False, "verify": None, "size": 0, "root": None}
    chunks: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        state["depth"] += 1
        if state["root"] is None:
            state["root"] = tag
        if state["depth"] > MAX_DEPTH:
            raise ExportError(
                f"{name}: elements nest deeper than {MAX_DEPTH} levels",
                location=Location(file=name),
                hint="badge images are flat drawings; use a simpler SVG",
            )
        if tag == f"{BAKE_NS} credential":
            state["found"] += 1
            if state["found"] > 1:
                raise ExportError(
                    f"{name}: the SVG holds more than one <openbadges:credential>",
                    location=Location(file=name),
                    hint="Open Badges 3.0 allows one baked credential per image: bake it again",
                )
            state["inside"] = True
            state["verify"] = attrs.get("verify")

    def end(tag: str) -> None:
        state["depth"] -= 1
        if tag == f"{BAKE_NS} credential":
            state["inside"] = False

    def text(data: str) -> None:
        if state["inside"]:
            state["size"] += len(data)
            if state["size"] > MAX_CREDENTIAL_CHARS:
                raise ExportError(
                    f"{name}: the baked credential is over {MAX_CREDENTIAL_CHARS:,} characters",
                    location=Location(file=name, field="openbadges:credential"),
                    hint="a credential is a few kilobytes; this image was not baked by an issuer",
                )
            chunks.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise ExportError(
            f"{name}: not a well-formed SVG ({expat.ErrorString(e.code)}) at line {e.lineno}, column {e.offset + 1}",
            location=Location(file=name, line=e.lineno, column=e.offset + 1),
            hint="bake the credential again into a valid SVG",
        ) from None
    if state["root"] != f"{SVG_NS} svg":
        raise ExportError(
            f"{name}: the root element is not an SVG <svg> (found {str(state['root']).split(' ')[-1]!r})",
            location=Location(file=name),
            hint="pass a badge image (.svg) baked by an issuer",
        )
    if not state["found"]:
        raise ExportError(
            f"{name}: the SVG holds no baked credential (no <openbadges:credential> in namespace {BAKE_NS})",
            location=Location(file=name),
            hint="this image was not baked; ask the issuer for the baked badge or the credential file",
        )
    if state["verify"] is not None:
        jws = state["verify"].strip()
        if not _is_compact_jws(jws):
            raise ExportError(
                f"{name}: the verify attribute of <openbadges:credential> is not a compact JWS",
                location=Location(file=name, field="verify"),
                hint="the image is damaged: ask the issuer for the baked badge again",
            )
        return "jwt", jws
    return "json", "".join(chunks).strip()


def _jwt_payload(jws: str, name: str) -> dict[str, Any]:
    body = jws.split(".")[1]
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError) as e:
        raise ExportError(
            f"{name}: the baked VC-JWT's payload is not base64url JSON ({e})",
            location=Location(file=name, field="verify"),
            hint="the image is damaged: ask the issuer for the baked badge again",
        ) from None
    if not isinstance(payload, dict):
        raise ExportError(
            f"{name}: the baked VC-JWT's payload is not a JSON object",
            location=Location(file=name, field="verify"),
            hint="the image is damaged: ask the issuer for the baked badge again",
        )
    vc = payload.get("vc")  # VC-JWT of VCDM 1.1 wraps the credential; VC-JOSE (VCDM 2.0) is the credential
    return vc if isinstance(vc, dict) else payload


def extract_baked_credential(svg_path: str | Path) -> dict[str, Any]:
    """The credential baked into the SVG at ``svg_path``, as a dict (read safely: see the module docstring).

    For a VC-JWT the decoded payload is returned (the credential), unverified: verify the JWS
    itself (:func:`read_baked_text` gives it) before trusting it.
    """
    path = Path(svg_path)
    try:
        size = path.stat().st_size
        if size > MAX_SVG_BYTES:
            raise ExportError(
                f"{path}: the SVG is {size:,} bytes; badge images over {MAX_SVG_BYTES:,} bytes are not read",
                location=Location(file=str(path)),
                hint="bake the credential into a smaller image",
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_SVG_BYTES + 1)
    except OSError as e:
        raise ExportError(
            f"cannot read the badge image {path}: {e.strerror or e}",
            location=Location(file=str(path)),
            hint="pass the path of a baked .svg badge",
        ) from None
    kind, text = read_baked_text(data, name=str(path))
    if kind == "jwt":
        return _jwt_payload(text, str(path))
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ExportError(
            f"{path}: the baked credential is not JSON ({e.msg} at line {e.lineno}, column {e.colno} of the credential)",
            location=Location(file=str(path), field="openbadges:credential"),
            hint="the image is damaged: ask the issuer for the baked badge again",
        ) from None
    if not isinstance(doc, dict):
        raise ExportError(
            f"{path}: the baked credential is not a JSON object",
            location=Location(file=str(path), field="openbadges:credential"),
            hint="the image is damaged: ask the issuer for the baked badge again",
        )
    return doc


__all__ = [
    "BAKE_NS",
    "MAX_SVG_BYTES",
    "badge_svg",
    "credential_json",
    "extract_baked_credential",
    "read_baked_text",
]
