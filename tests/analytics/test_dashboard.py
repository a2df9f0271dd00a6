"""AnalyticsDashboard and the filter logic under it (no browser: set controls, read state)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from mblib.analytics.filters import EventFilter, FilterError, dashboard_view, filter_events, filter_options
from tests.conftest import SAMPLE

UTC = UTC


def _ev(rows):
    cols = ["timestamp", "learner_id", "verb", "credential_id", "module_id", "language"]
    return pl.LazyFrame(
        [dict(zip(cols, r)) for r in rows],
        schema={
            "timestamp": pl.Datetime("us", "UTC"),
            "learner_id": pl.String,
            "verb": pl.String,
            "credential_id": pl.String,
            "module_id": pl.String,
            "language": pl.String,
        },
    )


EVENTS = _ev(
    [
        (datetime(2025, 1, 6, 9, tzinfo=UTC), "a", "enrolled", "c1", None, None),
        (datetime(2025, 1, 6, 10, tzinfo=UTC), "a", "launched", None, "m1", "fr"),
        (datetime(2025, 1, 20, 10, tzinfo=UTC), "a", "launched", None, "m9", "fr"),
        (datetime(2025, 1, 7, 9, tzinfo=UTC), "b", "enrolled", "c2", None, None),
        (datetime(2025, 1, 8, 9, tzinfo=UTC), "b", "launched", None, "m1", "en"),
        (datetime(2025, 1, 31, 23, 59, tzinfo=UTC), "c", "launched", None, "m1", "en"),
    ]
)
LEARNERS = pl.LazyFrame(
    {"learner_id": ["a", "b", "c"], "org_unit": ["Sales", "Sales", "HR"], "role": ["Analyst", None, "Lead"]}
)


def _kept(flt, learners=LEARNERS):
    return sorted(
        filter_events(EVENTS, learners, flt)
        .collect()
        .to_native()
        .select("learner_id", "module_id")
        .unique()
        .iter_rows(),
        key=str,
    )


def test_filter_by_credential_keeps_its_learners_and_its_modules_only():
    assert _kept(EventFilter(credential_id="c1", module_ids=("m1",))) == [("a", "m1"), ("a", None)]


def test_filter_by_segment_dates_and_language():
    assert {r[0] for r in _kept(EventFilter(segment="org_unit", segment_value="Sales"))} == {"a", "b"}
    assert {r[0] for r in _kept(EventFilter(start=date(2025, 1, 7), end=date(2025, 1, 8)))} == {"b"}
    assert {r[0] for r in _kept(EventFilter(end=date(2025, 1, 31)))} == {"a", "b", "c"}  # end day inclusive
    assert {r[0] for r in _kept(EventFilter(language="fr"))} == {"a"}


def test_filter_runs_on_duckdb_too():
    import duckdb

    con = duckdb.connect()
    rel = con.from_arrow(EVENTS.collect().to_arrow())
    got = filter_events(rel, None, EventFilter(language="en")).collect().to_native()
    assert sorted(set(got.column("learner_id").to_pylist())) == ["b", "c"]


@pytest.mark.parametrize(
    "flt, learners, message",
    [
        (EventFilter(segment="shoe_size", segment_value="9"), LEARNERS, "unknown segment 'shoe_size'"),
        (EventFilter(segment="role", segment_value="Lead"), None, "slicing by role needs the learners table"),
        (EventFilter(start=date(2025, 2, 1), end=date(2025, 1, 1)), LEARNERS, "the date range starts after it ends"),
    ],
)
def test_filter_bad_input(flt, learners, message):
    with pytest.raises(FilterError, match=message):
        filter_events(EVENTS, learners, flt)


def test_filter_options():
    opts = filter_options(EVENTS, LEARNERS)
    assert opts["credentials"] == ["c1", "c2"] and opts["languages"] == ["en", "fr"]
    assert opts["segments"]["org_unit"] == ["HR", "Sales"] and opts["segments"]["role"] == ["Analyst", "Lead"]
    assert (opts["first"], opts["last"]) == (date(2025, 1, 6), date(2025, 1, 31))


def test_describe():
    flt = EventFilter(credential_id="c1", segment="org_unit", segment_value="HR", language="fr", start=date(2025, 1, 1))
    assert flt.describe() == "credential c1, org unit HR, language fr, from 2025-01-01 to the end"


# ------------------------------------------------------------------------------ the widget on a synthetic cohort


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from mblib.analytics.report import open_report_data
    from mblib.analytics.synth import synthesise, write_cohort
    from mblib.content import Workspace

    ws = Workspace.open(SAMPLE)
    folder = tmp_path_factory.mktemp("cohort")
    write_cohort(synthesise(ws, learners=300, seed=5), folder, overwrite=True)
    return open_report_data(ws, folder, k=5)


def test_dashboard_view_suppresses_small_groups(data):
    flt = EventFilter(
        segment="org_unit", segment_value=filter_options(data.events, data.learners)["segments"]["org_unit"][0]
    )
    result = dashboard_view(data.events, data.learners, data.workspace, flt, "credential_outcomes", k=10_000)
    assert result.table.frame["suppressed"].all() and "had fewer than 10000 learners" in result.table.note
    assert result.chart.to_dict()["title"] == "Credential outcomes"
    with pytest.raises(FilterError, match="unknown view 'pie'"):
        dashboard_view(data.events, data.learners, data.workspace, flt, "pie")


def test_dashboard_filters_by_credential_segment_dates_and_language(data):
    from mblib.widgets.dashboard import AnalyticsDashboard

    dash = AnalyticsDashboard(data)
    everyone = dash.result.learners
    assert (
        everyone > 0
        and f"({everyone:,} learners)" in dash.status.value
        and "<caption>Credential outcomes</caption>" in dash.table.value
    )

    cred = dash.credential.options[-1][1]  # the credential that stacks on the first: fewer learners
    dash.credential.value = cred
    assert dash.result.table.frame["credential_id"].to_list() == [cred]
    assert 0 < dash.result.learners < everyone and f"credential {cred}" in dash.status.value

    assert dash.segment_value.disabled
    dash.segment.value = "org_unit"
    assert not dash.segment_value.disabled and len(dash.segment_value.options) > 2
    dash.segment_value.value = dash.segment_value.options[1][1]
    narrowed = dash.result.learners
    assert narrowed < everyone and "org unit" in dash.status.value

    dash.language.value = dash.language.options[-1][1]
    dash.start.value = data_first = dash.options["first"]
    dash.end.value = data_first
    assert dash.result.learners <= narrowed

    for name, _title in [(v, t) for t, v in dash.view.options]:
        dash.view.value = name
        assert dash.error is None and dash.result.name == name
        dash.result.chart.to_dict()  # a valid spec for every view


def test_dashboard_shows_errors_and_keeps_working(data):
    from mblib.widgets.dashboard import AnalyticsDashboard

    dash = AnalyticsDashboard(data)
    dash.start.value = date(2030, 1, 2)
    dash.end.value = date(2030, 1, 1)
    assert (
        dash.error
        and "the date range starts after it ends" in dash.status.value
        and 'role="alert"' in dash.status.value
    )
    # the previous results are cleared, not left under the message
    assert dash.result is None and dash.table.value == "" and "previous results cleared" in dash.status.value
    dash.start.value = dash.options["first"]
    dash.end.value = dash.options["last"]
    assert dash.error is None and dash.result.learners > 0


def test_dashboard_reset_and_curves_as_charts(data):
    from mblib.widgets.dashboard import AnalyticsDashboard

    dash = AnalyticsDashboard(data)
    everyone = dash.result.learners
    dash.credential.value = dash.credential.options[-1][1]
    dash.view.value = "time_to_credential"
    assert dash.result.learners < everyone
    assert "<table" not in dash.table.value and "The curve is drawn above" in dash.table.value  # no raw curve rows
    assert dash.result.chart.to_dict()["layer"]  # the curve is a chart
    dash.start.value = date(2030, 1, 2)
    dash.end.value = date(2030, 1, 1)
    assert dash.error
    result = dash.reset()
    assert dash.error is None and result is dash.result and result.name == "credential_outcomes"
    assert result.learners == everyone and dash.credential.value == "all" and dash.start.value == dash.options["first"]
    assert ">Enrolled<" in dash.table.value and "gt_table" in dash.table.value  # the report's table style


def test_dashboard_tables_and_charts_show_titles_not_ids(data):
    """The view's frame keeps ids (for joins); what the analyst reads names modules and credentials."""
    import json

    ws = data.workspace
    for view, ids in (("credential_outcomes", ws.credentials), ("module_outcomes", ws.modules)):
        result = dashboard_view(data.events, data.learners, ws, EventFilter(), view, k=5)
        html = result.table._repr_html_()
        spec = json.dumps(result.chart.to_dict())
        shown = [i for i in ids if i in set(result.table.frame[result.table.frame.columns[0]].to_list())]
        assert shown, view
        for item_id in shown:
            title = ids[item_id].title
            assert f">{item_id}<" not in html and title in html, (view, item_id)
            assert f'"{item_id}"' not in spec and json.dumps(title) in spec, (view, item_id)


def test_dashboard_displays_the_labelled_spec_without_an_svg(data):
    """A live dashboard shows the spec JupyterLab draws (interactive); the SVG a notebook output keeps
    for viewers without Vega is not drawn on every click."""
    from mblib.analytics.chart_output import VEGALITE5_MIME, VEGALITE_MIME
    from mblib.widgets.dashboard import AnalyticsDashboard

    dash = AnalyticsDashboard(data)
    bundle, metadata = dash.result.chart_bundle()
    assert "image/svg+xml" not in bundle and bundle[VEGALITE_MIME]["title"] == "Credential outcomes"
    assert bundle[VEGALITE5_MIME]["$schema"].endswith("/v5.json") and metadata[VEGALITE5_MIME]["embed_options"]
    spec = json.dumps(bundle[VEGALITE_MIME])
    assert '"title": "Enrolled"' in spec and '"title": "enrolled"' not in spec  # labels applied
    assert "gt_table" in dash.table.value and ">Enrolled<" in dash.result.table_html()


def test_the_credential_control_names_credentials_by_title(data):
    from mblib.widgets.dashboard import AnalyticsDashboard

    dash = AnalyticsDashboard(data)
    shown = dict(dash.credential.options[1:])
    assert shown and all(data.workspace.credential(cid).title == label for label, cid in shown.items())
