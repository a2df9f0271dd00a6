"""The dashboard's cube (mblib.analytics.cube): every view answered from pre-aggregated facts equals the
metric on the events the same filter keeps, on polars, DuckDB and Spark, at both levels of the cube."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from mblib.analytics import cube_views
from mblib.analytics.backends import collect, to_engine
from mblib.analytics.cube import Cube
from mblib.analytics.cube_learners import codes_for
from mblib.analytics.dashboard_views import view_spec
from mblib.analytics.filters import VIEWS, EventFilter, FilterError, active_filter, dashboard_view, filter_events
from mblib.content import Workspace
from tests.conftest import SAMPLE


@cache
def cohort():
    from mblib.analytics.synth import synthesise

    ws = Workspace.open(SAMPLE)
    c = synthesise(ws, learners=160, seed=11)
    return ws, c.events.lazy(), c.learners.lazy()


def filters(ws, people):
    c1, c2 = list(ws.credentials)
    org = sorted(people.collect()["org_unit"].drop_nulls().unique().to_list())[0]
    return [
        EventFilter(),
        active_filter(ws, credential_id=c1),
        active_filter(ws, credential_id=c2, start=date(2025, 2, 12), end=date(2025, 4, 30)),
        EventFilter(segment="org_unit", segment_value=org),
        EventFilter(language="fr"),
        active_filter(
            ws, credential_id=c1, segment="org_unit", segment_value=org, language="en", start=date(2025, 1, 20)
        ),
        EventFilter(start=date(2025, 3, 5), end=date(2025, 3, 5)),  # one day, mid-week
        EventFilter(language="xx"),  # a language nobody used: empty
        EventFilter(start=date(2031, 1, 1)),  # after the data: empty
    ]


def direct(view, ev, people, ws, flt):
    kept = filter_events(ev, people, flt)
    frame = collect(view_spec(view).compute(kept, people, ws, flt))
    n = collect(kept.select("learner_id").unique()).height
    return frame, n


def check(cube, view, ev, people, ws, flt):
    got, n = cube_views.compute(view, cube, ws, flt, flt)
    want, m = direct(view, ev, people, ws, flt)
    assert n == m, f"{view} {flt.describe()}: {n} learners, direct {m}"
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9), f"{view} {flt.describe()}"


@pytest.mark.timeout(900)
@pytest.mark.parametrize("level", ["learners", "facts"])
def test_cube_equals_the_metric_on_filtered_events_on_every_engine(engine, level):
    ws, ev, people = cohort()
    events, on_engine = to_engine(ev, engine), to_engine(people, engine)
    cube = Cube.from_events(events, on_engine)
    if level == "facts":  # the day-grain fallback (used when the learner masks cannot hold the data)
        cube.answer(("codes",), lambda: None)
    else:
        assert codes_for(cube) is not None
    every = filters(ws, people)
    # Spark answers each direct query in seconds: two combinations there (every filter at once among them)
    combos = {"polars": every, "duckdb": every[:6]}.get(
        engine, [every[2], every[5]] if level == "learners" else [every[5]]
    )
    for flt in combos:
        for view in VIEWS:
            check(cube, view, events, on_engine, ws, flt)


def test_cube_equals_direct_for_random_filters():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    ws, ev, people = cohort()
    cube = Cube.from_events(ev, people)
    orgs = sorted(people.collect()["org_unit"].drop_nulls().unique().to_list())
    days = st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2025, 8, 1)))

    @hypothesis.settings(max_examples=25, deadline=None, derandomize=True)
    @hypothesis.given(
        cred=st.sampled_from([None, *ws.credentials]),
        org=st.sampled_from([None, *orgs[:3]]),
        lang=st.sampled_from([None, "en", "fr"]),
        start=days,
        end=days,
        view=st.sampled_from(list(VIEWS)),
    )
    def prop(cred, org, lang, start, end, view):
        if start and end and start > end:
            start, end = end, start
        flt = active_filter(
            ws,
            credential_id=cred,
            segment="org_unit" if org else None,
            segment_value=org,
            language=lang,
            start=start,
            end=end,
        )
        check(cube, view, ev, people, ws, flt)

    prop()


def test_dashboard_view_from_the_cube_equals_the_direct_view_with_suppression():
    ws, ev, people = cohort()
    org = sorted(people.collect()["org_unit"].drop_nulls().unique().to_list())[0]
    for flt in (
        EventFilter(segment="org_unit", segment_value=org),
        active_filter(ws, credential_id=list(ws.credentials)[0]),
    ):
        for view in VIEWS:
            a = dashboard_view(ev, people, ws, flt, view, k=5)
            b = dashboard_view(ev, people, ws, flt, view, k=5, use_cube=False)
            assert_frame_equal(a.table.frame, b.table.frame, check_exact=False, rel_tol=1e-9)
            assert (a.learners, a.table.note, a.caption) == (b.learners, b.table.note, b.caption)


def test_cube_refuses_the_filters_the_events_refuse():
    ws, ev, people = cohort()
    cube = Cube.from_events(ev, people)
    with pytest.raises(FilterError, match=r"starts after it ends \(2025-03-02 > 2025-03-01\)"):
        cube_views.compute(
            "module_outcomes", cube, ws, EventFilter(start=date(2025, 3, 2), end=date(2025, 3, 1)), EventFilter()
        )
    with pytest.raises(FilterError, match="unknown segment 'shoe_size'"):
        cube.slice(EventFilter(segment="shoe_size", segment_value="9"))
    with pytest.raises(FilterError, match="slicing by org_unit needs the learners table"):
        Cube.from_events(ev).slice(EventFilter(segment="org_unit", segment_value="x"))
    with pytest.raises(FilterError, match="starts after it ends"):
        dashboard_view(ev, people, ws, EventFilter(start=date(2025, 3, 2), end=date(2025, 3, 1)), "module_outcomes")


def test_cube_is_much_smaller_than_the_events_and_options_match():
    from mblib.analytics.filters import filter_options

    ws, ev, people = cohort()
    cube = Cube.from_events(ev, people)
    assert cube.facts.height * 3 < ev.collect().height
    want = filter_options(ev, people)
    got = cube.options()
    assert {k: got[k] for k in ("credentials", "languages", "segments")} == {
        k: want[k] for k in ("credentials", "languages", "segments")
    }
    assert (got["first"], got["last"]) == (want["first"], want["last"])


def test_a_learner_listed_twice_in_the_learners_table_counts_in_both_segments_as_directly():
    ws, ev, people = cohort()
    table = people.collect()
    first = table.row(0, named=True)
    other = next(v for v in table["org_unit"].unique().drop_nulls().to_list() if v != first["org_unit"])
    twice = pl.concat([table, pl.DataFrame([{**first, "org_unit": other}], schema=table.schema)]).lazy()
    cube = Cube.from_events(ev, twice)
    for value in (first["org_unit"], other):
        for view in ("credential_outcomes", "weekly_active_learners"):
            check(cube, view, ev, twice, ws, EventFilter(segment="org_unit", segment_value=value))


def test_module_events_without_a_credential_are_kept_by_the_credential_filter_as_directly():
    from mblib.analytics.metrics import demo_events
    from mblib.content import Credential, Workspace

    ws = Workspace.open(SAMPLE)
    ws.credentials["c1"] = Credential(id="c1", title="C1", required=["m1", "m2"])
    people = pl.LazyFrame({"learner_id": ["a", "b", "c"], "org_unit": ["x", "x", "y"]})
    ev = demo_events()
    cube = Cube.from_events(ev, people)
    assert codes_for(cube) is not None
    for flt in (
        active_filter(ws, credential_id="c1"),
        active_filter(ws, credential_id="c1", end=date(2026, 3, 10)),
        EventFilter(segment="org_unit", segment_value="x", language="en"),
    ):
        for view in VIEWS:
            check(cube, view, ev, people, ws, flt)


def test_every_segment_value_in_one_pass_equals_each_value_computed_alone():
    ws, ev, people = cohort()
    c1 = list(ws.credentials)[0]
    # the cube folded from polars and from DuckDB events (the facts, hence the answers, are the same)
    for engine_cube in (Cube.from_events(ev, people), Cube.from_events(to_engine(ev, "duckdb"), people)):
        for base in (
            EventFilter(segment="org_unit", segment_value="x"),
            active_filter(ws, credential_id=c1, segment="role", segment_value="x", language="en"),
            EventFilter(segment="country", segment_value="x", start=date(2025, 2, 12), end=date(2025, 4, 30)),
        ):
            for view in VIEWS:
                got = cube_views.compute_by_segment(view, engine_cube, ws, base, base)
                if view == "time_to_credential":
                    assert got is None, view  # no one-pass path: each value is computed alone
                    continue
                assert got, f"{view}: no segment values"
                for value, (frame, n) in got.items():
                    # None: all learners (the segment left out), which the other values are checked against
                    flt = (
                        replace(base, segment=None, segment_value=None)
                        if value is None
                        else replace(base, segment_value=value)
                    )
                    want, m = cube_views.compute(view, Cube.from_events(ev, people), ws, flt, flt)
                    assert n == m, (view, value)
                    assert_frame_equal(frame, want, check_exact=False, rel_tol=1e-9)
                    direct_frame, k = direct(view, ev, people, ws, flt)
                    assert k == n, (view, value)
                    assert_frame_equal(frame, direct_frame, check_exact=False, rel_tol=1e-9)


def test_weekly_active_learners_from_week_masks_and_without_them_equal_the_metric():
    ws, ev, people = cohort()
    c1 = list(ws.credentials)[0]
    org = sorted(people.collect()["org_unit"].drop_nulls().unique().to_list())[0]
    masks = Cube.from_events(ev, people)
    codes = codes_for(masks)
    assert codes is not None and 0 < len(codes.weeks) <= 63
    # more than 63 weeks of data: no week masks, the day-grain facts answer
    no_masks = Cube.from_events(ev, people)
    no_masks.answer(("codes",), lambda: replace(codes, weeks=()))
    for cube in (masks, no_masks):
        for flt in (
            EventFilter(),
            active_filter(ws, credential_id=c1, start=date(2025, 2, 12), end=date(2025, 4, 30)),
            EventFilter(segment="org_unit", segment_value=org, language="en"),
            EventFilter(start=date(2025, 3, 5), end=date(2025, 3, 5)),
        ):
            check(cube, "weekly_active_learners", ev, people, ws, flt)
        by = cube_views.compute_by_segment(
            "weekly_active_learners", cube, ws, EventFilter(segment="org_unit", segment_value=org), EventFilter()
        )
        assert (by is None) == (cube is no_masks)


def test_a_date_range_reuses_the_all_dates_rows_and_equals_a_fresh_fold():
    from mblib.analytics.cube_learners import day_masks, fold_learners, learner_table

    ws, ev, people = cohort()
    cube = Cube.from_events(ev, people)
    codes = codes_for(cube)
    table = day_masks(cube, codes)
    for start, end in ((date(2025, 2, 12), date(2025, 4, 30)), (date(2025, 3, 5), None), (None, date(2025, 3, 1))):
        got = learner_table(cube, codes, start, end).lazy().collect()
        assert cube.answer(("learners", None, None), lambda: None) is not None  # the all-dates rows were reused
        keep = pl.lit(True)
        if start:
            keep = keep & (pl.col("day") >= start)
        if end:
            keep = keep & (pl.col("day") <= end)
        want = fold_learners(cube, codes, table.filter(keep).lazy(), start, end)  # every learner folded again
        cols = [c for c in want.columns if c not in ("_first", "_last")]
        assert got.height == want.height
        assert_frame_equal(got.select(cols).sort("learner_id"), want.select(cols).sort("learner_id"))


def test_the_learners_a_range_cuts_are_folded_from_sorted_runs_exactly_as_by_a_group_by():
    """cube_ranges.cut_learners (numpy runs) equals the polars group-by of the cut learners' days, for
    ranges inside, across and outside the data, one day long, open at either end, and empty."""
    import random
    from datetime import timedelta

    from mblib.analytics.cube_learners import day_masks, fold_learners, learner_table, runs_of
    from mblib.analytics.cube_ranges import cut_learners

    ws, ev, people = cohort()
    cube = Cube.from_events(ev, people)
    codes = codes_for(cube)
    table = day_masks(cube, codes)
    whole = learner_table(cube, codes, None, None)
    runs = runs_of(cube, codes)
    first, last = table["day"].min(), table["day"].max()
    mid = first + (last - first) / 2
    rnd = random.Random(7)
    ranges = [(first, last), (first - timedelta(days=9), first - timedelta(days=1)), (last + timedelta(days=1), None)]
    ranges += [(mid, mid), (None, mid), (mid, None), (first, first), (last, last)]
    for _ in range(25):
        a = first + timedelta(days=rnd.randint(-5, (last - first).days + 5))
        ranges.append((a, a + timedelta(days=rnd.randint(0, 120))))
    seen = 0
    for start, end in ranges:
        cut, keep = pl.lit(False), pl.lit(True)
        if start:
            cut, keep = cut | (pl.col("_first") < start), keep & (pl.col("day") >= start)
        if end:
            cut, keep = cut | (pl.col("_last") > end), keep & (pl.col("day") <= end)
        want = fold_learners(cube, codes, table.lazy().filter(keep & cut), start, end).select(whole.columns)
        got = cut_learners(runs, start, end)
        assert got.schema == want.schema and got.height == want.height, (start, end)
        assert_frame_equal(got.sort("learner_id"), want.sort("learner_id"), check_row_order=True)
        seen += got.height
    assert seen > 100  # the ranges did cut through learners


def test_the_sorted_kaplan_meier_equals_the_metric_with_ties_and_censoring():
    from mblib.analytics import survival
    from mblib.analytics.cube_survival import kaplan_meier_sorted

    d = pl.DataFrame(
        {
            "credential_id": ["b", "a", "a", "a", "b", "a", "b", "a"],
            "duration_days": [3.0, 1.5, 1.5, 0.0, 3.0, 7.25, 1.0, 1.5],
            "earned": [1, 1, 0, 1, 0, 0, 1, 1],
        }
    )
    for alpha in (0.05, 0.2):
        want = collect(survival.kaplan_meier(d.lazy(), alpha=alpha))
        assert_frame_equal(kaplan_meier_sorted(d, alpha=alpha), want, check_exact=False, rel_tol=1e-12)


def test_the_structures_every_answer_builds_on_outlive_hundreds_of_answers():
    """The remembered answers are bounded (KEEP_ANSWERS); the learner level over all dates, the day
    rows and the date-range runs are not, or a click after a long session would rebuild them."""
    from mblib.analytics.cube import KEEP_ANSWERS
    from mblib.analytics.cube_learners import warm

    ws, ev, people = cohort()
    cube = warm(Cube.from_events(ev, people))
    kept = [("codes",), ("day_masks",), ("learners", None, None), ("runs",), ("members",)]
    assert all(key in cube for key in kept)
    for i in range(KEEP_ANSWERS + 1):
        cube.answer(("a click", i), lambda n=i: n)
    assert ("a click", 0) not in cube and ("a click", KEEP_ANSWERS) in cube  # answers are bounded
    assert all(key in cube for key in kept)
    assert cube.answer(("runs",), lambda: pytest.fail("the runs were built again"), keep=True) is not None
