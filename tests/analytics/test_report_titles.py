"""Reports show the workspace's titles, draw hidden groups as marks, and key every mark in a legend
(issue 14: titles instead of ids, "hidden (<k)" marks, legend entries, no stale notebook call)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import polars as pl
import pytest

from mblib.analytics import charts
from mblib.analytics.labels import with_titles, workspace_titles
from mblib.analytics.report import REPORTS, report_table, resolve_notebook

from .frames import metric_frames

FRAMES = metric_frames()

TITLES = {
    "module_id": {"reading-bar-charts": "Reading a bar chart", "samples-and-surveys": "Samples and surveys"},
    "credential_id": {"data-literacy-foundations": "Data Literacy Foundations"},
}


def _svg(chart) -> str:
    return charts.chart_svg(chart).replace("&lt;", "<")


def test_titles_replace_ids_in_what_is_shown_and_keep_everything_else():
    frame = pl.DataFrame(
        {
            "credential_id": ["data-literacy-foundations", "unknown-credential"],
            "module_id": ["reading-bar-charts", None],
            "path": ["reading-bar-charts > samples-and-surveys", "samples-and-surveys"],
            "learners": [12, 7],
        }
    )
    shown = with_titles(frame, TITLES)
    assert shown["credential_id"].to_list() == ["Data Literacy Foundations", "unknown-credential"]
    assert shown["module_id"].to_list() == ["Reading a bar chart", None]
    assert shown["path"].to_list() == ["Reading a bar chart > Samples and surveys", "Samples and surveys"]
    assert shown["learners"].to_list() == [12, 7] and shown.columns == frame.columns
    assert frame["credential_id"][0] == "data-literacy-foundations"  # the metric's frame keeps its ids
    assert with_titles(frame, None) is frame


def test_two_things_with_one_title_stay_apart():
    thing = SimpleNamespace
    ws = SimpleNamespace(
        modules={"a": thing(id="a", title="Basics"), "b": thing(id="b", title="Basics"), "c": thing(id="c", title="")},
        credentials={"x": thing(id="x", title="Cert")},
    )
    titles = workspace_titles(ws)
    assert titles["module_id"] == {"a": "Basics (a)", "b": "Basics (b)", "c": "c"}
    assert titles["credential_id"] == {"x": "Cert"}


def test_report_table_renders_titles_and_its_frame_keeps_ids():
    frame = pl.DataFrame(
        {"credential_id": ["data-literacy-foundations"] * 2, "segment": ["Finance", "Sales"], "enrolled": [40, 3]}
    )
    table = report_table(frame, caption="Uptake", k=5, count_col="enrolled", titles=TITLES)
    html = table._repr_html_()
    assert "Data Literacy Foundations" in html and "data-literacy-foundations" not in html
    assert table.frame["credential_id"].to_list() == ["data-literacy-foundations"] * 2
    assert table.frame["enrolled"].to_list() == [None, None]  # suppression unchanged (3 < 5, and its complement)


def test_chart_axes_and_legends_show_titles():
    frame = pl.DataFrame(
        {
            "module_id": ["reading-bar-charts", "samples-and-surveys"],
            "started": [40, 30],
            "completed": [20, 10],
            "completion_rate": [0.5, 1 / 3],
            "completion_low": [0.35, 0.2],
            "completion_high": [0.65, 0.5],
            "passed": [18, 9],
            "pass_rate": [0.45, 0.3],
        }
    )
    svg = _svg(charts.module_outcomes_chart(with_titles(frame, TITLES)))
    assert "Reading a bar chart" in svg and "Samples and surveys" in svg
    assert "reading-bar-charts" not in svg


STACKING = pl.DataFrame({"credentials_held": [0, 1, 2, 3], "learners": [50, 40, 3, 6], "share": [0.5, 0.4, 0.03, 0.06]})
AT_RISK = pl.DataFrame(
    {
        "credential_id": ["a", "b", "a", "b", "a"],
        "days_from": [7, 7, 14, 14, 21],
        "days_to": [14, 14, 21, 21, 28],
        "learners": [10, 3, 2, 12, 9],
    }
)
DISTRACTORS = pl.DataFrame(
    {
        "module_id": ["m"] * 4,
        "block_id": ["q1", "q1", "q2", "q2"],
        "choice_id": ["a", "b", "a", "b"],
        "correct": [True, False, True, False],
        "chosen": [30, 2, 20, 15],
        "share": [0.9375, 0.0625, 20 / 35, 15 / 35],
        "position": [1, 1, 2, 2],
    }
)


@pytest.mark.parametrize(
    ("chart", "frame", "small"),
    [
        (charts.credential_stacking_chart, STACKING, "3"),
        (charts.learners_at_risk_chart, AT_RISK, "2"),
        (charts.distractor_analysis_chart, DISTRACTORS, "2"),
    ],
    ids=["stacking", "at_risk", "distractors"],
)
def test_hidden_groups_are_drawn_as_marks_never_as_gaps(chart, frame, small):
    spec = chart(frame, k=5).to_dict()
    rows = next(iter(spec["datasets"].values()))
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(v is None for r in hidden for c, v in r.items() if c in ("learners", "chosen", "share"))
    svg = charts.chart_svg(chart(frame, k=5))
    texts = [t for t in svg.split(">") if t.startswith("hidden (&lt;5)<")]
    per_bin = chart is charts.learners_at_risk_chart  # one mark per bin of days holding hidden groups
    assert len(texts) == (len({r["days_from"] for r in hidden}) if per_bin else len(hidden)), svg
    assert all(small not in str(r.get("learners", r.get("chosen"))) for r in hidden)  # no small count in the data


def test_learners_at_risk_draws_one_hidden_mark_per_bin():
    frame = AT_RISK.with_columns(pl.Series("learners", [2, 3, 10, 12, 9]))  # both credentials small at 7-14
    table = report_table(frame, caption="At risk", k=5, labels=["credential_id", "days_from", "days_to"])
    rows = table.frame.filter(pl.col("suppressed"))
    svg = charts.chart_svg(charts.learners_at_risk_chart(table.frame, k=5))
    marks = [t for t in svg.split(">") if t.startswith("hidden (&lt;5)<")]
    assert rows.height >= 2 and len(marks) == rows["days_from"].n_unique()  # never two on one bin


def test_time_to_credential_band_and_line_each_have_a_legend_entry():
    frame = FRAMES["time_to_credential"]
    svg = _svg(charts.time_to_credential_chart(frame))
    assert "95% band (shaded)" in svg and "Share not yet earned (line)" in svg
    # the band stays translucent: its opacity comes from its legend's scale
    spec = charts.time_to_credential_chart(frame).to_dict()
    assert spec["layer"][0]["encoding"]["opacity"]["scale"]["range"] == [0.2]


def test_segment_dots_and_whiskers_each_have_a_legend_entry():
    frame = FRAMES["uptake_by_segment"]
    svg = _svg(charts.uptake_by_segment_chart(frame, k=5))
    assert "Earn rate (dot)" in svg and "95% interval (Wilson, line)" in svg


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_report_notebooks_need_no_call_to_show_charts_and_use_titles(report):
    nb = json.loads(resolve_notebook(report).read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "enable_notebook_charts" not in code
    assert "titles=rd.titles" in code and "rd.titled(" in code
    assert charts.enable_notebook_charts is not None  # kept for compatibility
