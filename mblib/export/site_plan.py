"""The data the credential site's next-step script (``static/site_plan.js``) plans from: the
credentials that stack with the site's credential, their modules (minutes, skills), prerequisites,
pathway order and the workspace's equivalences. Embedded in the index as JSON; the browser twin of
:func:`mblib.content.plan_next` reads it with the progress the pages keep.

>>> import pathlib
>>> from mblib.content import Workspace
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> g = plan_graph(ws, "data-storytelling")
>>> sorted(g["credentials"]), g["site"]
(['data-literacy-foundations', 'data-storytelling'], 'data-storytelling')
>>> stack_family(ws, "data-literacy-foundations")
['data-literacy-foundations', 'data-storytelling']
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..content.credit import check_equivalences, credential_skills

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace


def stack_family(workspace: Workspace, credential_id: str) -> list[str]:
    """``credential_id`` and every credential linked to it by ``requires_credentials`` (either way),
    foundations first (workspace order otherwise)."""
    creds = workspace.credentials
    family = {credential_id}
    changed = True
    while changed:
        changed = False
        for c in creds.values():
            linked = c.id in family or any(r in family for r in c.requires_credentials)
            if linked:
                new = {c.id, *(r for r in c.requires_credentials if r in creds)} - family
                if new:
                    family |= new
                    changed = True
    depth: dict[str, int] = {}

    def level(cid: str, seen: frozenset[str] = frozenset()) -> int:
        if cid not in depth:
            reqs = [r for r in creds[cid].requires_credentials if r in creds and r not in seen]
            depth[cid] = 1 + max((level(r, seen | {cid}) for r in reqs), default=-1)
        return depth[cid]

    return sorted(family, key=lambda c: (level(c), c))


def plan_graph(workspace: Workspace, credential_id: str, pages: dict[str, str] | None = None) -> dict[str, Any]:
    """The planning data of the site of ``credential_id``; ``pages`` maps module id -> page href."""
    family = stack_family(workspace, credential_id)
    module_ids: list[str] = []
    credentials: dict[str, Any] = {}
    for cid in family:
        c = workspace.credentials[cid]
        try:
            pathway = c.pathway()
        except ValueError:
            pathway = c.module_ids()
        credentials[cid] = {
            "id": cid,
            "title": c.title,
            "required": list(c.required),
            "electives": [
                {"id": g.id, "title": g.title, "choose": g.choose, "modules": list(g.modules)} for g in c.electives
            ],
            "prerequisites": {m: list(p) for m, p in c.prerequisites.items()},
            "requires_credentials": list(c.requires_credentials),
            "module_ids": c.module_ids(),
            "pathway": pathway,
            "skills": sorted(credential_skills(c, workspace.modules)),
            "cycle": c.prerequisite_cycle(),
        }
        module_ids.extend(m for m in c.module_ids() if m not in module_ids)
    equivalent = check_equivalences(workspace)
    for group in equivalent:
        module_ids.extend(m for m in group if m not in module_ids)
    duration = workspace.settings.duration
    modules = {
        m: {
            "title": workspace.modules[m].title,
            "minutes": workspace.modules[m].estimate_duration(duration).minutes,
            "skills": list(workspace.modules[m].skills),
        }
        for m in module_ids
        if m in workspace.modules
    }
    return {
        "site": credential_id,
        "credentials": credentials,
        "modules": modules,
        "equivalent": equivalent,
        "pages": dict(pages or {}),
    }


def plan_graph_json(graph: dict[str, Any]) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``<``, ``>`` or ``&`` left raw)."""
    text = json.dumps(graph, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


__all__ = ["plan_graph", "plan_graph_json", "stack_family"]
