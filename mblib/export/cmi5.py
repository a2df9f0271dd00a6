"""cmi5 course packages: ``cmi5.xml`` (course structure) plus one AU page per module.

Every module is an assignable unit (AU). ``moveOn`` is ``CompletedAndPassed``
for modules with quizzes (``masteryScore`` = the pass mark) and ``Completed``
for modules without. The AU page is the renderer's page with an adapter that
follows the cmi5 launch sequence (see ``static/cmi5.js``). The page's CSP
opens ``connect-src`` for the LRS; the default allows ``'self'`` and any
``https:`` endpoint, since the LMS names the endpoint only at launch.

>>> from mblib.content import Module
>>> xml = cmi5_course_structure("https://x.example/c", "C", "", [Module(id="m", title="M", pass_mark=0.75,
...     blocks=[{"id": "q", "type": "quiz", "question": "?", "choices": [{"id": "a", "text": "A", "correct": True}]}])])
>>> 'moveOn="CompletedAndPassed" masteryScore="0.75"' in xml
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from ..content.yamlio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.workspace import Workspace

NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
DEFAULT_CONNECT = "'self' https:"


def activity_base(workspace: Workspace) -> str:
    """The IRI all course and AU ids start with: the issuer's URL, else a ``urn:``."""
    issuer = workspace.settings.issuer
    if issuer is not None and issuer.url:
        return str(issuer.url).rstrip("/") + "/xapi"
    return "urn:mblib:" + workspace.root.name


def _text(tag: str, value: str, lang: str, indent: str) -> str:
    return f"{indent}<{tag}>\n{indent}  <langstring lang={quoteattr(lang)}>{escape(value)}</langstring>\n{indent}</{tag}>\n"


def cmi5_course_structure(
    course_id: str,
    title: str,
    description: str,
    modules: list[Module],
    *,
    au_base: str | None = None,
    language: str = "en",
) -> str:
    """The ``cmi5.xml`` text: the course and one AU per module (url: ``<module-id>.html``)."""
    au_base = au_base or course_id
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<courseStructure xmlns="{NAMESPACE}">\n',
        f"  <course id={quoteattr(course_id)}>\n",
        _text("title", title, language, "    "),
        _text("description", description or title, language, "    "),
        "  </course>\n",
    ]
    for m in modules:
        if m.quizzes:
            move = f'moveOn="CompletedAndPassed" masteryScore="{m.pass_mark:g}"'
        else:
            move = 'moveOn="Completed"'
        parts += [
            f'  <au id={quoteattr(au_base + "/modules/" + m.id)} {move} launchMethod="AnyWindow">\n',
            _text("title", m.title, m.language, "    "),
            _text("description", m.summary or m.title, m.language, "    "),
            f"    <url>{escape(m.id)}.html</url>\n",
            "  </au>\n",
        ]
    parts.append("</courseStructure>\n")
    return "".join(parts)


def export_cmi5(
    workspace: Workspace,
    item_id: str,
    out_file: str | Path,
    *,
    execute: bool = True,
    workers: int | None = None,
    connect_src: str = DEFAULT_CONNECT,
    echo: Callable[[str], None] | None = None,
) -> Path:
    """Write the cmi5 package (zip) of a credential or a module to ``out_file``, atomically."""
    from .packaging import zip_build_folder, zip_folder
    from .scorm import package_units, write_lms_pages
    from .site import static_text
    from .state import executed_modules

    package_id, title, order, _prereq, _version = package_units(workspace, item_id)
    modules, _h, _ran = executed_modules(workspace, order, execute=execute, workers=workers, echo=echo)
    if item_id in workspace.credentials:
        cred = workspace.credentials[item_id]
        description, language = cred.summary, cred.language
        course_id = f"{activity_base(workspace)}/credentials/{package_id}"
    else:
        description, language = modules[package_id].summary, modules[package_id].language
        course_id = f"{activity_base(workspace)}/courses/{package_id}"
    xml = cmi5_course_structure(
        course_id, title, description, [modules[m] for m in order], au_base=activity_base(workspace), language=language
    )
    out_file = Path(out_file)
    with zip_build_folder(out_file) as tmp:
        write_lms_pages(tmp, workspace, [modules[m] for m in order], static_text("cmi5.js"), connect_src=connect_src)
        atomic_write(tmp / "cmi5.xml", xml.encode("utf-8"))
        zip_folder(tmp, out_file)
    return out_file


__all__ = ["DEFAULT_CONNECT", "activity_base", "cmi5_course_structure", "export_cmi5"]
