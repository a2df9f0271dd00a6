"""PathwayPlanner driven programmatically: a learner of an events dataset or a hypothetical state,
goals, the plan and the pathway chart coloured by done / next / remaining."""

from __future__ import annotations

from pathlib import Path

import pytest

from mblib.content import Workspace, plan_next
from mblib.widgets.charts import PLAN_STATES, pathway_chart
from mblib.widgets.planner import HYPOTHETICAL, PathwayPlanner

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(SAMPLE)


@pytest.fixture(scope="module")
def events(ws):
    from mblib.analytics.synth import synthesise

    return synthesise(ws, learners=40, seed=2).events.lazy()


def test_hypothetical_state_goal_and_chart(ws) -> None:
    p = PathwayPlanner(ws)
    p.goals.value = ("data-literacy-foundations",)
    p.passed.value = ("reading-bar-charts", "line-charts-over-time")
    assert p.plan is not None and p.plan.next.module_id == "mean-median-and-outliers"
    summary = p.summary.value
    assert "Next: Mean, median and outliers" in summary and "credited: passed" in summary
    assert p.states() == {
        "reading-bar-charts": "done",
        "line-charts-over-time": "done",
        "mean-median-and-outliers": "next",
        "percentages-and-percentage-points": "remaining",
        "spotting-misleading-charts": "remaining",
        "correlation-is-not-causation": "remaining",
    }
    svg = p.chart.value
    assert svg.count("<svg") == 1 and PLAN_STATES["next"] in svg and PLAN_STATES["not needed"] in svg
    p.prefer.value = ("data-literacy.numeracy",)  # no effect here: the two electives teach other skills
    assert p.plan.next.module_id == "mean-median-and-outliers"


def test_learner_from_events_matches_the_library(ws, events) -> None:
    from mblib.analytics.pathways import learner_state

    p = PathwayPlanner(ws, events, chart=False)
    learner = next(i for i in p.learner.options[1:] if learner_state(events, i).modules_passed)
    p.learner.value = learner
    p.goals.value = ("data-storytelling",)
    want = plan_next(ws, learner_state(events, learner), "data-storytelling")
    assert [s.module_id for s in p.plan.steps] == [s.module_id for s in want.steps]
    assert p.chart.value == ""  # chart=False


def test_errors_are_shown_and_the_widget_keeps_working(ws) -> None:
    p = PathwayPlanner(ws, chart=False)
    p.goals.value = ()
    assert p.plan is None and "no goal credential given" in p.summary.value
    p.goals.value = ("data-storytelling",)
    assert p.plan is not None and p.learner.value == HYPOTHETICAL
    p.held.value = ("data-storytelling",)
    assert "Nothing left for data-storytelling" in p.summary.value


def test_pathway_chart_without_states_is_unchanged(ws) -> None:
    from mblib.content.pathway import pathway_graph

    def circles(chart):
        return next(layer for layer in chart["layer"] if layer["mark"]["type"] == "circle")

    chart = pathway_chart(pathway_graph(ws.credential("data-storytelling"), ws)).to_dict()
    assert circles(chart)["encoding"]["color"]["field"] == "kind"  # required / elective, the shared palette
    states = {"choosing-the-right-chart": "done"}
    chart = pathway_chart(pathway_graph(ws.credential("data-storytelling"), ws), states=states).to_dict()
    assert circles(chart)["encoding"]["color"]["field"] == "state"
    values = circles(chart)["data"]["values"]
    assert {v["id"]: v["state"] for v in values}["writing-chart-titles-that-inform"] == "not needed"
