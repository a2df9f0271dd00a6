"""Charts drawn from data the library computed (altair imported only when a chart is drawn).

>>> import pathlib
>>> from mblib.content import Workspace
>>> from mblib.content.pathway import pathway_graph
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> chart = pathway_chart(pathway_graph(ws.credential("data-storytelling"), ws))
>>> [layer.mark.type for layer in chart.layer]
['rule', 'point', 'circle', 'text', 'text']
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from ..content.pathway import PathwayGraph
from ..errors import MissingDependencyError
from ..render.palette import ROLE_COLORS, ROLE_LABELS, role_kind

#: Circle areas in px² (vega-lite ``size``) for 0 minutes and for the longest module.
SIZE_RANGE = (80, 900)
#: Arrow heads: their area in px², and the gap in px between a circle's edge and an edge's ends.
_HEAD_SIZE = 90
_GAP = 2.0
#: The name of the white halo drawn under the node labels (an edge crossing a label never hides it).
HALO_NAME = "pathway_halo"


def _altair() -> Any:
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - the widgets extra brings it
        raise MissingDependencyError.for_extra("altair", "widgets", "the pathway chart") from None
    return alt


def node_radius(minutes: float, longest: float) -> float:
    """The radius in px of a node's circle (vega draws a circle of area ``size`` with radius
    ``sqrt(size) / 2``), its outline included.

    >>> node_radius(0, 60), node_radius(60, 60)
    (4.97..., 15.5)
    """
    lo, hi = SIZE_RANGE
    top = max(longest, 1.0)  # the size scale's domain is [0, top], clamped
    size = lo + (hi - lo) * min(max(minutes, 0.0), top) / top
    return math.sqrt(size) / 2 + 0.5


def _label_depth(node: Mapping[str, Any]) -> float:
    """Pixels below a node's centre its label reaches (``dy`` 19, about 12 px a line of 10 px text)."""
    return 19.0 + 12.0 * (str(node.get("label", "")).count("\n") + 1)


def _waypoints(
    e: Mapping[str, Any],
    nodes: list[dict[str, Any]],
    radius: Mapping[str, float],
    px_y: float,
    rows: int,
) -> list[tuple[float, float]]:
    """Where an edge bends to pass a third node's circle and label: in each column it crosses where
    a node (circle to label bottom) is in its way, it goes through the nearest free gap between rows."""

    def blocks(n: Mapping[str, Any], y: float) -> bool:
        return bool(n["row"] - (radius[n["id"]] + 2 * _GAP) / px_y < y < n["row"] + _label_depth(n) / px_y)

    out: list[tuple[float, float]] = []
    (x0, y0), (x1, y1) = (e["x"], e["y"]), (e["x2"], e["y2"])
    for col in range(int(x0) + 1, int(x1)):
        here = [n for n in nodes if n["layer"] == col and n["id"] not in (e["source"], e["target"])]
        y = y0 + (y1 - y0) * (col - x0) / (x1 - x0)
        if not any(blocks(n, y) for n in here):
            continue
        deepest = max((_label_depth(n) for n in nodes), default=31.0) / px_y
        lanes = [((k - 1) + deepest + k - (15.5 + _GAP) / px_y) / 2 for k in range(rows + 1)]
        free = [lane for lane in lanes if -0.4 < lane < rows - 0.2 and not any(blocks(n, lane) for n in here)]
        if free:
            out.append((float(col), min(free, key=lambda lane: abs(lane - y))))
    return out


def _routed(
    edges: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    radius: Mapping[str, float],
    px: tuple[float, float],
    rows: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each edge as straight segments from its source circle's edge to an arrow head whose tip touches
    its target circle's edge (neither end inside a circle nor under its own arrow), bending around
    third nodes in the columns it crosses (:func:`_waypoints`); and the arrow heads (angles in screen
    space). Edges between touching circles are not drawn."""
    px_x, px_y = px
    lines, heads = [], []
    tip = math.sqrt(_HEAD_SIZE) / 2 * math.sqrt(3) / 2  # centre to tip of vega's triangle-up
    for e in edges:
        pts = [(float(e["x"]), float(e["y"])), *_waypoints(e, nodes, radius, px_y, rows), (e["x2"], e["y2"])]

        def unit(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float, float]:
            dx, dy = (b[0] - a[0]) * px_x, (b[1] - a[1]) * px_y  # y grows downwards on screen
            length = math.hypot(dx, dy)
            return (dx / length, dy / length, length) if length else (0.0, 0.0, 0.0)

        start, head = radius[e["source"]] + _GAP, radius[e["target"]] + _GAP + tip
        (sx, sy, first), (ux, uy, last) = unit(pts[0], pts[1]), unit(pts[-2], pts[-1])
        if first <= start + (0 if len(pts) > 2 else head + tip) or last <= head + tip:
            continue
        pts[0] = (pts[0][0] + sx * start / px_x, pts[0][1] + sy * start / px_y)
        pts[-1] = (pts[-1][0] - ux * head / px_x, pts[-1][1] - uy * head / px_y)
        for a, b in zip(pts, pts[1:], strict=False):
            lines.append({"source": e["source"], "target": e["target"], "x": a[0], "y": a[1], "x2": b[0], "y2": b[1]})
        heads.append({"ax": pts[-1][0], "ay": pts[-1][1], "angle": (math.degrees(math.atan2(uy, ux)) + 90) % 360})
    return lines, heads


def pathway_chart(graph: PathwayGraph, *, width: int = 560, states: Mapping[str, str] | None = None) -> Any:
    """The prerequisite graph as an altair chart: one circle per module (area: its duration, colour:
    required or elective from :mod:`mblib.render.palette`), columns by prerequisite depth, arrows from
    each prerequisite to the module it opens, running from circle edge to circle edge. Labels wrap to
    their column so they never run together and sit on a white halo (layer :data:`HALO_NAME`), so an
    edge crossing one never makes it unreadable; drawn as SVG by :func:`chart_svg`, the chart scales
    to the width of its container.

    ``states`` (module id -> done / next / remaining / not needed) colours the modules by a
    learner's plan instead of by role (:class:`mblib.widgets.planner.PathwayPlanner`)."""
    alt = _altair()
    nodes = graph.node_rows()
    if states is not None:
        nodes = _with_states(nodes, states)
    layers = max((n["layer"] for n in nodes), default=0) + 1
    rows = max((n["row"] for n in nodes), default=0) + 1
    height = max(150, 110 * rows)
    px_x, px_y = width / layers, height / (rows + 0.2)
    chars = max(8, int(px_x * 0.85 / 6))  # 10 px text is about 6 px per character
    for n in nodes:
        text = n["title"] if not n["missing"] else f"{n['id']} (missing)"
        lines = textwrap.wrap(text, chars) or [""]
        if len(lines) > 3:
            lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), chars, placeholder="…")]
        n["label"] = "\n".join([*lines, f"{n['minutes']:.0f} min"])
        n["kind"] = ROLE_LABELS[role_kind(n["role"], missing=bool(n["missing"]))]
    kinds = [k for k in ROLE_COLORS if any(n["kind"] == ROLE_LABELS[k] for n in nodes)] or ["required"]
    color_scale = alt.Scale(domain=[ROLE_LABELS[k] for k in kinds], range=[ROLE_COLORS[k] for k in kinds])
    x_scale = alt.Scale(domain=[-0.5, layers - 0.5])
    y_scale = alt.Scale(domain=[rows - 0.2, -0.4])
    x_axis = alt.Axis(title="prerequisite depth", tickMinStep=1, format="d", values=list(range(layers)))
    x = alt.X("layer:Q", axis=x_axis, scale=x_scale)
    y = alt.Y("row:Q", axis=None, scale=y_scale)
    longest = max((float(n["minutes"]) for n in nodes), default=1.0)
    radius = {n["id"]: node_radius(float(n["minutes"]), longest) for n in nodes}
    edge_rows, heads = _routed(graph.edge_rows(), nodes, radius, (px_x, px_y), rows)
    edges = (
        alt.Chart(alt.Data(values=edge_rows or [{"x": 0, "y": 0, "x2": 0, "y2": 0}]))
        .mark_rule(color="#666", strokeWidth=1.5, opacity=1 if edge_rows else 0)
        .encode(
            x=alt.X("x:Q", axis=x_axis, scale=x_scale),
            y=alt.Y("y:Q", axis=None, scale=y_scale),
            x2=alt.X2("x2:Q"),
            y2=alt.Y2("y2:Q"),
        )
    )
    arrows = (
        alt.Chart(alt.Data(values=heads or [{"ax": 0, "ay": 0, "angle": 0}]))
        .mark_point(shape="triangle-up", filled=True, color="#666", size=90, opacity=1 if heads else 0)
        .encode(
            x=alt.X("ax:Q", axis=x_axis, scale=x_scale),
            y=alt.Y("ay:Q", axis=None, scale=y_scale),
            angle=alt.Angle("angle:Q", scale=None),
        )
    )
    points = (
        alt.Chart(alt.Data(values=nodes))
        .mark_circle(opacity=0.95, stroke="#222")
        .encode(
            x=x,
            y=y,
            size=alt.Size(
                "minutes:Q",
                title="minutes",
                scale=alt.Scale(domain=[0, max(longest, 1.0)], range=list(SIZE_RANGE), clamp=True),
                legend=None,
            ),
            color=(
                alt.Color("kind:N", title="module", scale=color_scale, legend=alt.Legend(orient="bottom"))
                if states is None
                else _state_color(alt)
            ),
            tooltip=[alt.Tooltip("title:N"), alt.Tooltip("minutes:Q"), alt.Tooltip("kind:N", title="module")]
            + ([alt.Tooltip("state:N", title="plan")] if states is not None else []),
        )
    )
    text = {"align": "center", "baseline": "top", "dy": 19, "fontSize": 10, "lineBreak": "\n"}
    halo = (
        alt.Chart(alt.Data(values=nodes), name=HALO_NAME)
        .mark_text(**text, color="white", stroke="white", strokeWidth=4, strokeJoin="round", aria=False)
        .encode(x=x, y=y, text=alt.Text("label:N"))
    )
    labels = alt.Chart(alt.Data(values=nodes)).mark_text(**text).encode(x=x, y=y, text=alt.Text("label:N"))
    return alt.layer(
        edges,
        arrows,
        points,
        halo,
        labels,
        width=width,
        height=height,
        title=f"Pathway of {graph.credential_id}",
        description=f"Prerequisite graph of credential {graph.credential_id}: modules by depth, sized by duration",
    )


#: A learner's plan on the pathway chart: state -> colour (colour-blind-safe, with a legend).
PLAN_STATES = {"done": "#1b7837", "next": "#e66101", "remaining": "#5e3c99", "not needed": "#bbbbbb"}


def _with_states(nodes: list[dict[str, Any]], states: Mapping[str, str]) -> list[dict[str, Any]]:
    for n in nodes:
        n["state"] = states.get(n["id"], "not needed")
    return nodes


def _state_color(alt: Any) -> Any:
    return alt.Color(
        "state:N",
        title="plan",
        scale=alt.Scale(domain=list(PLAN_STATES), range=list(PLAN_STATES.values())),
        legend=alt.Legend(orient="bottom"),
    )


def chart_svg(chart: Any, *, fit: bool = True) -> str:
    """An altair chart as SVG text, rendered offline by vl-convert. With ``fit`` the SVG keeps its
    ``viewBox`` and takes the width of its container (never wider than drawn)."""
    alt = _altair()
    try:
        import vl_convert as vlc
    except ImportError:  # pragma: no cover
        raise MissingDependencyError.for_extra("vl-convert-python", "widgets", "drawing charts offline") from None
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    svg: str = vlc.vegalite_to_svg(chart.to_dict(), vl_version=version)
    if fit:
        m = re.match(r'(<svg\b[^>]*?)\swidth="([\d.]+)"\sheight="([\d.]+)"', svg)
        if m:
            w, h = m.group(2), m.group(3)
            svg = (
                f'{m.group(1)} width="100%" preserveAspectRatio="xMinYMin meet" '
                f'style="max-width:{w}px;height:auto;display:block"' + svg[m.end() :]
            )
            if "viewBox" not in svg[: svg.index(">")]:
                svg = svg.replace("<svg", f'<svg viewBox="0 0 {w} {h}"', 1)
    return svg


__all__ = ["HALO_NAME", "PLAN_STATES", "SIZE_RANGE", "chart_svg", "node_radius", "pathway_chart"]
