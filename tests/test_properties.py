"""Property tests: random modules and random plain data survive YAML round trips byte for byte."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mblib.content import Module, Workspace, to_yaml
from mblib.content.blocks import ID_PATTERN
from mblib.content.yamlio import dump_yaml, load_yaml_text

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ids = st.from_regex(ID_PATTERN, fullmatch=True)

TRICKY = [
    "",
    " ",
    "  leading",
    "trailing  ",
    "\ttab",
    "tab\tinside",
    "a: b",
    "# not a comment",
    "key: value # hash",
    "'single'",
    '"double"',
    "it's",
    "- dash",
    "? q",
    "! bang",
    "& amp",
    "* star",
    "|",
    ">",
    "@at",
    "`tick`",
    "null",
    "~",
    "true",
    "no",
    "yes",
    "1.0",
    "0x1F",
    "1e3",
    "2024-01-01",
    "🙂 emoji ✨",
    "日本語",
    "a\nb",
    "line one\nline two\n",
    "two trailing\n\n",
    "\nstarts with newline",
    "  indented\nlines\n",
    "trailing space \nnext",
    "ends with space\n ",
    "crlf\r\nline",
    "nbsp\u00a0here",
    "{flow}",
    "[list]",
    "---",
    "...",
    "%TAG",
    "multi\n\n\nblank lines\n",
    "tab\n\tindented line\n",
    "a\u2028b",
    "zero\x00byte",
]

text = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=8), max_size=4).map("\n".join),
)
opt_text = st.none() | text


@st.composite
def unique_ids(draw, min_size=0, max_size=4):
    return draw(st.lists(ids, min_size=min_size, max_size=max_size, unique=True))


@st.composite
def choices(draw):
    return [
        {"id": i, "text": draw(text), "correct": draw(st.booleans()), "feedback": draw(opt_text)}
        for i in draw(unique_ids())
    ]


@st.composite
def block(draw, block_id):
    kind = draw(
        st.sampled_from(["text", "image", "video", "callout", "quiz", "flashcards", "accordion", "checklist", "code"])
    )
    b = {"id": block_id, "type": kind}
    if kind == "text":
        b["body"] = draw(text)
    elif kind == "image":
        b.update(src=draw(text), alt=draw(text), decorative=draw(st.booleans()), caption=draw(opt_text))
    elif kind == "video":
        b.update(
            src=draw(text),
            title=draw(text),
            duration_s=draw(st.floats(0, 1e6, allow_nan=False)),
            captions=[
                {"src": draw(text), "language": draw(text), "label": draw(text)} for _ in range(draw(st.integers(0, 2)))
            ],
            poster=draw(opt_text),
            transcript=draw(opt_text),
        )
    elif kind == "callout":
        b.update(variant=draw(st.sampled_from(["note", "tip", "warning"])), title=draw(opt_text), body=draw(text))
    elif kind == "quiz":
        b.update(
            question=draw(text),
            multiple=draw(st.booleans()),
            choices=draw(choices()),
            weight=draw(st.floats(0, 100, allow_nan=False)),
            explanation=draw(opt_text),
        )
    elif kind == "flashcards":
        b.update(
            title=draw(opt_text), cards=[{"id": i, "front": draw(text), "back": draw(text)} for i in draw(unique_ids())]
        )
    elif kind == "accordion":
        b.update(
            title=draw(opt_text), items=[{"id": i, "title": draw(text), "body": draw(text)} for i in draw(unique_ids())]
        )
    elif kind == "checklist":
        b.update(title=draw(opt_text), items=[{"id": i, "text": draw(text)} for i in draw(unique_ids())])
    else:
        b.update(
            source=draw(text),
            caption=draw(opt_text),
            outputs=[{"mime": draw(text), "data": draw(text)} for _ in range(draw(st.integers(0, 2)))],
        )
    return b


@st.composite
def modules(draw):
    block_ids = draw(unique_ids(max_size=6))
    return Module.model_validate(
        {
            "id": draw(ids),
            "title": draw(text),
            "summary": draw(text),
            "objectives": draw(st.lists(text, max_size=3)),
            "audience": draw(text),
            "language": draw(st.sampled_from(["en", "fr", "de-CH"])),
            "skills": draw(st.lists(text, max_size=2)),
            "pass_mark": draw(st.floats(0, 1, allow_nan=False)),
            "version": draw(st.from_regex(r"\A\d{1,3}\.\d{1,3}(\.\d{1,3})?\Z")),
            "duration_budget_min": draw(st.none() | st.floats(0.1, 120, allow_nan=False)),
            "blocks": [draw(block(i)) for i in block_ids],
        }
    )


@FAST
@given(modules())
def test_module_save_load_roundtrip_is_stable(module):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        ws = Workspace.create(root)
        assert ws.save_module(module) is True
        f = ws.module_path(module.id)
        data = f.read_bytes()
        assert data.decode("utf-8") == to_yaml(module)

        again = Workspace.open(root)
        assert again.module(module.id) == module
        mtime = f.stat().st_mtime_ns
        assert again.save() == []
        assert again.save_module(again.module(module.id)) is False
        assert f.read_bytes() == data and f.stat().st_mtime_ns == mtime


plain_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | text
plain_keys = st.sampled_from(["id", "title", "a: b", "#", "", "yes", "1", "🙂"]) | st.text(max_size=10)
plain_data = st.recursive(
    plain_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(plain_keys, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(plain_data)
def test_dump_then_load_gives_the_same_data(data):
    text = dump_yaml(data)
    assert load_yaml_text(text, "x.yaml").data == data
    assert dump_yaml(load_yaml_text(text, "x.yaml").data) == text  # canonical output is a fixed point
