"""``mb ingest``: xAPI statements from an LRS or files into the events the metrics read.

    mb ingest --lrs URL [-w WORKSPACE] [-o OUT] [--credentials FILE] [--since T] [--until T] [--infer-structure]
    mb ingest FILES... [-w WORKSPACE] [-o OUT] [--infer-structure]

Credentials for the LRS come from ``--credentials FILE`` (JSON ``{"username", "password"}``, as
``mb lrs start`` writes it) or ``MBLIB_LRS_USER``/``MBLIB_LRS_PASSWORD``: never from the command
line. OUT keeps the statements read and a checkpoint, so the next run reads only what is new.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import MblibError
from ._common import friendly, workspace_or_sample, workspace_path

DEFAULT_OUT = Path("exports") / "ingested"


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--lrs", "endpoint", default=None, help="xAPI endpoint of an LRS, e.g. http://127.0.0.1:8100/xAPI/")
@click.option("-w", "--workspace", "workspace", default=None, help="workspace the activities map onto")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--credentials", type=click.Path(path_type=Path), default=None, help="LRS credentials file (JSON)")
@click.option("--since", default=None, help="only statements stored after this ISO 8601 time")
@click.option("--until", default=None, help="only statements stored up to this ISO 8601 time")
@click.option("--page-size", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option(
    "--keep-ids", is_flag=True, help="do not pseudonymise learner ids (only for data that is already pseudonymous)"
)
@click.option("--infer-structure", is_flag=True, help="derive modules, blocks and activities.yaml from the statements")
@friendly
def ingest(
    files: tuple[Path, ...],
    endpoint: str | None,
    workspace: str | None,
    out: Path,
    credentials: Path | None,
    since: str | None,
    until: str | None,
    page_size: int,
    keep_ids: bool,
    infer_structure: bool,
) -> None:
    """Read xAPI statements (from an LRS or files) into OUT/events/ (Parquet by month)."""
    from ..analytics.ingest import ingest_files, ingest_lrs

    if bool(files) == bool(endpoint):
        raise MblibError(
            "give statement FILES or --lrs URL (one of them)", hint="e.g. mb ingest --lrs http://127.0.0.1:8100/xAPI/"
        )
    if infer_structure:
        if workspace is None:
            raise MblibError(
                "--infer-structure needs -w WORKSPACE", hint="the folder where the skeleton goes (new or existing)"
            )
        root: Path = Path(workspace)
    else:
        root = workspace_path(workspace) if workspace else workspace_or_sample(None)
    if endpoint:
        r = ingest_lrs(
            endpoint, root, out, credentials=credentials, since=since, until=until, page_size=page_size,
            infer_structure=infer_structure, pseudonymise=not keep_ids, echo=click.echo,
        )  # fmt: skip
    else:
        r = ingest_files(
            list(files), root, out, infer_structure=infer_structure, pseudonymise=not keep_ids, echo=click.echo
        )
    if r.structure is not None:
        click.echo(f"structure: {r.structure.mapping}")
