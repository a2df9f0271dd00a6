"""Content -> HTML: one standalone, offline, accessible page per module.

Jinja2 templates (``templates/``) and static CSS/JS (``static/``) are shared
with the exporters; Markdown is sanitised before it reaches HTML.
"""

from .markdown import sanitize_html, to_html, to_inline_html
from .page import Page, content_security_policy, environment, render_module, render_workspace, write_module_page

__all__ = [
    "Page",
    "content_security_policy",
    "environment",
    "render_module",
    "render_workspace",
    "sanitize_html",
    "to_html",
    "to_inline_html",
    "write_module_page",
]
