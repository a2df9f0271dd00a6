"""What a learner shares: a public page per credential, its baked SVG badge and the raw credential.

:func:`write_credential_pages` reads a folder of AchievementCredential JSON files (as
``mb export badge`` writes them: ``credentials/<uuid>.json``) and writes, per credential,
``<uuid>.html`` (the public page), ``<uuid>.svg`` (the badge image with the credential baked
in, :mod:`mblib.export.badge_image`) and ``<uuid>.json`` (the credential file, byte for byte,
for wallets). Pages are offline HTML under the same strict Content-Security-Policy as lesson
pages (:func:`mblib.render.page.content_security_policy`): no script at all, styles by hash,
images only as ``data:`` URIs, nothing fetched. Every text from the credential is escaped.

A page shows the achievement, its criteria, skills, learning outcomes, workload/ECTS and EQF
level, the issuer, the dates, the verification status computed when the page was published
(one line per check), an "Add to LinkedIn profile" link and the downloads. It names the
learner only when the issuer supplied a display name for them; otherwise it shows the hashed
identifier only.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..content.yamlio import atomic_write
from ..errors import Location
from .badge_image import badge_svg
from .badge_view import (
    Check,
    credential_view,
    learner_display_name,
    linkedin_url,
    long_date,
    verification_checks,
)
from .badges import credential_file_name
from .errors import ExportError
from .site import static_text

MAX_CREDENTIAL_BYTES = 4 * 1024 * 1024  # a credential file bigger than this is refused unread
MAX_NAMES_BYTES = 16 * 1024 * 1024  # a display names CSV bigger than this is refused unread
Verification = Callable[[dict[str, Any]], Any] | Mapping[str, Any] | None


def _status(checks: Sequence[Check] | None, signed: bool) -> tuple[str, str]:
    if checks:
        if all(ok for _n, ok, _d in checks):
            return "Verified when this page was published: every check passed.", "is-verified"
        failed = sum(1 for _n, ok, _d in checks if not ok)
        return f"Verification failed when this page was published: {failed} check(s) failed.", "is-failed"
    if signed:
        return "Not verified when this page was published: the credential is signed, but it was not checked.", ""
    return (
        "Unsigned: this credential carries no proof, so nobody can check that its issuer wrote it.",
        "is-unsigned",
    )


def render_credential_page(
    doc: Mapping[str, Any],
    *,
    verification: Sequence[Check] | None = None,
    display_name: str = "",
    stem: str | None = None,
    base_url: str | None = None,
    published: datetime | None = None,
    badge: str | None = None,
    downloads: Sequence[str] = ("json",),
) -> str:
    """The public HTML page of one credential.

    ``verification``: the checks computed at publication, ``[(name, ok, detail)]`` (``None``:
    not verified; the page then says "not verified" for a signed credential, "unsigned" for one
    without a proof). ``display_name``: the learner's name to show (``""``: the hashed
    identifier only). ``stem``: the file names of the page and its downloads (default: from the
    credential id, as :func:`mblib.export.badges.credential_file_name`). ``base_url``: where
    the pages are published (``https://.../credentials``); the credential URL in the LinkedIn
    link is ``base_url/<stem>.html``. ``badge``: the SVG to show (default: :func:`badge_svg`).
    ``downloads``: the forms of the credential beside the page, ``"json"`` (``<stem>.json``, with
    a Data Integrity proof) and/or ``"jwt"`` (``<stem>.jwt``, the VC-JOSE compact JWS).

    >>> doc = {"id": "urn:uuid:0b6f4a1e-9c1d-5f3e-8a2b-1c2d3e4f5a6b", "issuer": {"name": "Northwind"},
    ...        "validFrom": "2026-03-15T10:00:00Z", "credentialSubject": {"achievement": {"name": "<Data>"}}}
    >>> html = render_credential_page(doc, published=datetime(2026, 4, 1, tzinfo=UTC))
    >>> "&lt;Data&gt;" in html and "<Data>" not in html and "Unsigned" in html
    True
    """
    from ..render.page import content_security_policy, environment
    from ..render.page import static_text as render_static

    checks = verification_checks(verification)
    stem = stem or credential_file_name(doc)[: -len(".json")]
    view = credential_view(doc, learner=display_name)
    cert_url = f"{base_url.rstrip('/')}/{stem}.html" if base_url else None
    svg = badge if badge is not None else badge_svg(doc)
    css, page_css = render_static("mblib.css"), static_text("credential_page.css")
    status, status_class = _status(checks, view.signed)
    html: str = (
        environment()
        .get_template("credential_page.html.j2")
        .render(
            v=view,
            checks=checks or [],
            status=status,
            status_class=status_class,
            published=(published or datetime.now(UTC)).astimezone(UTC),
            long_date=long_date,
            json_name=f"{stem}.json" if "json" in downloads else None,
            jwt_name=f"{stem}.jwt" if "jwt" in downloads else None,
            svg_name=f"{stem}.svg",
            badge_uri="data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
            linkedin=linkedin_url(
                name=view.name,
                organization=view.issuer,
                issued=view.issued,
                expires=view.expires,
                cert_url=cert_url,
                cert_id=view.id or None,
            ),
            cert_url=cert_url,
            css=css,
            page_css=page_css,
            csp=content_security_policy([], [css, page_css]),
        )
    )
    return html


def _read_plain(path: Path, command: str) -> bytes:
    """The bytes of a credential file: a plain file (no link) of bounded size."""
    where = Location(file=str(path))
    if path.is_symlink() or not path.is_file():
        raise ExportError(
            f"{path} is not a plain file (a link or a folder); credentials are read from plain files only",
            location=where,
            hint="copy the credential file into the folder instead of linking it",
        )
    size = path.stat().st_size
    if size > MAX_CREDENTIAL_BYTES:
        raise ExportError(
            f"{path} is {size:,} bytes; a credential file over {MAX_CREDENTIAL_BYTES:,} bytes is not read",
            location=where,
            hint=f"a credential is a few kilobytes: check that this is the file `{command}` wrote",
        )
    return path.read_bytes()


def read_credential_file(path: Path) -> tuple[dict[str, Any], bytes]:
    """One credential file: the document and its bytes (bounded size, JSON object, named errors)."""
    where = Location(file=str(path))
    data = _read_plain(path, "mb export badge")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ExportError(
            f"{path} is not UTF-8 text (byte {e.start})",
            location=where,
            hint="credentials are UTF-8 JSON: export them again with `mb export badge`",
        ) from None
    except json.JSONDecodeError as e:
        raise ExportError(
            f"{path}: not valid JSON ({e.msg})",
            location=Location(file=str(path), line=e.lineno, column=e.colno),
            hint="export the credential again with `mb export badge`",
        ) from None
    except RecursionError:
        raise ExportError(
            f"{path}: the JSON nests too deeply to be a credential",
            location=where,
            hint="export the credential again with `mb export badge`",
        ) from None
    return _credential(doc, path), data


def _credential(doc: Any, path: Path) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ExportError(
            f"{path}: a credential is a JSON object, this file holds a {type(doc).__name__}",
            location=Location(file=str(path)),
            hint="pass the folder of AchievementCredential files (credentials/<uuid>.json)",
        )
    types = doc.get("type")
    types = types if isinstance(types, list) else [types]
    if not {"OpenBadgeCredential", "AchievementCredential"} & {t for t in types if isinstance(t, str)}:
        raise ExportError(
            f"{path}: not an Open Badges credential (its type is {doc.get('type')!r})",
            location=Location(file=str(path), field="type"),
            hint="the type must include OpenBadgeCredential (or AchievementCredential)",
        )
    return doc


JWT_CLAIMS = frozenset({"iss", "jti", "sub", "nbf", "exp", "iat", "aud"})


def read_jwt_file(path: Path) -> tuple[dict[str, Any], str]:
    """One VC-JOSE credential file (a compact JWS, ``<uuid>.jwt``): the credential in its payload
    (the JWT claims left out; not verified here) and the token, as written."""
    from .signing import read_jwt

    where = Location(file=str(path))
    data = _read_plain(path, "mb export badge --sign --jwt")
    try:
        token = data.decode("ascii").strip()
        _header, payload, _input, _sig = read_jwt(token)
    except UnicodeDecodeError as e:
        raise ExportError(
            f"{path} is not a compact JWS (a non-ASCII byte at {e.start})",
            location=where,
            hint="export the credential again with `mb export badge --sign --jwt`",
        ) from None
    except ExportError as e:
        raise ExportError(
            f"{path}: {e.message}", location=where, hint="export it again with `mb export badge --sign --jwt`"
        ) from None
    inner = payload.get("vc") if isinstance(payload.get("vc"), dict) else None  # VC-JWT of VCDM 1.1 wraps it
    doc = inner if inner is not None else {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
    return _credential(doc, path), token


def read_display_names(path: str | Path) -> dict[str, str]:
    """Learner id -> display name from a CSV file with the columns ``learner_id`` and ``display_name``.

    Only the learners the issuer lists (with their consent) are named on their pages. Empty
    names are left out; a learner listed twice is an error naming both lines.
    """
    import csv
    import io

    path = Path(path)
    where = Location(file=str(path))
    hint = "write a UTF-8 CSV with the header learner_id,display_name and one learner per line"
    try:
        size = path.stat().st_size
        if size > MAX_NAMES_BYTES:
            raise ExportError(
                f"{path} is {size:,} bytes; a names file over {MAX_NAMES_BYTES:,} bytes is not read",
                location=where,
                hint=hint,
            )
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise ExportError(f"cannot read the names file {path}: {e.strerror or e}", location=where, hint=hint) from None
    except UnicodeDecodeError as e:
        raise ExportError(f"{path} is not UTF-8 text (byte {e.start})", location=where, hint=hint) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"learner_id", "display_name"} - set(reader.fieldnames or [])
    if missing:
        raise ExportError(f"{path} lacks the column(s) {sorted(missing)}", location=where, hint=hint)
    names: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row in reader:
        learner, name = (row.get("learner_id") or "").strip(), (row.get("display_name") or "").strip()
        if not learner or not name:
            continue
        if learner in names:
            raise ExportError(
                f"learner '{learner}' is listed twice (lines {lines[learner]} and {reader.line_num})",
                location=Location(file=str(path), line=reader.line_num, field="learner_id"),
                hint="keep one display name per learner",
            )
        names[learner], lines[learner] = name, reader.line_num
    return names


def _checks_for(verification: Verification, doc: dict[str, Any]) -> Sequence[Check] | None:
    if verification is None:
        return None
    if isinstance(verification, Mapping):
        return verification_checks(verification.get(str(doc.get("id"))))
    return verification_checks(verification(doc))


def write_credential_pages(
    credentials: str | Path,
    out: str | Path,
    *,
    verification: Verification = None,
    display_names: Mapping[str, str] | None = None,
    base_url: str | None = None,
    published: datetime | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> list[Path]:
    """Write a public page, a baked SVG badge and the raw JSON for every credential in ``credentials``.

    ``credentials``: a folder of AchievementCredential files (``*.json``), or an export of
    ``mb export badge`` (its ``credentials/`` subfolder is read). ``out``: the folder to write
    (e.g. ``<site>/credentials``); it is built aside and moved into place whole, and holds
    ``<uuid>.html``, ``<uuid>.svg`` and ``<uuid>.json`` per credential, named after the
    credential id (never the learner). ``verification``: a function ``doc -> checks`` (a
    report with ``.checks`` or a list of ``(name, ok, detail)``), or a mapping credential id ->
    checks; ``None``: pages say "not verified" (signed) or "unsigned". ``display_names``:
    learner id (or credential id, or identity hash) -> name to show; learners without one
    appear by their hashed identifier only. ``base_url``: the address ``out`` is published at.
    ``extra_files``: more files to write into ``out`` (relative path -> bytes), e.g. the status
    list the credentials name. A credential given as ``<uuid>.jwt`` (VC-JOSE) has its token
    baked into the badge and offered for download beside the page. Returns the pages written.
    """
    from .packaging import staged_folder

    src = Path(credentials)
    if (src / "credentials").is_dir():
        src = src / "credentials"
    if not src.is_dir():
        raise ExportError(
            f"credentials folder '{src}' does not exist",
            location=Location(file=str(src)),
            hint="export the credentials first: mb export badge CREDENTIAL EVENTS --out FOLDER",
        )
    files = sorted(p for p in src.iterdir() if p.suffix.lower() in (".json", ".jwt"))
    if not files:
        raise ExportError(
            f"no credential files (*.json, *.jwt) in '{src}'",
            location=Location(file=str(src)),
            hint="export the credentials first: mb export badge CREDENTIAL EVENTS --out FOLDER",
        )
    if base_url is not None and not base_url.lower().startswith(("https://", "http://")):
        raise ExportError(
            f"base URL '{base_url}' is not an http(s) address",
            location=Location(field="base_url"),
            hint="pass the public address of the pages' folder, e.g. https://example.org/credentials",
        )
    published = published or datetime.now(UTC)
    items: dict[str, tuple[Path, dict[str, Any], bytes | None]] = {}
    jwts: dict[str, tuple[Path, dict[str, Any], str]] = {}
    for path in files:
        is_jwt = path.suffix.lower() == ".jwt"
        doc, form = read_jwt_file(path) if is_jwt else read_credential_file(path)
        stem = credential_file_name(doc)[: -len(".json")]
        earlier = (jwts if is_jwt else items).get(stem)
        if earlier is not None:
            raise ExportError(
                f"{earlier[0].name} and {path.name} hold the same credential id ({doc.get('id')}); nothing was written",
                location=Location(file=str(path), field="id"),
                hint="remove the duplicate file",
            )
        if isinstance(form, str):
            jwts[stem] = (path, doc, form)
        else:
            items[stem] = (path, doc, form)
    for stem, (path, doc, _token) in jwts.items():
        items.setdefault(stem, (path, doc, None))  # a credential in its JWT form only
    target = Path(out)
    with staged_folder(target) as tmp:
        for stem, (_path, doc, data) in items.items():
            token = jwts[stem][2] if stem in jwts else None
            svg = badge_svg(doc, jwt=token)
            name = learner_display_name(doc, display_names)
            html = render_credential_page(
                doc,
                verification=_checks_for(verification, doc),
                display_name=name,
                stem=stem,
                base_url=base_url,
                published=published,
                badge=svg,
                downloads=[form for form, there in (("json", data), ("jwt", token)) if there is not None],
            )
            if data is not None:
                atomic_write(tmp / f"{stem}.json", data)
            if token is not None:
                atomic_write(tmp / f"{stem}.jwt", token.encode("ascii") + b"\n")
            atomic_write(tmp / f"{stem}.svg", svg.encode("utf-8"))
            atomic_write(tmp / f"{stem}.html", html.encode("utf-8"))
        for relative, content in (extra_files or {}).items():
            atomic_write(tmp / relative, content)
    return [target / f"{stem}.html" for stem in items]


__all__ = [
    "read_credential_file",
    "read_display_names",
    "read_jwt_file",
    "render_credential_page",
    "write_credential_pages",
]
