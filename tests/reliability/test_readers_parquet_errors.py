"""Parquet that cannot be read is a message naming the file, the column and the fix (issue 10 item 11).

A list-typed learner_id and a truncated file gave polars tracebacks.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from mblib.analytics.readers import ReaderError, read_events, read_learners
from mblib.analytics.report import open_report_data
from tests.conftest import SAMPLE

T = datetime(2025, 1, 6, 9, tzinfo=UTC)
FIX_LIST = (
    "fix: write learner_id as a plain column: one row per value (.explode('learner_id')) or the values "
    "joined into text (.list.join(' ')), then write the file again"
)


def _events(n: int = 200, **cols) -> pl.DataFrame:
    base = {
        "timestamp": [T] * n,
        "learner_id": [f"l{i}" for i in range(n)],
        "verb": ["enrolled"] * n,
        "credential_id": ["data-literacy-foundations"] * n,
    }
    base.update(cols)
    return pl.DataFrame(base)


def test_list_typed_learner_id(tmp_path):
    f = tmp_path / "events.parquet"
    _events(2, learner_id=[["a", "b"], ["c"]]).write_parquet(f)
    with pytest.raises(ReaderError) as e:
        read_events(f, pseudonymise=False, echo=None)
    assert str(e.value) == (
        f"{f}: field 'learner_id': column learner_id has type List(String), the events table "
        f"needs one plain value per row\n  {FIX_LIST}"
    )
    with pytest.raises(ReaderError) as e:
        open_report_data(SAMPLE, f)
    assert "column learner_id has type List(String)" in str(e.value) and FIX_LIST in str(e.value)


def test_learners_table_with_a_struct_column(tmp_path):
    f = tmp_path / "learners.parquet"
    pl.DataFrame({"learner_id": ["a"], "org_unit": [{"x": 1}]}).write_parquet(f)
    with pytest.raises(ReaderError) as e:
        read_learners(f, pseudonymise=False, echo=None)
    assert f"{f}: field 'org_unit': column org_unit has type Struct" in str(e.value)
    assert "the learners table needs one plain value per row" in str(e.value)


def test_other_nested_columns_are_ignored(tmp_path):
    f = tmp_path / "events.parquet"
    _events(2, tags=[["x"], ["y"]]).write_parquet(f)
    r = read_events(f, pseudonymise=False, echo=None)
    assert (r.read, r.kept) == (2, 2)


@pytest.mark.parametrize("cut", ["half", "footer"])
def test_truncated_parquet(tmp_path, cut):
    good = tmp_path / "good.parquet"
    _events().write_parquet(good)
    blob = good.read_bytes()
    f = tmp_path / "events.parquet"
    f.write_bytes(blob[: len(blob) // 2] if cut == "half" else blob[:-10])
    for call in (lambda: read_events(f, pseudonymise=False, echo=None), lambda: open_report_data(SAMPLE, f)):
        with pytest.raises(ReaderError) as e:
            call()
        assert str(e.value).startswith(f"{f}: not a readable Parquet file: it is truncated or damaged (")
        assert str(e.value).endswith(
            "\n  fix: write the file again from its source (a copy cut short in transfer "
            "or a failed export looks like this)"
        )


def test_truncated_file_in_a_partitioned_folder_is_named(tmp_path):
    folder = tmp_path / "events"
    for month in ("2025-01", "2025-02"):
        (folder / f"month={month}").mkdir(parents=True)
        _events().write_parquet(folder / f"month={month}" / "part-0.parquet")
    bad = folder / "month=2025-02" / "part-0.parquet"
    bad.write_bytes(bad.read_bytes()[:100])
    with pytest.raises(ReaderError) as e:
        read_events(folder, pseudonymise=False, echo=None)
    assert str(e.value).startswith(f"{bad}: not a readable Parquet file")


def test_report_data_that_is_not_parquet(tmp_path):
    f = tmp_path / "events.csv"
    f.write_text("timestamp,learner_id,verb\n")
    (tmp_path / "empty").mkdir()
    for data, message in [
        (f, "not a Parquet file (its name does not end in .parquet)"),
        (tmp_path / "empty", "no .parquet files in this folder"),
    ]:
        with pytest.raises(ReaderError) as e:
            open_report_data(SAMPLE, data)
        assert str(e.value).startswith(f"{data}: {message}\n  fix: reports read Parquet events as `mb synth` writes")
