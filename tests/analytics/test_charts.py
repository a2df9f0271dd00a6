"""Charts: one per metric, from the metric's documented frame; saved offline; rendered in Chromium."""

from __future__ import annotations

import re

import polars as pl
import pytest

from mblib.analytics import charts
from mblib.analytics.charts import CHARTS, ChartError, charts_page, save_chart
from tests.conftest import SAMPLE

from .frames import metric_frames

FRAMES = metric_frames()
REMOTE_SCRIPT = re.compile(r"""<script[^>]+src=["']?(https?:)?//""", re.I)


def test_every_documented_metric_has_a_chart_and_a_frame():
    from mblib.analytics import items, metrics, survival

    documented = set(metrics.__all__) | set(survival.__all__) | set(items.__all__)
    assert set(CHARTS) <= documented
    assert set(CHARTS) == set(FRAMES)


@pytest.mark.parametrize("metric", sorted(CHARTS))
def test_chart_is_a_valid_titled_described_spec(metric):
    spec = CHARTS[metric](FRAMES[metric]).to_dict()  # to_dict validates against the Vega-Lite schema
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert spec["title"] and len(spec["description"]) > 20
    rows = next(iter(spec["datasets"].values()))
    per_row = 3 if metric == "credential_outcomes" else 1  # start, completion and earn rates, one row each
    assert len(rows) == FRAMES[metric].height * per_row


@pytest.mark.parametrize("metric", sorted(CHARTS))
def test_chart_names_the_missing_columns(metric):
    frame = FRAMES[metric].drop(FRAMES[metric].columns[0])
    with pytest.raises(ChartError) as e:
        CHARTS[metric](frame)
    assert FRAMES[metric].columns[0] in str(e.value) and "pass the collected result of" in str(e.value)


def test_chart_accepts_an_empty_frame():
    empty = FRAMES["module_outcomes"].clear()
    assert charts.module_outcomes_chart(empty).to_dict()["layer"]


def test_save_png_svg_json_html(tmp_path):
    chart = charts.weekly_active_learners_chart(FRAMES["weekly_active_learners"])
    png = save_chart(chart, tmp_path / "w.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = save_chart(chart, tmp_path / "w.svg").read_text()
    assert svg.lstrip().startswith("<svg") and "Active learners" in svg
    assert '"active_learners"' in save_chart(chart, tmp_path / "w.json").read_text()
    page = save_chart(chart, tmp_path / "sub" / "w.html").read_text()
    assert not REMOTE_SCRIPT.search(page)
    assert "Content-Security-Policy" in page and "vegaEmbed" in page and "Weekly active learners" in page


def test_save_refuses_an_unknown_format(tmp_path):
    chart = charts.credential_stacking_chart(FRAMES["credential_stacking"])
    with pytest.raises(ChartError, match=r"cannot save a chart as 'c.pdf'.*\n.*\.html, \.png, \.svg or \.json"):
        save_chart(chart, tmp_path / "c.pdf")
    assert not (tmp_path / "c.pdf").exists()


def test_notebook_renderer_gives_spec_and_svg():
    import altair as alt

    before = alt.renderers.active
    try:
        charts.enable_notebook_charts()
        bundle = charts.credential_stacking_chart(FRAMES["credential_stacking"])._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert charts.VEGALITE_MIME in data and data["image/svg+xml"].lstrip().startswith("<svg")
        assert data["text/plain"] == "<chart: Credential stacking>"
    finally:
        alt.renderers.enable(before)


@pytest.mark.browser
def test_every_chart_renders_offline_with_no_console_errors(page, tmp_path):
    html = tmp_path / "all.html"
    html.write_text(charts_page({m: CHARTS[m](FRAMES[m]) for m in sorted(CHARTS)}, title="All charts"))
    page.goto(html.as_uri())
    page.wait_for_function(f"document.querySelectorAll('[data-rendered]').length === {len(CHARTS)}", timeout=20_000)
    states = page.evaluate("""() => [...document.querySelectorAll('.mb-chart-view')].map(
        e => [e.getAttribute('data-rendered'), e.querySelectorAll('svg path, svg line').length])""")
    assert all(s == "true" and marks > 0 for s, marks in states), states
    assert page.errors == [] and page.blocked == []


@pytest.mark.browser
def test_tooltip_shows_under_the_csp(page, tmp_path):
    html = tmp_path / "one.html"
    html.write_text(charts_page([charts.credential_stacking_chart(FRAMES["credential_stacking"])]))
    page.goto(html.as_uri())
    page.wait_for_selector("[data-rendered=true] svg")
    bar = page.locator(".mb-chart-view svg path[aria-roledescription='bar']").first
    bar.hover()
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    assert "Learners" in page.text_content("#vg-tooltip-element")  # the label, not the column name
    assert page.errors == []


def test_script_json_cannot_close_the_script():
    assert "</" not in charts.script_json({"x": "</script>"})
    assert charts.script_json(pl.DataFrame({"a": [1]}).to_dicts()) == '[{"a": 1}]'


@pytest.mark.parametrize("metric", sorted(CHARTS))
def test_every_axis_legend_and_tooltip_has_one_human_title(metric):
    """Labels come from the labels table: no snake_case title, and layers never join two axis titles."""
    from mblib.analytics.charts import chart_spec
    from mblib.analytics.labels import has_snake_case

    spec = chart_spec(CHARTS[metric](FRAMES[metric]))
    layers = spec.get("layer") or (spec.get("spec") or {}).get("layer") or [spec.get("spec") or spec]
    for channel in ("x", "y"):
        titles = {
            layer["encoding"][channel].get("title")
            for layer in layers
            if channel in layer.get("encoding", {}) and "title" in layer["encoding"][channel]
        }
        assert len(titles) <= 1, (channel, titles)
    encodings = [layer.get("encoding", {}) for layer in layers]
    titles = [
        item.get("title")
        for enc in encodings
        for value in enc.values()
        for item in (value if isinstance(value, list) else [value])
        if isinstance(item, dict) and "field" in item
    ]
    assert titles and all(t is None or not has_snake_case(str(t)) for t in titles), titles


def test_charts_name_their_channels_so_altair_never_looks_up_a_class(monkeypatch):
    """A bare ``"field:Q"`` string in ``encode`` makes altair find its channel class with
    ``SchemaBase.from_dict``, which rebuilds a table of ~600 schema classes each time (about 4 ms;
    the dashboard draws a chart per click). Every chart names its channels (``alt.Tooltip(...)``)."""
    import altair as alt

    calls: list[object] = []
    original = alt.SchemaBase.from_dict.__func__

    def counting(cls, *args, **kwargs):
        calls.append(args[0] if args else kwargs)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(alt.SchemaBase, "from_dict", classmethod(counting))
    assert alt.Chart().encode(tooltip=["x:Q"]) is not None and calls  # the spy sees a bare string
    calls.clear()
    for metric in sorted(CHARTS):
        CHARTS[metric](FRAMES[metric])
    from mblib.content import Workspace
    from mblib.content.pathway import pathway_graph
    from mblib.widgets.charts import pathway_chart

    ws = Workspace.open(SAMPLE)
    for credential in ws.credentials.values():  # the builder's pathway chart, redrawn on every edit
        pathway_chart(pathway_graph(credential, ws), states={credential.module_ids()[0]: "done"})
    assert calls == []


def test_distractor_choices_keep_the_order_they_were_written_in():
    frame = FRAMES["distractor_analysis"].with_columns(pl.Series("choice_id", ["Zebra", "Apple", "Mango"]))
    spec = CHARTS["distractor_analysis"](frame).to_dict()
    layer = spec["spec"]["layer"][0]
    assert layer["encoding"]["y"]["sort"] == {"field": "choice_position", "order": "ascending"}
