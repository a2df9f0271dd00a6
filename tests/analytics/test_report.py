"""Reports: notebooks executed with nbclient and exported to one offline HTML file, checked in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import polars as pl
import pytest
from click.testing import CliRunner

from mblib.analytics.report import (
    ReportError,
    apply_csp,
    execute_notebook,
    export_html,
    inject_parameters,
    report_table,
    run_report,
)
from tests.conftest import AXE_JS, REPO, SAMPLE, axe_violations

REMOTE = re.compile(r"""<(script|link|img|iframe)\b[^>]*\s(src|href)=["']?(https?:)?//""", re.I)
N_CHARTS = "document.querySelectorAll('.mb-chart-view').length"


def _open_report(page, path: Path) -> list[list]:
    """Open an exported report offline; wait until every chart has rendered; return [state, marks] per chart."""
    page.goto(path.as_uri())
    n = page.evaluate(N_CHARTS)
    page.wait_for_function(f"document.querySelectorAll('[data-rendered]').length === {n}", timeout=30_000)
    return page.evaluate("""() => [...document.querySelectorAll('.mb-chart-view')].map(
        e => [e.getAttribute('data-rendered'), e.querySelectorAll('svg path, svg line').length])""")


# ------------------------------------------------------------------------------ pieces


def test_report_table_suppresses_small_groups_and_says_so():
    frame = pl.DataFrame(
        {
            "credential_id": ["c", "c", "c"],
            "segment": ["Finance", "Sales", "HR"],
            "enrolled": [20, 3, 7],
            "earn_rate": [0.3, 0.67, 0.29],
        }
    )
    t = report_table(frame, caption="Uptake by segment", k=5, count_col="enrolled")
    # the segments add up to the credential's total: HR is hidden too, or Sales would be 30 - 20 - 7
    assert t.note == (
        "1 of 3 groups had fewer than 5 learners; their figures are hidden. 1 more group is hidden "
        "so that no hidden figure can be worked out from a total."
    )
    sales = t.frame.filter(pl.col("segment") == "Sales").row(0, named=True)
    assert sales["enrolled"] is None and sales["earn_rate"] is None and sales["suppressed"] is True
    assert t.frame["suppressed"].to_list() == [False, True, True]
    html = t._repr_html_()
    # Sales is small: "<5"; HR is hidden only so that Sales cannot be worked out: "hidden"; both footnoted
    assert ">Uptake by segment<" in html and t.note in html
    assert html.count('&lt;5<span class="gt_footnote_marks"') == 2
    assert html.count('>hidden<span class="gt_footnote_marks"') == 2
    assert "Hidden: fewer than 5 learners" in html
    assert "30.0%" in html  # rates shown as percentages
    assert ">Earn rate<" in html and ">Segment<" in html  # human labels, not column names
    assert "1 of 3 groups" in str(t)


def test_report_table_names_a_wrong_count_column():
    with pytest.raises(Exception, match="no count column 'learners'"):
        report_table(pl.DataFrame({"segment": ["a"], "n": [3]}), caption="x")


def test_apply_csp_hashes_exactly_the_inline_code():
    page = apply_csp(
        '<meta content="__MB_CSP__"><style>a{}</style><script>go()</script>'
        '<script type="application/json">{"a": 1}</script><script>go()</script>'
    )
    csp = re.search(r'content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert re.search(r"script-src 'sha256-[^']+'(;|$)", csp)  # one hash: the duplicate counted once, JSON none
    assert csp.count("'sha256-") == 2 and "unsafe" not in csp


def test_inject_parameters_goes_after_the_tagged_cell_and_replaces_an_old_one():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# t"),
            nbformat.v4.new_code_cell("k = None", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("print(k)"),
        ]
    )
    once = inject_parameters(nb, {"k": 3, "data": "/x"})
    twice = inject_parameters(once, {"k": 4})
    assert [c.source.splitlines()[-1] for c in twice.cells] == ["# t", "k = None", "k = 4", "print(k)"]
    assert once.cells[2].source.endswith("k = 3\ndata = '/x'") and len(nb.cells) == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"report": "nope"}, "report notebook 'nope' not found"),
        ({"workspace": "/"}, "is not a workspace (no mblib.toml)"),
        ({"data": "/no/such/folder"}, "learner data '/no/such/folder' does not exist"),
        ({"engine": "pandas"}, "unknown engine 'pandas'"),
    ],
)
def test_run_report_bad_input(tmp_path, kwargs, message):
    args = {"report": "credential-uptake", "workspace": SAMPLE, "out": tmp_path} | kwargs
    with pytest.raises(ReportError, match=re.escape(message)):
        run_report(args.pop("report"), **args)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ exporter on hand-made frames

SETUP = (
    f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
    + """
from tests.analytics.frames import metric_frames
from mblib.analytics import charts
from mblib.analytics.report import report_table
charts.enable_notebook_charts()
frames = metric_frames()
"""
)


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# Tiny report\n\nText with a [link](#x) and a table:\n\n| a | b |\n|---|--:|\n| 1 | 2 |"
            ),
            nbformat.v4.new_code_cell("k = 13", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(SETUP),
            nbformat.v4.new_code_cell(
                "report_table(frames['uptake_by_segment'], caption='By segment', k=k, count_col='enrolled')"
            ),
            nbformat.v4.new_code_cell("charts.module_outcomes_chart(frames['module_outcomes'])"),
            nbformat.v4.new_code_cell(
                "display(charts.time_to_credential_chart(frames['time_to_credential']))\n"
                "charts.cohort_retention_chart(frames['cohort_retention'])"
            ),
            nbformat.v4.new_code_cell("frames['credential_stacking']"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    execute_notebook(nb, cwd=folder, timeout=120)
    path = folder / "tiny.html"
    path.write_text(export_html(nb, title="Tiny report"))
    return path


def test_export_hides_code_and_loads_nothing_remote(tiny_report):
    html = tiny_report.read_text()
    assert not REMOTE.search(html)
    assert "metric_frames" not in html and "enable_notebook_charts" not in html  # code hidden
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|jp-InputPrompt|jp-OutputPrompt)', html)  # and prompts
    assert "require.js" not in html and "MathJax" not in html
    assert html.count('data-mb-chart="') == 3 and html.count("window.vegaEmbed=") == 1  # bundle inlined once
    assert "1 of 2 groups had fewer than 13 learners; their figures are hidden." in html
    assert "<title>Tiny report</title>" in html


@pytest.mark.browser
def test_exported_report_renders_every_chart_offline_without_console_errors(page, tiny_report):
    page.add_init_script(path=str(AXE_JS))  # before goto: the page's own CSP stays enforced
    states = _open_report(page, tiny_report)
    assert len(states) == 3 and all(s == "true" and marks > 0 for s, marks in states), states
    assert page.errors == [] and page.blocked == []
    assert page.locator("caption", has_text="By segment").count() == 1
    if AXE_JS.is_file():
        assert axe_violations(page) == []


def test_a_failing_cell_keeps_the_partial_notebook(tmp_path):
    nb_path = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nb_path)
    with pytest.raises(
        ReportError, match=r"failed in a cell: ZeroDivisionError: division by zero \(code cell 3: .1 / 0.\)"
    ) as e:
        run_report(nb_path, workspace=SAMPLE, out=tmp_path / "out")
    failed = tmp_path / "out" / "broken.failed.ipynb"
    assert str(failed) in str(e.value)
    saved = nbformat.read(failed, as_version=4)
    assert "injected-parameters" in saved.cells[0].metadata.tags  # no tagged cell: the values go first
    assert saved.cells[2].outputs[0]["ename"] == "ZeroDivisionError"
    assert not (tmp_path / "out" / "broken.html").exists()


# ------------------------------------------------------------------------------ the real reports


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    from mblib.analytics.synth import synthesise, write_cohort
    from mblib.content import Workspace

    folder = tmp_path_factory.mktemp("cohort")
    write_cohort(synthesise(Workspace.open(SAMPLE), learners=300, seed=3), folder, overwrite=True)
    return folder


@pytest.mark.slow
@pytest.mark.browser
def test_demo_step_exports_the_uptake_report_that_renders_offline(tmp_path, page):
    """What `mb demo` adds: a synthetic cohort in out/analytics and the uptake report, opened in Chromium."""
    from mblib.analytics.report import run_demo
    from mblib.content import Workspace

    lines: list[str] = []
    path = run_demo(Workspace.open(SAMPLE), tmp_path, echo=lines.append, learners=150)
    assert path == tmp_path / "credential-uptake-report.html"
    assert (tmp_path / "analytics" / "learners.parquet").is_file()
    assert any(p.name.startswith("month=") for p in (tmp_path / "analytics" / "events").iterdir())
    assert any("report written" in line for line in lines)
    html = path.read_text()
    assert not REMOTE.search(html) and "open_report_data" not in html  # offline, code hidden
    assert "had fewer than 5 learners; their figures are hidden." in html  # grouped tables say what they hid
    ids = pl.read_parquet(tmp_path / "analytics" / "learners.parquet")["learner_id"].to_list()
    assert ids and not [i for i in ids if f'"{i}"' in html]  # no learner id in any table or chart's data
    states = _open_report(page, path)
    assert len(states) >= 8 and all(s == "true" and marks > 0 for s, marks in states), states
    assert page.errors == [] and page.blocked == []
    assert page.locator("h1", has_text="Credential uptake report").count() == 1


@pytest.mark.slow
@pytest.mark.browser
def test_mb_report_completion_analytics_on_duckdb(cohort, tmp_path, page):
    from mblib.cli import main

    r = CliRunner().invoke(
        main,
        [
            "report",
            "completion-analytics",
            "-w",
            str(SAMPLE),
            "-d",
            str(cohort),
            "--engine",
            "duckdb",
            "-k",
            "20",
            "-o",
            str(tmp_path),
        ],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    path = tmp_path / "completion-analytics.html"
    assert f"open {path}" in r.output and "(duckdb)" in r.output
    assert "had fewer than 20 learners" in path.read_text()
    states = _open_report(page, path)
    assert len(states) >= 8 and all(s == "true" and marks > 0 for s, marks in states), states
    assert page.errors == [] and page.blocked == []


def test_open_report_data_without_data_synthesises_a_small_cohort():
    from mblib.analytics import metrics
    from mblib.analytics.report import open_report_data

    rd = open_report_data(SAMPLE, None, learners=60)
    assert rd.engine == "polars" and rd.k == 5 and rd.learners is not None and "mblib-cohort-" in rd.source
    stacking = rd.run(metrics.credential_stacking)
    assert stacking["learners"].sum() == 60
    with pytest.raises(ReportError, match="learner data '/nope' does not exist"):
        open_report_data(SAMPLE, "/nope")


def test_report_table_shows_rates_and_their_bounds_as_percentages_and_days_as_numbers():
    km = pl.DataFrame(
        {
            "credential_id": ["c"],
            "learners": [40],
            "median_days": [17.81],
            "median_low": [17.42],
            "median_high": [18.19],
        }
    )
    html = report_table(km, caption="Median time to credential (days)", k=5)._repr_html_()
    assert "17.81 (17.42-18.19)" in html and "%)" not in html  # the median and its band in one cell
    rates = pl.DataFrame(
        {
            "module_id": ["m"],
            "started": [10],
            "completion_rate": [0.5],
            "completion_low": [0.2366],
            "completion_high": [0.7634],
        }
    )
    html = report_table(rates, caption="Outcomes", k=5, count_col="started")._repr_html_()
    assert "50.0% (23.7-76.3)" in html  # a rate and its 95% interval in one cell


def test_an_error_while_displaying_a_result_is_named_with_its_own_message(tmp_path):
    # altair raises MaxRowsError while the kernel displays the chart; nbclient then reports
    # ename "NoneType", so the message takes the failing cell's own error output
    nb_path = tmp_path / "too-big.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import altair as alt, polars as pl\n"
                "alt.Chart(pl.DataFrame({'x': list(range(6000))})).mark_point().encode(x='x:Q')"
            )
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nb_path)
    with pytest.raises(
        ReportError,
        match=r"failed in a cell: MaxRowsError: The number of rows in your dataset "
        r"\(6000\) is greater than the maximum allowed \(5000\)\. "
        r"\(code cell 2: 'import altair as alt, polars as pl'\)",
    ):
        run_report(nb_path, workspace=SAMPLE, out=tmp_path / "out")


class _FlakyStartClient:
    """Stands in for nbclient's NotebookClient: the kernel dies before kernel_info ``fails`` times."""

    starts = 0

    def __init__(self, nb, **kwargs):
        self.code_cells_executed = 0

    def execute(self, **kwargs):
        type(self).starts += 1
        if type(self).starts <= self.fails:
            raise RuntimeError("Kernel died before replying to kernel_info")


def test_a_report_kernel_that_dies_while_starting_is_started_again_then_named(monkeypatch, tmp_path):
    import nbclient

    from mblib.analytics.report import execute_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    client = type("Client", (_FlakyStartClient,), {"fails": 2, "starts": 0})
    monkeypatch.setattr(nbclient, "NotebookClient", client)
    assert execute_notebook(nb, cwd=tmp_path) is nb and client.starts == 3
    client = type("Client", (_FlakyStartClient,), {"fails": 99, "starts": 0})
    monkeypatch.setattr(nbclient, "NotebookClient", client)
    with pytest.raises(ReportError, match=r"kernel 'python3' did not start \(3 attempts\)") as e:
        execute_notebook(nb, cwd=tmp_path)
    assert "make setup" in str(e.value) and client.starts == 3
