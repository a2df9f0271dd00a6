"""Issue 16 without a browser: forms that check, the block list and library, the preview's focus,
the credential builder's checks, the chart's geometry and the review widget's states."""

from __future__ import annotations

import math
import re
import time

import pytest
import yaml

from mblib import CredentialBuilder, ModuleBuilder
from mblib.content.blocks import BLOCK_TYPES
from mblib.render.palette import ROLE_COLORS
from mblib.widgets.blocklist import LIBRARY, block_library


def test_a_required_field_cannot_be_emptied(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    b.blocks.value = "intro"
    before = b.editor.block("intro").body
    b.form.controls["body"].value = "   "
    assert b.form.controls["body"].value == before and b.editor.block("intro").body == before
    assert "'Body' is required: it cannot be empty, so its last text is kept" in b.form.notice.value
    assert 'data-block-id="intro"' in b.preview.html  # the block did not vanish from the preview
    b.form.controls["body"].value = "New text."
    assert b.editor.block("intro").body == "New text." and b.form.notice.value == ""


def test_quiz_choices_put_content_first_and_the_internal_id_last(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    b.block_type.value = "quiz"
    b.add_button.click()
    choice = b.form.items["choices"].forms[0]
    assert [s.name for s in choice.specs][-1] == "id" and choice.specs[0].name == "text"
    assert choice.controls["id"].description == "Internal id *"
    body = b.form.controls["question"]
    assert body.rows == 4
    body.value = "\n".join(f"line {i}" for i in range(12))
    assert body.rows == 13  # the editor grows with its content


def test_block_library_and_list_show_icons_types_and_first_words(sample_ws):
    assert [v for _, v in block_library()] == list(BLOCK_TYPES)
    for label, t in block_library():
        icon, description = LIBRARY[t]
        assert label == f"{icon} {BLOCK_TYPES[t].label}: {description}"
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    items = {i["id"]: i for i in b.blocks.items}
    quiz = next(blk for blk in b.editor.current.blocks if blk.type == "quiz")
    assert items[quiz.id]["icon"] == "?" and items[quiz.id]["label"] == "Quiz"
    assert items[quiz.id]["snippet"].split()[:3] == re.sub(r"[*_`]", "", quiz.question).split()[:3]


def test_drag_and_drop_message_moves_a_block_and_the_preview_follows(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    ids = b.blocks.ids
    b.blocks._message(b.blocks, {"kind": "move", "id": ids[0], "to": 2}, [])  # what a drop sends
    assert b.blocks.ids == [ids[1], ids[2], ids[0], *ids[3:]]
    assert b.blocks.value == ids[0] and b.preview.focus["id"] == ids[0] and b.preview.focus["flash"]
    b.blocks._message(b.blocks, {"kind": "move", "id": "nope", "to": 0}, [])  # unknown ids are ignored
    b.blocks._message(b.blocks, {"kind": "move", "id": ids[0], "to": 99}, [])  # indexes are clamped
    assert b.blocks.ids[-1] == ids[0] and b.get_errors() == ""
    b.save_button.click()
    disk = yaml.safe_load(sample_ws.module_path("reading-bar-charts").read_text())
    assert [x["id"] for x in disk["blocks"]][-1] == ids[0]


def test_selecting_and_editing_a_block_point_the_preview_at_it(sample_ws):
    b = ModuleBuilder(sample_ws, "reading-bar-charts")
    ids = b.blocks.ids
    n = b.preview.focus["n"]
    b.blocks.value = ids[3]
    assert b.preview.focus["id"] == ids[3] and b.preview.focus["n"] == n + 1
    b.module_form.controls["title"].value = "Another title"  # a module edit keeps the scroll where it is
    assert b.preview.focus["id"] == "" and "Another title" in b.preview.html


def test_credential_builder_checks(sample_ws):
    b = CredentialBuilder(sample_ws, "data-storytelling", chart=False)
    members = set(b.editor.current.module_ids())
    b.prereq_module.value = sorted(members)[0]
    assert {mid for _, mid in b.prereqs.options} == members - {b.prereq_module.value}
    assert "mblib-workload-warning" in b.workload.value and "workload_factor" in b.workload.value
    b.add_group_button.click()
    group = b.editor.current.electives[-1]
    assert len(group.modules) == 1 and group.choose == 1 and group.modules[0] not in members
    assert "credential.electives" not in b.lint_panel.value and b.get_errors() == ""
    b.european.groups["workload"].controls["hours"].value = "0.4"
    assert "mblib-workload-warning" not in b.workload.value


def test_a_new_elective_group_explains_what_to_do_when_every_module_is_used(sample_ws):
    b = CredentialBuilder(sample_ws, "data-storytelling", chart=False)
    b.required.value = tuple(sample_ws.modules)
    b.add_group_button.click()
    assert b.editor.current.electives == [] and "Every module of the workspace" in b.group_notice.value


@pytest.mark.slow
def test_pathway_chart_fits_draws_arrows_and_uses_the_palette(sample_ws):
    from mblib.content.pathway import pathway_graph
    from mblib.widgets.charts import chart_svg, pathway_chart

    graph = pathway_graph(sample_ws.credential("data-literacy-foundations"), sample_ws)
    svg = chart_svg(pathway_chart(graph))
    head = svg[: svg.index(">")]
    assert 'width="100%"' in head and "viewBox=" in head and "max-width:" in head
    assert svg.count(ROLE_COLORS["required"]) >= 1 and ROLE_COLORS["elective"] in svg
    spec = pathway_chart(graph).to_dict()
    arrows = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    data = spec["datasets"][arrows["data"]["name"]] if "datasets" in spec else arrows["data"]["values"]
    assert len(data) == len(graph.edges)


@pytest.mark.slow
def test_pathway_edges_end_at_circle_edges_and_labels_sit_on_a_halo(sample_ws):
    from mblib.content.pathway import pathway_graph
    from mblib.widgets.charts import HALO_NAME, SIZE_RANGE, node_radius, pathway_chart

    graph = pathway_graph(sample_ws.credential("data-literacy-foundations"), sample_ws)
    spec = pathway_chart(graph, width=440).to_dict()
    layers = spec["layer"]
    rows = next(layer for layer in layers if layer["mark"]["type"] == "rule")["data"]["values"]
    nodes = next(layer for layer in layers if layer["mark"]["type"] == "circle")
    size = nodes["encoding"]["size"]["scale"]
    assert size["range"] == list(SIZE_RANGE) and size["domain"][0] == 0  # the radius the routing assumes
    # in screen pixels (the plot's size over the scales' domains): no edge end lies inside a circle
    layer_count = max(n["layer"] for n in nodes["data"]["values"]) + 1
    row_count = max(n["row"] for n in nodes["data"]["values"]) + 1
    px_x, px_y = 440 / layer_count, spec["height"] / (row_count + 0.2)
    longest = max(n["minutes"] for n in nodes["data"]["values"])
    circles = [(n["layer"], n["row"], node_radius(n["minutes"], longest)) for n in nodes["data"]["values"]]
    heads = next(layer for layer in layers if layer["mark"]["type"] == "point")["data"]["values"]
    assert len(heads) == len(graph.edges) > 0 and len(rows) >= len(graph.edges)
    for e in rows:
        for x, y in ((e["x"], e["y"]), (e["x2"], e["y2"])):
            gaps = [math.hypot((x - cx) * px_x, (y - cy) * px_y) - r for cx, cy, r in circles]
            bend = sum((o["x"], o["y"]) == (x, y) or (o["x2"], o["y2"]) == (x, y) for o in rows) > 1
            assert min(gaps) > 0 and (bend or min(gaps) < 12), (e, sorted(gaps)[:2])
    # routed around third nodes: the edge over "Line charts over time" to "Spotting misleading charts"
    # bends above it instead of running hidden along the two edges through it
    over = [e for e in rows if (e["source"], e["target"]) == ("reading-bar-charts", "spotting-misleading-charts")]
    assert len(over) == 2 and over[0]["x2"] == 1 and over[0]["y2"] < 0, over
    # the labels' white halo: same text, drawn before the labels, hidden from screen readers
    names = [layer.get("name") for layer in layers]
    halo, labels = layers[names.index(HALO_NAME)], layers[names.index(HALO_NAME) + 1]
    assert halo["mark"]["stroke"] == "white" and halo["mark"]["strokeWidth"] >= 3 and halo["mark"]["aria"] is False
    assert labels["mark"]["type"] == "text" and halo["encoding"]["text"] == labels["encoding"]["text"]
    assert halo["mark"]["dy"] == labels["mark"]["dy"]


def test_node_radius_is_bounded():
    from mblib.widgets.charts import node_radius

    assert node_radius(-5, 60) == node_radius(0, 60) < node_radius(30, 60) < node_radius(60, 60) == node_radius(99, 60)
    assert node_radius(10, 0) == node_radius(10, 1)  # a credential of empty modules still draws


def test_review_without_a_model_says_the_next_step(tmp_path):
    from mblib.content import Module, Workspace
    from mblib.widgets import TranslationReview

    ws = Workspace.create(tmp_path / "ws", target_languages=["fr"])
    ws.save_module(Module(id="m", title="Hello", summary="A **bold** start."))
    w = TranslationReview(ws, watch=False)
    assert w.model_box.layout.display == "flex" and "mb models pull en-fr" in w.banner.value
    w.run()
    assert "no model yet" in w.status.value and "missing: 2" in w.status.value
    assert all(v.approve_button.disabled for v in w.views.values())
    view = w.views["_module/summary/0"]
    assert "<strong>bold</strong>" in view.source.value  # Markdown rendered
    w.raw.value = True
    assert "A **bold** start." in w.views["_module/summary/0"].source.value  # raw on demand
    w.use_model_folder(str(tmp_path / "nowhere"))
    assert "does not exist" in w.banner.value and w.model_folder is None
    w.filter.value = "glossary"
    assert "No segment breaks a glossary rule" in w.table.children[0].value


def test_review_refreshes_when_the_translations_file_changes(tmp_path):
    from mblib.content import Module, Workspace
    from mblib.translate.apply import review_segment
    from mblib.widgets import TranslationReview

    ws = Workspace.create(tmp_path / "ws", target_languages=["fr"])
    ws.save_module(Module(id="m", title="Hello"))
    w = TranslationReview(ws, watch=True, poll_s=0.05)
    try:
        review_segment(ws, "m", "fr", "_module/title/0", "Bonjour")  # e.g. a notebook cell, or Run All
        deadline = time.time() + 10
        while time.time() < deadline and "reviewed: 1" not in w.status.value:
            time.sleep(0.05)
        assert "reviewed: 1" in w.status.value and not w.check_for_changes()
        w.tabs.selected_index = 1
        assert 'lang="fr"' in w.page_preview.html and "Bonjour" in w.page_preview.html
    finally:
        w.close()


def test_the_site_uses_the_same_palette_as_the_builder_and_the_chart(sample_ws, tmp_path):
    from mblib.export.site import export_site
    from mblib.render.palette import palette_css

    out = export_site(sample_ws, "data-storytelling", tmp_path / "site", execute=False)
    index = (out / "index.html").read_text()
    assert palette_css() in index and ROLE_COLORS["required"] in palette_css()
    assert 'class="mb-kind mb-kind--required"' in index
