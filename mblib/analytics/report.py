"""Reports: a notebook executed on given data (nbclient) and exported to ONE offline HTML file.

A report notebook (``notebooks/04-completion-analytics.ipynb``,
``notebooks/05-credential-uptake-report.ipynb``) has a cell tagged ``parameters`` (``workspace``,
``data``, ``engine``, ``k``); :func:`run_report` adds a cell after it with the values given,
executes the notebook in its own folder, and exports it with :class:`ReportExporter`:

- code and prompts hidden; markdown, tables and charts kept;
- charts interactive: the notebook displays them as Vega-Lite specs
  (:func:`mblib.analytics.charts.enable_notebook_charts`); the page inlines the Vega bundle
  once and renders every spec with ``vegaEmbed`` (no ``eval``: the expression interpreter);
- nothing loads from the network: no require.js, MathJax or widget manager, and a strict
  Content-Security-Policy allowing only the page's own inline scripts and styles, by hash.

Grouped tables in a report go through :func:`report_table`, which suppresses groups smaller
than ``k`` learners (:func:`mblib.analytics.privacy.suppress_small_groups`) and says so under
the table; where the rows are parts of a total shown elsewhere (the segments of a credential),
it also hides complementary groups so that no hidden figure is the total minus the shown ones.

A failed run keeps what it did: the partly executed notebook is saved beside the target as
``<name>.failed.ipynb`` and the error quotes the failing cell.

>>> import polars as pl
>>> t = report_table(pl.DataFrame({"segment": ["Finance", "Sales"], "learners": [12, 3]}),
...                  caption="Learners by segment", k=5)
>>> print(t.note)
1 of 2 groups had fewer than 5 learners; their figures are hidden.
>>> t = report_table(pl.DataFrame({"credential_id": ["c"] * 3, "segment": ["Finance", "Sales", "HR"],
...                                "enrolled": [280, 3, 17]}), caption="Uptake", k=5, count_col="enrolled")
>>> print(t.note)
1 of 3 groups had fewer than 5 learners; their figures are hidden. 1 more group is hidden so that no hidden figure can be worked out from a total.
>>> "<caption>Uptake</caption>" in t._repr_html_()
True
"""

from __future__ import annotations

import copy
import html as _html
import re
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence

from ..errors import Location, MblibError, MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    from .suppression import PartitionBy

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
REPO_ROOT = HERE.parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"

#: report name -> notebook file (in ``notebooks/``)
REPORTS: dict[str, str] = {
    "credential-uptake": "05-credential-uptake-report.ipynb",
    "completion-analytics": "04-completion-analytics.ipynb",
}

Engine = Literal["polars", "duckdb", "spark"]


class ReportError(MblibError):
    """A report could not be run or exported."""


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------

@dataclass
class ReportTable:
    """A grouped table as a report shows it: small groups suppressed, a caption and a note.

    ``frame`` is the suppressed polars frame (with a Boolean ``suppressed`` column), ``note``
    says what was suppressed. Displays as an HTML table in notebooks and exported reports.
    """

    frame: Any
    caption: str
    note: str
    k: int
    percent: tuple[str, ...] = ()
    #: wholes (``partition_by`` values) whose total must not be shown anywhere either
    hidden_totals: tuple[dict[str, Any], ...] = ()

    def _repr_html_(self) -> str:
        cols = [c for c in self.frame.columns if c != "suppressed"]
        flags = self.frame["suppressed"].to_list() if "suppressed" in self.frame.columns else [False] * len(self.frame)
        esc = _html.escape
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in cols)
        rows = []
        for row, hidden in zip(self.frame.select(cols).iter_rows(), flags):
            cells = []
            for c, v in zip(cols, row):
                if v is None:  # every hidden cell looks the same: a reader cannot tell the small ones
                    text = '<abbr title="hidden to protect small groups">hidden</abbr>' if hidden else "&ndash;"
                else:
                    text = esc(_format(v, c in self.percent))
                cells.append(f"<td>{text}</td>")
            cls = ' class="mb-suppressed"' if hidden else ""
            rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
        return (f'<div class="mb-table"><table><caption>{esc(self.caption)}</caption><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table><p class="mb-note">{esc(self.note)}</p></div>')

    def __str__(self) -> str:
        return f"{self.caption}\n{self.frame}\n{self.note}"


def _format(v: Any, percent: bool) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1%}" if percent else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def report_table(frame: Any, *, caption: str, k: int = 5, count_col: str = "learners",
                 labels: Sequence[str] | None = None, percent: Sequence[str] | None = None,
                 how: Literal["mask", "drop"] = "mask", partition_by: PartitionBy = "auto") -> ReportTable:
    """A grouped table for a report: groups with fewer than ``k`` learners suppressed, and said so.

    ``frame`` is a collected metric (polars); ``count_col`` is its column of distinct learners per
    group; ``labels`` the columns that name a group (default: the non-numeric ones).
    ``partition_by`` names the columns of the whole each row is a part of, when that whole's
    total is shown too (``[]``: the whole table): complementary groups are then hidden so that
    the small ones cannot be recovered by differencing (default: known from the metric's
    columns, :data:`mblib.analytics.privacy.PARTITIONS`). Columns in
    ``percent`` (default: those ending in ``rate``, ``share`` or ``retention``, and the ``_low``
    and ``_high`` bounds of a ``_rate`` column) are shown as percentages.
    """
    from .privacy import suppress_small_groups

    table = suppress_small_groups(frame, k, count_col, labels=labels, how=how, partition_by=partition_by)
    if percent is None:  # shares, and the bounds of a rate (completion_low with completion_rate; not median_low)
        cols = list(frame.columns)
        percent = [c for c in cols if c.endswith(("rate", "share", "retention"))
                   or (c.endswith(("_low", "_high")) and f"{c.rsplit('_', 1)[0]}_rate" in cols)]
    return ReportTable(table.frame, caption, table.note, k, tuple(percent), tuple(table.hidden_totals))


# --------------------------------------------------------------------------------------------
# data a report runs on
# --------------------------------------------------------------------------------------------

@dataclass
class ReportData:
    """What a report notebook works on: the workspace, events (and learners) lazily on one engine, and k.

    :meth:`run` runs a metric on the engine and returns the small collected polars frame.
    """

    workspace: Any
    events: Any
    learners: Any | None
    engine: str
    k: int
    source: str

    def run(self, metric: Callable[..., Any], *args: Any, learners: bool = False, **kwargs: Any) -> Any:
        """``metric(events[, learners], *args, **kwargs)`` on this engine, collected (a polars DataFrame)."""
        from .backends import collect

        frames = [self.events]
        if learners:
            if self.learners is None:
                raise ReportError(f"{getattr(metric, '__name__', 'this metric')} needs the learners table, and "
                                  f"{self.source} has none", location=Location(file=self.source),
                                  hint="put learners.parquet beside the events folder (mb synth writes one)")
            frames.append(self.learners)
        call = metric
        if args:  # positional extras (a module, a credential) go after the frames
            def call(*frames_: Any, **kw: Any) -> Any:
                return metric(*frames_, *args, **kw)

        return collect(call, *frames, engine=self.engine, **kwargs)

    def narrowed(self, *, module_id: str | None = None, verbs: Sequence[str] | None = None) -> ReportData:
        """This data narrowed to one module's events and/or some verbs, read once and held in memory.

        Metrics that read the events several times over (item analysis joins a module's answers
        with themselves) then scan this small subset instead of the whole data set:

        >>> from mblib.analytics import items
        >>> from mblib.cli import SAMPLE_WORKSPACE
        >>> rd = open_report_data(SAMPLE_WORKSPACE, learners=60)
        >>> module = rd.workspace.module("reading-bar-charts")
        >>> answers = rd.narrowed(module_id=module.id, verbs=["answered"])
        >>> answers.run(items.item_statistics, module).equals(rd.run(items.item_statistics, module))
        True
        """
        import narwhals.stable.v2 as nw

        from .backends import collect, to_engine
        from .metrics import lazy

        ev = lazy(self.events)
        if module_id is not None:
            ev = ev.filter(nw.col("module_id") == module_id)
        if verbs is not None:
            ev = ev.filter(nw.col("verb").is_in(list(verbs)))
        small = collect(ev)
        return replace(self, events=to_engine(small.lazy(), self.engine))  # type: ignore[arg-type]


def open_report_data(workspace: str | Path | Any, data: str | Path | None = None, *, engine: Engine = "polars",
                     k: int | None = None, learners: int = 400, seed: int = 7, rejects: str | Path | None = None,
                     echo: Callable[[str], Any] | None = None) -> ReportData:
    """Open learner data for a report: a folder as ``mb synth`` writes it (``events/`` partitioned by
    month, ``learners.parquet``) or one Parquet file of events.

    The events go through the readers' checks (:mod:`mblib.analytics.datacheck`): rows with an
    empty learner id or timestamp, an unknown verb, a NaN or out-of-range score or duration, ...
    are left out by a lazy filter (the data stays a streaming scan). A file that is not readable
    Parquet, or a column of the wrong type (a list of learner ids, text scores), is refused with
    the file, the column and the fix. With ``rejects`` (a CSV path) one counting pass is made
    first: the rejected rows go there with their reason and ``echo`` gets the counts.

    With ``data=None`` a small deterministic cohort (``learners`` learners) is synthesised over the
    workspace into a temporary folder first, so a report notebook runs anywhere. ``k`` defaults to
    the workspace's ``[privacy] k_threshold``.
    """
    import tempfile

    import polars as pl

    from ..content import Workspace
    from .backends import scan_events, to_engine
    from .datacheck import check_events_data, data_paths, parquet_files, type_problems, valid_events
    from .schema import EVENT_COLUMNS, LEARNER_COLUMNS
    from .validation import REPLACEMENT, parquet_schema

    ws = workspace if hasattr(workspace, "modules") else Workspace.open(workspace)
    if data is None:
        from .synth import synthesise, write_cohort

        folder = Path(tempfile.mkdtemp(prefix="mblib-cohort-"))
        write_cohort(synthesise(ws, learners=learners, seed=seed), folder, overwrite=True)
        data = folder
    path = Path(data)
    if not path.exists():
        raise ReportError(f"learner data '{path}' does not exist", location=Location(file=str(path)),
                          hint="run `mb synth` to make a cohort, or point at a Parquet file or folder of events")
    events_path, learners_path = data_paths(path)
    for f in parquet_files(events_path):  # footers only: readable, plain columns of the contract's types
        type_problems(parquet_schema(f, EVENT_COLUMNS), str(f))
    if rejects is not None:
        check = check_events_data(events_path, rejects=rejects)
        if echo is not None:
            echo(check.summary())
    events = valid_events(scan_events(events_path, engine=engine))
    people = None
    if learners_path.is_file():
        scan = pl.scan_parquet(learners_path)
        if "learner_id" in parquet_schema(learners_path, LEARNER_COLUMNS, "learners"):
            lid = pl.col("learner_id").cast(pl.String)
            scan = scan.filter(lid.is_not_null() & ~lid.str.contains(REPLACEMENT, literal=True))
        people = to_engine(scan, engine)
    return ReportData(ws, events, people, engine, int(k if k is not None else ws.settings.privacy.k_threshold),
                      str(path))


# --------------------------------------------------------------------------------------------
# exporter
# --------------------------------------------------------------------------------------------

_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""<[a-zA-Z][^>]*?\sstyle=(["'])(.*?)\1""", re.S)


def apply_csp(page: str) -> str:
    """Replace ``__MB_CSP__`` with a strict policy allowing exactly the page's inline scripts and styles.

    Data blocks (``<script type="application/json">``) are not scripts and get no hash. Inline
    ``style`` attributes (markdown table alignment) are allowed by hash with ``'unsafe-hashes'``.

    >>> page = apply_csp('<meta content="__MB_CSP__"><style>p{}</style><script>1</script>'
    ...                  '<script type="application/json">{}</script>')
    >>> "default-src 'none'" in page and page.count("'sha256-") == 2
    True
    """
    from ..render.page import content_security_policy

    scripts, styles = [], []
    for m in _INLINE.finditer(page):
        tag, attrs, body = m.group(1).lower(), m.group(2), m.group(3)
        if tag == "script":
            if re.search(r"""type=["']?application/(ld\+)?json""", attrs, re.I):
                continue
            scripts.append(body)
        else:
            styles.append(body)
    # style="..." attributes (markdown table alignment) are allowed one by one, by hash
    attrs = [_html.unescape(m.group(2)) for m in _STYLE_ATTR.finditer(_INLINE.sub("", page))]
    csp = content_security_policy(list(dict.fromkeys(scripts)), list(dict.fromkeys(styles + attrs)))
    if attrs:
        csp = csp.replace("style-src ", "style-src 'unsafe-hashes' ", 1)
    return page.replace("__MB_CSP__", csp, 1)


@lru_cache(maxsize=1)
def exporter_class() -> type:
    """The nbconvert exporter class (``HTMLExporter`` with the ``mbreport`` template); built on first use."""
    try:
        from nbconvert.exporters import HTMLExporter
        from traitlets import default
    except ModuleNotFoundError as e:
        raise MissingDependencyError.for_extra("nbconvert", "analytics", "exporting reports") from e

    from . import charts

    class ReportExporter(HTMLExporter):  # type: ignore[misc, valid-type]
        """HTML report: code hidden, charts interactive with vegaEmbed, offline, strict CSP."""

        export_from_notebook = "mblib report"

        @default("extra_template_basedirs")
        def _default_extra_template_basedirs(self) -> list[str]:
            return [str(TEMPLATES), *super()._default_extra_template_basedirs()]

        @default("template_name")
        def _template_name_default(self) -> str:
            return "mbreport"

        @default("exclude_input")
        def _exclude_input_default(self) -> bool:
            return True

        @default("exclude_input_prompt")
        def _exclude_input_prompt_default(self) -> bool:
            return True

        @default("exclude_output_prompt")
        def _exclude_output_prompt_default(self) -> bool:
            return True

        @property
        def default_config(self) -> Any:
            c = super().default_config
            priority = list(c.NbConvertBase.display_data_priority)
            c.NbConvertBase.display_data_priority = [charts.VEGALITE_MIME, *priority]
            return c

        def default_filters(self) -> Any:
            yield from super().default_filters()
            yield ("mb_chart_figure", lambda spec: charts.chart_figure_html(spec, _chart_key(spec)))

        def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                               **kw: Any) -> tuple[str, dict[str, Any]]:
            resources = dict(resources or {})
            has_charts = any(charts.VEGALITE_MIME in (o.get("data") or {})
                             for cell in nb.cells for o in cell.get("outputs", []))
            resources["mb_vega_bundle"] = charts.vega_bundle() if has_charts else ""
            resources["mb_embed_js"] = charts.EMBED_JS
            resources["mb_css"] = charts.CHART_CSS + REPORT_CSS
            output, resources = super().from_notebook_node(nb, resources, **kw)
            return apply_csp(output), resources

    return ReportExporter


_keys = iter(range(1, 1 << 62))


def _chart_key(spec: Any) -> str:
    return f"chart-{next(_keys)}"


REPORT_CSS = """
main { max-width: 62rem; margin: 0 auto; }
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited { text-decoration: underline; }
.mb-table { overflow-x: auto; }
.mb-table table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
.mb-table caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
.mb-table th, .mb-table td { border-bottom: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: left; }
.mb-table tr.mb-suppressed td { color: #595959; font-style: italic; }
.mb-note { font-size: 0.85rem; color: #333; margin-top: 0.25rem; }
"""


def export_html(nb: Any, *, title: str | None = None) -> str:
    """Export an (executed) notebook node to one offline HTML page (see :class:`ReportExporter`)."""
    if title:
        nb = copy.deepcopy(nb)
        nb.metadata["title"] = title
    page, _ = exporter_class()().from_notebook_node(nb)
    return page


# --------------------------------------------------------------------------------------------
# running a report
# --------------------------------------------------------------------------------------------

def resolve_notebook(report: str | Path) -> Path:
    """A report name (``credential-uptake``, ``completion-analytics``) or a notebook path, as a path."""
    if str(report) in REPORTS:
        path = NOTEBOOKS / REPORTS[str(report)]
    else:
        path = Path(report)
    if not path.is_file():
        raise ReportError(f"report notebook '{report}' not found" + (f" (looked at {path})" if path != Path(report) else ""),
                          location=Location(file=str(path)),
                          hint=f"name one of {', '.join(REPORTS)} or give the path of an .ipynb file")
    return path


def inject_parameters(nb: Any, parameters: dict[str, Any]) -> Any:
    """A copy of ``nb`` with a cell setting ``parameters`` after the cell tagged ``parameters``.

    Without such a cell the values go first. The new cell is tagged ``injected-parameters``.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    lines = [f"{name} = {value!r}" for name, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("# Parameters given to mb report\n" + "\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    nb.cells.insert(at, cell)
    return nb


def execute_notebook(nb: Any, *, cwd: Path, timeout: int = 600) -> Any:
    """Execute a notebook node in ``cwd`` with nbclient (kernel ``python3``); raise :class:`ReportError` on a failing cell.

    The exception carries the partly executed notebook as ``.notebook``.
    """
    try:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ModuleNotFoundError as e:
        raise MissingDependencyError.for_extra("nbclient", "analytics", "running reports") from e

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except CellExecutionError as e:
        # the failing cell's own error output first: nbclient's ename/evalue can be "NoneType"/None
        # when the error is raised while displaying a result
        n, cell, out = next(((n, c, o) for n, c in enumerate((c for c in nb.cells if c.cell_type == "code"), 1)
                             for o in c.get("outputs", []) if o.get("output_type") == "error"), (0, None, {}))
        ename = out.get("ename") or e.ename or "error"
        evalue = (str(out.get("evalue") or e.evalue or e).strip().splitlines() or [""])[0]
        first = cell.source.strip().splitlines()[0][:60] if cell is not None and cell.source.strip() else ""
        where = f" (code cell {n}: {first!r})" if first else (f" (code cell {n})" if n else "")
        err = ReportError(f"the report notebook failed in a cell: {ename}: {evalue}{where}",
                          hint="run the notebook in JupyterLab to see the cell; the partly executed notebook "
                               "is saved beside the report as .failed.ipynb")
        err.notebook = nb  # type: ignore[attr-defined]
        raise err from None
    return nb


def run_report(report: str | Path = "credential-uptake", *, workspace: str | Path, data: str | Path | None = None,
               engine: Engine = "polars", out: str | Path = "exports", k: int | None = None,
               name: str | None = None, timeout: int = 600,
               echo: Callable[[str], Any] | None = None) -> Path:
    """Execute a report notebook on ``data`` and export it to ``out/<name>.html``; return the path.

    ``workspace`` is the workspace folder (module and credential ids); ``data`` a folder or file of
    events as ``mb synth`` writes them (``None``: the notebook synthesises a small cohort);
    ``engine`` runs the metrics on polars, DuckDB or Spark; ``k`` overrides the workspace's
    ``[privacy] k_threshold``. ``name`` defaults to the notebook's name without its number.
    """
    import nbformat

    from ..content.yamlio import atomic_write

    if engine not in ("polars", "duckdb", "spark"):
        raise ReportError(f"unknown engine '{engine}'", hint="use polars, duckdb or spark")
    notebook = resolve_notebook(report)
    workspace = Path(workspace).resolve()
    if not (workspace / "mblib.toml").is_file():
        raise ReportError(f"'{workspace}' is not a workspace (no mblib.toml)", location=Location(file=str(workspace)),
                          hint="pass the folder that holds mblib.toml")
    if data is not None and not Path(data).exists():
        raise ReportError(f"learner data '{data}' does not exist", location=Location(file=str(data)),
                          hint="run `mb synth` to make a cohort, or point at a Parquet file or folder of events")
    out = Path(out)
    name = name or re.sub(r"^\d+[-_]", "", notebook.stem)
    target = out / f"{name}.html"
    say = echo or (lambda _s: None)
    params: dict[str, Any] = {"workspace": str(workspace), "data": str(Path(data).resolve()) if data else None,
                              "engine": engine}
    if k is not None:
        params["k"] = int(k)
    nb = inject_parameters(nbformat.read(notebook, as_version=4), params)
    t0 = time.perf_counter()
    say(f"report {notebook.name}: running on {params['data'] or 'a small synthetic cohort'} ({engine})")
    try:
        execute_notebook(nb, cwd=notebook.parent, timeout=timeout)
    except ReportError as e:
        failed = out / f"{name}.failed.ipynb"
        atomic_write(failed, nbformat.writes(getattr(e, "notebook", nb)).encode("utf-8"))
        raise ReportError(e.message + f" (partial notebook: {failed})", hint=e.hint) from None
    page = export_html(nb)
    atomic_write(target, page.encode("utf-8"))
    say(f"report written: {target} ({len(page) / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    return target


__all__ = ["REPORTS", "ReportData", "ReportError", "ReportTable", "open_report_data", "run_demo", "apply_csp", "execute_notebook", "export_html", "exporter_class",
           "inject_parameters", "report_table", "resolve_notebook", "run_report"]


# --------------------------------------------------------------------------------------------
# mb demo
# --------------------------------------------------------------------------------------------

def run_demo(workspace: Any, out: str | Path, *, echo: Callable[[str], Any] = print, learners: int = 400,
             seed: int = 7) -> Path | None:
    """The analytics step of ``mb demo``: synthesise a small cohort into ``out/analytics/`` and export
    the credential uptake report to ``out/``. Returns the report's path, or ``None`` when skipped
    (an optional dependency or the report notebook is missing; the reason is echoed).
    """
    out = Path(out)
    try:
        from .synth import synthesise, write_cohort

        t0 = time.perf_counter()
        cohort = synthesise(workspace, learners=learners, seed=seed)
        write_cohort(cohort, out / "analytics", overwrite=True)
        echo(f"analytics: synthesised {cohort.learners.height:,} learners, {cohort.events.height:,} events into "
             f"{out / 'analytics'}/ in {time.perf_counter() - t0:.1f} s")
        path = run_report("credential-uptake", workspace=workspace.root, data=out / "analytics", out=out, echo=echo)
    except (MissingDependencyError, ModuleNotFoundError) as e:
        echo(f"analytics: skipped ({e}); install with: pip install 'mblib[analytics]'")
        return None
    except ReportError as e:
        if "not found" in e.message:
            echo(f"analytics: skipped the report ({e.message})")
            return None
        raise
    return path
