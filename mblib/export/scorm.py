"""SCORM 1.2 packages: one SCO per module, for a module or a whole credential.

Each SCO is the module's page (the renderer's, unchanged) with an adapter
script that finds the LMS API and reports ``cmi.core.lesson_status``,
``cmi.core.score.raw/min/max`` and ``cmi.core.session_time``, commits and
finishes. A credential package lists its modules in pathway order, with
``adlcp:prerequisites`` from the credential's prerequisites and
``adlcp:masteryscore`` from each module's pass mark.

>>> from mblib.content import Module
>>> quiz = {"id": "q", "type": "quiz", "question": "?", "choices": [{"id": "a", "text": "A", "correct": True}]}
>>> xml = scorm_manifest("demo", "Demo", [Module(id="m", title="M", pass_mark=0.7, blocks=[quiz])], {"m": ["m.html"]})
>>> "<adlcp:masteryscore>70</adlcp:masteryscore>" in xml
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from ..content.yamlio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.workspace import Workspace

NS_SCHEMA_LOCATION = (
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd"
)


def xml_id(prefix: str, value: str) -> str:
    """An ``xs:ID`` (NCName) from a prefix and an mblib id."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9_.-]", "_", value)


def scorm_manifest(
    package_id: str,
    title: str,
    modules: list[Module],
    files: Mapping[str, list[str]],
    *,
    prerequisites: Mapping[str, list[str]] | None = None,
    version: str = "1.0.0",
) -> str:
    """The ``imsmanifest.xml`` of a SCORM 1.2 package (``files``: module id -> its files, page first)."""
    prerequisites = prerequisites or {}
    ids = {m.id for m in modules}
    items, resources = [], []
    for m in modules:
        pre = [xml_id("item", p) for p in prerequisites.get(m.id, []) if p in ids]
        items.append(
            f'      <item identifier="{xml_id("item", m.id)}" identifierref="{xml_id("res", m.id)}" isvisible="true">\n'
            f"        <title>{escape(m.title)}</title>\n"
            + (
                f'        <adlcp:prerequisites type="aicc_script">{escape("&".join(pre))}</adlcp:prerequisites>\n'
                if pre
                else ""
            )
            + (f"        <adlcp:masteryscore>{round(m.pass_mark * 100)}</adlcp:masteryscore>\n" if m.quizzes else "")
            + "      </item>"
        )
        page, *rest = files[m.id]
        resources.append(
            f'    <resource identifier="{xml_id("res", m.id)}" type="webcontent" adlcp:scormtype="sco" '
            f"href={quoteattr(page)}>\n"
            + "".join(f"      <file href={quoteattr(f)}/>\n" for f in [page, *rest])
            + "    </resource>"
        )
    org = xml_id("org", package_id)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="{xml_id("mblib", package_id)}" version={quoteattr(version)} '
        'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NS_SCHEMA_LOCATION}">\n'
        "  <metadata>\n    <schema>ADL SCORM</schema>\n    <schemaversion>1.2</schemaversion>\n  </metadata>\n"
        f'  <organizations default="{org}">\n'
        f'    <organization identifier="{org}">\n'
        f"      <title>{escape(title)}</title>\n" + "\n".join(items) + "\n"
        "    </organization>\n  </organizations>\n  <resources>\n" + "\n".join(resources) + "\n"
        "  </resources>\n</manifest>\n"
    )


def write_lms_pages(
    folder: Path, workspace: Workspace, modules: Iterable[Module], script: str, *, connect_src: str = "'none'"
) -> dict[str, list[str]]:
    """Render each module with an LMS adapter script into ``folder``; returns module id -> files written."""
    from ..render.page import render_module

    files: dict[str, list[str]] = {}
    for m in modules:
        page = render_module(m, workspace, scripts=[script], connect_src=connect_src)
        atomic_write(folder / f"{m.id}.html", page.html.encode("utf-8"))
        for rel, data in page.assets.items():
            atomic_write(folder / rel, data)
        files[m.id] = [f"{m.id}.html", *sorted(page.assets)]
    return files


def package_units(workspace: Workspace, item_id: str) -> tuple[str, str, list[str], dict[str, list[str]], str]:
    """(package id, title, module ids in order, prerequisites, version) of a credential or a module."""
    if item_id in workspace.credentials:
        cred = workspace.credentials[item_id]
        try:
            order = cred.pathway()
        except ValueError:
            order = cred.module_ids()
        return cred.id, cred.title, [m for m in order if m in workspace.modules], dict(cred.prerequisites), cred.version
    module = workspace.module(item_id)  # NotFoundError names the known ids
    return module.id, module.title, [module.id], {}, module.version


def export_scorm(
    workspace: Workspace,
    item_id: str,
    out_file: str | Path,
    *,
    execute: bool = True,
    workers: int | None = None,
    echo: Callable[[str], None] | None = None,
) -> Path:
    """Write the SCORM 1.2 package (zip) of a credential or a module to ``out_file``, atomically."""
    from .packaging import zip_build_folder, zip_folder
    from .site import static_text
    from .state import executed_modules

    package_id, title, order, prereq, version = package_units(workspace, item_id)
    modules, _h, _ran = executed_modules(workspace, order, execute=execute, workers=workers, echo=echo)
    out_file = Path(out_file)
    with zip_build_folder(out_file) as tmp:
        files = write_lms_pages(tmp, workspace, [modules[m] for m in order], static_text("scorm12.js"))
        manifest = scorm_manifest(
            package_id, title, [modules[m] for m in order], files, prerequisites=prereq, version=version
        )
        atomic_write(tmp / "imsmanifest.xml", manifest.encode("utf-8"))
        zip_folder(tmp, out_file)  # written aside and renamed over the old package: never half a zip
    return out_file


__all__ = ["export_scorm", "package_units", "scorm_manifest", "write_lms_pages", "xml_id"]
