"""Issue 10, item 5: small-cell suppression must not leak by differencing.

A report shows a credential's totals (enrolled, earned) and every organisation unit but the
suppressed one, so the hidden unit's counts were the total minus the shown parts. Every table,
chart (its embedded data and tooltips) and dashboard view that shows a partition with its total
must hide at least two parts adding up to k or more, or hide the total.
"""

from __future__ import annotations

import dataclasses
import re

import polars as pl
import pytest

from mblib.analytics import charts, metrics
from mblib.analytics.privacy import suppress_small_groups
from mblib.analytics.report import report_table
from tests.conftest import SAMPLE

K = 5
TINY = "Tiny Unit"
CRED = "data-literacy-foundations"
RARE = "is"  # a language variant only two learners saw


# ------------------------------------------------------------------------------ the privacy function


def _flags(counts, k=K, **kw):
    frame = pl.DataFrame(
        {"whole": ["c"] * len(counts), "part": [f"p{i}" for i in range(len(counts))], "learners": counts}
    )
    return suppress_small_groups(frame, k, labels=["whole", "part"], partition_by=["whole"], **kw)


def test_one_small_cell_hides_a_second_one():
    t = _flags([280, 3, 17, 40])
    assert t.frame["suppressed"].to_list() == [False, True, True, False]  # 17: the next-smallest
    assert t.complementary == [{"whole": "c", "part": "p2"}] and not t.hidden_totals
    assert "1 more group is hidden so that no hidden figure can be worked out from a total" in t.note


def test_two_small_cells_under_k_hide_a_third():
    t = _flags([100, 1, 2, 30, 9])
    assert t.frame["suppressed"].to_list() == [False, True, True, False, True]  # 1 + 2 < 5: 9 goes too


def test_all_tiny_cells_hide_the_total():
    t = _flags([1, 2, 1])
    assert t.frame["suppressed"].all() and t.hidden_totals == [{"whole": "c"}]
    assert "The total of c must not be shown either (fewer than 5 learners)" in t.note
    assert _flags([3]).hidden_totals == [{"whole": "c"}]  # one part: it is the total


def test_nothing_small_hides_nothing():
    t = _flags([10, 20, 5])
    assert not t.frame["suppressed"].any() and not t.complementary and not t.hidden_totals
    assert t.note == "No group has fewer than 5 learners; nothing is suppressed."


def test_wholes_are_protected_separately_and_without_partition_nothing_changes():
    frame = pl.DataFrame(
        {
            "credential_id": ["a", "a", "a", "b", "b"],
            "segment": ["x", "y", "z", "x", "y"],
            "enrolled": [50, 2, 8, 40, 30],
        }
    )
    t = suppress_small_groups(frame, K, "enrolled")  # partition known from the metric's columns
    assert t.frame["suppressed"].to_list() == [False, True, True, False, False]
    plain = suppress_small_groups(frame, K, "enrolled", partition_by=None)
    assert plain.frame["suppressed"].to_list() == [False, True, False, False, False]


def test_a_cross_table_is_protected_along_rows_and_columns():
    frame = pl.DataFrame({"r": ["a", "a", "b", "b"], "c": ["x", "y", "x", "y"], "n": [2, 30, 40, 50]})
    t = suppress_small_groups(frame, K, "n", labels=["r", "c"], partition_by=[["r"], ["c"]])
    hidden = t.frame.filter(pl.col("suppressed"))
    for col in ("r", "c"):  # every row and column holding a hidden cell holds two
        assert hidden.group_by(col).len()["len"].min() >= 2


# ------------------------------------------------------------------------------ the attack on a cohort


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A cohort where one organisation unit has 3 learners, all enrolled in CRED, and 2 learners saw
    one module in a rare language."""
    from mblib.analytics.report import open_report_data
    from mblib.analytics.synth import synthesise, write_cohort
    from mblib.content import Workspace

    ws = Workspace.open(SAMPLE)
    c = synthesise(ws, learners=300, seed=5)
    enrolled = c.events.filter((pl.col("verb") == "enrolled") & (pl.col("credential_id") == CRED))["learner_id"]
    tiny = enrolled.unique(maintain_order=True).head(3).to_list()
    learners = c.learners.with_columns(
        pl.when(pl.col("learner_id").is_in(tiny)).then(pl.lit(TINY)).otherwise(pl.col("org_unit")).alias("org_unit")
    )
    launched = c.events.filter(pl.col("verb") == "launched")
    module = launched["module_id"].mode().sort()[0]
    rare = launched.filter(pl.col("module_id") == module)["learner_id"].unique(maintain_order=True).head(2).to_list()
    events = c.events.with_columns(
        pl.when(pl.col("learner_id").is_in(rare) & (pl.col("module_id") == module))
        .then(pl.lit(RARE))
        .otherwise(pl.col("language"))
        .alias("language")
    )
    c = dataclasses.replace(c, learners=learners, events=events)
    folder = tmp_path_factory.mktemp("tiny-cohort")
    write_cohort(c, folder, overwrite=True)
    return open_report_data(ws, folder, k=K)


def _labels(rows: pl.DataFrame, whole: list[str]) -> list[str]:
    return [c for c in rows.columns if c not in whole and rows.schema[c] == pl.String]


def _assert_not_recoverable(parts: pl.DataFrame, totals: dict, whole: list[str], truth: pl.DataFrame) -> None:
    """Every whole with hidden parts and a shown total: >= 2 hidden parts whose true counts add up to >= k.

    Differencing (total minus the shown parts) then gives only the hidden parts' sum, never one part.
    """
    labels = _labels(parts, whole)
    for key, rows in parts.group_by(whole, maintain_order=True):
        first = [c for c in rows.columns if c not in whole and c not in labels][0]
        hidden = rows.filter(pl.col(first).is_null())
        if hidden.is_empty() or totals.get(key[0]) is None:  # nothing hidden, or no total to subtract from
            continue
        assert hidden.height >= 2, f"{key}: one hidden part is the total minus the shown ones"
        true_hidden = truth.join(hidden.select(*whole, *labels), on=[*whole, *labels])
        assert true_hidden[first].sum() >= K, f"{key}: the hidden parts add up to fewer than {K}"


def test_uptake_by_org_unit_no_longer_gives_the_tiny_unit_away(cohort):
    rd = cohort
    outcomes = report_table(
        rd.run(metrics.credential_outcomes, credentials=list(rd.workspace.credentials.values())),
        caption="Outcomes per credential",
        k=rd.k,
        count_col="enrolled",
    )
    totals = {r["credential_id"]: r for r in outcomes.frame.iter_rows(named=True) if not r["suppressed"]}
    truth = rd.run(metrics.uptake_by_segment, learners=True, by="org_unit")
    tiny = truth.filter((pl.col("segment") == TINY) & (pl.col("credential_id") == CRED)).row(0, named=True)
    assert tiny["enrolled"] == 3

    # the attack on the old behaviour: one hidden part, recovered exactly
    old = report_table(truth, caption="Uptake by organisation unit", k=rd.k, count_col="enrolled", partition_by=None)
    shown = old.frame.filter(pl.col("credential_id") == CRED)
    if shown["enrolled"].null_count() == 1:
        assert totals[CRED]["enrolled"] - shown["enrolled"].drop_nulls().sum() == 3

    table = report_table(truth, caption="Uptake by organisation unit", k=rd.k, count_col="enrolled")
    mine = table.frame.filter(pl.col("credential_id") == CRED)
    assert mine.filter(pl.col("segment") == TINY)["enrolled"].to_list() == [None]
    _assert_not_recoverable(table.frame, totals, ["credential_id"], truth)
    assert "more group" in table.note and "hidden" in table._repr_html_()
    # hidden cells look hidden, never like zeros
    html = table._repr_html_()
    found = re.search(rf"<tr[^>]*>\s*<td[^>]*>{CRED}</td>\s*<td[^>]*>{TINY}</td>(.*?)</tr>", html, flags=re.S)
    assert found is not None, "the tiny unit's row is missing from the table"
    row = found.group(1)  # the small group shows "<5" (with its footnote), a complementary one "hidden"
    assert ">0<" not in row and re.findall(r">(?:&lt;5|hidden)<", row) and "%" not in row

    # the chart's embedded data and tooltips: the same rows hidden, for a suppressed or a raw frame
    for frame in (table.frame, truth):
        spec = charts.uptake_by_segment_chart(frame, k=rd.k).to_dict()
        data = pl.DataFrame([r for rows in spec["datasets"].values() for r in rows]).unique(
            ["credential_id", "segment"]
        )
        data = data.with_columns([pl.col(c).cast(pl.Int64) for c in ("enrolled", "earned")])
        assert data.filter(pl.col("segment") == TINY)["earn_rate"].to_list()[0] is None
        _assert_not_recoverable(
            data.select("credential_id", "segment", "enrolled", "earned"), totals, ["credential_id"], truth
        )


def test_completion_by_language_hides_a_second_language(cohort):
    rd = cohort
    outcomes = report_table(
        rd.run(metrics.module_outcomes, credentials=list(rd.workspace.credentials.values())),
        caption="Outcomes per module",
        k=rd.k,
        count_col="started",
    )
    totals = {r["module_id"]: r for r in outcomes.frame.iter_rows(named=True) if not r["suppressed"]}
    truth = rd.run(metrics.completion_by_language)
    assert truth.filter(pl.col("language") == RARE)["started"].to_list() == [2]
    table = report_table(
        truth, caption="Completion by language", k=rd.k, count_col="started", partition_by=["module_id"]
    )
    assert table.frame.filter(pl.col("language") == RARE)["started"].to_list() == [None]
    _assert_not_recoverable(table.frame, totals, ["module_id"], truth)
    spec = charts.completion_by_language_chart(truth, k=rd.k).to_dict()  # a raw frame is protected too
    data = pl.DataFrame([r for rows in spec["datasets"].values() for r in rows])
    assert data.filter(pl.col("language") == RARE)["started"].to_list() == [None]
    assert data["started"].null_count() >= 2


def test_stacking_and_at_risk_hide_complements_because_their_totals_show(cohort):
    rd = cohort
    stacking = report_table(
        pl.DataFrame(
            {"credentials_held": [0, 1, 2], "learners": [150, 120, 3], "share": [150 / 273, 120 / 273, 3 / 273]}
        ),
        caption="Stacking",
        k=rd.k,
        labels=["credentials_held"],
    )
    assert stacking.frame["suppressed"].to_list() == [False, True, True]  # the shares give the total away
    at_risk = report_table(
        pl.DataFrame(
            {"credential_id": ["a", "a", "b"], "days_from": [7, 14, 7], "days_to": [14, 21, 14], "learners": [2, 1, 1]}
        ),
        caption="At risk",
        k=rd.k,
        count_col="learners",
        labels=["credential_id", "days_from", "days_to"],
    )
    assert at_risk.frame["suppressed"].all() and at_risk.hidden_totals  # 4 at risk in all: the headline hides it


def test_uptake_chart_leaves_out_a_credential_under_k():
    frame = pl.DataFrame(
        {
            "credential_id": ["a", "a", "b"],
            "week_start": [1, 2, 1],
            "enrolled": [3, 4, 2],
            "earned": [0, 1, 0],
            "cumulative_enrolled": [3, 7, 2],
            "cumulative_earned": [0, 1, 0],
        }
    )
    frame = frame.with_columns(pl.date(2025, 1, pl.col("week_start")).alias("week_start"))
    spec = charts.credential_uptake_chart(frame, k=K).to_dict()
    rows = [r for rows in spec["datasets"].values() for r in rows]
    assert {r["credential_id"] for r in rows} == {"a"}


# ------------------------------------------------------------------------------ the dashboard


def test_dashboard_segment_filter_cannot_be_differenced(cohort):
    from mblib.analytics.filters import EventFilter, dashboard_view, filter_options

    rd = cohort
    values = filter_options(rd.events, rd.learners)["segments"]["org_unit"]
    assert TINY in values
    everyone = dashboard_view(rd.events, rd.learners, rd.workspace, EventFilter(), "credential_outcomes", k=K)
    totals = {r["credential_id"]: r for r in everyone.table.frame.iter_rows(named=True) if not r["suppressed"]}
    shown, truth = [], []
    for v in values:
        flt = EventFilter(segment="org_unit", segment_value=v)
        got = dashboard_view(rd.events, rd.learners, rd.workspace, flt, "credential_outcomes", k=K)
        shown.append(
            got.table.frame.select("credential_id", "enrolled", "earned").with_columns(pl.lit(v).alias("unit"))
        )
    for v in values:
        from mblib.analytics.backends import collect
        from mblib.analytics.filters import filter_events

        kept = filter_events(rd.events, rd.learners, EventFilter(segment="org_unit", segment_value=v))
        truth.append(
            collect(metrics.credential_outcomes(kept, list(rd.workspace.credentials.values())))
            .select("credential_id", "enrolled", "earned")
            .with_columns(pl.lit(v).alias("unit"))
        )
    parts, true = pl.concat(shown), pl.concat(truth)
    tiny = parts.filter((pl.col("unit") == TINY) & (pl.col("credential_id") == CRED))
    assert tiny["enrolled"].to_list() == [None]
    _assert_not_recoverable(parts, totals, ["credential_id"], true)

    # the widget shows it hidden, and says why
    from mblib.widgets.dashboard import AnalyticsDashboard

    dash = AnalyticsDashboard(rd)
    dash.segment.value = "org_unit"
    dash.segment_value.value = TINY
    assert "hidden" in dash.table.value and dash.result.table.frame["enrolled"].null_count() >= 1
    for view in ("credential_uptake", "completion_by_language", "pathway_funnel", "module_outcomes"):
        dash.view.value = view
        assert dash.error is None
    dash.view.value = "credential_uptake"  # 3 learners: no running total drawn for the tiny unit
    assert dash.result.table.frame.filter(pl.col("credential_id") == CRED).is_empty()
