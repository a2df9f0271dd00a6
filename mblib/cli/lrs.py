"""``mb lrs start|stop|status|replay``: a thin face over :mod:`mblib.analytics.lrs_server` (Ralph, a real LRS).

    mb lrs start  [-w WORKSPACE] [--folder F] [--host H] [--port P]
    mb lrs status [-w WORKSPACE] [--folder F]
    mb lrs stop   [-w WORKSPACE] [--folder F]
    mb lrs replay [-w WORKSPACE] [--folder F] [-d DATA | --learners N] [--seed S] [--batch B]

The LRS lives in ``WORKSPACE/.mblib/lrs/`` (or ``./.mblib/lrs/`` outside a workspace); its
credentials are created on the first start (``credentials.json``, owner-only).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..analytics.lrs_server import DEFAULT_FOLDER, DEFAULT_HOST, DEFAULT_PORT
from ..errors import MblibError
from ._common import friendly, workspace_or_sample, workspace_path

FOLDER_OPTION = click.option(
    "--folder",
    type=click.Path(path_type=Path),
    default=None,
    help="where the LRS keeps its statements, credentials and pid (default: WORKSPACE/.mblib/lrs)",
)
WS = click.option(
    "-w", "--workspace", "workspace", default=None, help="workspace (default: $MBLIB_WORKSPACE or nearest)"
)


def lrs_folder(folder: Path | None, workspace: str | None) -> Path:
    """``--folder``, else ``.mblib/lrs`` in the workspace, else in the current folder."""
    if folder is not None:
        return folder
    try:
        return workspace_path(workspace) / DEFAULT_FOLDER
    except MblibError:
        return Path.cwd() / DEFAULT_FOLDER


@click.group()
def lrs() -> None:
    """A real LRS (Ralph, file-system backend) for the workspace's xAPI statements."""


@lrs.command("start")
@WS
@FOLDER_OPTION
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="0: a free port")
@click.option(
    "--page-size", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="statements per page"
)
@friendly
def start(workspace: str | None, folder: Path | None, host: str, port: int, page_size: int) -> None:
    """Start Ralph in the background (credentials are created on the first start)."""
    from ..analytics.lrs_server import CREDENTIALS_FILE, start_lrs

    server = start_lrs(lrs_folder(folder, workspace), host=host, port=port or None, page_size=page_size)
    click.echo(server.describe())
    click.echo(f"credentials: {server.folder / CREDENTIALS_FILE} (user {server.username})")


@lrs.command("status")
@WS
@FOLDER_OPTION
@friendly
def status(workspace: str | None, folder: Path | None) -> None:
    """Say whether the LRS runs, where, and where its statements are."""
    from ..analytics.lrs_server import lrs_status

    where = lrs_folder(folder, workspace)
    server = lrs_status(where)
    if server is None:
        click.echo(f"no LRS running from {where}")
        raise SystemExit(1)
    click.echo(server.describe())
    click.echo(f"statements: {server.folder / 'data' / 'fs_lrs.jsonl'}")


@lrs.command("stop")
@WS
@FOLDER_OPTION
@friendly
def stop(workspace: str | None, folder: Path | None) -> None:
    """Stop the LRS."""
    from ..analytics.lrs_server import stop_lrs

    where = lrs_folder(folder, workspace)
    click.echo(f"stopped the LRS of {where}" if stop_lrs(where) else f"no LRS running from {where}")


@lrs.command("replay")
@WS
@FOLDER_OPTION
@click.option("-d", "--data", type=click.Path(path_type=Path), default=None, help="a cohort `mb synth` wrote")
@click.option(
    "--learners", type=click.IntRange(min=1), default=200, show_default=True, help="else synthesise this many"
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batch", type=click.IntRange(1, 10_000), default=500, show_default=True, help="statements per POST")
@friendly
def replay(workspace: str | None, folder: Path | None, data: Path | None, learners: int, seed: int, batch: int) -> None:
    """Post a synthetic cohort to the running LRS as xAPI statements."""
    import polars as pl

    from ..analytics.lrs_client import LrsClient
    from ..analytics.lrs_server import LrsError, lrs_status
    from ..analytics.replay import replay_cohort
    from ..content import Workspace

    where = lrs_folder(folder, workspace)
    server = lrs_status(where)
    if server is None:
        raise LrsError(f"no LRS running from {where}", hint="start it with `mb lrs start`")
    if data is not None:
        events = pl.read_parquet(data / "events" / "**" / "*.parquet")
    else:
        from ..analytics.synth import synthesise

        ws = Workspace.open(workspace_or_sample(Path(workspace) if workspace else None))
        events = synthesise(ws, learners=learners, seed=seed).events
    replay_cohort(events, LrsClient(server.endpoint, server.username, server.password), batch=batch, echo=click.echo)
