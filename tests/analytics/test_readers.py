"""Readers on crafted bad input: every row either mapped or rejected with its reason, counts printed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from mblib.analytics.readers import (
    ReaderError,
    iso_duration_seconds,
    presentation_start,
    read_events,
    read_learners,
    read_oulad,
    read_xapi,
)
from mblib.analytics.schema import events_schema, learners_schema, validate_events
from mblib.content import Workspace
from tests.conftest import SAMPLE

DATA = Path(__file__).resolve().parent / "data"
UTC = UTC


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(SAMPLE)


@pytest.fixture
def data(tmp_path):
    """A private copy of the crafted inputs (readers write rejects beside their source)."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def _rejects_csv(path: Path) -> dict[int, str]:
    df = pl.read_csv(path, infer_schema=False)
    return dict(zip(df["_row"].cast(pl.Int64).to_list(), df["_reason"].to_list()))


def test_csv_maps_good_rows_and_rejects_each_bad_one(data, capsys):
    r = read_events(data / "events_bad.csv", pseudonymise=False)
    assert (
        capsys.readouterr().out.strip()
        == "events_bad.csv: read 13 rows, kept 5, rejected 8 (reasons in events_bad.rejects.csv)"
    )
    df = r.collect()
    assert df.schema == events_schema() and validate_events(df) == []
    assert (r.read, r.rejected, r.kept) == (13, 8, 5)
    assert df["verb"].cast(str).to_list() == ["enrolled", "launched", "progressed", "answered", "passed"]
    assert df["timestamp"][1] == datetime(2025, 1, 6, 8, 1, tzinfo=UTC)  # +01:00 converted to UTC
    assert df["timestamp"][4] == datetime(2025, 1, 6, 9, 11, tzinfo=UTC)  # no zone: UTC
    assert df["success"].to_list() == [None, None, None, True, True]
    assert _rejects_csv(r.rejects_path) == {
        5: "unknown verb 'clicked'",
        6: "timestamp 'not-a-date' is not an ISO 8601 date-time",
        7: "score 'abc' is not a number",
        8: "score 1.5 is outside 0..1",
        9: "learner_id is empty",
        10: "event 'launched' has no module_id",
        11: "duration_s -3.0 is negative; success 'maybe' is not true or false",
        12: "line has 13 fields, the header has 11",
    }


def test_clean_file_is_lazy_and_leaves_no_rejects(data, tmp_path):
    clean = tmp_path / "clean.csv"
    pl.read_csv(data / "events_bad.csv", infer_schema=False, truncate_ragged_lines=True).head(4).write_csv(clean)
    stale = tmp_path / "clean.rejects.csv"
    stale.write_text("old")
    r = read_events(clean, pseudonymise=False, echo=None)
    assert isinstance(r.table, pl.LazyFrame)
    assert (r.read, r.rejected, r.rejects_path) == (4, 0, None)
    assert not stale.exists()  # a stale rejects file would mislead
    assert r.summary() == "clean.csv: read 4 rows, kept 4, rejected 0"


def test_parquet_partitioned_folder(tmp_path, data):
    good = read_events(data / "events_bad.csv", pseudonymise=False, echo=None).collect()
    folder = tmp_path / "events"
    for month, part in [("2025-01", good.head(3)), ("2025-02", good.tail(2))]:
        (folder / f"month={month}").mkdir(parents=True)
        part.write_parquet(folder / f"month={month}" / "part-0.parquet")
    bad = good.head(1).with_columns(pl.col("verb").cast(pl.String)).with_columns(verb=pl.lit("jumped"))
    (folder / "month=2025-03").mkdir()
    bad.write_parquet(folder / "month=2025-03" / "part-0.parquet")
    r = read_events(folder, pseudonymise=False, echo=None)
    assert (r.read, r.rejected) == (6, 1)
    assert r.rejects_path == tmp_path / "events.rejects.csv"
    rej = pl.read_csv(r.rejects_path)
    assert rej["_file"].to_list() == ["month=2025-03/part-0.parquet"] and rej["_row"].to_list() == [1]
    assert rej["_reason"].to_list() == ["unknown verb 'jumped'"]
    out = r.collect().sort("timestamp")
    assert out.columns == list(events_schema())  # the partition column is not added
    assert out.equals(good.sort("timestamp"))


def test_learners_csv(data):
    r = read_learners(data / "learners_bad.csv", pseudonymise=False, echo=None)
    df = r.collect()
    assert df.schema == learners_schema()
    assert df["org_unit"].to_list() == ["Sales", "Operations, North"]  # quoted comma kept
    assert _rejects_csv(r.rejects_path) == {
        3: "learner_id is empty",
        4: "enrolled_at 'yesterday' is not an ISO 8601 date-time",
    }


def test_unreadable_sources_are_clear_errors(tmp_path):
    with pytest.raises(ReaderError, match="does not exist"):
        read_events(tmp_path / "nope.csv", pseudonymise=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReaderError, match="holds no .csv or .parquet files"):
        read_events(tmp_path / "empty", pseudonymise=False)
    f = tmp_path / "x.csv"
    f.write_text("who,what\nann,launched\n")
    with pytest.raises(ReaderError, match="has no learner_id column"):
        read_events(f, pseudonymise=False)


def test_iso_durations():
    assert iso_duration_seconds("PT4M30S") == 270.0
    assert iso_duration_seconds("P1W") == 7 * 86400
    for bad in ("P", "PT", "4M", "PT4X", ""):
        with pytest.raises(ValueError, match="is not an ISO 8601 duration"):
            iso_duration_seconds(bad)


def _reasons(path: Path) -> dict[str, str]:
    return {json.loads(line)["position"]: json.loads(line)["reason"] for line in path.read_text().splitlines()}


def test_xapi_json_lines_with_every_kind_of_problem(data, ws, capsys):
    r = read_xapi(data / "xapi_lines.jsonl", ws, pseudonymise=False)
    assert capsys.readouterr().out.strip() == (
        "xapi_lines.jsonl: read 14 statements, kept 6, rejected 6, "
        "removed 2 voided (reasons in xapi_lines.rejects.jsonl)"
    )
    reasons = _reasons(r.rejects_path)
    assert reasons["line 3"].startswith("malformed JSON")
    assert reasons["line 8"].startswith("unknown verb IRI http://example.com/verbs/liked")
    assert reasons["line 9"] == "result.score.scaled 'high' is text, not a number"
    assert reasons["line 10"] == (
        "activity https://lms.example/xapi/modules/no-such-module matches no module, "
        "block or credential of the workspace"
    )
    assert reasons["line 11"].startswith("result.duration: 'twelve minutes' is not an ISO 8601 duration")
    assert reasons["line 14"] == "result.score.scaled 1.5 is outside 0..1"
    df = r.collect()
    assert df.schema == events_schema() and validate_events(df) == []
    assert "https://lms.example|bob" not in df["learner_id"].to_list()  # voided failed statement removed
    row = {v: d for v, d in zip(df["verb"].cast(str), df.iter_rows(named=True))}
    assert row["enrolled"]["credential_id"] == "data-literacy-foundations"
    assert row["launched"]["timestamp"] == datetime(2025, 2, 3, 8, 5, tzinfo=UTC)
    assert row["launched"]["language"] == "fr"
    assert (row["progressed"]["module_id"], row["progressed"]["block_id"]) == ("reading-bar-charts", "intro")
    assert row["answered"]["response"] == "twice-west" and row["answered"]["success"] is True
    assert row["completed"]["duration_s"] == 750.0
    assert row["passed"]["score"] == 0.9  # raw 9 of max 10


def test_xapi_truncated_array_keeps_what_parses(data, ws):
    r = read_xapi(data / "xapi_truncated.json", ws, pseudonymise=False, echo=None)
    assert (r.read, r.rejected, r.kept) == (5, 2, 3)
    reasons = _reasons(r.rejects_path)
    assert reasons["item 3"].startswith("malformed JSON")
    assert reasons["item 5"].endswith("the rest of the file is truncated")
    assert r.collect()["verb"].cast(str).to_list() == ["enrolled", "launched", "progressed"]


def test_xapi_one_statement_per_file_and_lrs_pages(data, ws):
    r = read_xapi(data / "xapi_files", ws, pseudonymise=False, echo=None)
    assert (r.read, r.rejected) == (4, 1)
    pages = read_xapi(data / "xapi_pages", ws, pseudonymise=False, echo=None)
    assert (pages.read, pages.rejected, pages.notes) == (6, 0, [])
    lines = read_xapi(data / "xapi_lines.jsonl", ws, pseudonymise=False, echo=None)
    assert pages.collect().equals(lines.collect())
    gap = read_xapi(data / "xapi_pages_gap", ws, pseudonymise=False, echo=None)
    assert gap.notes and "point to more results (/xapi/statements?more=page2)" in gap.notes[0]
    assert "fetch them from the LRS" in gap.summary()


def test_xapi_custom_verbs_and_activities(data, ws, tmp_path):
    st = json.loads((data / "xapi_lines.jsonl").read_text().splitlines()[7])  # the 'liked' statement
    st["object"]["id"] = "urn:lms:42"
    f = tmp_path / "one.json"
    f.write_text(json.dumps(st))
    r = read_xapi(
        f,
        ws,
        pseudonymise=False,
        echo=None,
        verbs={"http://example.com/verbs/liked": "launched"},
        activities={"urn:lms:42": (None, "reading-bar-charts", None)},
    )
    assert r.rejected == 0 and r.collect()["module_id"].to_list() == ["reading-bar-charts"]


@pytest.mark.parametrize("dialect", ["quoted", "unquoted", "mixed"])
def test_oulad_dialects(data, dialect, capsys):
    o = read_oulad(data / f"oulad_{dialect}", pseudonymise=False)
    out = capsys.readouterr().out
    assert "studentVle: 5 read, 1 rejected" in out and f"oulad_{dialect}.rejects.csv" in out
    assert o.tables == {
        "courses": (2, 0),
        "assessments": (4, 0),
        "vle": (3, 0),
        "studentInfo": (5, 1),
        "studentRegistration": (5, 1),
        "studentAssessment": (6, 1),
        "studentVle": (5, 1),
    }
    ev = o.events.collect()
    assert ev.schema == events_schema() and validate_events(ev) == []
    counts = dict(ev.group_by(pl.col("verb").cast(str)).len().iter_rows())
    assert counts == {"enrolled": 4, "progressed": 4, "completed": 5, "passed": 3, "failed": 1, "earned": 2}
    first = ev.filter(
        (pl.col("learner_id") == "11391") & (pl.col("verb") == "enrolled") & (pl.col("credential_id") == "AAA-2013J")
    )
    assert first["timestamp"].to_list() == [datetime(2013, 10, 1, tzinfo=UTC) - timedelta(days=159)]
    graded = ev.filter(pl.col("verb") == "failed")
    assert graded.select("learner_id", "module_id").row(0) == ("30268", "AAA-2013J-assessment-1752")
    assert graded["score"][0] == pytest.approx(0.35)
    # '?' as a missing score: submitted (completed) without a verdict
    missing = ev.filter((pl.col("learner_id") == "28400") & (pl.col("verb") == "completed"))
    assert missing["score"].to_list() == [None]
    learners = o.learners.collect()
    assert learners.schema == learners_schema() and learners.height == 3
    rej = pl.read_csv(o.events.rejects_path, infer_schema=False)
    assert dict(zip(rej["_table"], rej["_reason"])) == {
        "studentInfo": "code_presentation '2013X' is not like 2013B or 2014J",
        "studentRegistration": "id_student 'abc' is not a number",
        "studentAssessment": "score 'ninety' is not a number",
        "studentVle": "date is missing",
    }
    assert "ninety" in rej["score"].to_list()  # rejects keep the raw text


def test_oulad_dialects_agree(data):
    frames = [
        read_oulad(data / f"oulad_{d}", pseudonymise=False, echo=None)
        .events.collect()
        .sort("timestamp", "learner_id", "verb", "module_id", "block_id")
        for d in ("quoted", "unquoted", "mixed")
    ]
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])


def test_oulad_missing_table_and_presentation_dates(tmp_path, data):
    shutil.copytree(data / "oulad_quoted", tmp_path / "o")
    (tmp_path / "o" / "vle.csv").unlink()
    with pytest.raises(ReaderError, match="the OULAD table vle.csv is missing"):
        read_oulad(tmp_path / "o", pseudonymise=False)
    assert presentation_start("2013B") == datetime(2013, 2, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="is not like 2013B or 2014J"):
        presentation_start("2013")


def test_xapi_block_named_by_its_parent_module(data, ws, tmp_path):
    st = json.loads((data / "xapi_lines.jsonl").read_text().splitlines()[4])  # answered read-the-bars
    st["object"]["id"] = "https://quiz.example/items/read-the-bars"
    st["context"] = {
        "contextActivities": {
            "parent": [{"id": "https://lms.example/xapi/modules/reading-bar-charts"}],
            "grouping": [{"id": "https://lms.example/xapi/credentials/data-literacy-foundations"}],
        }
    }
    f = tmp_path / "one.json"
    f.write_text(json.dumps([st]))
    row = read_xapi(f, ws, pseudonymise=False, echo=None).collect().row(0, named=True)
    assert (row["credential_id"], row["module_id"], row["block_id"]) == (
        "data-literacy-foundations",
        "reading-bar-charts",
        "read-the-bars",
    )
