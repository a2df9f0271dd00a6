"""A credential's pathway as data: modules with their durations, prerequisite edges, total workload.

Charts draw from this data (:func:`mblib.widgets.charts.pathway_chart`); nothing here draws.

>>> import pathlib
>>> from mblib.content import Workspace
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> g = pathway_graph(ws.credential("data-storytelling"), ws)
>>> [(n.id, n.layer) for n in g.nodes]
[('choosing-the-right-chart', 0), ('writing-chart-titles-that-inform', 1), ('presenting-to-decision-makers', 2)]
>>> [(e.source, e.target) for e in g.edges][0]
('choosing-the-right-chart', 'writing-chart-titles-that-inform')
>>> print(credential_workload(ws.credential("data-storytelling"), ws))
0.3 h of learning (3 required modules: 18 min); declared: 2.0 h
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .credential import Credential

if TYPE_CHECKING:  # pragma: no cover
    # what a pathway reads of a workspace (modules, settings): the protocol, so that lint rules can
    # use this module without an import cycle through the workspace
    from .lint_core import LintTarget as Workspace


@dataclass(frozen=True)
class PathwayNode:
    """One module of a credential: its place in the pathway and its estimated duration."""

    id: str
    title: str
    minutes: float
    role: str  # "required", or the id of the elective group it belongs to
    layer: int  # longest chain of prerequisites before it (0: none)
    row: int  # position within its layer
    missing: bool = False  # named by the credential but not in the workspace


@dataclass(frozen=True)
class PathwayEdge:
    """``source`` must be passed before ``target``."""

    source: str
    target: str


@dataclass(frozen=True)
class PathwayGraph:
    """The prerequisite graph of a credential, ready to draw."""

    credential_id: str
    nodes: list[PathwayNode]
    edges: list[PathwayEdge]

    def node(self, module_id: str) -> PathwayNode:
        for n in self.nodes:
            if n.id == module_id:
                return n
        raise KeyError(f"pathway of '{self.credential_id}' has no module '{module_id}'")

    def node_rows(self) -> list[dict[str, Any]]:
        """One plain row per node (for a chart or a table)."""
        return [
            {
                "id": n.id,
                "title": n.title,
                "minutes": round(n.minutes, 1),
                "role": n.role,
                "layer": n.layer,
                "row": n.row,
                "missing": n.missing,
            }
            for n in self.nodes
        ]

    def edge_rows(self) -> list[dict[str, Any]]:
        """One row per edge with both ends' positions (for drawing lines)."""
        pos = {n.id: n for n in self.nodes}
        return [
            {
                "source": e.source,
                "target": e.target,
                "x": pos[e.source].layer,
                "y": pos[e.source].row,
                "x2": pos[e.target].layer,
                "y2": pos[e.target].row,
            }
            for e in self.edges
        ]


def _minutes(workspace: Workspace | None, module_id: str) -> tuple[str, float, bool]:
    if workspace is None or module_id not in workspace.modules:
        return module_id, 0.0, True
    m = workspace.modules[module_id]
    return m.title, m.estimate_duration(workspace.settings.duration).minutes, False


def pathway_graph(credential: Credential, workspace: Workspace | None = None) -> PathwayGraph:
    """Nodes (modules with durations, layered by prerequisites) and edges of a credential.

    Prerequisites outside the credential are left out; a cycle does not raise here (lint
    reports it): the edge that closes it is dropped from the layering.
    """
    order = credential.module_ids()
    members = set(order)
    roles = dict.fromkeys(credential.required, "required")
    for g in credential.electives:
        for m in g.modules:
            roles.setdefault(m, g.id)
    deps = {m: [p for p in credential.prerequisites.get(m, []) if p in members and p != m] for m in order}
    layer: dict[str, int] = {}

    def depth(m: str, visiting: frozenset[str]) -> int:
        if m in layer:
            return layer[m]
        d = max((depth(p, visiting | {m}) + 1 for p in deps[m] if p not in visiting | {m}), default=0)
        layer[m] = d
        return d

    for m in order:
        depth(m, frozenset())
    try:
        ranked = credential.pathway()
    except ValueError:
        ranked = order
    rows: dict[int, int] = {}
    nodes = []
    for m in sorted(order, key=lambda m: (layer[m], ranked.index(m))):
        title, minutes, missing = _minutes(workspace, m)
        row = rows.get(layer[m], 0)
        rows[layer[m]] = row + 1
        nodes.append(PathwayNode(m, title, minutes, roles[m], layer[m], row, missing))
    edges = [PathwayEdge(p, m) for m in order for p in deps[m]]
    return PathwayGraph(credential.id, nodes, edges)


@dataclass(frozen=True)
class CredentialWorkload:
    """Estimated learning time of a credential: required modules plus the cheapest and dearest electives."""

    required_minutes: float
    required_count: int
    elective_min_minutes: float = 0.0
    elective_max_minutes: float = 0.0
    elective_count: int = 0  # modules a learner picks
    declared_hours: float | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def min_hours(self) -> float:
        return (self.required_minutes + self.elective_min_minutes) / 60.0

    @property
    def max_hours(self) -> float:
        return (self.required_minutes + self.elective_max_minutes) / 60.0

    def __str__(self) -> str:
        span = (
            f"{self.min_hours:.1f} h"
            if abs(self.max_hours - self.min_hours) < 0.05
            else f"{self.min_hours:.1f}-{self.max_hours:.1f} h"
        )
        parts = [
            f"{self.required_count} required module{'s' if self.required_count != 1 else ''}: "
            f"{self.required_minutes:.0f} min"
        ]
        if self.elective_count:
            parts.append(
                f"{self.elective_count} elective{'s' if self.elective_count != 1 else ''}: "
                f"{self.elective_min_minutes:.0f}-{self.elective_max_minutes:.0f} min"
            )
        text = f"{span} of learning ({', '.join(parts)})"
        if self.declared_hours is not None:
            text += f"; declared: {self.declared_hours:.1f} h"
        if self.missing:
            text += f"; not in the workspace: {', '.join(self.missing)}"
        return text


def credential_workload(credential: Credential, workspace: Workspace | None = None) -> CredentialWorkload:
    """Total estimated workload: every required module, plus ``choose`` modules of each elective group
    (the shortest ones for the minimum, the longest ones for the maximum)."""
    missing: list[str] = []

    def minutes(m: str) -> float:
        _, mins, gone = _minutes(workspace, m)
        if gone and m not in missing:
            missing.append(m)
        return mins

    required = sum(minutes(m) for m in credential.required)
    lo = hi = 0.0
    picked = 0
    for g in credential.electives:
        options = sorted(minutes(m) for m in g.modules if m not in credential.required)
        n = min(g.choose, len(options))
        picked += n
        lo += sum(options[:n])
        hi += sum(options[len(options) - n :]) if n else 0.0
    declared = credential.european.workload.hours if credential.european.workload else None
    return CredentialWorkload(required, len(credential.required), lo, hi, picked, declared, missing)


__all__ = ["CredentialWorkload", "PathwayEdge", "PathwayGraph", "PathwayNode", "credential_workload", "pathway_graph"]
