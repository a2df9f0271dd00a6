"""Issue 11, item 2: the fast YAML reader (libyaml) gives the data and the positions the reference
reader (ruamel, YAML 1.2) gives: for every sample workspace file and for scalars where YAML 1.1
and 1.2 disagree. What it cannot read exactly goes to ruamel, so errors keep their words and places."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mblib.content import Workspace
from mblib.content.yamlfast import Fallback, load_fast
from mblib.content.yamlio import load_yaml_ruamel, load_yaml_text
from mblib.errors import ContentError

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace"
FILES = sorted(p for p in SAMPLE.rglob("*.yaml"))


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a).__module__.startswith("ruamel"):  # e.g. a TaggedScalar: no value equality
        return type(a) is type(b) and repr(a) == repr(b)
    return type(a) is type(b) and a == b


def test_the_sample_workspace_has_files_to_compare():
    assert len([p for p in FILES if p.parent.name == "modules"]) >= 10
    assert any(p.parent.name == "credentials" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_files_load_alike_with_the_same_positions(path):
    text = path.read_text(encoding="utf-8")
    fast, ref = load_yaml_text(text, path.name), load_yaml_ruamel(text, path.name)
    assert fast.text is not None and fast.tree is None  # read by libyaml, positions not built yet
    assert _same(fast.data, ref.data)
    for p in _paths(ref.data):
        assert fast.locate(p) == ref.locate(p), p


TRICKY = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Yes",
    "NO",
    "True",
    "false",
    "TRUE",
    "~",
    "null",
    "Null",
    "",
    "012",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "+12",
    "-0",
    "007",
    "1:20",
    "1:20:30",
    "190:20:30.15",
    "1e3",
    "1E-2",
    "1.5",
    ".5",
    "-.5",
    "+1.",
    "1_0.2_5",
    ".inf",
    "-.Inf",
    ".NaN",
    "0.",
    "1e",
    "e3",
    "_",
    "_1",
    "0x",
    "0xG",
    "12abc",
    "3 apples",
    "1,000",
    "1.2.3",
    "v1.0",
    "#tag",
    "a: b",
    "=",
    "<<",
    "2024-01-31",
    "2024-01-31 10:00:00",
    "2024-1-2",
    "10:00",
    "-",
    "--",
    "...",
    ".",
    "+",
    "0b2",
    "0o8",
]


@pytest.mark.parametrize("scalar", TRICKY)
def test_tricky_scalars_resolve_as_ruamel_resolves_them(scalar):
    for text in (
        f"v: {scalar}\n",
        f"v: [{scalar}]\n" if scalar and scalar not in ("a: b", "#tag") else "v: 1\n",
        f"v: '{scalar}'\n",
    ):
        try:
            ref = load_yaml_ruamel(text, "t.yaml").data
        except ContentError:
            with pytest.raises(ContentError):
                load_yaml_text(text, "t.yaml")
            continue
        assert _same(load_yaml_text(text, "t.yaml").data, ref), text


def test_yaml_1_1_booleans_stay_text_and_octal_looking_numbers_are_decimal():
    data = load_fast("a: yes\nb: off\nc: 010\nd: 1:30\ne: 0o10\n", "t.yaml")
    assert data == {"a": "yes", "b": "off", "c": 10, "d": "1:30", "e": 8}


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a: [1\n",  # syntax error
        "a: !!str 12\n",  # explicit tag
        "a: 1\n<<: {b: 2}\n",  # merge key
        "when: 2024-01-31\n",  # timestamp
        "%YAML 1.1\n---\na: yes\n",  # directive
        "1: a\n",  # a key that is not text
        "a: x\u2028y\n",  # a line break of YAML 1.1 only
    ],
)
def test_what_only_ruamel_reads_exactly_goes_to_ruamel(text):
    with pytest.raises(Fallback):
        load_fast(text, "t.yaml")
    try:
        ref: Any = load_yaml_ruamel(text, "t.yaml").data
    except ContentError as e:
        with pytest.raises(ContentError) as err:
            load_yaml_text(text, "t.yaml")
        assert str(err.value) == str(e)  # the same words and place
        return
    assert _same(load_yaml_text(text, "t.yaml").data, ref)


def test_duplicate_keys_and_syntax_errors_keep_their_message_and_place():
    with pytest.raises(ContentError, match=r"t.yaml:3:1: YAML syntax error: the key 'title' appears twice"):
        load_yaml_text("id: m\ntitle: A\ntitle: B\n", "t.yaml")
    with pytest.raises(ContentError, match=r"t.yaml:3:1: YAML syntax error: expected ',' or '\]'"):
        load_yaml_text("id: m\ntitle: [a\n", "t.yaml")


def test_validation_errors_are_located_through_the_lazy_positions(tmp_path):
    root = tmp_path / "ws"
    Workspace.create(root)
    (root / "modules" / "m.yaml").write_text(
        "id: m\ntitle: M\nblocks:\n  - id: a\n    type: text\n    body: Hi\n  - id: b\n    type: quiz\n"
        "    question: Q?\n    choices:\n      - {id: x, text: X, correct: maybe}\n"
    )
    with pytest.raises(ContentError) as err:
        Workspace.open(root)
    [p] = err.value.problems
    assert (p.location.file, p.location.line, p.location.column) == (
        "ws/modules/m.yaml",
        11,
        26,
    )  # as the ruamel reader located it
    assert p.location.block_id == "b" and "true or false" in p.message
