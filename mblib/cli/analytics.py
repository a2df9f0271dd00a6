"""``mb synth`` and ``mb report``: thin faces over :mod:`mblib.analytics`.

    mb synth [-w WORKSPACE] [-o OUT] [--learners N | --events N] [--seed S] [--preset credit|mooc]
             [--start YYYY-MM-DD] [--months M] [--overwrite]
    mb report [REPORT] [-w WORKSPACE] [-d DATA] [--engine polars|duckdb|spark] [-k K] [-o OUT]

``mb synth`` writes a synthetic learner cohort for a workspace. ``mb report`` runs a report notebook
on learner data and exports one offline HTML file: REPORT is ``credential-uptake`` (default),
``completion-analytics`` or the path of a notebook. Rows of DATA that fail the readers' checks are
left out of the report; their count is printed and they are written with their reasons to
``OUT/<data>.rejects.csv``.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..analytics.synth import PRESETS
from ..errors import MblibError
from ._common import friendly, workspace_or_sample

if TYPE_CHECKING:
    from ..analytics.backends import Engine

DEFAULT_OUT = Path("exports") / "analytics"
DEFAULT_DATA = DEFAULT_OUT


@click.command()
@click.option(
    "-w",
    "--workspace",
    "workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="workspace whose credentials the learners take (default: $MBLIB_WORKSPACE, the nearest "
    "folder with mblib.toml, else the shipped sample)",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="output folder: events/month=YYYY-MM/*.parquet, learners.parquet, items.parquet, cohort.json",
)
@click.option("--learners", type=click.IntRange(min=1), default=None, help="number of learners (default 1000)")
@click.option(
    "--events",
    "n_events",
    type=click.IntRange(min=1),
    default=None,
    help="aim for about this many events instead (learners estimated from a pilot run)",
)
@click.option("--seed", type=int, default=0, show_default=True, help="same seed, same cohort")
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default="credit",
    show_default=True,
    help="calibration: credit (credit-bearing, ~31% withdraw) or mooc (5-15% complete)",
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2025-01-06",
    show_default=True,
    help="first day of the observation window (UTC)",
)
@click.option("--months", type=click.IntRange(1, 120), default=6, show_default=True, help="length of the window")
@click.option("--overwrite", is_flag=True, help="replace a cohort already in OUT")
@friendly
def synth(
    workspace: Path | None,
    out: Path,
    learners: int | None,
    n_events: int | None,
    seed: int,
    preset: str,
    start: datetime,
    months: int,
    overwrite: bool,
) -> None:
    """Synthesise a deterministic learner cohort over the workspace's credentials, as Parquet by month."""
    from ..analytics.synth import learners_for_events, synthesise, write_cohort
    from ..content import Workspace

    if learners is not None and n_events is not None:
        raise MblibError("give --learners or --events, not both", hint="e.g. mb synth --events 10000000")
    root = workspace_or_sample(workspace)
    ws = Workspace.open(root)
    t0 = time.perf_counter()
    if n_events is not None:
        learners = learners_for_events(ws, n_events, seed=seed, preset=preset, start=start, months=months)
    cohort = synthesise(ws, learners=learners or 1000, seed=seed, preset=preset, start=start, months=months)
    t1 = time.perf_counter()
    files = write_cohort(cohort, out, overwrite=overwrite)
    t2 = time.perf_counter()
    ev = cohort.events
    earned = ev.filter(ev["verb"] == "earned").height
    click.echo(f"workspace {ws.root}: {len(ws.credentials)} credential(s), preset {preset}, seed {seed}")
    click.echo(
        f"{cohort.learners.height:,} learners, {ev.height:,} events, {earned:,} credentials earned, "
        f"{cohort.params['start'][:10]} to {cohort.params['end'][:10]}"
    )
    click.echo(f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s")
    months_written = len(
        {p.parent.name for p in files if p.suffix == ".parquet" and p.parent.name.startswith("month=")}
    )
    click.echo(f"wrote {out}/events/ ({months_written} month partitions), learners.parquet, items.parquet, cohort.json")


@click.command()
@click.argument("report", default="credential-uptake")
@click.option(
    "-w",
    "--workspace",
    "workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="workspace folder (default: $MBLIB_WORKSPACE, the nearest folder with mblib.toml, else the sample)",
)
@click.option(
    "-d",
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="learner data: a folder as `mb synth` writes it, or a Parquet file of events "
    "(default: exports/analytics if it exists, else a small synthetic cohort)",
)
@click.option(
    "--engine",
    type=click.Choice(["polars", "duckdb", "spark"]),
    default="polars",
    show_default=True,
    help="where the metrics run",
)
@click.option(
    "-k",
    "k",
    type=click.IntRange(min=1),
    default=None,
    help="suppress groups of fewer than K learners (default: the workspace's [privacy] k_threshold)",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("exports"),
    show_default=True,
    help="folder the HTML report is written to",
)
@click.option(
    "--pdf",
    is_flag=True,
    default=False,
    help="also print it to a paginated PDF beside the HTML (headless Chromium; extra: pdf)",
)
@friendly
def report(
    report: str, workspace: Path | None, data: Path | None, engine: Engine, k: int | None, out: Path, pdf: bool
) -> None:
    """Run a report notebook on learner data and export it to one offline HTML file in OUT.

    REPORT is credential-uptake (default), completion-analytics, or the path of a report notebook.
    Rows of DATA that fail the readers' checks are left out; they go with their reasons to OUT/<data>.rejects.csv.
    """
    from ..analytics.report import run_report

    root = workspace_or_sample(workspace)
    if data is None and (DEFAULT_DATA / "events").is_dir():
        data = DEFAULT_DATA
    path = run_report(
        report,
        workspace=root,
        data=data,
        engine=engine,
        k=k,
        out=out,
        echo=click.echo,
    )
    click.echo(f"open {path} in a browser")
    if pdf:
        from ..analytics.report_pdf import report_pdf

        click.echo(f"PDF written: {report_pdf(path)}")


__all__ = ["report", "synth"]
