"""The site's next-step script (static/site_plan.js) follows the same rules as plan_next: parity in
node on several learner states, then the index in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mblib.content import Credential, LearnerState, Workspace, plan_next
from mblib.export.site_plan import plan_graph, plan_graph_json
from tests.test_planner import SAMPLE, mod, space

SCRIPT = Path(__file__).resolve().parents[2] / "mblib" / "export" / "static" / "site_plan.js"
RUNNER = """
const api = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.cases.map(c => {
  try { return api.plan(input.graph, c.state, c.goals, c.prefer); } catch (e) { return {error: e.message}; }
});
process.stdout.write(JSON.stringify(out));
"""


def run_js(graph: dict[str, Any], cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    r = subprocess.run(
        [node, "-e", RUNNER, str(SCRIPT)],
        input=json.dumps({"graph": graph, "cases": cases}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(r.stdout)


def python_side(ws: Any, case: dict[str, Any]) -> dict[str, Any]:
    st = case["state"]
    state = LearnerState.of(
        st.get("modules_passed", []), st.get("credentials_held", []), st.get("skills_evidenced", [])
    )
    try:
        plan = plan_next(ws, state, case["goals"], prefer_skills=case.get("prefer", []))
    except Exception as e:  # noqa: BLE001 - compared with the browser's message
        return {"error": str(getattr(e, "message", e))}
    return plan.as_dict()


def same(py: dict[str, Any], js: dict[str, Any]) -> None:
    if "error" in py:
        assert js.get("error", "").startswith(py["error"].split(":")[0]), (py, js)
        return
    assert [(s["module_id"], s["reason"], s["credentials"]) for s in py["steps"]] == [
        (s["module_id"], s["reason"], s["credentials"]) for s in js["steps"]
    ]
    assert [(s["module_id"], s["reason"]) for s in py["credited"]] == [
        (s["module_id"], s["reason"]) for s in js["credited"]
    ]
    assert py["remaining_minutes"] == pytest.approx(js["remaining_minutes"], abs=0.06)
    assert py["credentials"] == js["credentials"]


SAMPLE_CASES = [
    {"state": {}, "goals": ["data-storytelling"]},
    {
        "state": {"modules_passed": ["reading-bar-charts", "line-charts-over-time"]},
        "goals": ["data-literacy-foundations"],
    },
    {"state": {"modules_passed": ["samples-and-surveys"]}, "goals": ["data-literacy-foundations"]},
    {"state": {"credentials_held": ["data-literacy-foundations"]}, "goals": ["data-storytelling"]},
    {
        "state": {"skills_evidenced": ["data-literacy.charts", "data-literacy.statistics"]},
        "goals": ["data-storytelling"],
    },
    {"state": {}, "goals": ["data-literacy-foundations", "data-storytelling"]},
    {"state": {}, "goals": ["nope"]},
]


def test_browser_planner_matches_python_on_the_sample() -> None:
    ws = Workspace.open(SAMPLE)
    graph = plan_graph(ws, "data-literacy-foundations")
    for case, js in zip(SAMPLE_CASES, run_js(graph, SAMPLE_CASES), strict=True):
        same(python_side(ws, case), js)


def test_browser_planner_matches_python_on_electives_equivalences_and_sharing() -> None:
    mods = [mod("a", 400), mod("b", 200, ["x"]), mod("c", 200, ["y"]), mod("pre", 1000), mod("d", 100), mod("q", 50)]
    mods += [mod("a-old", 100), mod("s", 300)]
    c1 = Credential(
        id="c1",
        title="C1",
        required=["a", "s"],
        electives=[
            {"id": "g", "choose": 1, "modules": ["d", "b", "c"]},
            {"id": "g2", "title": "G two", "choose": 1, "modules": ["pre", "q"]},
        ],
        prerequisites={"d": ["pre"], "a": ["s"]},
    )
    c2 = Credential(
        id="c2", title="C2", required=["b"], electives=[{"id": "h", "choose": 2, "modules": ["q", "s", "c"]}]
    )
    c3 = Credential(id="c3", title="C3", required=["c"], requires_credentials=["c1"])
    ws = space(mods, c1, c2, c3, equivalent=[["a", "a-old"]])
    cases = [
        {"state": {}, "goals": ["c1"]},
        {"state": {}, "goals": ["c1"], "prefer": ["y"]},
        {"state": {"modules_passed": ["pre"]}, "goals": ["c1"]},
        {"state": {"modules_passed": ["a-old"]}, "goals": ["c3"]},
        {"state": {}, "goals": ["c1", "c2"]},
        {"state": {"credentials_held": ["c1"]}, "goals": ["c3", "c2"]},
    ]
    graph = plan_graph(ws, "c1")  # type: ignore[arg-type]
    graph["credentials"]["c2"] = plan_graph(ws, "c2")["credentials"]["c2"]  # type: ignore[arg-type]
    for case, js in zip(cases, run_js(graph, cases), strict=True):
        same(python_side(ws, case), js)


def test_embedded_json_cannot_close_its_script_element() -> None:
    text = plan_graph_json({"title": "</script><script>alert(1)</script> & more"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["title"].startswith("</script>")


@pytest.fixture(scope="module")
def plan_site(export_ws, tmp_path_factory):
    from mblib.export.site import export_site

    return export_site(
        export_ws, "data-literacy-foundations", tmp_path_factory.mktemp("plan-site") / "dlf", execute=False
    )


@pytest.mark.browser
def test_index_recommends_the_next_module_after_two_passed(page, plan_site, export_ws) -> None:
    from .conftest import answer_quizzes

    base = plan_site.as_uri()
    page.goto(f"{base}/index.html")
    next_link = page.locator(".mb-next-step .mb-next-module")  # the title; .mb-next-link opens it
    assert next_link.get_attribute("data-module-id") == "reading-bar-charts"
    for mid in ("reading-bar-charts", "line-charts-over-time"):
        page.goto(f"{base}/{mid}.html")
        answer_quizzes(page, export_ws.module(mid))
        assert page.locator(".mb-score-text").first.text_content().startswith("Score: 100%")
    page.goto(f"{base}/index.html")
    page.reload()
    state = {"modules_passed": ["reading-bar-charts", "line-charts-over-time"]}
    want = plan_next(export_ws, LearnerState.of(state["modules_passed"]), "data-literacy-foundations")
    assert next_link.get_attribute("data-module-id") == want.next.module_id == "mean-median-and-outliers"
    assert page.locator(".mb-next-link").get_attribute("href") == "mean-median-and-outliers.html"
    text = page.locator(".mb-next-step").text_content()
    assert f"{len(want.steps)} modules and about {round(want.remaining_minutes)} min left" in text
    # the goal picker offers the credential stacked on this one; the plan grows, the next step stays
    page.select_option("#mb-goal", "data-storytelling")
    stacked = plan_next(export_ws, LearnerState.of(state["modules_passed"]), "data-storytelling")
    assert f"{len(stacked.steps)} modules and about {round(stacked.remaining_minutes)} min left" in (
        page.locator(".mb-next-step").text_content()
    )
    page.reload()  # the chosen goal is kept
    assert page.locator("#mb-goal").input_value() == "data-storytelling"
    assert page.errors == [] and page.blocked == []
