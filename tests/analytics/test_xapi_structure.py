"""infer_structure: a workspace for a course not authored in mblib, from Open edX and Moodle statements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mblib.analytics.backends import collect
from mblib.analytics.metrics import credential_outcomes, credential_uptake, pathway_funnel
from mblib.analytics.readers import read_xapi
from mblib.analytics.readers import structure as structure_mod
from mblib.analytics.readers.activities import load_activities
from mblib.analytics.readers.structure import infer_structure
from mblib.analytics.validation import ReaderError
from mblib.content import Workspace, validate_workspace

ADL = "http://adlnet.gov/expapi/verbs/"
LMS = "http://localhost:18000"
COURSE = {
    "id": LMS + "/course/course-v1:edX+DemoX+Demo_Course",
    "objectType": "Activity",
    "definition": {"name": {"en-US": "Demonstration Course"}, "type": "http://adlnet.gov/expapi/activities/course"},
}
PROBLEM = LMS + "/xblock/block-v1:edX+DemoX+Demo_Course+type@problem+block@3fc5461f86764ad7bdbdf6cbdde61e66"
VIDEO = "block-v1:course-v1:edX+DemoX+Demo_Course+type@video+block@0b9e39477cf34507a7a48f74be381fdd"


def _st(n: int, learner: str, verb: str, obj: dict[str, Any], ctx: dict[str, Any] | None = None, **kw: Any):
    s: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "actor": {"objectType": "Agent", "account": {"homePage": LMS, "name": learner}},
        "verb": {"id": verb},
        "object": {"objectType": "Activity", **obj},
        "timestamp": f"2025-03-{1 + n // 40:02d}T10:{n % 60:02d}:00Z",
        **kw,
    }
    if ctx:
        s["context"] = ctx
    return s


def openedx_cohort() -> list[dict[str, Any]]:
    """Four learners on the Open edX demo course, shaped like event-routing-backends' output."""
    parent = {"contextActivities": {"parent": [COURSE]}}
    problem = {
        "id": PROBLEM,
        "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "choice"},
    }
    video = {
        "id": VIDEO,
        "definition": {"type": "https://w3id.org/xapi/video/activity-type/video", "name": {"en": "Welcome video"}},
    }
    out, n = [], 0
    for i in range(4):
        who = f"learner-{i}"
        steps = [
            (ADL + "registered", {"id": COURSE["id"], "definition": COURSE["definition"]}, None, {}),
            (ADL + "initialized", video, parent, {}),  # load_video: the only launch Open edX sends
            ("https://w3id.org/xapi/video/verbs/played", video, parent, {}),
            (ADL + "completed", video, parent, {"result": {"completion": True}}),
            (
                "https://w3id.org/xapi/acrossx/verbs/evaluated",
                problem,
                parent,
                {"result": {"success": i < 2, "score": {"scaled": 1.0 if i < 2 else 0.0}, "response": "a"}},
            ),
            ("https://w3id.org/xapi/acrossx/verbs/posted", {"id": LMS + "/api/discussion/v1/threads/1"}, parent, {}),
        ]
        if i < 2:
            steps.append((ADL + "passed", {"id": COURSE["id"], "definition": COURSE["definition"]}, None, {}))
        for verb, obj, ctx, kw in steps:
            n += 1
            out.append(_st(n, who, verb, obj, ctx, **kw))
    return out


MO = "http://www.example.org"
MO_COURSE = {
    "id": MO + "/course/view.php?id=1",
    "definition": {"type": "http://id.tincanapi.com/activitytype/lms/course", "name": {"en": "Data literacy"}},
}
MO_SITE = {"id": MO, "definition": {"type": "http://id.tincanapi.com/activitytype/lms", "name": {"en": "Site"}}}
QUIZ = {
    "id": MO + "/mod/quiz/view.php?id=1",
    "definition": {"type": "http://adlnet.gov/expapi/activities/assessment", "name": {"en": "Reading charts quiz"}},
}
PAGE = {
    "id": MO + "/mod/page/view.php?id=4",
    "definition": {"type": "http://id.tincanapi.com/activitytype/lms/module", "name": {"en": "Bar charts"}},
}


def moodle_cohort() -> list[dict[str, Any]]:
    """Three learners on a Moodle course, shaped like logstore_xapi's output (course and quiz as grouping)."""
    question = {
        "id": MO + "/question/question.php?cmid=1&id=7",
        "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction", "name": {"en": "Which bar?"}},
    }
    badge = {
        "id": MO + "/badges/badge.php?hash=cafe",
        "definition": {"type": "http://activitystrea.ms/schema/1.0/badge", "name": {"en": "Charts badge"}},
    }
    in_course = {"contextActivities": {"grouping": [MO_SITE, MO_COURSE]}}
    in_quiz = {"contextActivities": {"grouping": [MO_SITE, MO_COURSE, QUIZ]}}
    out, n = [], 1000
    for i in range(3):
        who = f"moodle-{i}"
        passed = i == 0
        steps = [
            (ADL + "registered", MO_COURSE, {"contextActivities": {"grouping": [MO_SITE]}}, {}),
            ("http://id.tincanapi.com/verb/viewed", MO_COURSE, in_course, {}),  # a course viewed: set aside
            ("http://id.tincanapi.com/verb/viewed", PAGE, in_course, {}),
            (ADL + "completed", PAGE, in_course, {}),
            ("http://activitystrea.ms/schema/1.0/start", QUIZ, in_course, {}),
            (ADL + "answered", question, in_quiz, {"result": {"success": passed, "response": "b"}}),
            (ADL + "completed", QUIZ, in_course, {"result": {"success": passed, "score": {"scaled": 0.9}}}),
            (ADL + "passed" if passed else ADL + "failed", QUIZ, in_course, {}),
            ("https://xapi.edlm/profiles/edlm-lms/concepts/verbs/login", MO_SITE, None, {}),
        ]
        if passed:
            steps.append(
                ("https://w3id.org/xapi/tla/verbs/achieved", badge, {"contextActivities": {"parent": [MO_COURSE]}}, {})
            )
        for verb, obj, ctx, kw in steps:
            n += 1
            del_stamp = {"timestamp": None, "stored": "2025-04-01T08:00:00Z"} if n % 5 == 0 else {}
            s = _st(n, who, verb, obj, ctx, **kw)
            s.update({k: v for k, v in del_stamp.items() if v})
            if del_stamp:
                del s["timestamp"]
            out.append(s)
    return out


def _write(tmp: Path, name: str, statements: list[dict[str, Any]]) -> Path:
    f = tmp / name
    f.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize("lms", ["openedx", "moodle"])
def test_inferred_workspace_reads_with_zero_rejects_and_the_metrics_run(tmp_path, lms):
    statements = openedx_cohort() if lms == "openedx" else moodle_cohort()
    src = _write(tmp_path, f"{lms}.jsonl", statements)
    lines: list[str] = []
    inferred = infer_structure([src], tmp_path / "ws", echo=lines.append)
    assert lines == [inferred.summary()] and inferred.new_activities == inferred.activities > 0
    assert validate_workspace(tmp_path / "ws") == []
    ws = Workspace.open(tmp_path / "ws")
    r = read_xapi(src, ws, pseudonymise=False, echo=None)  # activities.yaml is picked up by itself
    assert (r.rejected, r.rejects_path) == (0, None)
    assert r.kept + sum(r.aside.values()) == len(statements)
    ev = r.collect()
    (cred,) = ws.credentials.values()
    outcomes = collect(credential_outcomes(ev, [cred])).row(0, named=True)
    uptake = collect(credential_uptake(ev))
    funnel = collect(pathway_funnel(ev, cred))
    if lms == "openedx":
        assert cred.id == "edx-demox-demo-course" and cred.title == "Demonstration Course"
        assert cred.required == ["edx-demox-demo-course-activities"]
        module = ws.modules["edx-demox-demo-course-activities"]
        assert {b.id for b in module.blocks} == {"demo-course-problem-3fc5461f", "demo-course-video-0b9e3947"}
        assert (outcomes["enrolled"], outcomes["started"], outcomes["earned"]) == (4, 4, 2)
        assert r.aside == {"https://w3id.org/xapi/acrossx/verbs/posted": 4}
    else:
        assert (cred.id, cred.title, sorted(cred.required)) == ("course-1", "Data literacy", ["page-4", "quiz-1"])
        assert ws.modules["quiz-1"].title == "Reading charts quiz"
        assert [b.id for b in ws.modules["quiz-1"].blocks] == ["question-cmid-1-7"]
        assert (outcomes["enrolled"], outcomes["started"], outcomes["earned"]) == (3, 3, 1)
        assert outcomes["completed"] == 0  # page-4 has no passed event: completed needs every module passed
        assert set(r.aside) == {
            "http://id.tincanapi.com/verb/viewed",
            "https://xapi.edlm/profiles/edlm-lms/concepts/verbs/login",
        }
    assert uptake["enrolled"].sum() == outcomes["enrolled"] and uptake["earned"].sum() == outcomes["earned"]
    assert funnel["learners"].to_list()[0] == outcomes["enrolled"]


def test_a_rerun_keeps_a_persons_edits_and_appends_new_activities(tmp_path):
    first = _write(tmp_path, "week1.jsonl", moodle_cohort())
    infer_structure([first], tmp_path / "ws", echo=None)
    mapping = tmp_path / "ws" / "activities.yaml"
    text = mapping.read_text(encoding="utf-8")
    assert text.count("\n  ") == 5
    edited = text.replace('module: "page-4"', 'module: "bar-charts"').replace(
        "activities:\n", "activities:\n  # moved the page into its own module\n"
    )
    mapping.write_text(edited, encoding="utf-8")
    # week 2: a new quiz question, and the same page
    extra = moodle_cohort()[:3] + [
        _st(
            900,
            "moodle-9",
            ADL + "answered",
            {"id": MO + "/question/question.php?cmid=1&id=8", "definition": {"name": {"en": "Which line?"}}},
            {"contextActivities": {"grouping": [MO_SITE, MO_COURSE, QUIZ]}},
        )
    ]
    second = _write(tmp_path, "week2.jsonl", extra)
    again = infer_structure([first, second], tmp_path / "ws", echo=None)
    after = mapping.read_text(encoding="utf-8")
    assert after.startswith(edited)  # the person's lines and comment, unchanged
    assert after[len(edited) :] == (
        '  "http://www.example.org/question/question.php?cmid=1&id=8": '
        '{credential: "course-1", module: "quiz-1", block: "question-cmid-1-8"}  # Which line?\n'
    )
    assert (again.new_activities, again.modules, again.blocks) == (1, ["bar-charts"], 1)
    ws = Workspace.open(tmp_path / "ws")
    assert "bar-charts" in ws.credentials["course-1"].required
    r = read_xapi([first, second], ws, pseudonymise=False, echo=None)
    assert r.rejected == 0
    assert "bar-charts" in r.collect()["module_id"].to_list()


def test_the_same_statements_give_the_same_ids(tmp_path):
    src = _write(tmp_path, "s.jsonl", openedx_cohort() + moodle_cohort())
    infer_structure([src], tmp_path / "a", echo=None)
    infer_structure([src], tmp_path / "b", echo=None)
    a = (tmp_path / "a" / "activities.yaml").read_text()
    assert a == (tmp_path / "b" / "activities.yaml").read_text()
    assert {p.name for p in (tmp_path / "a" / "modules").iterdir()} == {
        p.name for p in (tmp_path / "b" / "modules").iterdir()
    }
    assert infer_structure([src], tmp_path / "a", echo=None).new_activities == 0
    assert (tmp_path / "a" / "activities.yaml").read_text() == a


def test_hostile_iris_and_names_stay_inside_the_workspace(tmp_path):
    evil = [
        _st(1, "x", ADL + "registered", {"id": "../../../../etc/passwd", "definition": MO_COURSE["definition"]}),
        _st(
            2,
            "x",
            ADL + "experienced",
            {"id": "file:///../../modules/..%2f..%2fescape", "definition": {"name": {"en": "N" * 1_000_000}}},
            {"contextActivities": {"parent": [{"id": "../../../../etc/passwd"}]}},
        ),
        _st(
            3,
            "x",
            ADL + "experienced",
            {"id": "<script>alert(1)</script>`rm -rf`", "definition": {"name": {"en": "a\nb\x00c"}}},
        ),
    ]
    src = _write(tmp_path, "evil.jsonl", evil)
    infer_structure([src], tmp_path / "ws", echo=None)
    ws = Workspace.open(tmp_path / "ws")
    assert set(ws.credentials) == {"etc-passwd", "xapi-activities"}
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml")}
    assert all(f.startswith("ws/") for f in files)
    blocks = [b for m in ws.modules.values() for b in m.blocks]
    assert len(blocks) == 2 and all(len(b.body) < 400 for b in blocks)
    assert "a b c" in [b.body.splitlines()[0] for b in blocks]
    r = read_xapi(src, ws, pseudonymise=False, echo=None)
    assert r.rejected == 0


def test_thousands_of_activities_are_bounded(tmp_path, monkeypatch):
    parent = {"contextActivities": {"parent": [COURSE]}}
    many = [_st(i, "x", ADL + "experienced", {"id": f"{LMS}/xblock/b{i}"}, parent) for i in range(3000)]
    src = _write(tmp_path, "many.jsonl", many)
    got = infer_structure([src], tmp_path / "ws", echo=None)
    assert got.blocks == 3000 and got.activities == 3001
    monkeypatch.setattr(structure_mod, "MAX_ACTIVITIES", 100)
    with pytest.raises(ReaderError, match="more than 100 activities") as e:
        infer_structure([src], tmp_path / "ws2", echo=None)
    assert "one workspace per course" in (e.value.hint or "")
    assert not (tmp_path / "ws2").exists()  # refused before anything was written


def test_a_bad_activities_file_is_an_error_naming_the_line(tmp_path):
    src = _write(tmp_path, "m.jsonl", moodle_cohort())
    infer_structure([src], tmp_path / "ws", echo=None)
    mapping = tmp_path / "ws" / "activities.yaml"
    text = mapping.read_text()
    mapping.write_text(text.replace('module: "quiz-1", block', 'module: "no-such", block'))
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(ReaderError, match="mapped to module 'no-such', which the workspace does not have") as e:
        read_xapi(src, ws, pseudonymise=False, echo=None)
    assert (
        e.value.location.line
        == text.splitlines().index(next(t for t in text.splitlines() if 'block: "question' in t)) + 1
    )
    mapping.write_text("activities:\n  x: [1, 2]\n")
    with pytest.raises(ReaderError, match="is not a mapping of credential, module, block"):
        load_activities(mapping)
    mapping.write_text("- just a list\n")
    with pytest.raises(ReaderError, match="holds one mapping 'activities:'"):
        load_activities(mapping)


def test_an_activity_mapped_to_null_is_left_out_even_if_its_iri_names_a_module(tmp_path):
    src = _write(tmp_path, "m.jsonl", moodle_cohort())
    infer_structure([src], tmp_path / "ws", echo=None)
    mapping = tmp_path / "ws" / "activities.yaml"
    iri = "https://elsewhere.example/quiz-1"  # its last path part is the id of an inferred module
    mapping.write_text(mapping.read_text() + f'  "{iri}": null\n')
    stray = _st(1, "moodle-0", ADL + "completed", {"id": iri})
    r = read_xapi(
        _write(tmp_path, "stray.jsonl", [stray]), Workspace.open(tmp_path / "ws"), pseudonymise=False, echo=None
    )
    assert r.rejected == 1 and r.kept == 0
    mapping.write_text(mapping.read_text().replace(f'"{iri}": null', f'"{iri}": {{module: quiz-1}}'))
    r = read_xapi(tmp_path / "stray.jsonl", Workspace.open(tmp_path / "ws"), pseudonymise=False, echo=None)
    assert r.collect()["module_id"].to_list() == ["quiz-1"]


@pytest.mark.slow
@pytest.mark.parametrize("lms", ["openedx", "moodle"])
def test_both_reports_run_on_an_inferred_workspace(tmp_path, lms):
    """No learners table, no quiz choices, modules without blocks: each report says what it cannot show."""
    from mblib.analytics.report import run_report

    src = _write(tmp_path, f"{lms}.jsonl", openedx_cohort() if lms == "openedx" else moodle_cohort())
    infer_structure([src], tmp_path / "ws", echo=None)
    events = tmp_path / "events.parquet"
    read_xapi(src, Workspace.open(tmp_path / "ws"), pseudonymise=False, echo=None).collect().write_parquet(events)
    for report in ("credential-uptake", "completion-analytics"):
        page = run_report(report, workspace=tmp_path / "ws", data=events, out=tmp_path / "out", k=1)
        text = page.read_text(encoding="utf-8")
        assert "Key findings" in text and "Traceback" not in text
        if report == "credential-uptake":
            assert "the data has no learners table" in text
        else:
            assert "quiz blocks with choices, so there are no items" in text
