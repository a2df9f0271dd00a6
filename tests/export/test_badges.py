"""Open Badges 3.0: Achievement and issued AchievementCredentials against 1EdTech's JSON Schema, JSON-LD offline."""

from __future__ import annotations

import csv
import json

import pytest

FOUNDATIONS = [
    "reading-bar-charts",
    "line-charts-over-time",
    "mean-median-and-outliers",
    "percentages-and-percentage-points",
    "spotting-misleading-charts",
]
STORY = ["choosing-the-right-chart", "writing-chart-titles-that-inform", "presenting-to-decision-makers"]


def _passes(learner, modules, score, day=5):
    return [
        {
            "timestamp": f"2026-03-{day + i:02d}T10:00:00Z",
            "learner_id": learner,
            "verb": "passed",
            "credential_id": None,
            "module_id": m,
            "block_id": None,
            "score": score,
            "success": True,
            "duration_s": 300.0,
            "response": None,
            "language": "en",
        }
        for i, m in enumerate(modules)
    ]


def events():
    rows = []
    rows += _passes("ada", FOUNDATIONS + ["samples-and-surveys"], 0.9)  # earns both
    rows += _passes("ada", STORY, 0.8, day=20)
    rows += _passes("bo", FOUNDATIONS, 0.95)  # no elective
    rows += _passes("cy", FOUNDATIONS + ["correlation-is-not-causation"], 0.7)  # average below 75%
    rows += _passes("di", STORY, 1.0)  # lacks Foundations
    rows += [
        {
            "timestamp": "2026-03-01T09:00:00Z",
            "learner_id": "ed",
            "verb": "failed",
            "module_id": m,
            "score": 0.2,
            "success": False,
        }
        for m in FOUNDATIONS
    ]
    rows += _passes("ed", FOUNDATIONS + ["samples-and-surveys"], 0.8, day=10)  # failed first, passed later
    rows.append(
        {
            "timestamp": "2026-03-02T09:00:00Z",
            "learner_id": "ed",
            "verb": "answered",
            "module_id": "reading-bar-charts",
            "block_id": "baseline-check",
            "score": 0.0,
            "success": False,
        }
    )
    return rows


@pytest.fixture(scope="module")
def validator(schemas):
    from jsonschema import Draft201909Validator

    schema = json.loads((schemas / "openbadges3" / "schema" / "achievementcredential.json").read_text())
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def loader(schemas):
    ctx = schemas / "openbadges3" / "context"
    docs = {
        "https://www.w3.org/ns/credentials/v2": ctx / "credentials-v2.jsonld",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": ctx / "context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": ctx / "extensions.json",
    }

    def load(url, options=None):
        if url not in docs:
            raise AssertionError(f"JSON-LD tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(docs[url].read_text())}

    return load


def test_learners_who_met_the_criteria_get_a_credential(export_ws):
    from mblib.export.badges import issue_badges

    ach, issued = issue_badges(export_ws, "data-literacy-foundations", events())
    assert sorted(issued) == ["ada", "ed"]
    assert issued["ed"]["validFrom"] == "2026-03-15T10:00:00Z"  # when the last counted module was passed
    assert issued["ada"]["credentialSubject"]["result"][0]["value"] == "90"
    _ach2, issued2 = issue_badges(export_ws, "data-storytelling", events())
    assert sorted(issued2) == ["ada"]  # di passed the modules but does not hold Foundations


def test_achievement_carries_microcredential_criteria_skills_and_european_elements(export_ws):
    from mblib.export.badges import achievement

    ach = achievement(export_ws, export_ws.credential("data-literacy-foundations"))
    assert ach["achievementType"] == "MicroCredential" and ach["creditsAvailable"] == 0.1
    assert "average quiz score of at least 75%" in ach["criteria"]["narrative"]
    assert "Learning outcomes:\n- Read values" in ach["criteria"]["narrative"]
    names = {a["targetName"]: a for a in ach["alignment"]}
    assert {"interpret current data", "apply statistical analysis techniques", "EQF level 4"} <= set(names)
    assert names["Evaluating data, information and digital content"]["targetCode"] == "1.2"
    assert "Workload: 3 hours (0.1 ECTS)" in ach["description"] and "Quality assurance:" in ach["description"]
    assert ach["resultDescription"][0]["requiredValue"] == "75"
    assert ach["creator"]["address"]["addressCountryCode"] == "NL"


def test_issued_credentials_are_valid_ob3_and_expand_offline(export_ws, validator, loader, tmp_path):
    from pyld import jsonld

    from mblib.export.badges import export_badges

    folder = export_badges(export_ws, "data-literacy-foundations", events(), tmp_path / "badges")
    files = sorted((folder / "credentials").glob("*.json"))
    assert len(files) == 2 and (folder / "achievement.json").is_file()
    for f in files:
        doc = json.loads(f.read_text())
        assert doc["id"] == f"urn:uuid:{f.stem}"  # named after the credential, not the learner
        assert [e.message for e in validator.iter_errors(doc)] == []
        ident = doc["credentialSubject"]["identifier"][0]
        assert ident["hashed"] is True and ident["identityHash"].startswith("sha256$")
        assert '"ada"' not in json.dumps(doc) and '"ed"' not in json.dumps(doc)  # no raw learner id is published
        expanded = jsonld.expand(doc, {"documentLoader": loader, "safe": True})
        subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
        ach = subject["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"][0]
        assert ach["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType"][0]["@value"] == "MicroCredential"
    broken = json.loads(files[0].read_text())
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["validFrom"] = "yesterday"
    messages = [e.message for e in validator.iter_errors(broken)]
    assert any("criteria" in m for m in messages) and any("date-time" in m for m in messages)


def test_events_from_csv_and_parquet_give_the_same_result(export_ws, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mblib.export.badges import issue_badges

    rows = events()
    cols = [
        "timestamp",
        "learner_id",
        "verb",
        "credential_id",
        "module_id",
        "block_id",
        "score",
        "success",
        "duration_s",
        "response",
        "language",
    ]
    with open(tmp_path / "events.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows({c: ("" if r.get(c) is None else r.get(c)) for c in cols} for r in rows)
    table = pa.table({c: [r.get(c) for r in rows] for c in cols})
    pq.write_table(table, tmp_path / "events.parquet")
    from_csv = issue_badges(export_ws, "data-literacy-foundations", tmp_path / "events.csv")[1]
    from_parquet = issue_badges(export_ws, "data-literacy-foundations", tmp_path / "events.parquet")[1]
    assert sorted(from_csv) == sorted(from_parquet) == ["ada", "ed"]
    assert from_csv == from_parquet


def test_missing_events_file_and_columns_are_clear_errors(export_ws, tmp_path):
    from mblib.export.badges import issue_badges
    from mblib.export.errors import ExportError

    with pytest.raises(ExportError, match="does not exist") as e:
        issue_badges(export_ws, "data-literacy-foundations", tmp_path / "nope.parquet")
    assert "events CSV/Parquet" in str(e.value)
    (tmp_path / "bad.csv").write_text("who,what\nada,passed\n")
    with pytest.raises(ExportError, match=r"lack the column\(s\) \['learner_id', 'module_id', 'verb'\]"):
        issue_badges(export_ws, "data-literacy-foundations", tmp_path / "bad.csv")


def test_event_files_are_read_through_the_analytics_readers(export_ws, tmp_path):
    """One events model: a file goes through mblib.analytics.readers (rows that break the contract are
    left out and kept aside with their reason, learner ids kept as they are, the source unchanged)."""
    from mblib.export.badges import issue_badges, learner_events

    cols = [
        "timestamp",
        "learner_id",
        "verb",
        "credential_id",
        "module_id",
        "block_id",
        "score",
        "success",
        "duration_s",
        "response",
        "language",
    ]
    rows = [r for r in events() if r["learner_id"] in ("ada", "bo")]
    with open(tmp_path / "events.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows({c: ("" if r.get(c) is None else r.get(c)) for c in cols} for r in rows)
        # a row the readers reject: it must not count as a pass
        w.writerow(
            {
                "timestamp": "not a date",
                "learner_id": "zed",
                "verb": "passed",
                "module_id": "reading-bar-charts",
                "score": "1.0",
                "success": "true",
            }
        )
        w.writerow(
            {
                "timestamp": "2026-03-05T10:00:00Z",
                "learner_id": "zed",
                "verb": "clicked",
                "module_id": "reading-bar-charts",
            }
        )
    before = (tmp_path / "events.csv").read_bytes()
    said: list[str] = []
    read = learner_events(tmp_path / "events.csv", echo=said.append)
    assert {r["learner_id"] for r in read} == {"ada", "bo"}
    assert any("rejected 2" in line for line in said), said
    assert sorted(issue_badges(export_ws, "data-literacy-foundations", tmp_path / "events.csv")[1]) == ["ada"]
    assert (tmp_path / "events.csv").read_bytes() == before
    rejects = (tmp_path / "events.rejects.csv").read_text(encoding="utf-8")
    assert "not a date" in rejects and "clicked" in rejects  # each bad row kept, with its reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "events.rejects.csv"]


def test_an_unreadable_events_file_is_an_export_error(export_ws, tmp_path):
    from mblib.export.badges import issue_badges
    from mblib.export.errors import ExportError

    (tmp_path / "events.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(ExportError, match="cannot read the learner events: not a readable Parquet file") as e:
        issue_badges(export_ws, "data-literacy-foundations", tmp_path / "events.parquet")
    assert "events.parquet" in str(e.value)
