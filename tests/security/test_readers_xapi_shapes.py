"""read_xapi on statements of any JSON shape: each is mapped or rejected with a reason, nothing raises.

Regression for issue 10 item 7: ``verb.id``, ``id`` or ``object.id`` as a list,
``contextActivities.parent`` as a number and ``score.raw`` as text raised TypeError and aborted
the whole read (no rejects file).
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mblib.analytics.privacy import Pseudonymiser
from mblib.analytics.readers import read_xapi
from mblib.content import Workspace
from tests.conftest import SAMPLE

BASE: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-000000000002",
    "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "ann"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
    "object": {
        "objectType": "Activity",
        "id": "https://lms.example/xapi/modules/reading-bar-charts/blocks/read-the-bars",
    },
    "timestamp": "2025-02-03T09:05:00Z",
    "context": {
        "language": "fr",
        "contextActivities": {
            "parent": [{"id": "https://lms.example/xapi/modules/reading-bar-charts"}],
            "grouping": [{"id": "https://lms.example/xapi/credentials/data-literacy-foundations"}],
        },
    },
    "result": {"score": {"raw": 7, "min": 0, "max": 10}, "success": True, "duration": "PT1M", "response": "b[,]a"},
}
PATHS: list[tuple[str, ...]] = [
    ("id",),
    ("actor",),
    ("actor", "account"),
    ("actor", "account", "name"),
    ("actor", "account", "homePage"),
    ("actor", "mbox"),
    ("verb",),
    ("verb", "id"),
    ("object",),
    ("object", "id"),
    ("timestamp",),
    ("stored",),
    ("context",),
    ("context", "language"),
    ("context", "contextActivities"),
    ("context", "contextActivities", "parent"),
    ("context", "contextActivities", "grouping"),
    ("context", "contextActivities", "parent", 0),
    ("context", "contextActivities", "parent", 0, "id"),
    ("result",),
    ("result", "score"),
    ("result", "score", "raw"),
    ("result", "score", "min"),
    ("result", "score", "max"),
    ("result", "score", "scaled"),
    ("result", "success"),
    ("result", "duration"),
    ("result", "response"),
]
TRICKY = st.sampled_from(
    [
        "\ud800",
        "ann\ufffd",
        "P99999999999999999999Y",
        "NaN",
        "",
        "PT",
        "0001-01-01T00:00:00+01:00",
        "http://adlnet.gov/expapi/verbs/voided",
        "http://adlnet.gov/expapi/verbs/commented",  # not a learning event: set aside
        "https://w3id.org/xapi/tla/verbs/achieved",
        "http://activitystrea.ms/schema/1.0/badge",
        "9999-12-31T23:59:59-01:00",
        10**400,
        -1e308,
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | TRICKY
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(["id", "name", "raw"]), inner, max_size=3)
    ),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(SAMPLE)


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        nxt = node[key] if isinstance(node, dict) and key in node or isinstance(node, list) and key == 0 else None
        if not isinstance(nxt, (dict, list)):
            nxt = {}
            node[key] = nxt
        node = nxt
    if isinstance(node, list):
        node[0] = value
    else:
        node[path[-1]] = value
    return doc


def _read(ws: Workspace, text: str, name: str = "statements.jsonl", **kw: Any):
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / name
        f.write_text(text, encoding="utf-8")
        r = read_xapi(f, ws, echo=None, **kw)
        df = r.collect()
        lines = r.rejects_path.read_text(encoding="utf-8").split("\n")[:-1] if r.rejects_path else []
        rejects = [json.loads(line) for line in lines]
    assert df.height == r.kept
    assert r.kept + r.rejected + r.removed + sum(r.aside.values()) == r.read
    assert len(rejects) == r.rejected
    assert all(isinstance(b["reason"], str) and b["reason"] for b in rejects)
    return r, df, rejects


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=4))
def test_any_value_anywhere_in_a_statement_is_mapped_or_rejected(ws, statements):
    docs = [_set(BASE, path, value) for path, value in statements]
    text = "\n".join(json.dumps(d) for d in docs) + "\n"
    r, df, rejects = _read(ws, text, pseudonymise=Pseudonymiser.from_key("k" * 16))
    assert r.read == len(docs)
    assert r.kept + r.rejected + r.removed + sum(r.aside.values()) == len(docs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON, as_array=st.booleans())
def test_any_top_level_json_never_raises(ws, value, as_array):
    text = json.dumps([value] if as_array else value)
    r, df, rejects = _read(ws, text, name="statements.json", pseudonymise=False)
    assert r.kept + r.rejected + r.removed + sum(r.aside.values()) == r.read


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=200))
def test_any_bytes_never_raise(ws, raw):
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "statements.json"
        f.write_bytes(raw)
        r = read_xapi(f, ws, echo=None, pseudonymise=False)
        assert r.kept + r.rejected + r.removed + sum(r.aside.values()) == r.read


def test_json_lines_whose_first_line_is_not_an_object_are_read_line_by_line(ws):
    r, _, rejects = _read(ws, "null\n" + json.dumps(BASE) + "\n", pseudonymise=False)
    assert (r.read, r.kept, r.rejected) == (2, 1, 1)
    assert rejects[0]["reason"] == "not a statement (expected a JSON object)"


def test_the_base_statement_is_mapped(ws):
    r, df, _ = _read(ws, json.dumps(BASE), pseudonymise=False)
    assert (r.read, r.kept) == (1, 1)
    assert df.row(0, named=True)["score"] == 0.7


@pytest.mark.parametrize(
    "path, value, reason",
    [
        (
            ("verb", "id"),
            ["http://adlnet.gov/expapi/verbs/answered"],
            "verb.id ['http://adlnet.gov/expapi/verbs/answered'] is a list, not text",
        ),
        (("id",), ["x"], "id ['x'] is a list, not text"),
        (
            ("object", "id"),
            ["https://lms.example/xapi/modules/reading-bar-charts"],
            "object.id ['https://lms.example/xapi/modules/reading-bar-charts'] is a list, not text",
        ),
        (
            ("context", "contextActivities", "parent"),
            3,
            "context.contextActivities.parent 3 is a number, not a list of activities",
        ),
        (("result", "score", "raw"), "7", "result.score.raw '7' is text, not a number"),
        (("result", "score", "raw"), 10**400, "result.score.raw 1" + "0" * 56 + "... is not a finite number"),
        (
            ("context", "contextActivities", "parent", 0, "id"),
            {"a": 1},
            "context.contextActivities.parent[1].id {'a': 1} is an object, not text",
        ),
        (("timestamp",), "0001-01-01T00:00:00+01:00", "timestamp '0001-01-01T00:00:00+01:00' is not ISO 8601"),
        (("result", "response"), ["a", "b"], "result.response ['a', 'b'] is a list, not text"),
        (
            ("actor", "account", "name"),
            "\ud800",
            "actor.account.name is not valid Unicode text (it holds a lone surrogate such as \\ud800)",
        ),
    ],
    ids=[
        "verb.id list",
        "id list",
        "object.id list",
        "parent number",
        "raw text",
        "raw huge",
        "parent id object",
        "timestamp overflow",
        "response list",
        "name surrogate",
    ],
)
def test_each_reported_shape_is_rejected_with_its_reason(ws, path, value, reason):
    good = json.dumps(BASE)
    r, df, rejects = _read(
        ws, good + "\n" + json.dumps(_set(BASE, path, value)) + "\n" + good + "\n", pseudonymise=False
    )
    assert (r.read, r.kept, r.rejected) == (3, 2, 1)  # the rest of the file is still read
    assert rejects[0]["position"] == "line 2"
    assert rejects[0]["reason"] == reason


def test_too_deeply_nested_json_is_a_reject(ws):
    r, _, rejects = _read(ws, json.dumps(BASE) + "\n" + "[" * 100_000 + "\n", pseudonymise=False)
    assert (r.read, r.kept, r.rejected) == (2, 1, 1)
    assert rejects[0]["reason"] == "malformed JSON: nested too deeply to read"


def test_a_statement_with_several_defects_is_rejected_for_the_first(ws):
    """No actor, an unknown verb and an unmapped activity: the reason is the missing actor (issue 12)."""
    st = {**BASE, "verb": {"id": "http://example.com/verbs/liked"}, "object": {"id": "urn:nowhere"}}
    del st["actor"]
    r, _, rejects = _read(ws, json.dumps(st), pseudonymise=False)
    assert [b["reason"] for b in rejects] == ["statement has no actor"]
    st["actor"] = BASE["actor"]
    del st["object"]
    r, _, rejects = _read(ws, json.dumps(st), pseudonymise=False)
    assert [b["reason"] for b in rejects] == ["statement has no object"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: &x [1]\nactivities: *x\n", "alias"),
        ("activities:\n  " + "[" * 200 + "]" * 200 + ": 1\n", ""),
        ("activities: {x: {module: [1]}}\n", "module [1] is not an id"),
        ("activities: {x: {lesson: m}}\n", "is not a mapping of credential, module, block"),
    ],
    ids=["alias", "deep", "list id", "unknown key"],
)
def test_a_hostile_activities_file_is_refused_with_a_reader_error(ws, tmp_path, text, message):
    from mblib.analytics.readers import load_activities
    from mblib.errors import MblibError

    f = tmp_path / "activities.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(MblibError) as e:
        load_activities(f, ws)
    assert message.lower() in str(e.value).lower()
