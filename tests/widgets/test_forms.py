"""Forms come from the block models: every type, and a type registered later, gets one with no widget code."""

from __future__ import annotations

from typing import ClassVar, Literal

import pytest
from pydantic import Field

from mblib.content import blocks as blocks_mod
from mblib.content.blocks import BLOCK_TYPES, _Block
from mblib.content.forms import FieldSpec, block_form, form_value, new_block_data, parse_form, parse_value
from mblib.errors import ContentError
from mblib.widgets.forms import FieldForm, ItemsEditor

WIDGET_FOR = {
    "text": "Text",
    "markdown": "Textarea",
    "lines": "Textarea",
    "bool": "Checkbox",
    "choice": "Dropdown",
    "number": ("FloatText", "Text"),
    "integer": ("IntText", "Text"),
}


@pytest.mark.parametrize("block_type", list(BLOCK_TYPES))
def test_every_block_type_gets_a_form_from_the_generic_machinery(block_type):
    model = BLOCK_TYPES[block_type]
    specs = block_form(block_type)
    assert [s.name for s in specs] == [n for n in model.model_fields if n not in ("id", "type")]
    data = new_block_data(block_type, [])
    block = model.model_validate(data)
    form = FieldForm(specs, {s.name: getattr(block, s.name) for s in specs})
    for s in specs:
        if s.kind == "items":
            assert isinstance(form.items[s.name], ItemsEditor)
        else:
            assert type(form.controls[s.name]).__name__ in WIDGET_FOR[s.kind]
    # what the form shows parses back into the same block
    assert model.model_validate({**data, **parse_form(specs, form.values())}) == block


class RatingBlock(_Block):
    """A block type invented by a test: ask learners to rate something."""

    type: Literal["rating"]
    prompt: str = Field(description="the question (Markdown)")
    scale: Literal[3, 5, 10] = 5
    anonymous: bool = True
    threshold: float | None = Field(None, ge=0, description="flag ratings below this")
    text_fields: ClassVar[tuple[str, ...]] = ("prompt",)
    label: ClassVar[str] = "Rating"


def test_a_new_block_type_gets_a_form_without_new_widget_code(monkeypatch):
    monkeypatch.setitem(blocks_mod.BLOCK_TYPES, "rating", RatingBlock)
    specs = block_form("rating")
    assert [(s.name, s.kind, s.required) for s in specs] == [
        ("prompt", "markdown", True),
        ("scale", "choice", False),
        ("anonymous", "bool", False),
        ("threshold", "number", False),
    ]
    assert specs[1].choices == (3, 5, 10) and specs[3].optional and specs[3].minimum == 0
    seen = []
    data = new_block_data("rating", ["rating-1"])
    assert data == {"id": "rating-2", "type": "rating", "prompt": "Write here."}
    form = FieldForm(specs, data, seen.append)
    form.controls["scale"].value = 10
    form.controls["threshold"].value = "2.5"
    block = RatingBlock.model_validate({**data, **parse_form(specs, seen[-1])})
    assert (block.scale, block.threshold, block.anonymous) == (10, 2.5, True)


def test_parse_value_errors_name_the_field():
    with pytest.raises(ContentError) as err:
        parse_value(FieldSpec("duration_s", "number", True), "ten")
    assert "'ten' is not a number" in str(err.value) and "field 'duration_s'" in str(err.value)
    assert "type a number into 'Duration (s)'" in str(err.value)
    assert parse_value(FieldSpec("variant", "choice", False, optional=True), "") is None
    assert form_value(FieldSpec("caption", "text", False, optional=True), None) == ""


def test_items_editor_adds_and_removes_items_with_fresh_ids():
    from mblib.content.blocks import FlashcardsBlock

    specs = block_form("flashcards")
    block = FlashcardsBlock.model_validate(new_block_data("flashcards"))
    seen = []
    form = FieldForm(specs, {s.name: getattr(block, s.name) for s in specs}, seen.append)
    cards = form.items["cards"]
    cards.add_button.click()
    cards.add_button.click()
    assert [c["id"] for c in seen[-1]["cards"]] == ["a", "b", "c"]
    cards.forms[1].controls["front"].value = "Front of b"
    remove_a = cards.children[1].children[1]
    remove_a.click()
    assert [(c["id"], c["front"]) for c in seen[-1]["cards"]] == [("b", "Front of b"), ("c", "Front c")]
