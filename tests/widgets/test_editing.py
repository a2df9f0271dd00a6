"""ModuleEditor and CredentialEditor: validated snapshots, undo/redo, dirty flag, atomic saves, conflicts."""

from __future__ import annotations

import pytest
import yaml

from mblib.content import Workspace
from mblib.content.blocks import BLOCK_TYPES
from mblib.content.editing import HISTORY_LIMIT, CredentialEditor, ModuleEditor
from mblib.errors import ConflictError, ContentError, NotFoundError


def _disk(ws: Workspace, kind: str, item_id: str) -> dict:
    return yaml.safe_load(ws.path_of(kind, item_id).read_text())


def test_add_every_block_type_with_fresh_ids_then_save(sample_ws):
    ed = ModuleEditor.open(sample_ws, "reading-bar-charts")
    before = ed.block_ids()
    added = [ed.add_block(t) for t in BLOCK_TYPES] + [ed.add_block("text")]
    assert added[:2] == ["text-1", "image-1"] and added[-1] == "text-2"
    assert ed.block_ids() == before + added
    assert ed.dirty and ed.save() is True and not ed.dirty
    on_disk = [b["id"] for b in _disk(sample_ws, "module", "reading-bar-charts")["blocks"]]
    assert on_disk == before + added
    assert Workspace.open(sample_ws.root).module("reading-bar-charts").block("quiz-1").correct_ids == ["a"]


def test_edit_duplicate_move_delete_and_undo_redo(sample_ws):
    ed = ModuleEditor.open(sample_ws, "reading-bar-charts")
    original = ed.current
    first, second = ed.block_ids()[:2]
    assert ed.update_block(first, body="New intro") is True
    assert ed.update_block(first, body="New intro") is False  # no-op: no history step
    copy = ed.duplicate_block(first)
    assert copy == f"{first}-copy-1" and ed.block_ids()[1] == copy and ed.block(copy).body == "New intro"
    assert ed.move_block(copy, -5) == 0 and ed.block_ids()[0] == copy
    ed.delete_block(second)
    assert second not in ed.block_ids()
    for _ in range(4):
        ed.undo()
    assert ed.current == original and not ed.dirty and not ed.can_undo
    ed.undo()  # at the start: nothing happens
    assert ed.current == original
    ed.redo()
    assert ed.block(first).body == "New intro" and ed.dirty
    ed.update_block(first, body="Branch")  # a new change drops the redo steps
    assert not ed.can_redo


def test_invalid_change_names_block_and_field_and_changes_nothing(sample_ws):
    ed = ModuleEditor.open(sample_ws, "reading-bar-charts")
    quiz = next(b.id for b in ed.current.blocks if b.type == "quiz")
    before = ed.current
    with pytest.raises(ContentError) as err:
        ed.update_block(quiz, weight=-1)
    text = str(err.value)
    assert f"block '{quiz}'" in text and "field 'weight'" in text and "use a value at least 0" in text
    assert "reading-bar-charts.yaml" in text
    with pytest.raises(ContentError, match="type cannot change"):
        ed.update_block(quiz, type="text")
    with pytest.raises(NotFoundError, match="has no block 'nope'"):
        ed.update_block("nope", body="x")
    with pytest.raises(ContentError, match="unknown block type 'quizz'\n  fix: did you mean 'quiz'"):
        ed.add_block("quizz")
    with pytest.raises(ContentError, match="unknown field 'titel'"):
        ed.update(titel="x")
    assert ed.current is before and not ed.can_undo


def test_conflict_keeps_work_then_overwrite_or_reload(sample_ws):
    ed = ModuleEditor.open(sample_ws, "reading-bar-charts")
    path = sample_ws.module_path("reading-bar-charts")
    ed.update(title="Mine")
    path.write_text(path.read_text().replace("title: Reading a bar chart", "title: Theirs"))
    assert ed.changed_on_disk()
    with pytest.raises(ConflictError, match="changed on disk"):
        ed.save()
    assert ed.conflict is not None and ed.current.title == "Mine" and ed.dirty
    assert "title: Theirs" in path.read_text()  # nothing overwritten
    ed.reload()
    assert ed.current.title == "Theirs" and not ed.dirty and ed.conflict is None
    ed.undo()  # your version comes back
    assert ed.current.title == "Mine" and ed.dirty
    ed.save(force=True)
    assert _disk(sample_ws, "module", "reading-bar-charts")["title"] == "Mine" and not ed.dirty


def test_create_module_and_refuse_existing_ids(sample_ws):
    ed = ModuleEditor.create(sample_ws, "reading-maps", "Reading maps")
    assert ed.dirty and not sample_ws.module_path("reading-maps").exists()
    assert [p for p in ed.lint() if p.severity == "error"] == []
    ed.save()
    assert _disk(sample_ws, "module", "reading-maps")["title"] == "Reading maps"
    with pytest.raises(ConflictError, match="module 'reading-bar-charts' already exists"):
        ModuleEditor.create(sample_ws, "reading-bar-charts")
    with pytest.raises(ContentError, match="'Bad Id' is not a valid id"):
        ModuleEditor.create(sample_ws, "Bad Id")


def test_lint_duration(sample_ws):
    ed = ModuleEditor.open(sample_ws, "reading-bar-charts")
    assert not hasattr(ed, "preview")  # the content model knows nothing of HTML: the builder renders it
    new = ed.add_block("image")
    codes = {p.code: p for p in ed.lint()}
    assert codes["a11y.alt-missing"].location.block_id == new
    d = ed.duration()
    assert d.budget_min == 10 and not d.over and "min of 10 min budget" in str(d)
    ed.update(duration_budget_min=1)
    assert ed.duration().over and "(over budget)" in str(ed.duration())


def test_history_is_bounded(sample_ws):
    ed = ModuleEditor.open(sample_ws, "reading-bar-charts")
    for n in range(HISTORY_LIMIT + 5):
        ed.update(summary=f"v{n}")
    steps = 0
    while ed.can_undo:
        ed.undo()
        steps += 1
    assert steps == HISTORY_LIMIT - 1 and ed.current.summary == "v5"


def test_credential_editor(sample_ws):
    ed = CredentialEditor.open(sample_ws, "data-storytelling")
    ed.set_required(["choosing-the-right-chart", "writing-chart-titles-that-inform"])
    gid = ed.add_elective_group(["presenting-to-decision-makers", "reading-bar-charts"], choose=1, title="Pick one")
    ed.update_elective_group(gid, choose=2)
    ed.set_prerequisites("presenting-to-decision-makers", ["writing-chart-titles-that-inform"])
    ed.set_prerequisites("writing-chart-titles-that-inform", [])
    ed.set_criteria("Pass everything", 0.7)
    ed.update_european(participation="blended", workload={"hours": 1.5})
    ed.update_european_form({"learning_outcomes": "One\nTwo\n", "level": {"eqf": "5", "description": ""}})
    c = ed.current
    assert c.electives[0].choose == 2 and c.prerequisites == {
        "presenting-to-decision-makers": ["writing-chart-titles-that-inform"]
    }
    assert c.european.learning_outcomes == ["One", "Two"] and c.european.level.eqf == 5
    assert c.european.workload.hours == 1.5 and c.criteria.min_score == 0.7
    wl = ed.workload()
    assert wl.required_count == 2 and wl.elective_count == 2 and wl.declared_hours == 1.5
    assert wl.min_hours == pytest.approx(wl.max_hours)
    g = ed.graph()
    assert g.node("presenting-to-decision-makers").layer == 1 and g.node("reading-bar-charts").role == gid
    assert g.node("choosing-the-right-chart").minutes > 0
    with pytest.raises(ContentError, match="no module 'nope' in the workspace"):
        ed.set_required(["nope"])
    with pytest.raises(NotFoundError, match="no elective group 'x'"):
        ed.update_elective_group("x", choose=1)
    ed.save()
    disk = _disk(sample_ws, "credential", "data-storytelling")
    assert disk["european"]["participation"] == "blended" and disk["electives"][0]["choose"] == 2


def test_credential_cycle_is_kept_for_lint_and_graph_still_draws(sample_ws):
    ed = CredentialEditor.open(sample_ws, "data-storytelling")
    ed.set_prerequisites("choosing-the-right-chart", ["presenting-to-decision-makers"])
    assert "credential.cycle" in {p.code for p in ed.lint()}
    assert len(ed.graph().nodes) == 3


def test_new_credential(sample_ws):
    ed = CredentialEditor.create(sample_ws, "charts-101")
    assert "credential.empty" in {p.code for p in ed.lint()}
    ed.set_required(["reading-bar-charts"])
    ed.save()
    assert _disk(sample_ws, "credential", "charts-101") == {
        "id": "charts-101",
        "title": "Charts 101",
        "required": ["reading-bar-charts"],
    }
    with pytest.raises(ConflictError, match="already exists"):
        CredentialEditor.create(sample_ws, "data-storytelling")
