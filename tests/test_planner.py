"""The pathway planner (mblib.content.planner) and credit for prior learning (mblib.content.credit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mblib.content import Credential, LearnerState, Module, PlanError, Settings, Workspace, plan_next
from mblib.content.credit import credited_modules
from mblib.errors import SettingsError

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample-workspace"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(SAMPLE)


def mod(mid: str, words: int, skills: list[str] | None = None) -> Module:
    """A module of about ``words`` / 200 minutes."""
    return Module(
        id=mid, title=mid.upper(), skills=skills or [], blocks=[{"id": "t", "type": "text", "body": "w " * words}]
    )


@dataclass
class FakeSpace:
    modules: dict[str, Module]
    credentials: dict[str, Credential]
    settings: Settings = field(default_factory=Settings)


def space(modules: list[Module], *creds: Credential, equivalent: list[list[str]] | None = None) -> FakeSpace:
    settings = Settings.from_data({"pathways": {"equivalent": equivalent or []}}, "mblib.toml")
    return FakeSpace({m.id: m for m in modules}, {c.id: c for c in creds}, settings)


def test_sample_next_step_respects_prerequisites(ws: Workspace) -> None:
    plan = plan_next(ws, LearnerState.of(modules_passed=["reading-bar-charts"]), "data-literacy-foundations")
    ids = [s.module_id for s in plan.steps]
    assert ids[0] == "line-charts-over-time"
    assert "reading-bar-charts" not in ids
    assert [(s.module_id, s.reason) for s in plan.credited] == [("reading-bar-charts", "credited: passed")]
    cred = ws.credential("data-literacy-foundations")
    for i, m in enumerate(ids):
        assert all(ids.index(p) < i for p in cred.prerequisites.get(m, []) if p in ids)
    # one elective of the group: the cheaper one
    assert [s.module_id for s in plan.steps if s.reason == "cheapest elective of Reasoning with evidence"] == [
        "correlation-is-not-causation"
    ]
    assert plan.remaining_minutes == pytest.approx(sum(s.minutes for s in plan.steps))
    assert plan.remaining_minutes < 40


def test_stacked_credential_is_planned_as_a_whole(ws: Workspace) -> None:
    plan = plan_next(ws, None, "data-storytelling")
    assert plan.credentials == ("data-literacy-foundations", "data-storytelling")
    ids = [s.module_id for s in plan.steps]
    assert ids.index("spotting-misleading-charts") < ids.index("choosing-the-right-chart")
    assert "stacks on data-literacy-foundations" in str(plan)
    held = plan_next(ws, LearnerState.of(credentials_held=["data-literacy-foundations"]), "data-storytelling")
    assert [s.module_id for s in held.steps] == [
        "choosing-the-right-chart",
        "writing-chart-titles-that-inform",
        "presenting-to-decision-makers",
    ]
    assert plan_next(ws, LearnerState.of(credentials_held=["data-storytelling"]), "data-storytelling").steps == ()


def test_held_credential_credits_its_modules_and_skills(ws: Workspace) -> None:
    credit = credited_modules(ws, LearnerState.of(credentials_held=["data-literacy-foundations"]))
    assert credit["reading-bar-charts"] == "credited: part of held credential data-literacy-foundations"
    assert credit["samples-and-surveys"].startswith("credited: skills data-literacy.critical-evaluation")
    assert "choosing-the-right-chart" not in credit


def test_skills_evidenced_elsewhere_credit_a_module(ws: Workspace) -> None:
    state = LearnerState.of(skills_evidenced=["data-literacy.charts"])
    plan = plan_next(ws, state, "data-literacy-foundations")
    assert ("reading-bar-charts", "credited: skills data-literacy.charts evidenced") in [
        (s.module_id, s.reason) for s in plan.credited
    ]
    assert "line-charts-over-time" in [s.module_id for s in plan.steps]  # needs data-literacy.trends too


def test_elective_choice_counts_missing_prerequisites_and_prefers_wanted_skills() -> None:
    mods = [mod("a", 400), mod("b", 200, ["x"]), mod("c", 200, ["y"]), mod("pre", 1000), mod("d", 100), mod("q", 50)]
    c = Credential(
        id="c",
        title="C",
        required=["a"],
        electives=[
            {"id": "g", "choose": 1, "modules": ["d", "b", "c"]},
            {"id": "g2", "choose": 1, "modules": ["pre", "q"]},
        ],
        prerequisites={"d": ["pre"]},
    )
    ws = space(mods, c)
    plan = plan_next(ws, None, "c")  # d is shortest alone but needs 'pre'; b and c tie: listed order
    assert [s.module_id for s in plan.steps] == ["a", "b", "q"]
    plan = plan_next(ws, None, "c", prefer_skills=["y"])
    assert [(s.module_id, s.reason) for s in plan.steps] == [
        ("a", "required"),
        ("c", "cheapest elective of g"),
        ("q", "cheapest elective of g2"),
    ]
    plan = plan_next(ws, LearnerState.of(modules_passed=["pre"]), "c")
    assert [s.module_id for s in plan.steps] == ["a", "d"]
    assert plan.electives[1].counted == ("pre",)


def test_do_first_reason_for_prerequisites_of_electives() -> None:
    mods = [mod("a", 100), mod("pre", 100), mod("e", 100), mod("f", 2000)]
    c = Credential(
        id="c",
        title="C",
        required=["a"],
        electives=[{"id": "g", "title": "G", "choose": 1, "modules": ["pre", "e", "f"]}],
        prerequisites={"a": ["e"]},
    )
    plan = plan_next(space(mods, c), None, "c")
    # 'e' is needed for 'a' anyway, so it fills the elective group at no extra cost
    assert [(s.module_id, s.reason) for s in plan.steps] == [("e", "cheapest elective of G"), ("a", "required")]


def test_several_goals_share_modules() -> None:
    mods = [mod("s", 100), mod("a", 100), mod("b", 100), mod("x", 300), mod("y", 100)]
    c1 = Credential(id="c1", title="C1", required=["s", "a"])
    c2 = Credential(
        id="c2", title="C2", required=["b"], electives=[{"id": "g", "choose": 1, "modules": ["x", "s", "y"]}]
    )
    plan = plan_next(space(mods, c1, c2), None, ["c1", "c2"])
    assert [s.module_id for s in plan.steps] == ["s", "a", "b"]
    assert plan.steps[0].credentials == ("c1", "c2")
    assert plan.electives[0].counted == ("s",)


def test_workspace_equivalences_credit_modules() -> None:
    mods = [mod("a", 100), mod("a-old", 100), mod("b", 100)]
    c = Credential(id="c", title="C", required=["a", "b"])
    plan = plan_next(space(mods, c, equivalent=[["a", "a-old"]]), LearnerState.of(["a-old"]), "c")
    assert [s.module_id for s in plan.steps] == ["b"]
    assert plan.credited[0].reason == "credited: equivalent to a-old (passed)"


def test_equivalence_naming_an_unknown_module_is_an_error() -> None:
    ws = space([mod("a", 100)], Credential(id="c", title="C", required=["a"]), equivalent=[["a", "zz"]])
    with pytest.raises(PlanError, match=r"\[pathways\] equivalent\[0\] names module 'zz', which is not in"):
        plan_next(ws, None, "c")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[pathways]\nequivalent = [["a"]]\n', "equivalent[0] = ['a'] needs at least two different module ids"),
        (
            '[pathways]\nequivalent = [["a", "Not An Id"]]\n',
            "equivalent[0] names 'Not An Id', which is not a module id",
        ),
        ("[pathways]\nequivalent = 3\n", "pathways.equivalent"),
    ],
)
def test_equivalence_settings_are_validated(toml: str, message: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_toml_text(toml, "mblib.toml")
    assert message in str(err.value)


def test_prerequisite_cycle_is_named() -> None:
    c = Credential(id="c", title="C", required=["a", "b"], prerequisites={"a": ["b"], "b": ["a"]})
    with pytest.raises(
        PlanError, match=r"credential 'c' cannot be completed: prerequisite cycle (a -> b -> a|b -> a -> b)"
    ):
        plan_next(space([mod("a", 10), mod("b", 10)], c), None, "c")


def test_cycle_across_credentials_is_named() -> None:
    c1 = Credential(id="c1", title="C1", required=["a", "b"], prerequisites={"a": ["b"]})
    c2 = Credential(id="c2", title="C2", required=["a", "b"], prerequisites={"b": ["a"]})
    with pytest.raises(PlanError, match="together order modules in a cycle"):
        plan_next(space([mod("a", 10), mod("b", 10)], c1, c2), None, ["c1", "c2"])


def test_impossible_elective_group_says_why() -> None:
    c = Credential(id="c", title="C", required=["a"], electives=[{"id": "g", "choose": 2, "modules": ["a", "b"]}])
    with pytest.raises(PlanError, match="elective group 'g' asks for 2 module\\(s\\) but only 1 can be taken"):
        plan_next(space([mod("a", 10), mod("b", 10)], c), None, "c")


def test_missing_required_module_says_why() -> None:
    c = Credential(id="c", title="C", required=["ghost"])
    with pytest.raises(PlanError, match="required module 'ghost' is not in the workspace"):
        plan_next(space([], c), None, "c")


def test_unknown_goal_and_stacking_cycle() -> None:
    a = Credential(id="a", title="A", required=["m"], requires_credentials=["b"])
    b = Credential(id="b", title="B", required=["m"], requires_credentials=["a"])
    ws = space([mod("m", 10)], a, b)
    with pytest.raises(PlanError, match="unknown credential 'nope'"):
        plan_next(ws, None, "nope")
    with pytest.raises(PlanError, match="stack on each other in a cycle: a -> b -> a"):
        plan_next(ws, None, "a")
    with pytest.raises(PlanError, match="no goal credential given"):
        plan_next(ws, None, [])


def test_plan_many_shares_plans_between_learners_in_one_state(ws: Workspace) -> None:
    from mblib.content import plan_many

    states = [LearnerState(), LearnerState.of(["reading-bar-charts"]), LearnerState()]
    plans = plan_many(ws, states, "data-literacy-foundations")
    assert plans[0] is plans[2] and plans[1] == plan_next(ws, states[1], "data-literacy-foundations")
    with pytest.raises(PlanError, match="unknown credential 'nope'"):
        plan_many(ws, states, ["nope"])


def test_a_hostile_chain_of_prerequisites_is_an_error_not_a_crash() -> None:
    n = 3000
    mods = [mod(f"m{i}", 10) for i in range(n)]
    c = Credential(
        id="c",
        title="C",
        required=[f"m{n - 1}"],
        electives=[{"id": "g", "choose": n - 1, "modules": [f"m{i}" for i in range(n - 1)]}],
        prerequisites={f"m{i}": [f"m{i - 1}"] for i in range(1, n)},
    )
    with pytest.raises(PlanError, match="chains too long to plan"):
        plan_next(space(mods, c), None, "c")
