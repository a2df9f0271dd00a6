"""``mb pathway``: the plan for a learner of the synthetic cohort (and its Python twin)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.content import Workspace, plan_next

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample-workspace"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cohort")
    r = invoke("synth", "-w", str(SAMPLE), "--learners", "120", "-o", str(out))
    assert r.exit_code == 0, r.output
    return out


def test_plan_for_a_learner_of_the_synthetic_cohort_matches_the_python_twin(cohort: Path) -> None:
    from mblib.analytics.backends import scan_events
    from mblib.analytics.pathways import learner_goals, learner_state

    events = scan_events(cohort)
    import polars as pl

    ids = (
        events.to_native()
        .filter((pl.col("verb").cast(pl.String) == "passed") & (pl.col("credential_id") == "data-literacy-foundations"))
        .group_by("learner_id")
        .len()
        .filter(pl.col("len").is_between(1, 4))
        .sort("learner_id")
        .collect()["learner_id"]
        .to_list()
    )
    learner = ids[0]
    state = learner_state(events, learner)
    assert state.modules_passed
    plan = plan_next(Workspace.open(SAMPLE), state, "data-storytelling")
    r = invoke("pathway", learner, "--goal", "data-storytelling", "-d", str(cohort), "-w", str(SAMPLE))
    assert r.exit_code == 0, r.output
    assert f"Plan for data-storytelling (stacks on data-literacy-foundations): {len(plan.steps)} modules" in r.output
    assert f"Next: {plan.next.title} ({plan.next.module_id})" in r.output
    for m in state.modules_passed:
        assert f"  - {m}: credited: passed" in r.output
    r = invoke("pathway", learner, "-d", str(cohort), "-w", str(SAMPLE), "--json")
    data = json.loads(r.output)
    assert data["goals"] == learner_goals(events, learner) or data["goals"] == ["data-literacy-foundations"]
    assert [s["module_id"] for s in data["steps"]][0] == plan.next.module_id


def test_hypothetical_learner_and_errors(cohort: Path) -> None:
    r = invoke(
        "pathway", "-", "--passed", "reading-bar-charts", "--goal", "data-literacy-foundations", "-w", str(SAMPLE)
    )
    assert r.exit_code == 0 and "Next: Line charts over time (line-charts-over-time), 5 min" in r.output
    r = CliRunner().invoke(main, ["pathway", "-", "--goal", "nope", "-w", str(SAMPLE)])
    assert r.exit_code == 2 and "unknown credential 'nope'" in r.output
    r = CliRunner().invoke(
        main, ["pathway", "L999999", "-d", str(cohort), "-w", str(SAMPLE), "--goal", "data-storytelling"]
    )
    assert r.exit_code == 2 and "learner 'L999999' has no enrolled, passed or earned event" in r.output
    r = CliRunner().invoke(main, ["pathway", "-", "-w", str(SAMPLE)])
    assert r.exit_code == 2 and "no goal for learner '-'" in r.output


def test_learner_states_in_one_pass_match_one_learner_at_a_time(cohort: Path) -> None:
    from mblib.analytics.backends import scan_events
    from mblib.analytics.pathways import learner_state, learner_states

    events = scan_events(cohort)
    states = learner_states(events)
    assert len(states) > 20
    for lid in sorted(states)[:15]:
        assert states[lid] == learner_state(events, lid)
