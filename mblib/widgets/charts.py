"""Charts drawn from data the library computed (altair imported only when a chart is drawn).

>>> import pathlib
>>> from mblib.content import Workspace
>>> from mblib.content.pathway import pathway_graph
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> chart = pathway_chart(pathway_graph(ws.credential("data-storytelling"), ws))
>>> [layer.mark.type for layer in chart.layer]
['rule', 'circle', 'text']
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from ..content.pathway import PathwayGraph
from ..errors import MissingDependencyError


def _altair() -> Any:
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - the widgets extra brings it
        raise MissingDependencyError.for_extra("altair", "widgets", "the pathway chart") from None
    return alt


def pathway_chart(graph: PathwayGraph, *, width: int = 560, states: Mapping[str, str] | None = None) -> Any:
    """The prerequisite graph as an altair chart: one circle per module (area: its duration),
    columns by prerequisite depth, lines from each prerequisite to the module it opens.

    ``states`` (module id -> done / next / remaining / not needed) colours the modules by a
    learner's plan instead of by role (:class:`mblib.widgets.planner.PathwayPlanner`)."""
    alt = _altair()
    nodes = graph.node_rows()
    if states is not None:
        nodes = _with_states(nodes, states)
    for n in nodes:
        text = n["title"] if not n["missing"] else f"{n['id']} (missing)"
        n["label"] = "\n".join(textwrap.wrap(text, 20)[:3] + [f"{n['minutes']:.0f} min"])
    rows = max((n["row"] for n in nodes), default=0) + 1
    x_axis = alt.Axis(title="prerequisite depth", tickMinStep=1, format="d")
    x_scale = alt.Scale(domain=[-0.5, max((n["layer"] for n in nodes), default=0) + 0.5])
    y_scale = alt.Scale(domain=[rows - 0.2, -0.4])
    x = alt.X("layer:Q", axis=x_axis, scale=x_scale)
    y = alt.Y("row:Q", axis=None, scale=y_scale)
    edges = (
        alt.Chart(alt.Data(values=graph.edge_rows() or [{"x": 0, "y": 0, "x2": 0, "y2": 0}]))
        .mark_rule(color="#888", strokeWidth=1.5, opacity=1 if graph.edges else 0)
        .encode(
            x=alt.X("x:Q", axis=x_axis, scale=x_scale), y=alt.Y("y:Q", axis=None, scale=y_scale), x2="x2:Q", y2="y2:Q"
        )
    )
    points = (
        alt.Chart(alt.Data(values=nodes))
        .mark_circle(opacity=0.9, stroke="#333")
        .encode(
            x=x,
            y=y,
            size=alt.Size("minutes:Q", title="minutes", scale=alt.Scale(range=[80, 900])),
            color=alt.Color("role:N", title="role") if states is None else _state_color(alt),
            tooltip=[alt.Tooltip("title:N"), alt.Tooltip("minutes:Q"), alt.Tooltip("role:N")]
            + ([alt.Tooltip("state:N")] if states is not None else []),
        )
    )
    labels = (
        alt.Chart(alt.Data(values=nodes))
        .mark_text(align="center", baseline="top", dy=16, fontSize=10, lineBreak="\n")
        .encode(x=x, y=y, text="label:N")
    )
    return alt.layer(edges, points, labels).properties(
        width=width,
        height=max(140, 95 * rows),
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
    )


def chart_svg(chart: Any) -> str:
    """An altair chart as SVG text, rendered offline by vl-convert."""
    alt = _altair()
    try:
        import vl_convert as vlc
    except ImportError:  # pragma: no cover
        raise MissingDependencyError.for_extra("vl-convert-python", "widgets", "drawing charts offline") from None
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return vlc.vegalite_to_svg(chart.to_dict(), vl_version=version)


__all__ = ["PLAN_STATES", "chart_svg", "pathway_chart"]
