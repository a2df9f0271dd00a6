"""Incremental refresh of the cube cached next to the data (mblib.analytics.refresh): only new or changed
events files are folded, the result equals a full recomputation, and a damaged cache is rebuilt."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from mblib.analytics import cube_views
from mblib.analytics.cube import FACT_KEYS, fold_events
from mblib.analytics.filters import VIEWS, EventFilter, active_filter
from mblib.analytics.refresh import (
    MANIFEST,
    CubeCacheWarning,
    CubeError,
    cache_folder,
    load_cube,
    read_facts,
    refresh_cube,
)
from mblib.content import Workspace
from tests.conftest import SAMPLE


@pytest.fixture
def data(tmp_path):
    from mblib.analytics.synth import synthesise, write_cohort

    ws = Workspace.open(SAMPLE)
    write_cohort(synthesise(ws, learners=120, seed=5, months=4), tmp_path / "cohort")
    return ws, tmp_path / "cohort"


def _events(folder):
    return pl.scan_parquet(str(folder / "events" / "**" / "*.parquet"), hive_partitioning=False)


def _sorted(df):
    return df.sort(list(FACT_KEYS), nulls_last=True)


def _append_day(folder, day: date, name="part-new.parquet"):
    """A day of new events (copied from the last day, moved to ``day``) as a new partition file."""
    ev = _events(folder).collect()
    last = ev["timestamp"].max()
    new = ev.filter(pl.col("timestamp") >= last - timedelta(days=1)).with_columns(
        pl.col("timestamp")
        + (datetime.combine(day, datetime.min.time(), UTC) - last.replace(hour=0, minute=0, second=0, microsecond=0))
    )
    part = folder / "events" / f"month={day:%Y-%m}"
    part.mkdir(exist_ok=True)
    new.write_parquet(part / name)
    return new.height


def test_refresh_folds_only_the_new_file_and_equals_a_full_recompute(data):
    ws, folder = data
    files = sorted((folder / "events").rglob("*.parquet"))
    first = refresh_cube(folder)
    assert (first.folded, first.reused) == (len(files), 0)
    assert first.folder == cache_folder(folder) == folder / ".mblib" / "cube" / "events"
    again = refresh_cube(folder)
    assert (again.folded, again.reused, again.removed) == (0, len(files), 0)

    assert _append_day(folder, date(2025, 6, 2)) > 0
    step = refresh_cube(folder)
    assert (step.folded, step.reused) == (1, len(files))

    full = fold_events(_events(folder))
    cached = read_facts(folder)
    # the cache holds one piece per file; merged, every view's answer equals the full recomputation
    assert cached.height >= full.height
    cube = load_cube(folder, pl.scan_parquet(folder / "learners.parquet"))
    from mblib.analytics.cube import Cube

    fresh = Cube.from_facts(full, pl.scan_parquet(folder / "learners.parquet"))
    for flt in (
        EventFilter(),
        active_filter(ws, credential_id=list(ws.credentials)[0], start=date(2025, 3, 1)),
        EventFilter(language="fr", end=date(2025, 6, 2)),
    ):
        for view in VIEWS:
            a, n = cube_views.compute(view, cube, ws, flt, flt)
            b, m = cube_views.compute(view, fresh, ws, flt, flt)
            assert n == m
            assert_frame_equal(a, b, check_exact=False, rel_tol=1e-9)


def test_a_changed_file_is_folded_again_and_a_removed_one_dropped(data):
    _, folder = data
    refresh_cube(folder)
    files = sorted((folder / "events").rglob("*.parquet"))
    ev = pl.read_parquet(files[0])
    ev.head(ev.height // 2).write_parquet(files[0])
    os.utime(files[0], ns=(1, 1))
    files[1].unlink()
    got = refresh_cube(folder)
    assert (got.folded, got.removed) == (1, 1)
    assert _sorted(read_facts(folder)).equals(_sorted(_fold_each(folder)))


def _fold_each(folder):
    return pl.concat([fold_events(pl.scan_parquet(f)) for f in sorted((folder / "events").rglob("*.parquet"))])


def test_a_damaged_manifest_is_rebuilt_with_a_warning(data):
    _, folder = data
    refresh_cube(folder)
    manifest = cache_folder(folder) / MANIFEST
    manifest.write_text("{not json")
    with pytest.warns(CubeCacheWarning, match=r"manifest.json: cube manifest unreadable \(JSONDecodeError"):
        got = refresh_cube(folder)
    assert got.reused == 0 and got.folded > 0
    assert json.loads(manifest.read_text())["version"] == 1


def test_a_manifest_naming_a_path_outside_the_cache_is_refused(data):
    _, folder = data
    refresh_cube(folder)
    manifest = cache_folder(folder) / MANIFEST
    doc = json.loads(manifest.read_text())
    name = next(iter(doc["files"]))
    doc["files"][name]["piece"] = "../../../../learners.parquet"
    manifest.write_text(json.dumps(doc))
    with pytest.warns(CubeCacheWarning, match=f"entry '{name}' is malformed; rebuilding"):
        refresh_cube(folder)
    assert (folder / "learners.parquet").is_file()


def test_a_truncated_facts_file_is_folded_again_with_a_warning(data):
    _, folder = data
    pieces = refresh_cube(folder).pieces
    pieces[0].write_bytes(b"PAR1 not really")
    with pytest.warns(CubeCacheWarning, match="cube cache unreadable"):
        facts = read_facts(folder)
    assert _sorted(facts).equals(_sorted(_fold_each(folder)))


def test_an_oversized_manifest_is_not_read(data, monkeypatch):
    from mblib.analytics import refresh

    _, folder = data
    refresh_cube(folder)
    monkeypatch.setattr(refresh, "MAX_MANIFEST_BYTES", 10)
    with pytest.warns(CubeCacheWarning, match="larger than 10 bytes"):
        refresh_cube(folder)


def test_an_events_file_linking_outside_the_folder_is_refused(data, tmp_path):
    _, folder = data
    outside = tmp_path / "elsewhere.parquet"
    pl.read_parquet(sorted((folder / "events").rglob("*.parquet"))[0]).write_parquet(outside)
    (folder / "events" / "month=2025-01" / "link.parquet").symlink_to(outside)
    with pytest.raises(CubeError, match=r"link.parquet leads outside the events folder") as e:
        refresh_cube(folder)
    assert "copy the file into the events folder" in str(e.value)


def test_the_dashboard_uses_the_cache_next_to_data_it_opened(data):
    from mblib.analytics.filters import dashboard_view
    from mblib.analytics.report import open_report_data

    ws, folder = data
    d = open_report_data(ws, folder)
    a = dashboard_view(d.events, d.learners, ws, EventFilter(), "credential_outcomes", k=d.k)
    assert (cache_folder(folder) / MANIFEST).is_file()
    b = dashboard_view(d.events, d.learners, ws, EventFilter(), "credential_outcomes", k=d.k, use_cube=False)
    assert_frame_equal(a.table.frame, b.table.frame)


def test_only_a_cohort_folder_gets_a_cache(data):
    from mblib.analytics.filters import dashboard_view
    from mblib.analytics.report import open_report_data

    ws, folder = data
    with pytest.raises(CubeError, match=r"events: the cube is cached only next to a cohort folder's events/") as e:
        refresh_cube(folder / "events")
    assert "DATA/events/month=YYYY-MM" in str(e.value)
    d = open_report_data(ws, folder / "events")  # a bare events folder: folded in memory, nothing written
    got = dashboard_view(d.events, d.learners, ws, EventFilter(), "module_outcomes", k=d.k)
    assert got.table.frame.height > 0
    assert not (folder / ".mblib").exists() and not (folder / "events" / ".mblib").exists()
