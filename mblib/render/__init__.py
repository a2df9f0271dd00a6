"""Content -> HTML: one standalone, offline, accessible page per module.

Jinja2 templates (``templates/``) and static CSS/JS (``static/``) are shared
with the exporters; Markdown is sanitised before it reaches HTML.
"""

from .markdown import sanitize_html, to_html, to_inline_html, to_plain_text
from .page import Page, content_security_policy, environment, render_module, render_workspace, write_module_page
from .palette import ROLE_COLORS, palette_css, role_kind

__all__ = [
    "ROLE_COLORS",
    "Page",
    "content_security_policy",
    "environment",
    "palette_css",
    "render_module",
    "render_workspace",
    "role_kind",
    "sanitize_html",
    "to_html",
    "to_inline_html",
    "to_plain_text",
    "write_module_page",
]
