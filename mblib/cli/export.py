"""``mb export lesson|site|scorm|cmi5|badge|import``: thin faces over :mod:`mblib.export`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import DEFAULT_EXPORTS, WS_OPTION, friendly, workspace_path

if TYPE_CHECKING:
    from ..content import Workspace

OUT_OPTION = click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="output folder (default: exports/<workspace>/<kind>)",
)
WORKERS_OPTION = click.option(
    "-j", "--workers", type=int, default=None, help="processes that execute code blocks (default: CPUs, at most 8)"
)
EXECUTE_OPTION = click.option(
    "--execute/--no-execute", default=True, show_default=True, help="run code blocks and embed their outputs"
)


def _open(workspace: str | None) -> Workspace:
    from ..content import Workspace

    return Workspace.open(workspace_path(workspace))


def _base(ws: Workspace, out: Path | None, kind: str) -> Path:
    return out if out is not None else DEFAULT_EXPORTS / ws.root.name / kind


@click.group()
def export() -> None:
    """Export lessons, credential sites, SCORM 1.2 / cmi5 packages and Open Badges 3.0."""


@export.command("lesson")
@click.argument("modules", nargs=-1)
@WS_OPTION
@OUT_OPTION
@WORKERS_OPTION
@EXECUTE_OPTION
@click.option("--force", is_flag=True, help="rebuild unchanged modules too")
@friendly
def lesson(
    modules: tuple[str, ...], workspace: str | None, out: Path | None, workers: int | None, execute: bool, force: bool
) -> None:
    """Lesson notebooks (.ipynb) and offline pages (.html) for MODULES (default: all)."""
    from ..export.lessons import export_lessons

    ws = _open(workspace)
    report = export_lessons(
        ws,
        _base(ws, out, "lessons"),
        list(modules) or None,
        execute=execute,
        workers=workers,
        force=force,
        echo=click.echo,
    )
    click.echo(str(report))


@export.command("site")
@click.argument("credential")
@WS_OPTION
@OUT_OPTION
@WORKERS_OPTION
@EXECUTE_OPTION
@friendly
def site(credential: str, workspace: str | None, out: Path | None, workers: int | None, execute: bool) -> None:
    """A static site for CREDENTIAL: pathway index, module pages, progress, languages."""
    from ..export.site import export_site

    ws = _open(workspace)
    folder = export_site(ws, credential, out or _base(ws, None, "site") / credential, execute=execute, workers=workers)
    click.echo(f"site: {folder / 'index.html'}")


def _package_command(kind: str) -> Callable[..., None]:
    @click.argument("items", nargs=-1)
    @WS_OPTION
    @OUT_OPTION
    @WORKERS_OPTION
    @EXECUTE_OPTION
    @friendly
    def command(
        items: tuple[str, ...], workspace: str | None, out: Path | None, workers: int | None, execute: bool
    ) -> None:
        from ..errors import NotFoundError

        ws = _open(workspace)
        if kind == "scorm":
            from ..export.scorm import export_scorm as make
        else:
            from ..export.cmi5 import export_cmi5 as make
        for item in items or list(ws.credentials):
            if item not in ws.credentials and item not in ws.modules:
                raise NotFoundError(
                    f"'{item}' is neither a credential nor a module of '{ws.root.name}'",
                    hint="known: " + ", ".join([*ws.credentials, *ws.modules]),
                )
            path = make(ws, item, _base(ws, out, kind) / f"{item}.zip", execute=execute, workers=workers)
            click.echo(f"{kind}: {path}")

    command.__doc__ = (
        f"{'SCORM 1.2' if kind == 'scorm' else 'cmi5'} packages for ITEMS (credential or module ids; "
        "default: every credential)."
    )
    return command


export.command("scorm")(_package_command("scorm"))
export.command("cmi5")(_package_command("cmi5"))


@export.command("badge")
@click.argument("credential")
@click.option(
    "--events",
    "events",
    type=click.Path(path_type=Path),
    default=None,
    help="learner events (CSV or Parquet); without it only the Achievement is written",
)
@WS_OPTION
@OUT_OPTION
@click.option(
    "--sign", is_flag=True, help="sign every credential (Data Integrity eddsa-rdfc-2022) and publish its status list"
)
@click.option(
    "--key", "key_file", type=click.Path(path_type=Path), default=None, help="issuer key file (implies --sign)"
)
@click.option("--jwt", is_flag=True, help="with --sign: also write each credential as a compact JWS (.jwt)")
@friendly
def badge(
    credential: str,
    events: Path | None,
    workspace: str | None,
    out: Path | None,
    sign: bool,
    key_file: Path | None,
    jwt: bool,
) -> None:
    """Open Badges 3.0 for CREDENTIAL: achievement.json, and credentials/<credential-uuid>.json from --events."""
    from ..export.badges import export_badges

    ws = _open(workspace)
    folder = out or _base(ws, None, "badges") / credential
    key = None
    if sign or key_file is not None:
        from ..export.keys import load_key
        from .badges import forbidden_roots

        key = load_key(key_file, forbidden=forbidden_roots(str(ws.root), folder.resolve()))
    folder = export_badges(ws, credential, events if events is not None else [], folder, key=key, jwt=jwt)
    n = len(list((folder / "credentials").glob("*.json"))) if (folder / "credentials").is_dir() else 0
    click.echo(f"badges: {folder / 'achievement.json'} and {n} learner credential(s)")
    if key is None:
        click.echo("UNSIGNED: nobody can verify these credentials; sign them with --sign (key: mb keys new)")
    else:
        click.echo(f"signed by {key.did}{' (DEMO key)' if key.demo else ''}; revocation list: {folder / 'status'}")


@export.command("import")
@click.argument("package", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--max-mb", type=int, default=512, show_default=True, help="refuse packages that unpack to more")
@click.option(
    "--replace",
    is_flag=True,
    help="unpack into a non-empty DEST, overwriting the paths the package holds (other files are kept)",
)
@friendly
def import_(package: Path, dest: Path, max_mb: int, replace: bool) -> None:
    """Unpack PACKAGE (a zip) into DEST safely: no path traversal, links or zip bombs.

    DEST must be new or empty unless --replace is given.
    """
    import warnings

    from ..export.packaging import import_package

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = import_package(package, dest, replace=replace, max_bytes=max_mb * 1024 * 1024)
        finally:
            for w in caught:
                click.echo(f"warning: {w.message}", err=True)
    click.echo(f"unpacked into {out}")


__all__ = ["export"]
