"""``mb synth``: write a synthetic learner cohort for a workspace (a thin face over :mod:`.synth`).

    mb synth [-w WORKSPACE] [-o OUT] [--learners N | --events N] [--seed S] [--preset credit|mooc]
             [--start YYYY-MM-DD] [--months M] [--overwrite]
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import click

from ..cli import SAMPLE_WORKSPACE, _friendly
from .synth import PRESETS

DEFAULT_OUT = Path("exports") / "analytics"


@click.command()
@click.option("-w", "--workspace", "workspace", type=click.Path(path_type=Path), default=None,
              help="workspace whose credentials the learners take (default: $MBLIB_WORKSPACE, the nearest "
                   "folder with mblib.toml, else the shipped sample)")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="output folder: events/month=YYYY-MM/*.parquet, learners.parquet, items.parquet, cohort.json")
@click.option("--learners", type=click.IntRange(min=1), default=None, help="number of learners (default 1000)")
@click.option("--events", "n_events", type=click.IntRange(min=1), default=None,
              help="aim for about this many events instead (learners estimated from a pilot run)")
@click.option("--seed", type=int, default=0, show_default=True, help="same seed, same cohort")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="credit", show_default=True,
              help="calibration: credit (credit-bearing, ~31% withdraw) or mooc (5-15% complete)")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default="2025-01-06", show_default=True,
              help="first day of the observation window (UTC)")
@click.option("--months", type=click.IntRange(1, 120), default=6, show_default=True, help="length of the window")
@click.option("--overwrite", is_flag=True, help="replace a cohort already in OUT")
@_friendly
def synth(workspace: Path | None, out: Path, learners: int | None, n_events: int | None, seed: int, preset: str,
          start: datetime, months: int, overwrite: bool) -> None:
    """Synthesise a deterministic learner cohort over the workspace's credentials, as Parquet by month."""
    from ..cli import _workspace_path
    from ..content import Workspace
    from ..errors import MblibError
    from .synth import learners_for_events, synthesise, write_cohort

    if learners is not None and n_events is not None:
        raise MblibError("give --learners or --events, not both", hint="e.g. mb synth --events 10000000")
    try:
        root = _workspace_path(str(workspace) if workspace else None)
    except MblibError:
        root = SAMPLE_WORKSPACE
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
    click.echo(f"{cohort.learners.height:,} learners, {ev.height:,} events, {earned:,} credentials earned, "
               f"{cohort.params['start'][:10]} to {cohort.params['end'][:10]}")
    click.echo(f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s")
    months_written = len({p.parent.name for p in files if p.suffix == ".parquet" and p.parent.name.startswith("month=")})
    click.echo(f"wrote {out}/events/ ({months_written} month partitions), learners.parquet, items.parquet, cohort.json")
