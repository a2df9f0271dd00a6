"""Module -> one standalone, offline HTML page.

The page inlines its CSS and JavaScript (allowed by hash in a strict
Content-Security-Policy), embeds media as ``data:`` URIs up to a size limit
(bigger files are returned as assets to write beside the page), and renders
every block through ``templates/blocks/<type>.html.j2``, so a new block type
needs one template and nothing else here.

>>> from mblib.content import Module
>>> page = render_module(Module(id="m", title="Hello", blocks=[{"id": "t", "type": "text", "body": "Hi"}]))
>>> "Content-Security-Policy" in page.html and 'data-block-id="t"' in page.html
True
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, RenderError
from .markdown import sanitize_html, to_html, to_inline_html

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.settings import Settings
    from ..content.workspace import Workspace

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
EMBED_LIMIT = 8 * 1024 * 1024  # media up to this size is embedded in the page

_MIME_FALLBACK = {
    ".vtt": "text/vtt",
    ".webm": "video/webm",
    ".svg": "image/svg+xml",
    ".mp4": "video/mp4",
    ".webp": "image/webp",
}


@dataclass
class Page:
    """A rendered page: its HTML and the files to write beside it (path relative to the page -> bytes)."""

    html: str
    assets: dict[str, bytes] = field(default_factory=dict)
    missing_media: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment shared by the page renderer and the exporters."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = lambda s, offset=1: _markup(to_html(s, heading_offset=offset))
    env.filters["md_inline"] = lambda s: _markup(to_inline_html(s))
    from jinja2 import pass_context

    env.globals["fallback"] = pass_context(_fallback_impl)
    env.filters["sanitize"] = lambda s: _markup(sanitize_html(s))
    env.filters["b64"] = lambda s: base64.b64encode(s.encode("utf-8")).decode()
    return env


def _fallback_impl(ctx: Any, key: str, text: str) -> Any:
    """Plain text, escaped; marked as source-language fallback when ``key`` is untranslated."""
    from markupsafe import Markup, escape

    if key in ctx.get("untranslated", ()):
        return Markup('<span lang="{}" class="mb-fallback">{}</span>').format(ctx.get("source_language", "en"), text)
    return escape(text)


def _markup(html: str) -> Any:
    from markupsafe import Markup

    return Markup(html)


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(
    scripts: list[str], styles: list[str], *, media_self: bool = False, connect: str = "'none'"
) -> str:
    """A strict CSP: nothing loads from the network; inline code runs only by hash."""
    media = "data: 'self'" if media_self else "data:"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + (" ".join(csp_hash(s) for s in scripts) or "'none'"),
            "style-src " + (" ".join(csp_hash(s) for s in styles) or "'none'"),
            f"img-src {media}",
            f"media-src {media}",
            "font-src data:",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        ]
    )


class _Media:
    """Resolves media paths of a workspace to data: URIs or assets."""

    def __init__(self, workspace: Workspace | None, embed_limit: int):
        self.workspace = workspace
        self.embed_limit = embed_limit
        self.assets: dict[str, bytes] = {}
        self.missing: list[str] = []
        self.self_hosted = False

    def url(self, src: str | None) -> str:
        if not src:
            return ""
        if self.workspace is None:
            self.missing.append(src)
            return ""
        root = self.workspace.root.resolve()
        path = (root / src).resolve()
        if root not in path.parents:
            raise RenderError(
                f"media path '{src}' points outside the workspace",
                location=Location(field="src"),
                hint="keep media files under media/",
            )
        if not path.is_file():
            self.missing.append(src)
            return ""
        data = path.read_bytes()
        mime = mimetypes.guess_type(path.name)[0] or _MIME_FALLBACK.get(path.suffix.lower(), "application/octet-stream")
        if path.suffix.lower() in _MIME_FALLBACK:
            mime = _MIME_FALLBACK[path.suffix.lower()]
        if len(data) <= self.embed_limit:
            return f"data:{mime};base64,{base64.b64encode(data).decode()}"
        rel = (
            "media/" + path.relative_to(root / "media").as_posix()
            if (root / "media") in path.parents
            else "media/" + path.name
        )
        self.assets[rel] = data
        self.self_hosted = True
        return rel


def render_module(
    module: Module,
    workspace: Workspace | None = None,
    *,
    settings: Settings | None = None,
    language: str | None = None,
    embed_limit: int = EMBED_LIMIT,
    nav: Mapping[str, Any] | None = None,
    scripts: Sequence[str] = (),
    styles: Sequence[str] = (),
    connect_src: str = "'none'",
    untranslated: Collection[str] = (),
    source_language: str | None = None,
) -> Page:
    """Render one module to a standalone page.

    ``language`` sets the page's ``lang`` (default: the module's). ``nav`` may hold
    ``previous``/``next``/``index`` links (``{"href": ..., "title": ...}``) for sites, and
    ``languages`` (``[{"href", "lang", "label", "current"}]``) for a language switcher.
    ``untranslated`` lists ``block/field`` keys of plain-text fields (titles, alt text) that show
    ``source_language`` text in a translated page; they are marked like Markdown fallbacks.
    Exporters add inline ``scripts`` (run after the page's own script, e.g. an LMS adapter)
    and ``styles``; each is allowed by its hash in the CSP. ``connect_src`` opens the CSP's
    ``connect-src`` (e.g. to an xAPI endpoint); by default the page may connect nowhere.
    """
    from ..content.settings import Settings

    settings = settings or (workspace.settings if workspace else Settings())
    media = _Media(workspace, embed_limit)
    est = module.estimate_duration(settings.duration)
    css = static_text("mblib.css")
    js = static_text("mblib.js")
    env = environment()
    quizzes = [b for b in module.blocks if b.type == "quiz"]
    ctx = {
        "module": module,
        "lang": language or module.language,
        "minutes": max(1, round(est.minutes)),
        "media": media,
        "css": css,
        "js": js,
        "nav": dict(nav or {}),
        "quiz_count": len(quizzes),
        "total_weight": sum(q.weight for q in quizzes),
        "scripts": list(scripts),
        "styles": list(styles),
        "untranslated": frozenset(untranslated),
        "source_language": source_language or (workspace.settings.workspace.source_language if workspace else "en"),
    }
    for code in (*scripts, *styles):
        if re.search(r"</(script|style)", code, re.I):
            raise RenderError(
                "an extra script or style contains a closing </script> or </style> tag",
                location=Location(module_id=module.id),
                hint="escape it as <\\/script>",
            )
    body = env.get_template("module.html.j2").render(**ctx, csp="__CSP__")
    csp = content_security_policy([js, *scripts], [css, *styles], media_self=media.self_hosted, connect=connect_src)
    html = body.replace("__CSP__", csp, 1)
    _check_no_remote(html, module.id)
    return Page(html=html, assets=dict(media.assets), missing_media=list(media.missing))


_REMOTE = re.compile(
    r"""<(?:script|link|img|video|audio|source|track|iframe)\b[^>]*\s(?:src|href)=["']?(?:https?:)?//""", re.I
)


def _check_no_remote(html: str, module_id: str) -> None:
    m = _REMOTE.search(html)
    if m:
        raise RenderError(
            f"module '{module_id}' would load a remote resource: {m.group(0)[:80]}",
            location=Location(module_id=module_id),
            hint="put the file under media/ and refer to it by its relative path",
        )


def write_module_page(module: Module, out_dir: str | Path, workspace: Workspace | None = None, **kw: Any) -> Path:
    """Render a module to ``out_dir/<module-id>.html`` (plus any large media beside it), atomically."""
    from ..content.yamlio import atomic_write

    out = Path(out_dir)
    page = render_module(module, workspace, **kw)
    for rel, data in page.assets.items():
        atomic_write(out / rel, data)
    target = out / f"{module.id}.html"
    atomic_write(target, page.html.encode("utf-8"))
    return target


def render_workspace(workspace: Workspace, out_dir: str | Path) -> list[Path]:
    """Render every module of a workspace plus an ``index.html`` that links them by credential."""
    from ..content.yamlio import atomic_write

    out = Path(out_dir)
    written = [write_module_page(m, out, workspace) for m in workspace.modules.values()]
    atomic_write(out / "index.html", render_index(workspace).encode("utf-8"))
    return [*written, out / "index.html"]


def render_index(workspace: Workspace) -> str:
    """The ``index.html`` of a folder of module pages (``<module-id>.html``), grouped by credential."""
    css = static_text("mblib.css")
    creds = []
    listed: set[str] = set()
    for c in workspace.credentials.values():
        try:
            order = c.pathway()
        except ValueError:
            order = c.module_ids()
        mods = [workspace.modules[m] for m in order if m in workspace.modules]
        listed.update(m.id for m in mods)
        creds.append({"credential": c, "modules": mods})
    others = [m for m in workspace.modules.values() if m.id not in listed]
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            title=workspace.settings.workspace.title,
            credentials=creds,
            others=others,
            css=css,
            lang=workspace.settings.workspace.source_language,
            minutes={
                m.id: max(1, round(m.estimate_duration(workspace.settings.duration).minutes))
                for m in workspace.modules.values()
            },
            csp=content_security_policy([], [css]),
        )
    )


__all__ = [
    "Page",
    "content_security_policy",
    "environment",
    "render_index",
    "render_module",
    "render_workspace",
    "write_module_page",
]
