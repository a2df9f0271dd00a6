"""Reports: a notebook executed on given data (nbclient) and exported to ONE offline HTML file.

A report notebook (``notebooks/04-completion-analytics.ipynb``,
``notebooks/05-credential-uptake-report.ipynb``) has a cell tagged ``parameters`` (``workspace``,
``data``, ``engine``, ``k``); :func:`run_report` adds a cell after it with the values given,
executes the notebook in its own folder, and exports it with :class:`ReportExporter`:

- code and prompts hidden; markdown, tables and charts kept;
- charts interactive: the notebook displays them as Vega-Lite specs (importing
  :mod:`mblib.analytics.charts` enables that renderer; no call needed); the page inlines the Vega bundle
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
>>> html = t._repr_html_()
>>> "Uptake" in html and ">Enrolled<" in html and "&lt;5" in html and ">hidden" in html
True
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import Location, MissingDependencyError
from .report_data import Engine, ReportData, open_report_data
from .report_errors import ReportError
from .report_html import REPORT_CSS, apply_csp, export_html, exporter_class
from .report_tables import ReportTable, report_table

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"

#: report name -> notebook file (in ``notebooks/``)
REPORTS: dict[str, str] = {
    "credential-uptake": "05-credential-uptake-report.ipynb",
    "completion-analytics": "04-completion-analytics.ipynb",
}


# --------------------------------------------------------------------------------------------
# running a report
# --------------------------------------------------------------------------------------------


def resolve_notebook(report: str | Path) -> Path:
    """A report name (``credential-uptake``, ``completion-analytics``) or a notebook path, as a path.

    The named reports ship inside the package (``mblib/analytics/notebooks/``, found with
    :mod:`importlib.resources`); a clone's ``notebooks/`` folder links to them.
    """
    if str(report) in REPORTS:
        from importlib import resources

        path = Path(str(resources.files(__package__) / "notebooks" / REPORTS[str(report)]))
    else:
        path = Path(report)
    if not path.is_file():
        raise ReportError(
            f"report notebook '{report}' not found" + (f" (looked at {path})" if path != Path(report) else ""),
            location=Location(file=str(path)),
            hint=f"name one of {', '.join(REPORTS)} or give the path of an .ipynb file",
        )
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

    from ..kernel import KERNEL_START_ATTEMPTS, did_not_start, execute_with_fresh_kernel

    clients: list[Any] = []
    try:
        execute_with_fresh_kernel(
            nb, NotebookClient, clients, timeout=timeout, kernel_name="python3", path=str(cwd), allow_errors=False
        )
    except RuntimeError as e:
        if not did_not_start(e):
            raise
        raise ReportError(
            f"the Python kernel 'python3' did not start ({KERNEL_START_ATTEMPTS} attempts)",
            hint="check that ipykernel is installed in this environment (make setup) and that the machine "
            "is not out of memory, then run the report again",
        ) from e
    except CellExecutionError as e:
        # the failing cell's own error output first: nbclient's ename/evalue can be "NoneType"/None
        # when the error is raised while displaying a result
        failed: tuple[int, Any, dict[str, Any]] = next(
            (
                (n, c, o)
                for n, c in enumerate((c for c in nb.cells if c.cell_type == "code"), 1)
                for o in c.get("outputs", [])
                if o.get("output_type") == "error"
            ),
            (0, None, {}),
        )
        n, cell, out = failed
        ename = out.get("ename") or e.ename or "error"
        evalue = (str(out.get("evalue") or e.evalue or e).strip().splitlines() or [""])[0]
        first = cell.source.strip().splitlines()[0][:60] if cell is not None and cell.source.strip() else ""
        where = f" (code cell {n}: {first!r})" if first else (f" (code cell {n})" if n else "")
        err = ReportError(
            f"the report notebook failed in a cell: {ename}: {evalue}{where}",
            hint="run the notebook in JupyterLab to see the cell; the partly executed notebook "
            "is saved beside the report as .failed.ipynb",
        )
        err.notebook = nb  # type: ignore[attr-defined]
        raise err from None
    return nb


def run_report(
    report: str | Path = "credential-uptake",
    *,
    workspace: str | Path,
    data: str | Path | None = None,
    engine: Engine = "polars",
    out: str | Path = "exports",
    k: int | None = None,
    name: str | None = None,
    timeout: int = 600,
    echo: Callable[[str], Any] | None = None,
) -> Path:
    """Execute a report notebook on ``data`` and export it to ``out/<name>.html``; return the path.

    ``workspace`` is the workspace folder (module and credential ids); ``data`` a folder or file of
    events as ``mb synth`` writes them (``None``: the notebook synthesises a small cohort);
    ``engine`` runs the metrics on polars, DuckDB or Spark; ``k`` overrides the workspace's
    ``[privacy] k_threshold``. ``name`` defaults to the notebook's name without its number.

    ``data`` is first checked with the readers' rules in one streaming pass
    (:func:`mblib.analytics.datacheck.check_events_data`): rows that fail are left out of every
    metric and kept with their reason in ``out/<data>.rejects.csv``; the counts are echoed and
    stated at the top of the report (``data_quality``), so its reader knows what was left out.
    """
    import nbformat

    from ..content.yamlio import atomic_write

    if engine not in ("polars", "duckdb", "spark"):
        raise ReportError(f"unknown engine '{engine}'", hint="use polars, duckdb or spark")
    notebook = resolve_notebook(report)
    workspace = Path(workspace).resolve()
    if not (workspace / "mblib.toml").is_file():
        raise ReportError(
            f"'{workspace}' is not a workspace (no mblib.toml)",
            location=Location(file=str(workspace)),
            hint="pass the folder that holds mblib.toml",
        )
    if data is not None and not Path(data).exists():
        raise ReportError(
            f"learner data '{data}' does not exist",
            location=Location(file=str(data)),
            hint="run `mb synth` to make a cohort, or point at a Parquet file or folder of events",
        )
    out = Path(out)
    name = name or re.sub(r"^\d+[-_]", "", notebook.stem)
    target = out / f"{name}.html"
    say = echo or (lambda _s: None)
    params: dict[str, Any] = {
        "workspace": str(workspace),
        "data": str(Path(data).resolve()) if data else None,
        "engine": engine,
    }
    if k is not None:
        params["k"] = int(k)
    if data is not None:
        from .datacheck import check_events_data, data_paths

        check = check_events_data(data_paths(data)[0], rejects=out / f"{Path(data).resolve().stem}.rejects.csv")
        say(check.summary())
        params["data_quality"] = check.report_line()
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


__all__ = [
    "REPORTS",
    "REPORT_CSS",
    "Engine",
    "ReportData",
    "ReportError",
    "ReportTable",
    "open_report_data",
    "run_demo",
    "apply_csp",
    "execute_notebook",
    "export_html",
    "exporter_class",
    "inject_parameters",
    "report_table",
    "resolve_notebook",
    "run_report",
]


# --------------------------------------------------------------------------------------------
# mb demo
# --------------------------------------------------------------------------------------------


def run_demo(
    workspace: Any, out: str | Path, *, echo: Callable[[str], Any] = print, learners: int = 400, seed: int = 7
) -> Path | None:
    """The analytics step of ``mb demo``: synthesise a small cohort into ``out/analytics/``, replay it
    into Ralph and ingest it back into ``out/ingested/`` (:mod:`mblib.analytics.lrs_demo`), and export
    the credential uptake report of what was ingested to ``out/``. Returns the report's path, or ``None`` when skipped
    (an optional dependency or the report notebook is missing; the reason is echoed).
    """
    out = Path(out)
    try:
        from .synth import synthesise, write_cohort

        t0 = time.perf_counter()
        cohort = synthesise(workspace, learners=learners, seed=seed)
        write_cohort(cohort, out / "analytics", overwrite=True)
        echo(
            f"analytics: synthesised {cohort.learners.height:,} learners, {cohort.events.height:,} events into "
            f"{out / 'analytics'}/ in {time.perf_counter() - t0:.1f} s"
        )
        data = out / "analytics"
        try:  # through a real LRS and back (mb lrs, mb ingest); without the lrs extra, from the cohort itself
            from .lrs_demo import lrs_round_trip

            data = lrs_round_trip(workspace, cohort, out, echo=echo)
        except (MissingDependencyError, ModuleNotFoundError) as e:
            echo(f"lrs: skipped ({e}); install with: pip install 'mblib[lrs]'")
        path = run_report("credential-uptake", workspace=workspace.root, data=data, out=out, echo=echo)
    except (MissingDependencyError, ModuleNotFoundError) as e:
        echo(f"analytics: skipped ({e}); install with: pip install 'mblib[analytics]'")
        return None
    except ReportError as e:
        if "not found" in e.message:
            echo(f"analytics: skipped the report ({e.message})")
            return None
        raise
    return path
