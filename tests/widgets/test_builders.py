"""The builders driven programmatically: set values, click buttons, read get_state(), check the files."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import yaml

from mblib import CredentialBuilder, ModuleBuilder
from mblib.content import Workspace


def _blocks_on_disk(ws: Workspace, module_id: str) -> list[dict]:
    return yaml.safe_load(ws.module_path(module_id).read_text())["blocks"]


def _srcdoc(builder: ModuleBuilder) -> str:
    state = builder.preview.get_state()
    assert state["html"].startswith("<!doctype html>") and state["focus"]["id"] == builder.blocks.value
    return state["html"]


def test_add_edit_save_round_trip(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    assert "saved" in b.status.get_state()["value"] and b.undo_button.get_state()["disabled"]
    b.blocks.value = "intro"
    b.block_type.value = "callout"
    b.add_button.click()
    assert b.blocks.value == "callout-1" and b.blocks.get_state()["value"] == "callout-1"
    assert b.blocks.ids.index("callout-1") == 1
    assert "unsaved changes" in b.status.get_state()["value"]
    b.form.controls["title"].value = "Zero matters"
    b.form.controls["variant"].value = "warning"
    b.form.controls["body"].value = "Check **where the axis starts**."
    page = _srcdoc(b)
    assert 'data-block-id="callout-1"' in page and "where the axis starts</strong>" in page
    assert "Content-Security-Policy" in page
    b.save_button.click()
    assert "saved" in b.status.value and b.get_errors() == ""
    saved = _blocks_on_disk(sample_ws, "reading-bar-charts")[1]
    assert saved == {
        "id": "callout-1",
        "type": "callout",
        "variant": "warning",
        "title": "Zero matters",
        "body": "Check **where the axis starts**.",
    }


def test_duplicate_move_delete_undo_redo_buttons(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    ids = [v for _, v in b.blocks.options]
    b.blocks.value = ids[0]
    b.duplicate_button.click()
    assert b.blocks.value == f"{ids[0]}-copy-1"
    b.down_button.click()
    assert [v for _, v in b.blocks.options][:3] == [ids[0], ids[1], f"{ids[0]}-copy-1"]
    b.up_button.click()
    b.delete_button.click()
    assert [v for _, v in b.blocks.options] == ids
    b.undo_button.click()
    assert f"{ids[0]}-copy-1" in [v for _, v in b.blocks.options]
    b.redo_button.click()
    assert [v for _, v in b.blocks.options] == ids and b.redo_button.disabled
    for _ in range(4):
        b.undo_button.click()
    assert "saved" in b.status.value and b.undo_button.disabled  # back to the file as loaded


def test_lint_panel_and_duration_follow_edits(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    assert "no findings" in b.lint_panel.value and "of 10 min budget" in b.duration.value
    b.block_type.value = "image"
    b.add_button.click()
    assert "a11y.alt-missing" in b.lint_panel.value and "block image-1" in b.lint_panel.value
    b.form.controls["alt"].value = "A bar chart"
    assert "a11y.alt-missing" not in b.lint_panel.value
    b.module_form.controls["duration_budget_min"].value = "1"
    assert "over budget" in b.duration.value and "length.duration" in b.lint_panel.value


def test_invalid_input_and_callback_errors_are_shown_and_the_widget_keeps_working(sample_ws, monkeypatch):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    quiz = next(blk.id for blk in b.editor.current.blocks if blk.type == "quiz")
    b.blocks.value = quiz
    b.form.controls["weight"].value = -3
    assert "field 'weight'" in b.get_errors() and "use a value at least 0" in b.get_errors()
    assert b.form.controls["weight"].value == b.editor.block(quiz).weight  # the form shows the model again

    def boom(*a, **k):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("mblib.widgets.builder.render_module", boom)
    b.block_type.value = "text"
    b.add_button.click()
    assert "RuntimeError: renderer exploded" in b.get_errors()
    assert b.errors.get_state()["outputs"][0]["name"] == "stderr"
    monkeypatch.undo()
    b.add_button.click()  # still works
    assert b.get_errors() == "" and "text-2" in [v for _, v in b.blocks.options]


def test_conflict_warning_overwrite_and_reload(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    path = sample_ws.module_path("reading-bar-charts")
    b.module_form.controls["title"].value = "Mine"
    path.write_text(path.read_text().replace("title: Reading a bar chart", "title: Theirs"))
    b.save_button.click()
    assert b.conflict_box.layout.display == "flex" and "changed on disk" in b.conflict_message.value
    assert "title: Theirs" in path.read_text()
    b.reload_button.click()
    assert b.conflict_box.layout.display == "none" and b.editor.current.title == "Theirs"
    b.undo_button.click()
    b.save_button.click()
    assert b.conflict_box.layout.display == "none" and "title: Mine" in path.read_text()
    path.write_text(path.read_text().replace("title: Mine", "title: Theirs again"))
    b.module_form.controls["summary"].value = "Changed"
    b.save_button.click()
    assert b.conflict_box.layout.display == "flex"
    b.overwrite_button.click()
    assert b.conflict_box.layout.display == "none" and "summary: Changed" in path.read_text()


def test_create_a_new_module_and_switch_without_losing_work(sample_ws):
    b = ModuleBuilder(sample_ws)
    assert b.editor is None
    b.add_button.click()
    assert "no module is open" in b.get_errors()
    b.new_id.value = "reading-maps"
    b.create_button.click()
    assert b.picker.value == "reading-maps" and "unsaved" in b.status.value
    b.add_button.click()
    b.picker.value = "reading-bar-charts"
    b.picker.value = "reading-maps"
    assert "text-1" in [v for _, v in b.blocks.options]  # unsaved work kept while switching
    b.save_button.click()
    assert [x["id"] for x in _blocks_on_disk(sample_ws, "reading-maps")] == ["intro", "text-1", "check-1"]
    b.new_id.value = "reading-bar-charts"
    b.create_button.click()
    assert "already exists" in b.get_errors() and b.picker.value == "reading-maps"


@dataclass
class _Insight:
    summary: str


def test_insights_are_shown_beside_their_blocks(sample_ws):
    first = sample_ws.module("reading-bar-charts").blocks[0].id
    b = ModuleBuilder(sample_ws, "reading-bar-charts", insights={first: _Insight("38% of learners stop here")})
    notes = {i["id"]: i["note"] for i in b.blocks.get_state()["items"]}
    assert notes[first] == "38% of learners stop here"
    assert all(note == "" for v, note in notes.items() if v != first)
    assert "38% of learners stop here" in b.block_title.value


def test_credential_builder(sample_ws):
    b = CredentialBuilder(sample_ws, "data-storytelling", chart=False)
    assert "Total workload" in b.workload.value and "declared: 2.0 h" in b.workload.value
    b.required.value = ("choosing-the-right-chart", "writing-chart-titles-that-inform")
    b.add_group_button.click()
    gid = b.editor.current.electives[0].id
    title, choose, modules = b.group_controls[gid]
    modules.value = ("presenting-to-decision-makers", "reading-bar-charts")
    title.value = "Pick one"
    b.prereq_module.value = "presenting-to-decision-makers"
    b.prereqs.value = ("writing-chart-titles-that-inform",)
    b.details.groups["criteria"].controls["min_score"].value = "0.6"
    b.european.controls["participation"].value = "blended"
    b.european.groups["workload"].controls["hours"].value = "2.5"
    assert b.get_errors() == ""
    assert "1 elective" in b.workload.value and "declared: 2.5 h" in b.workload.value
    choose.value = 3
    assert "cannot" in b.lint_panel.value or "credential.electives" in b.lint_panel.value
    choose.value = 1
    b.save_button.click()
    disk = yaml.safe_load(sample_ws.path_of("credential", "data-storytelling").read_text())
    assert disk["electives"] == [
        {
            "id": gid,
            "title": "Pick one",
            "choose": 1,
            "modules": ["presenting-to-decision-makers", "reading-bar-charts"],
        }
    ]
    assert disk["prerequisites"]["presenting-to-decision-makers"] == ["writing-chart-titles-that-inform"]
    assert disk["criteria"]["min_score"] == 0.6 and disk["european"]["participation"] == "blended"
    b.details.groups["criteria"].controls["min_score"].value = "7"
    assert "field 'criteria.min_score'" in b.get_errors()
    assert b.details.groups["criteria"].controls["min_score"].value == "0.6"


@pytest.mark.slow
def test_credential_builder_draws_the_pathway_chart(sample_ws):
    b = CredentialBuilder(sample_ws, "data-literacy-foundations")
    svg = b.chart.get_state()["value"]
    assert "<svg" in svg and "Reading a bar chart" in svg and "prerequisite depth" in svg
    b.prereq_module.value = "samples-and-surveys"
    b.prereqs.value = ("reading-bar-charts", "percentages-and-percentage-points")
    assert b.chart.value != svg and b.get_errors() == ""


def test_every_block_type_can_be_added_and_edited_in_the_builder(sample_ws):
    from mblib.content.blocks import BLOCK_TYPES

    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    assert [v for _, v in b.block_type.options] == list(BLOCK_TYPES)
    for block_type in BLOCK_TYPES:
        b.block_type.value = block_type
        b.add_button.click()
        assert b.blocks.value == f"{block_type}-1" and b.get_errors() == ""
        assert set(b.form.controls) | set(b.form.items) == {
            n for n in BLOCK_TYPES[block_type].model_fields if n not in ("id", "type")
        }
    b.save_button.click()
    ids = [x["id"] for x in _blocks_on_disk(sample_ws, "reading-bar-charts")]
    assert all(f"{t}-1" in ids for t in BLOCK_TYPES)


def test_preview_is_rendered_by_the_builder_once_per_snapshot(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    page = b.preview_page()
    assert b.preview_page() is page  # same snapshot: cached
    b.block_type.value = "image"
    b.add_button.click()
    new = b.blocks.value
    assert b.preview_page() is not page and f'data-block-id="{new}"' in b.preview_page().html
