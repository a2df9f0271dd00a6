"""Segments: coverage of every learner-visible field, stable keys, protection and exact reassembly."""

from __future__ import annotations

import pytest

from mblib.content import BLOCK_TYPES, Module
from mblib.translate.apply import translate_module, translated_module
from mblib.translate.protect import protect
from mblib.translate.segments import FIELD_KINDS, module_segments, split_field, split_sentences

from .conftest import MODULE
from .engines_for_tests import ShoutEngine, SpacedReorderEngine


def test_every_text_field_of_every_block_type_is_segmented():
    for name, cls in BLOCK_TYPES.items():
        assert name in FIELD_KINDS, f"block type {name} has no segment rules"
        for f in cls.text_fields:
            assert f in FIELD_KINDS[name], f"{name}.{f} is learner-visible but not segmented"


def test_keys_are_stable_and_code_ids_and_urls_are_never_segments():
    m = Module.model_validate(MODULE)
    segs = module_segments(m)
    keys = [s.id for s in segs]
    assert len(keys) == len(set(keys))
    assert keys[:4] == ["_module/title/0", "_module/summary/0", "_module/objectives.0/0", "intro/body/0"]
    assert "q/choices.zero.text/0" in keys and "q/choices.min.feedback/0" in keys
    assert "terms/items.axis.body/0" in keys and "check/items.b.text/0" in keys and "code/caption/0" in keys
    sources = " ".join(s.source for s in segs)
    assert "```" not in sources and "media/chart.svg" not in sources and "bar-basics" not in sources
    # inserting a block elsewhere changes no key
    data = m.model_dump()
    data["blocks"].insert(0, {"id": "new", "type": "text", "body": "Fresh words."})
    again = {s.id: s.source for s in module_segments(Module.model_validate(data))}
    assert all(again[s.id] == s.source for s in segs)


def test_long_paragraphs_are_split_into_sentences_but_not_inside_markup():
    text = "One **bold. Still bold** sentence. See `a. B` and e.g. this. Then https://x.org/a.B works. Last!"
    assert split_sentences(text) == [
        "One **bold. Still bold** sentence. ",
        "See `a. B` and e.g. this. ",
        "Then https://x.org/a.B works. ",
        "Last!",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "## Title #\n\n> quoted line. Another one.\n\n- [ ] task *one*\n- item two\n\n| a | b |\n|---|---|\n| x y | z |\n",
        "Text  \nwith hard break. And `code`!\n\n~~~\nfenced. Not prose.\n~~~\n\n    indented code. Here.\n",
        '1. First <abbr title="x">HTML</abbr> &amp; more.\n2) Second {placeholder} %(name)s done.\n',
    ],
)
def test_identity_reassembly_is_exact(text):
    f = split_field(text, "block")
    assert f.join({}) == text
    assert f.join({i: s for i, s in enumerate(f.segments)}) == text
    assert "fenced. Not prose." not in f.segments and "indented code. Here." not in " ".join(f.segments)


def test_protection_restores_markup_placeholders_and_order():
    p = protect('Use `x()` with **{n} items** and [the guide](https://e.org/g "G") <b>now</b> &amp; _then_.')
    assert "`" not in p.text and "{n}" not in p.text and "https" not in p.text and "<b>" not in p.text
    spaced = SpacedReorderEngine().translate_batch([p.text])[0]
    assert p.restore(spaced) == (
        'Use `x()` with **{n} items** and [the guide](https://e.org/g "G") <b> now </b> &amp; _then_ .'
    )
    assert p.lost == []


def test_deterministic_engine_reassembles_every_field_exactly(tws):
    translate_module(tws, "bar-basics", "xx", engine=ShoutEngine())
    out = translated_module(tws, tws.module("bar-basics"), "xx")
    assert out.title == "READING A BAR CHART"
    assert out.summary == "CHECK THAT THE **AXIS** STARTS AT ZERO."
    assert out.blocks[0].body == (
        "## WHAT A BAR STANDS FOR\n\nEACH BAR STANDS FOR ONE VALUE. COMPARE THE LENGTHS, NOT THE NUMBERS.\n\n"
        "```python\nplot(df)\n```\n\nRUN `plot(df)` TO DRAW THE CHART FOR {region}. "
        "READ THE [GUIDE](https://example.org/guide) FIRST.\n"
    )
    assert out.blocks[2].choices[1].feedback == "NOT QUITE."
    assert out.blocks[6].source == "plot(df)\n" and out.blocks[1].src == "media/chart.svg"
    assert [b.id for b in out.blocks] == [b.id for b in tws.module("bar-basics").blocks]
    assert out.language == "xx"
