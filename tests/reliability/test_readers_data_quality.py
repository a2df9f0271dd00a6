"""Values that would mislead the metrics are rejected with a reason (issue 10 item 10).

Non-UTF-8 learner ids became U+FFFD and merged different learners; NaN, infinite and absurd
durations were kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from mblib.analytics.readers import read_events, read_learners, read_xapi
from mblib.content import Workspace
from tests.conftest import SAMPLE

UTF8 = (
    "learner_id is not valid UTF-8 text (undecodable bytes became U+FFFD, so different learners would merge): "
    "save the source as UTF-8"
)
HEAD = b"timestamp,learner_id,verb,module_id,duration_s,score\n"
ROW = b"2025-01-06T09:00:00Z,%s,launched,reading-bar-charts,%s,%s\n"


def _reasons(path: Path) -> dict[int, str]:
    df = pl.read_csv(path, infer_schema=False)
    return dict(zip(df["_row"].cast(pl.Int64).to_list(), df["_reason"].to_list()))


def test_csv_learner_ids_that_are_not_utf8_are_rejected_not_merged(tmp_path):
    f = tmp_path / "events.csv"
    f.write_bytes(HEAD + ROW % (b"ann\xff", b"", b"") + ROW % (b"ann\xfe", b"", b"") + ROW % (b"bob", b"60", b"0.5"))
    r = read_events(f, pseudonymise=False, echo=None)
    assert (r.read, r.kept, r.rejected) == (3, 1, 2)
    assert r.collect()["learner_id"].to_list() == ["bob"]
    assert _reasons(r.rejects_path) == {1: UTF8, 2: UTF8}


def test_csv_learners_table_rejects_non_utf8_ids(tmp_path):
    f = tmp_path / "learners.csv"
    f.write_bytes(b"learner_id,country\nann\xff,NL\nbob,BE\n")
    r = read_learners(f, pseudonymise=False, echo=None)
    assert (r.read, r.kept, r.rejected) == (2, 1, 1)
    assert _reasons(r.rejects_path) == {1: UTF8}


def test_csv_nan_infinite_and_absurd_durations_and_nan_scores_are_rejected(tmp_path):
    f = tmp_path / "events.csv"
    rows = [
        (b"a", b"NaN", b""),
        (b"b", b"inf", b""),
        (b"c", b"1e12", b""),
        (b"d", b"", b"NaN"),
        (b"e", b"31622400", b"1"),
    ]
    f.write_bytes(HEAD + b"".join(ROW % r for r in rows))
    r = read_events(f, pseudonymise=False, echo=None)
    assert (r.read, r.kept, r.rejected) == (5, 1, 4)
    assert _reasons(r.rejects_path) == {
        1: "duration_s is not a number (NaN)",
        2: "duration_s inf is longer than a year (at most 31,622,400 s)",
        3: "duration_s 1000000000000.0 is longer than a year (at most 31,622,400 s)",
        4: "score NaN is not a number",
    }


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(SAMPLE)


def _statement(name: str = "ann", duration: str | None = "PT1M") -> dict:
    st = {
        "actor": {"account": {"homePage": "https://lms.example", "name": name}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
        "object": {"id": "https://lms.example/xapi/modules/reading-bar-charts"},
        "timestamp": "2025-02-03T09:05:00Z",
    }
    if duration is not None:
        st["result"] = {"duration": duration}
    return st


def _xapi_reasons(path: Path) -> dict[str, str]:
    return {b["position"]: b["reason"] for b in map(json.loads, path.read_text(encoding="utf-8").split("\n")[:-1])}


def test_xapi_learner_ids_that_are_not_utf8_are_rejected(ws, tmp_path):
    f = tmp_path / "statements.jsonl"
    lines = [json.dumps(_statement(n), ensure_ascii=False).encode("utf-8") for n in ("ann", "bob", "cy")]
    lines[0] = lines[0].replace(b'"ann"', b'"ann\xff"')
    lines[1] = lines[1].replace(b'"bob"', b'"ann\xfe"')
    f.write_bytes(b"\n".join(lines) + b"\n")
    r = read_xapi(f, ws, pseudonymise=False, echo=None)
    assert (r.read, r.kept, r.rejected) == (3, 1, 2)
    reason = UTF8.replace("learner_id", "actor.account.name")
    assert _xapi_reasons(r.rejects_path) == {"line 1": reason, "line 2": reason}


def test_xapi_absurd_durations_are_rejected(ws, tmp_path):
    f = tmp_path / "statements.jsonl"
    durations = ["P99999999999999999999Y", "P2Y", "P" + "9" * 400 + "D", "PT45M"]
    f.write_text("".join(json.dumps(_statement(duration=d)) + "\n" for d in durations))
    r = read_xapi(f, ws, pseudonymise=False, echo=None)
    assert (r.read, r.kept, r.rejected) == (4, 1, 3)
    assert r.collect()["duration_s"].to_list() == [2700.0]
    tail = ", longer than a year (at most 31,622,400 s): time on task is seconds to hours"
    assert _xapi_reasons(r.rejects_path) == {
        "line 1": "result.duration 'P99999999999999999999Y' is 3.15e+27 s" + tail,
        "line 2": "result.duration 'P2Y' is 63,072,000 s" + tail,
        "line 3": f"result.duration 'P{'9' * 400}D' is infinite" + tail,
    }
