"""The xAPI vocabularies LMSs send: each maps to the expected events; bad statements get their first defect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mblib.analytics.readers import read_xapi
from mblib.analytics.readers.xapi_verbs import (
    ADL,
    ADL_W3ID,
    NATURAL,
    NOT_LEARNING,
    VERB_RULES,
    VOCABULARIES,
    XAPI_VERBS,
    event_for,
    verb_table_markdown,
    vocabularies_markdown,
)
from mblib.analytics.schema import VERBS
from mblib.content import Workspace
from tests.conftest import SAMPLE

DATA = Path(__file__).parent / "data" / "xapi"
DOC = Path(__file__).parents[2] / "docs" / "xapi-vocabularies.md"
FOLDERS = sorted(p.name for p in DATA.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(SAMPLE)


def _expected(vocab: str) -> dict[str, Any]:
    return json.loads((DATA / vocab / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vocab", FOLDERS)
def test_published_examples_map_to_the_expected_events(ws, vocab, tmp_path):
    want = _expected(vocab)
    activities = {iri: tuple(place) for iri, place in want["activities"].items()}
    r = read_xapi(
        DATA / vocab / "statements.json",
        ws,
        pseudonymise=False,
        activities=activities,
        rejects=tmp_path / "rejects.jsonl",
        echo=None,
    )
    rejects = r.rejects_path.read_text(encoding="utf-8") if r.rejects_path else ""
    assert r.rejected == 0, rejects
    df = r.collect()
    assert df["verb"].cast(str).to_list() == want["events"]
    assert r.aside == want["aside"]
    assert r.kept == len(want["events"])
    assert r.read == len(want["events"]) + sum(want["aside"].values())


def test_every_vocabulary_has_published_examples_with_their_source():
    assert set(FOLDERS) == set(VOCABULARIES)
    for vocab in FOLDERS:
        readme = (DATA / vocab / "README.md").read_text(encoding="utf-8")
        assert "https://" in readme, f"{vocab}/README.md names no source URL"
        verbs = {s["verb"]["id"] for s in json.loads((DATA / vocab / "statements.json").read_text(encoding="utf-8"))}
        base = VOCABULARIES[vocab].base
        assert any(v.startswith(base) for v in verbs), f"{vocab}: no statement uses a verb of {base}"


def test_the_whole_adl_list_and_the_cmi5_verbs_are_in_the_table():
    adl = [
        "answered",
        "asked",
        "attempted",
        "attended",
        "commented",
        "completed",
        "exited",
        "experienced",
        "failed",
        "imported",
        "initialized",
        "interacted",
        "launched",
        "mastered",
        "passed",
        "preferred",
        "progressed",
        "registered",
        "responded",
        "resumed",
        "scored",
        "shared",
        "suspended",
        "terminated",
        "voided",
        "waived",
    ]
    table = {r.iri: r for r in VERB_RULES}
    assert [v for v in adl if ADL + v not in table] == []
    cmi5 = {r.iri for r in VERB_RULES if "cmi5" in r.vocabularies}
    assert {i.rsplit("/", 1)[-1] for i in cmi5} == {
        "launched",
        "initialized",
        "completed",
        "passed",
        "failed",
        "abandoned",
        "waived",
        "terminated",
        "satisfied",
    }
    assert "https://w3id.org/xapi/adl/verbs/abandoned" in cmi5 and "https://w3id.org/xapi/adl/verbs/satisfied" in cmi5


def test_the_table_is_consistent():
    iris = [r.iri for r in VERB_RULES]
    assert len(iris) == len(set(iris)), "a verb IRI appears twice"
    for r in VERB_RULES:
        assert r.event is None or r.event in NATURAL, r.iri
        for level in ("credential", "module", "block"):
            e = r.on(level)
            assert e is None or e in VERBS, (r.iri, level, e)
        bases = {VOCABULARIES[v].base for v in r.vocabularies} | ({ADL_W3ID} if "adl" in r.vocabularies else set())
        assert any(r.iri.startswith(b) for b in bases), r.iri
        assert r.event is not None or r.note, f"{r.iri}: a verb set aside says why"
    assert set(XAPI_VERBS) | NOT_LEARNING == set(iris)


def test_tla_achieved_is_earned_only_for_a_credential():
    iri = "https://w3id.org/xapi/tla/verbs/achieved"
    assert [event_for(iri, lvl) for lvl in ("credential", "module", "block")] == ["earned", "completed", "progressed"]


def test_the_docs_table_is_generated_from_the_verb_table():
    doc = DOC.read_text(encoding="utf-8")
    start = "<!-- generated from VERB_RULES: do not edit by hand -->\n"
    end = "<!-- end of generated table -->"
    block = doc[doc.index(start) + len(start) : doc.index(end)]
    assert block == verb_table_markdown(), (
        "docs/xapi-vocabularies.md is out of date: replace its generated table with "
        "mblib.analytics.readers.xapi_verbs.verb_table_markdown()"
    )
    assert vocabularies_markdown() in doc


GOOD: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-000000000101",
    "actor": {"account": {"homePage": "https://lms.example", "name": "ann"}},
    "verb": {"id": "http://example.com/verbs/unknown"},
    "object": {"id": "https://lms.example/xapi/nothing-here"},
    "timestamp": "2025-02-03T09:05:00Z",
}


def _one(ws: Workspace, tmp_path: Path, statement: Any, **kw: Any):
    f = tmp_path / "one.json"
    f.write_text(json.dumps([statement]), encoding="utf-8")
    r = read_xapi(f, ws, pseudonymise=False, echo=None, **kw)
    reasons = [json.loads(line)["reason"] for line in r.rejects_path.read_text().splitlines()] if r.rejects_path else []
    return r, reasons


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"actor": None}, "statement has no actor"),
        ({"actor": {"name": "Ann"}}, "actor has no account name, mbox, mbox_sha1sum or openid"),
        ({"object": None}, "statement has no object"),
        ({"object": {"objectType": "Agent", "mbox": "mailto:b@example.org"}}, "statement has no object.id"),
        ({"verb": None}, "statement has no verb"),
        ({"verb": {"display": {"en": "did"}}}, "statement has no verb.id"),
        ({"timestamp": None}, "statement has no timestamp (and no stored time)"),
        ({"timestamp": "yesterday"}, "timestamp 'yesterday' is not ISO 8601"),
        ({"timestamp": None, "stored": "13/01/2025"}, "stored '13/01/2025' is not ISO 8601"),
        ({}, "unknown verb IRI http://example.com/verbs/unknown"),
        (
            {"verb": {"id": ADL + "launched"}},
            "activity https://lms.example/xapi/nothing-here matches no module, block or credential of the workspace",
        ),
    ],
    ids=[
        "no actor",
        "anonymous actor",
        "no object",
        "agent object",
        "no verb",
        "verb without id",
        "no timestamp",
        "bad timestamp",
        "bad stored",
        "unknown verb",
        "unmapped activity",
    ],
)
def test_the_reason_is_the_first_real_defect(ws, tmp_path, change, reason):
    """Each statement also has an unknown verb and an unmapped activity: the reason names the earlier defect."""
    st = {**GOOD, **change}
    st = {k: v for k, v in st.items() if v is not None}
    r, reasons = _one(ws, tmp_path, st)
    assert r.rejected == 1
    assert reasons[0].startswith(reason), reasons


def test_stored_stands_in_for_a_missing_timestamp(ws, tmp_path):
    st = {
        **GOOD,
        "verb": {"id": ADL + "launched"},
        "object": {"id": "https://lms.example/xapi/modules/reading-bar-charts"},
        "stored": "2025-02-04T08:00:00.123Z",
    }
    del st["timestamp"]
    r, reasons = _one(ws, tmp_path, st)
    assert reasons == [] and str(r.collect()["timestamp"][0]) == "2025-02-04 08:00:00.123000+00:00"
    st["timestamp"] = "2025-02-03T09:05:00Z"  # timestamp wins over stored
    r, _ = _one(ws, tmp_path, st)
    assert str(r.collect()["timestamp"][0]) == "2025-02-03 09:05:00+00:00"


def test_not_learning_events_are_counted_apart_not_rejected(ws, tmp_path):
    commented = {**GOOD, "verb": {"id": ADL + "commented"}}  # about an activity the workspace lacks: still aside
    f = tmp_path / "mixed.json"
    f.write_text(json.dumps([commented, commented, {**GOOD, "verb": {"id": ADL + "shared"}}, GOOD]))
    lines: list[str] = []
    r = read_xapi(f, ws, pseudonymise=False, echo=lines.append)
    assert (r.read, r.kept, r.rejected, r.aside) == (4, 0, 1, {ADL + "commented": 2, ADL + "shared": 1})
    assert lines == [
        "mixed.json: read 4 statements, kept 0, rejected 1, set aside 3 not learning events "
        "(commented 2, shared 1) (reasons in mixed.rejects.jsonl)"
    ]


def test_a_verb_about_a_level_where_it_means_nothing_is_set_aside(ws, tmp_path):
    viewed_course = {
        **GOOD,
        "verb": {"id": "http://id.tincanapi.com/verb/viewed"},
        "object": {"id": "https://lms.example/xapi/credentials/data-literacy-foundations"},
    }
    r, reasons = _one(ws, tmp_path, viewed_course)
    assert reasons == [] and r.aside == {"http://id.tincanapi.com/verb/viewed": 1} and r.kept == 0


def test_verbs_override_the_table_literally_and_none_sets_aside(ws, tmp_path):
    st = {
        **GOOD,
        "verb": {"id": ADL + "commented"},
        "object": {"id": "https://lms.example/xapi/modules/reading-bar-charts"},
    }
    r, _ = _one(ws, tmp_path, st, verbs={ADL + "commented": "launched"})
    assert r.collect()["verb"].cast(str).to_list() == ["launched"]
    st["verb"] = {"id": ADL + "completed"}
    r, _ = _one(ws, tmp_path, st, verbs={ADL + "completed": None})
    assert r.kept == 0 and r.aside == {ADL + "completed": 1}


def test_a_badge_needs_its_credential_in_the_context(ws, tmp_path):
    badge = {
        **GOOD,
        "verb": {"id": "https://w3id.org/xapi/tla/verbs/achieved"},
        "object": {
            "id": "https://moodle.example/badges/badge.php?hash=x",
            "definition": {"type": "http://activitystrea.ms/schema/1.0/badge"},
        },
    }
    r, reasons = _one(ws, tmp_path, badge)
    assert reasons == [
        "activity https://moodle.example/badges/badge.php?hash=x matches no module, block or credential of the workspace"
    ]
    badge["context"] = {
        "contextActivities": {"parent": [{"id": "https://lms.example/xapi/credentials/data-literacy-foundations"}]}
    }
    r, reasons = _one(ws, tmp_path, badge)
    row = r.collect().row(0, named=True)
    assert (row["verb"], row["credential_id"], row["module_id"]) == ("earned", "data-literacy-foundations", None)


def test_the_statements_of_mblibs_own_cmi5_au_map_without_a_mapping(ws, tmp_path):
    """The verbs and activity ids mblib/export/static/cmi5.js sends (the AU id ends in /modules/<id>)."""
    au = "https://courses.example/data-literacy-foundations/modules/reading-bar-charts"
    cats = {"category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]}
    sent = [
        ("initialized", {"id": au}, None),
        ("answered", {"id": au + "/blocks/read-the-bars"}, {"success": True, "response": "twice-west"}),
        ("completed", {"id": au}, {"completion": True, "duration": "PT2M"}),
        ("passed", {"id": au}, {"success": True, "score": {"scaled": 1.0}}),
        ("terminated", {"id": au}, {"duration": "PT3M"}),
    ]
    statements = [
        {
            **GOOD,
            "id": f"00000000-0000-4000-8000-00000000020{i}",
            "verb": {"id": ADL + verb},
            "object": obj,
            "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "contextActivities": cats},
            **({"result": result} if result else {}),
        }
        for i, (verb, obj, result) in enumerate(sent)
    ]
    f = tmp_path / "au.json"
    f.write_text(json.dumps(statements))
    r = read_xapi(f, ws, pseudonymise=False, echo=None)
    assert (r.rejected, r.aside) == (0, {})
    df = r.collect()
    assert df["verb"].cast(str).to_list() == ["launched", "answered", "completed", "passed", "launched"]
    assert set(df["module_id"]) == {"reading-bar-charts"} and df["block_id"][1] == "read-the-bars"
