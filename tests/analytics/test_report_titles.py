"""Reports show the workspace's titles, draw hidden groups as marks, and key every mark in a legend
(issue 14: titles instead of ids, "hidden (<k)" marks, legend entries, no stale notebook call)."""

from __future__ import annotations

import json
import re
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


# ---- quiz items and choices by their words (labels.workspace_titles / with_titles) ----


def _quiz(block_id: str, question: str, choices: list[tuple[str, str]]):
    from mblib.content.blocks import parse_block

    return parse_block(
        {
            "id": block_id,
            "type": "quiz",
            "question": question,
            "choices": [{"id": c, "text": t, "correct": i == 0} for i, (c, t) in enumerate(choices)],
        }
    )


def _workspace(**modules):
    thing = SimpleNamespace
    return thing(
        modules={m: thing(id=m, title=m.title(), blocks=blocks) for m, blocks in modules.items()},
        credentials={},
    )


LONG = (
    "A colleague's bar chart shows two teams' scores on a value axis that starts at 50 rather than zero; "
    "what is wrong with it?"
)


def test_quiz_items_are_numbered_in_their_module_with_plain_words_cut_at_a_word():
    from mblib.content.blocks import parse_block

    text = parse_block({"id": "intro", "type": "text", "body": "Hello"})
    ws = _workspace(
        stats=[
            _quiz(
                "q-median-1", "What is the **median** of `1, 2, 9`? <b>Think</b> [first](https://x.org)", [("a", "2")]
            ),
            text,
            _quiz("long", LONG, [("a", "x")]),
        ],
        charts=[_quiz("first", "Which *chart*?", [("a", "Bar")])],
    )
    blocks = workspace_titles(ws)["block_id"]
    assert blocks["stats/q-median-1"] == blocks["q-median-1"] == "Q1 · What is the median of 1, 2, 9? Think first"
    assert blocks["charts/first"] == "Q1 · Which chart?"  # numbered within its own module
    long = blocks["stats/long"]  # the second quiz of its module: the text block between does not count
    assert long.startswith("Q2 · A colleague's bar chart") and long.endswith("…")
    words = long.removeprefix("Q2 · ").removesuffix("…")
    assert len(words) <= 59 and LONG.startswith(words) and LONG[len(words)] == " ", long  # whole words only
    assert blocks["stats/intro"] == blocks["intro"] == "Text · Hello"  # other blocks: their kind and first words


def test_two_items_with_one_name_stay_apart_and_a_shared_block_id_needs_its_module():
    ws = _workspace(
        a=[_quiz("check", "Ready?", [("y", "Yes")]), _quiz("same", "Why?", [("y", "Yes")])],
        b=[_quiz("check", "Ready?", [("y", "Yes")]), _quiz("other", "Why?", [("y", "Yes")])],
        c=[_quiz("empty", "![](media/x.svg)", [("y", "")])],
    )
    titles = workspace_titles(ws)
    blocks = titles["block_id"]
    assert blocks["a/check"] == "Q1 · Ready? (a/check)" and blocks["b/check"] == "Q1 · Ready? (b/check)"
    assert blocks["a/same"] == "Q2 · Why? (same)" and blocks["b/other"] == "Q2 · Why? (other)"
    assert "check" not in blocks and blocks["same"] == "Q2 · Why? (same)"  # a shared id alone names nothing
    assert blocks["c/empty"] == "Q1"  # a question of no words (an image only) keeps its number
    assert titles["choice_id"]["c/empty/y"] == "y"  # an empty choice text reads as its id


def test_choices_are_named_per_block_and_frames_keep_their_ids():
    ws = _workspace(
        m=[
            _quiz("q1", "One?", [("a", "Yes, **always**"), ("b", "No <script>alert(1)</script>")]),
            _quiz("q2", "Two?", [("a", "Twice as many as the smallest value in the whole chart"), ("b", "Twice")]),
            _quiz("q3", "Three?", [("a", "Same"), ("b", "Same")]),
        ],
        n=[_quiz("q1", "Other one?", [("a", "Other yes")])],
    )
    titles = workspace_titles(ws)
    frame = pl.DataFrame(
        {
            "module_id": ["m", "m", "m", "m", "m", "n", "m", None],
            "block_id": ["q1", "q1", "q2", "q3", "q3", "q1", "q9", "q1"],
            "choice_id": ["a", "b", "a", "a", "b", "a", "a", "a"],
            "chosen": [1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    shown = with_titles(frame, titles)
    assert shown["choice_id"].to_list() == [
        "Yes, always",
        "No",  # markup and script stripped
        "Twice as many as the smallest value in…",  # cut to ~40 characters, at a word
        "Same (a)",  # two choices of one item with one text stay apart
        "Same (b)",
        "Other yes",  # the same choice id in another module's block of the same id
        "a",  # an unknown block: its choice stays itself
        "a",  # no module: q1 is in two modules, so nothing names it
    ]
    assert shown["block_id"].to_list() == [
        "Q1 · One?",
        "Q1 · One?",
        "Q2 · Two?",
        "Q3 · Three?",
        "Q3 · Three?",
        "Q1 · Other one?",
        "q9",
        "q1",
    ]
    assert shown["module_id"].to_list()[:2] == ["M", "M"] and shown["chosen"].to_list() == frame["chosen"].to_list()
    assert frame["block_id"][0] == "q1" and frame["choice_id"][0] == "a"  # the metric's frame keeps its ids
    # without a module column a block id unique in the workspace is still named; a choice needs its block
    alone = with_titles(frame.drop("module_id").filter(pl.col("block_id") == "q2"), titles)
    assert alone["block_id"].to_list() == ["Q2 · Two?"] and alone["choice_id"][0].startswith("Twice as many")
    assert with_titles(pl.DataFrame({"choice_id": ["a"]}), titles)["choice_id"].to_list() == ["a"]


def test_item_charts_show_item_names_and_choice_texts_never_ids():
    titles = {
        "block_id": {"m/q1": "Q1 · Is the median of these tickets above the mean of them…", "m/q2": "Q2 · Two?"},
        "choice_id": {
            "m/q1/a": "A few tickets that took 30 hours or…",
            "m/q1/b": "No",
            "m/q2/a": "Yes",
            "m/q2/b": "No",
        },
    }
    shown = with_titles(DISTRACTORS, titles)
    chart = charts.distractor_analysis_chart(shown, k=5)
    spec = chart.to_dict()
    assert spec["facet"]["row"]["header"]["labelLimit"] == 0  # an item's name is never cut
    assert spec["spec"]["layer"][0]["encoding"]["y"]["axis"]["labelLimit"] >= 250  # nor a choice's text
    tips = {t["field"]: t.get("title") for t in spec["spec"]["layer"][0]["encoding"]["tooltip"]}
    assert tips["block_id"] == "Quiz item"
    svg = _svg(chart)
    assert "Q1 · Is the median of these tickets above the mean of them…" in svg
    assert "A few tickets that took 30 hours or…" in svg
    assert not re.search(r">(q1|q2|a|b)<", svg)
    stats = pl.DataFrame(
        {
            "module_id": ["m", "m"],
            "block_id": ["q1", "q2"],
            "facility": [0.8, 0.4],
            "discrimination_index": [0.3, -0.1],
            "attempts": [40, 40],
        }
    )
    item_spec = charts.item_statistics_chart(with_titles(stats, titles)).to_dict()
    rows = next(iter(item_spec["datasets"].values()))
    assert [r["block_id"] for r in rows] == ["Q1 · Is the median of these tickets above the mean of them…", "Q2 · Two?"]
    assert {t["field"]: t.get("title") for t in item_spec["encoding"]["tooltip"]}["block_id"] == "Quiz item"


def test_the_discrimination_finding_names_the_item_by_its_question():
    from mblib.analytics.findings import COMPLETION_SECTIONS, key_findings
    from mblib.analytics.report import open_report_data
    from tests.conftest import SAMPLE

    from .test_report_pages import block_ids, shown_ids

    rd = open_report_data(SAMPLE, learners=120)
    found = [f for f in key_findings(rd, COMPLETION_SECTIONS) if f.kind == "discrimination"]
    assert found and re.search(r"misleads most is Q\d · ", found[0].text), found
    assert shown_ids(block_ids(rd.workspace), [found[0].text, found[0].headline]) == []


def test_dropoff_chart_lists_blocks_in_order_with_a_quiz_item_name_whole():
    name = "Q1 · A colleague's bar chart shows two teams' scores on a value…"  # the longest a name gets
    shown = with_titles(FRAMES["block_dropoff"], {"block_id": {"m/axis-check": name}})
    chart = charts.block_dropoff_chart(shown)
    y = chart.to_dict()["encoding"]["y"]
    assert y["field"] == "block_id" and y["sort"] == {"field": "position", "order": "ascending"}
    texts = re.findall(r">([^<>]+)</text>", _svg(chart))
    assert [t for t in texts if t in ("intro", name, "wrap")] == ["intro", name, "wrap"]  # in block order, never cut
