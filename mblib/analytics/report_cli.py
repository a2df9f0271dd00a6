"""``mb report``: run a report notebook on learner data and export one offline HTML file (a thin face over :mod:`.report`).

    mb report [REPORT] [-w WORKSPACE] [-d DATA] [--engine polars|duckdb|spark] [-k K] [-o OUT]

REPORT is ``credential-uptake`` (default), ``completion-analytics`` or the path of a notebook.
Rows of DATA that fail the readers' checks are left out of the report; their count is printed and
they are written with their reasons to ``OUT/<data>.rejects.csv``.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import SAMPLE_WORKSPACE, _friendly

DEFAULT_DATA = Path("exports") / "analytics"


@click.command()
@click.argument("report", default="credential-uptake")
@click.option("-w", "--workspace", "workspace", type=click.Path(path_type=Path), default=None,
              help="workspace folder (default: $MBLIB_WORKSPACE, the nearest folder with mblib.toml, else the sample)")
@click.option("-d", "--data", type=click.Path(path_type=Path), default=None,
              help="learner data: a folder as `mb synth` writes it, or a Parquet file of events "
                   "(default: exports/analytics if it exists, else a small synthetic cohort)")
@click.option("--engine", type=click.Choice(["polars", "duckdb", "spark"]), default="polars", show_default=True,
              help="where the metrics run")
@click.option("-k", "k", type=click.IntRange(min=1), default=None,
              help="suppress groups of fewer than K learners (default: the workspace's [privacy] k_threshold)")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("exports"), show_default=True,
              help="folder the HTML report is written to")
@_friendly
def report(report: str, workspace: Path | None, data: Path | None, engine: str, k: int | None, out: Path) -> None:
    """Run a report notebook on learner data and export it to one offline HTML file in OUT.

    REPORT is credential-uptake (default), completion-analytics, or the path of a report notebook.
    Rows of DATA that fail the readers' checks are left out; they go with their reasons to OUT/<data>.rejects.csv.
    """
    from ..cli import _workspace_path
    from ..errors import MblibError
    from .report import run_report

    try:
        root = _workspace_path(str(workspace) if workspace else None)
    except MblibError:
        root = SAMPLE_WORKSPACE
    if data is None and (DEFAULT_DATA / "events").is_dir():
        data = DEFAULT_DATA
    if data is not None and data.exists():
        # the report leaves out rows that fail the readers' checks; say how many, and why, beside the report
        from .datacheck import check_events_data, data_paths

        check = check_events_data(data_paths(data)[0], rejects=out / f"{data.resolve().stem}.rejects.csv")
        click.echo(check.summary())
    path = run_report(report, workspace=root, data=data, engine=engine, k=k, out=out,  # type: ignore[arg-type]
                      echo=click.echo)
    click.echo(f"open {path} in a browser")
