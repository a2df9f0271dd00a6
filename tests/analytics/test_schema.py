"""The events/learners contract: schema, conform, validation naming column and row."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from mblib.analytics.schema import (
    EVENT_COLUMNS,
    LEARNER_COLUMNS,
    VERBS,
    SchemaError,
    check_events,
    conform,
    empty_events,
    events_schema,
    learners_schema,
    validate_events,
    validate_learners,
)

T = datetime(2025, 1, 6, 9, tzinfo=UTC)


def good_events() -> pl.DataFrame:
    return conform(
        pl.DataFrame(
            {
                "timestamp": [T, T, T],
                "learner_id": ["a", "a", "b"],
                "verb": ["enrolled", "progressed", "passed"],
                "credential_id": ["c", None, None],
                "module_id": [None, "m", "m"],
                "block_id": [None, "intro", None],
                "score": [None, None, 0.9],
            }
        )
    ).collect()


def test_schema_matches_the_contract():
    s = events_schema()
    assert (
        list(s)
        == list(EVENT_COLUMNS)
        == [
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
    )
    assert s["timestamp"] == pl.Datetime("us", "UTC")
    assert s["verb"] == pl.Enum(list(VERBS))
    assert VERBS == ("enrolled", "launched", "progressed", "answered", "completed", "passed", "failed", "earned")
    assert s["score"] == pl.Float64 and s["success"] == pl.Boolean and s["duration_s"] == pl.Float64
    assert list(learners_schema()) == list(LEARNER_COLUMNS)
    assert learners_schema()["enrolled_at"] == pl.Datetime("us", "UTC")
    assert empty_events().schema == s


def test_a_valid_table_has_no_problems():
    df = good_events()
    assert df.schema == events_schema()
    assert validate_events(df) == []
    assert validate_events(df.lazy()) == []
    check_events(df)  # does not raise


def test_conform_converts_zones_and_units():
    naive = pl.DataFrame(
        {"timestamp": [datetime(2025, 1, 6, 9)], "learner_id": ["a"], "verb": ["launched"], "module_id": ["m"]}
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("ns"))
    out = conform(naive).collect()
    assert out.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert out["timestamp"][0] == T
    paris = naive.with_columns(pl.col("timestamp").dt.replace_time_zone("Europe/Paris"))
    assert conform(paris).collect()["timestamp"][0] == datetime(2025, 1, 6, 8, tzinfo=UTC)


def test_problems_name_column_and_rows():
    df = pl.DataFrame(
        {
            "timestamp": [T] * 8,
            "learner_id": ["a", None, "c", "d", "e", "f", "g", "h"],
            "verb": ["launched", "launched", "clicked", "passed", "completed", "progressed", "enrolled", "launched"],
            "module_id": ["m", "m", "m", "m", "m", "m", None, None],
            "block_id": [None, None, None, None, None, None, None, None],
            "score": [None, None, None, 1.5, None, None, None, None],
            "duration_s": [None, None, None, None, -4.0, None, None, None],
        }
    )
    problems = {p.location.field: p for p in validate_events(df)}
    assert str(problems["learner_id"]).startswith("field 'learner_id': learner_id is empty in row 2")
    assert problems["learner_id"].location.line == 2
    assert problems["verb"].message == "unknown verb 'clicked' in row 3"
    assert problems["score"].message == "score 1.5 is outside 0..1 in row 4"
    assert problems["duration_s"].message == "duration_s -4.0 is negative in row 5"
    assert problems["block_id"].message == "event 'progressed' has no block_id in row 6"
    assert problems["credential_id"].message == "event 'enrolled' has no credential_id in row 7"
    assert problems["module_id"].message == "event 'launched' has no module_id in row 8"
    assert "use one of enrolled, launched" in problems["verb"].hint


def test_many_bad_rows_are_summarised():
    df = pl.DataFrame({"timestamp": [T] * 12, "learner_id": ["a"] * 12, "verb": ["nope"] * 12})
    (p,) = [p for p in validate_events(df) if p.location.field == "verb"]
    assert p.message == "unknown verb 'nope' in rows 1, 2, 3, 4, 5, ... (12 rows)"


def test_missing_columns_and_wrong_types():
    problems = validate_events(pl.DataFrame({"learner_id": [1], "verb": ["launched"], "whatever": [1]}))
    msgs = [p.message for p in problems]
    assert "the events table has no column 'timestamp'" in msgs
    assert "learner_id has type Int64, the events table needs String" in msgs
    assert any(p.severity == "warning" and "unknown column(s) ['whatever']" in p.message for p in problems)
    naive = pl.DataFrame(
        {"timestamp": [datetime(2025, 1, 1)], "learner_id": ["a"], "verb": ["enrolled"], "credential_id": ["c"]}
    )
    (p,) = validate_events(naive)
    assert p.message == "timestamp has no time zone" and "replace_time_zone('UTC')" in p.hint


def test_check_events_raises_with_every_problem():
    with pytest.raises(SchemaError) as e:
        check_events(pl.DataFrame({"timestamp": [T], "learner_id": [None], "verb": ["x"]}), source="upload.csv")
    text = str(e.value)
    assert text.startswith("2 problem(s) in the events table in upload.csv:")
    assert "learner_id is empty in row 1" in text and "unknown verb 'x' in row 1" in text


def test_validate_accepts_pandas():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2025-01-06T09:00:00Z"]),
            "learner_id": ["a"],
            "verb": ["launched"],
            "module_id": ["m"],
        }
    )
    assert validate_events(frame) == []


def test_learners_validation():
    df = pl.DataFrame({"learner_id": ["a", None, "a"], "country": ["NL", "BE", "FR"]})
    msgs = [p.message for p in validate_learners(df)]
    assert msgs == ["learner_id is empty in row 2", "learner 'a' appears more than once in row 3"]
    assert (
        validate_learners(pl.DataFrame({"country": ["NL"]}))[0].message
        == "the learners table has no column 'learner_id'"
    )
