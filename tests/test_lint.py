"""Lint: one failing and one passing case for every rule in RULES, located in the workspace files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mblib.content import Credential, Module, Workspace, lint_credential, lint_module, lint_workspace
from mblib.content.lint import RULES
from mblib.content.settings import Settings
from mblib.content.yamlio import dump_yaml

IMG = {"id": "pic", "type": "image", "src": "media/chart.svg"}
VIDEO = {"id": "clip", "type": "video", "src": "media/clip.webm", "title": "Clip", "duration_s": 30}
CAPTIONS = [{"src": "media/clip.vtt"}]


def quiz(choices, **kw):
    return {"id": "q", "type": "quiz", "question": "Which one?", "choices": choices, **kw}


A_OK = {"id": "a", "text": "Alpha", "correct": True}
B = {"id": "b", "text": "Beta"}

# (case name, rule code, kind, data, expect finding, expected severity, text on the located line, block id, field)
CASES = [
    ("alt-missing", "a11y.alt-missing", "module", {"blocks": [IMG]}, True, "error", "- id: pic", "pic", "alt"),
    (
        "alt-blank",
        "a11y.alt-missing",
        "module",
        {"blocks": [{**IMG, "alt": "   "}]},
        True,
        "error",
        "- id: pic",
        "pic",
        "alt",
    ),
    ("alt-present", "a11y.alt-missing", "module", {"blocks": [{**IMG, "alt": "Sales by month"}]}, False, *[None] * 4),
    ("alt-decorative", "a11y.alt-missing", "module", {"blocks": [{**IMG, "decorative": True}]}, False, *[None] * 4),
    (
        "alt-filename",
        "a11y.alt-quality",
        "module",
        {"blocks": [{**IMG, "alt": "chart.svg"}]},
        True,
        "warning",
        "alt: chart.svg",
        "pic",
        "alt",
    ),
    (
        "alt-generic",
        "a11y.alt-quality",
        "module",
        {"blocks": [{**IMG, "alt": "Image"}]},
        True,
        "warning",
        "alt: Image",
        "pic",
        "alt",
    ),
    (
        "alt-too-long",
        "a11y.alt-quality",
        "module",
        {"blocks": [{**IMG, "alt": ("word " * 40).strip()}]},
        True,
        "warning",
        "alt: word",
        "pic",
        "alt",
    ),
    (
        "alt-good",
        "a11y.alt-quality",
        "module",
        {"blocks": [{**IMG, "alt": "Bar chart of sales by month"}]},
        False,
        *[None] * 4,
    ),
    (
        "no-captions",
        "a11y.captions-missing",
        "module",
        {"blocks": [VIDEO]},
        True,
        "error",
        "- id: clip",
        "clip",
        "captions",
    ),
    (
        "subtitles-only",
        "a11y.captions-missing",
        "module",
        {"blocks": [{**VIDEO, "captions": [{"src": "media/clip.vtt", "kind": "subtitles"}]}]},
        True,
        "error",
        "- id: clip",
        "clip",
        "captions",
    ),
    ("captions", "a11y.captions-missing", "module", {"blocks": [{**VIDEO, "captions": CAPTIONS}]}, False, *[None] * 4),
    (
        "too-long",
        "length.duration",
        "module",
        {"blocks": [{"id": "t", "type": "text", "body": "word " * 2100}]},
        True,
        "warning",
        "id: m",
        None,
        None,
    ),
    (
        "own-budget",
        "length.duration",
        "module",
        {"duration_budget_min": 0.5, "blocks": [{"id": "t", "type": "text", "body": "word " * 150}]},
        True,
        "warning",
        "id: m",
        None,
        None,
    ),
    (
        "short",
        "length.duration",
        "module",
        {"blocks": [{"id": "t", "type": "text", "body": "word " * 1900}]},
        False,
        *[None] * 4,
    ),
    (
        "four-objectives",
        "length.objectives",
        "module",
        {"objectives": ["a", "b", "c", "d"]},
        True,
        "warning",
        "objectives:",
        None,
        "objectives",
    ),
    ("three-objectives", "length.objectives", "module", {"objectives": ["a", "b", "c"]}, False, *[None] * 4),
    (
        "no-correct",
        "quiz.no-correct",
        "module",
        {"blocks": [quiz([{"id": "a", "text": "A"}, B])]},
        True,
        "error",
        "choices:",
        "q",
        "choices",
    ),
    ("has-correct", "quiz.no-correct", "module", {"blocks": [quiz([A_OK, B])]}, False, *[None] * 4),
    (
        "single-two-correct",
        "quiz.single-many-correct",
        "module",
        {"blocks": [quiz([A_OK, {**B, "correct": True}])]},
        True,
        "error",
        "choices:",
        "q",
        "choices",
    ),
    (
        "multiple-two-correct",
        "quiz.single-many-correct",
        "module",
        {"blocks": [quiz([A_OK, {**B, "correct": True}], multiple=True)]},
        False,
        *[None] * 4,
    ),
    (
        "one-choice",
        "quiz.too-few-choices",
        "module",
        {"blocks": [quiz([A_OK])]},
        True,
        "error",
        "- id: q",
        "q",
        "choices",
    ),
    ("two-choices", "quiz.too-few-choices", "module", {"blocks": [quiz([A_OK, B])]}, False, *[None] * 4),
    (
        "same-text",
        "quiz.duplicate-choices",
        "module",
        {"blocks": [quiz([A_OK, {"id": "b", "text": "  alpha "}])]},
        True,
        "error",
        "text: '  alpha '",
        "q",
        "choices[1].text",
    ),
    ("different-text", "quiz.duplicate-choices", "module", {"blocks": [quiz([A_OK, B])]}, False, *[None] * 4),
    (
        "missing-media",
        "media.missing",
        "module",
        {"blocks": [{**IMG, "src": "media/nope.svg", "alt": "A chart"}]},
        True,
        "error",
        "- id: pic",
        "pic",
        "src",
    ),
    (
        "remote-media",
        "media.missing",
        "module",
        {"blocks": [{**IMG, "src": "https://example.org/a.svg", "alt": "A chart"}]},
        True,
        "error",
        "- id: pic",
        "pic",
        "src",
    ),
    (
        "missing-caption-file",
        "media.missing",
        "module",
        {"blocks": [{**VIDEO, "src": "media/present.webm", "captions": [{"src": "media/gone.vtt"}]}]},
        True,
        "error",
        "- id: clip",
        "clip",
        "src",
    ),
    (
        "present-media",
        "media.missing",
        "module",
        {"blocks": [{**IMG, "src": "media/present.svg", "alt": "A chart"}]},
        False,
        *[None] * 4,
    ),
    (
        "unknown-required",
        "credential.unknown-module",
        "credential",
        {"required": ["mod-x", "mod-one"]},
        True,
        "error",
        "- mod-x",
        None,
        "required[0]",
    ),
    (
        "unknown-elective",
        "credential.unknown-module",
        "credential",
        {"required": ["mod-one"], "electives": [{"id": "g", "choose": 1, "modules": ["mod-two", "ghost"]}]},
        True,
        "error",
        "- ghost",
        None,
        "electives[0].modules[1]",
    ),
    (
        "prereq-outside",
        "credential.unknown-module",
        "credential",
        {"required": ["mod-one"], "prerequisites": {"mod-one": ["mod-two"]}},
        True,
        "error",
        "- mod-two",
        None,
        "prerequisites.mod-one[0]",
    ),
    (
        "known-modules",
        "credential.unknown-module",
        "credential",
        {
            "required": ["mod-one"],
            "electives": [{"id": "g", "choose": 1, "modules": ["mod-two"]}],
            "prerequisites": {"mod-two": ["mod-one"]},
        },
        False,
        *[None] * 4,
    ),
    (
        "cycle",
        "credential.cycle",
        "credential",
        {"required": ["mod-one", "mod-two"], "prerequisites": {"mod-one": ["mod-two"], "mod-two": ["mod-one"]}},
        True,
        "error",
        "mod-",
        None,
        "prerequisites",
    ),
    (
        "dag",
        "credential.cycle",
        "credential",
        {"required": ["mod-one", "mod-two"], "prerequisites": {"mod-two": ["mod-one"]}},
        False,
        *[None] * 4,
    ),
    (
        "choose-too-many",
        "credential.electives",
        "credential",
        {"required": ["mod-one"], "electives": [{"id": "g", "choose": 2, "modules": ["mod-two", "mod-one"]}]},
        True,
        "error",
        "choose: 2",
        None,
        "electives[0].choose",
    ),
    (
        "choose-unknown",
        "credential.electives",
        "credential",
        {"electives": [{"id": "g", "choose": 2, "modules": ["mod-one", "ghost"]}]},
        True,
        "error",
        "choose: 2",
        None,
        "electives[0].choose",
    ),
    (
        "choose-ok",
        "credential.electives",
        "credential",
        {"electives": [{"id": "g", "choose": 2, "modules": ["mod-one", "mod-two"]}]},
        False,
        *[None] * 4,
    ),
    (
        "unknown-stack",
        "credential.unknown-credential",
        "credential",
        {"required": ["mod-one"], "requires_credentials": ["ghost-cred"]},
        True,
        "error",
        "- ghost-cred",
        None,
        "requires_credentials[0]",
    ),
    (
        "self-stack",
        "credential.unknown-credential",
        "credential",
        {"required": ["mod-one"], "requires_credentials": ["c"]},
        True,
        "error",
        "- c",
        None,
        "requires_credentials[0]",
    ),
    (
        "known-stack",
        "credential.unknown-credential",
        "credential",
        {"required": ["mod-one"], "requires_credentials": ["base"]},
        False,
        *[None] * 4,
    ),
    ("empty", "credential.empty", "credential", {}, True, "error", "id: c", None, "required"),
    (
        "workload-far-off",
        "credential.workload",
        "credential",
        {"required": ["mod-one"], "european": {"workload": {"hours": 5}}},
        True,
        "warning",
        "hours: 5",
        None,
        "european.workload.hours",
    ),
    ("workload-undeclared", "credential.workload", "credential", {"required": ["mod-one"]}, False, *[None] * 4),
    (
        "starter-text-left",
        "content.placeholder",
        "module",
        {"blocks": [{"id": "t", "type": "text", "body": "Write here."}]},
        True,
        "warning",
        "body: Write here.",
        "t",
        "body",
    ),
    (
        "starter-text-replaced",
        "content.placeholder",
        "module",
        {"blocks": [{"id": "t", "type": "text", "body": "Charts compare values."}]},
        False,
        *[None] * 4,
    ),
    (
        "elective-only",
        "credential.empty",
        "credential",
        {"electives": [{"id": "g", "choose": 1, "modules": ["mod-one"]}]},
        False,
        *[None] * 4,
    ),
    # skills (pathways): a skill id no other module or credential alignment shares
    (
        "skill-single",
        "skill.single-use",
        "module",
        {"skills": ["only.here"]},
        True,
        "warning",
        "only.here",
        None,
        "skills[0]",
    ),
    ("skill-none", "skill.single-use", "module", {"skills": []}, False, *[None] * 4),
]


def test_every_rule_has_a_failing_and_a_passing_case():
    failing = {c[1] for c in CASES if c[4]}
    passing = {c[1] for c in CASES if not c[4]}
    assert failing == set(RULES), f"rules without a failing case: {set(RULES) - failing}"
    assert passing == set(RULES), f"rules without a passing case: {set(RULES) - passing}"


def test_rules_are_described():
    for code, r in RULES.items():
        assert r.code == code and r.severity in ("error", "warning", "info")
        assert r.applies_to in ("module", "credential") and r.description


def _workspace(root: Path, kind: str, data: dict) -> Workspace:
    ws = Workspace.create(root)
    (root / "media/present.svg").write_text("<svg/>")
    (root / "media/present.webm").write_bytes(b"\0")
    (root / "media/clip.vtt").write_text("WEBVTT\n")
    for mid in ("mod-one", "mod-two"):
        ws.save_module(Module(id=mid, title=mid))
    ws.save_credential(Credential(id="base", title="Base", required=["mod-one"]))
    item_id = "m" if kind == "module" else "c"
    folder = "modules" if kind == "module" else "credentials"
    (root / folder / f"{item_id}.yaml").write_text(dump_yaml({"id": item_id, "title": "Under test", **data}))
    return Workspace.open(root)


@pytest.mark.parametrize(
    "name, code, kind, data, fails, severity, line_text, block_id, field", CASES, ids=[c[0] for c in CASES]
)
def test_rule(tmp_path, name, code, kind, data, fails, severity, line_text, block_id, field):
    ws = _workspace(tmp_path / "ws", kind, data)
    item_id = "m" if kind == "module" else "c"
    if kind == "module":
        found = lint_module(ws.module(item_id), ws, only={code})
    else:
        found = lint_credential(ws.credential(item_id), ws, only={code})
    if not fails:
        assert found == []
        return
    assert found, f"{code} did not fire"
    p = found[0]
    assert {q.code for q in found} == {code}
    assert p.severity == severity == RULES[code].severity
    assert p.hint and p.message
    assert (p.location.block_id, p.location.field) == (block_id, field)
    folder = "modules" if kind == "module" else "credentials"
    assert p.location.file == f"ws/{folder}/{item_id}.yaml"
    lines = (tmp_path / "ws" / folder / f"{item_id}.yaml").read_text().splitlines()
    assert p.location.line is not None and line_text in lines[p.location.line - 1]
    assert getattr(p.location, f"{kind}_id") == item_id
    assert p.format().startswith(f"{severity}[{code}] ws/{folder}/{item_id}.yaml:{p.location.line}:")
    # the whole-workspace lint reports it too
    assert p in lint_workspace(ws)


def test_specific_messages(tmp_path):
    ws = _workspace(
        tmp_path / "ws",
        "module",
        {
            "objectives": ["a", "b", "c", "d"],
            "blocks": [
                {**IMG, "alt": "Image"},
                quiz([A_OK, {**B, "correct": True}]),
                {"id": "t", "type": "text", "body": "word " * 2100},
            ],
        },
    )
    by_code = {p.code: p for p in lint_module(ws.module("m"), ws)}
    assert by_code["length.objectives"].message == "4 objectives (more than 3)"
    assert by_code["a11y.alt-quality"].message == "alt text 'Image' does not describe the image"
    assert by_code["quiz.single-many-correct"].message == "single-answer quiz has 2 correct choices (a, b)"
    assert by_code["length.duration"].message == (
        "estimated 11.3 min is over the 10 min budget (11.3 min (2111 words, 0 s media, 45 s activities))"
    )
    assert set(by_code) == {
        "length.objectives",
        "a11y.alt-quality",
        "quiz.single-many-correct",
        "length.duration",
        "media.missing",
    }

    ws = _workspace(
        tmp_path / "ws2",
        "credential",
        {
            "required": ["mod-onee"],
            "prerequisites": {"mod-onee": ["mod-onee"]},
            "electives": [{"id": "g", "choose": 3, "modules": ["mod-two"]}],
        },
    )
    found = lint_credential(ws.credential("c"), ws)
    msgs = {(p.code, p.message, p.hint) for p in found}
    assert ("credential.unknown-module", "unknown module 'mod-onee'", "did you mean 'mod-one'?") in msgs
    assert (
        "credential.cycle",
        "prerequisite cycle: mod-onee -> mod-onee",
        "remove one of these prerequisites so the modules can be taken in some order",
    ) in msgs
    assert (
        "credential.electives",
        "elective group 'g' asks to choose 3 of 1 available module(s)",
        "lower 'choose' to at most 1 or add modules to the group",
    ) in msgs


def test_workload_messages_name_the_factor_and_the_fix(tmp_path):
    from mblib.content.pathway import credential_workload

    ws = _workspace(tmp_path / "ws", "credential", {"required": ["mod-one"], "european": {"workload": {"hours": 5}}})
    hours = credential_workload(ws.credential("c"), ws).max_hours
    (p,) = lint_credential(ws.credential("c"), ws, only={"credential.workload"})
    assert p.message == (
        f"declared workload 5 h is {5 / hours:.1f} times the {hours:.1f} h computed from the modules "
        "(more than the factor 2 of [authoring] workload_factor)"
    )
    assert "raise [authoring] workload_factor in mblib.toml" in p.hint
    # a generous factor in the settings accepts it
    (ws.root / "mblib.toml").write_text(f"[authoring]\nworkload_factor = {5 / hours + 1:.0f}\n")
    ws = Workspace.open(ws.root)
    assert lint_credential(ws.credential("c"), ws, only={"credential.workload"}) == []


def test_every_starter_text_of_a_new_module_is_flagged():
    from mblib.content.starter import starter_module

    found = lint_module(starter_module("fresh"), None, only={"content.placeholder"})
    fields = {(p.location.block_id, p.location.field) for p in found}
    assert (None, "summary") in fields and (None, "objectives") in fields and ("intro", "body") in fields
    assert ("check-1", "question") in fields and ("check-1", "choices[1].text") in fields
    assert all(p.hint == "replace the starter text with your own words" for p in found)


def test_settings_change_the_thresholds():
    m = Module(
        id="m",
        title="M",
        objectives=["a", "b", "c", "d"],
        blocks=[{**IMG, "alt": "x" * 40}, {"id": "t", "type": "text", "body": "word " * 300}],
    )
    strict = Settings.model_validate(
        {"authoring": {"max_objectives": 5, "max_alt_length": 30, "duration_budget_min": 1}}
    )
    codes = {p.code for p in lint_module(m, settings=strict)}
    assert codes == {"a11y.alt-quality", "length.duration"}
    assert {p.code for p in lint_module(m)} == {"length.objectives"}


def test_lint_without_workspace():
    m = Module(id="m", title="M", blocks=[{**IMG, "src": "media/nowhere.svg"}])
    [p] = lint_module(m)  # no workspace: no media check, location by module id
    assert p.code == "a11y.alt-missing"
    assert p.location.file is None and p.location.module_id == "m"
    assert str(p.location) == "module 'm': block 'pic', field 'alt'"
    c = Credential(id="c", title="C", required=["ghost"], requires_credentials=["other"])
    assert lint_credential(c) == []  # module and credential ids can only be checked in a workspace
    assert [p.code for p in lint_credential(Credential(id="e", title="E"))] == ["credential.empty"]


def test_lint_workspace_includes_load_problems_and_sorts_errors_first(tmp_path):
    root = tmp_path / "ws"
    ws = Workspace.create(root)
    ws.save_module(Module(id="a", title="A", objectives=["1", "2", "3", "4"]))
    ws.save_module(Module(id="b", title="B", blocks=[IMG]))
    (root / "modules/broken.yaml").write_text("id: broken\n")
    ws = Workspace.open(root, strict=False)
    found = ws.lint()
    assert [p.code for p in found] == ["a11y.alt-missing", "media.missing", "schema.missing", "length.objectives"]
    assert [p.severity for p in found] == ["error", "error", "error", "warning"]
    assert lint_workspace(ws, only={"length.objectives"})[-1].location.file == "ws/modules/a.yaml"
