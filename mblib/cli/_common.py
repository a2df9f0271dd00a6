"""What every ``mb`` command shares: the workspace option and lookup, friendly errors, default folders.

Command modules import these names; nothing here imports a command module or the ``mb`` group
(docs/architecture.md, "Layers": ``cli`` is a face over the library).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..content.samples import sample_workspace
from ..errors import MblibError, MissingDependencyError

SAMPLE_WORKSPACE = sample_workspace()
"""The shipped sample: ``./datasets/sample-workspace`` in a clone's root, else the copy inside the package."""
DEFAULT_EXPORTS = Path("exports")
"""Where outputs go by default: ``exports/`` of the current folder."""

#: The extra that holds the optional dependencies of each command family (``pip install "mblib[EXTRA]"``).
COMMAND_EXTRAS: dict[str, str] = {
    "export": "export",
    "translate": "translate",
    "xliff": "translate",
    "models": "translate",
    "synth": "analytics",
    "report": "analytics",
    "keys": "export",
    "verify": "export",
    "revoke": "export",
    "lrs": "lrs",
    "ingest": "analytics",
    "pathway": "analytics",
}

#: Import name -> distribution name, where they differ (for the install hint).
DISTRIBUTIONS: dict[str, str] = {
    "vl_convert": "vl-convert-python",
    "yaml": "PyYAML",
    "huggingface_hub": "huggingface-hub",
    "IPython": "ipython",
    "ralph": "ralph-malph",
}

WS_OPTION = click.option(
    "-w",
    "--workspace",
    "workspace",
    default=None,
    help="workspace folder (default: $MBLIB_WORKSPACE or the nearest folder with mblib.toml)",
)


def workspace_path(value: str | None) -> Path:
    """The workspace a command works on: ``-w``, else ``$MBLIB_WORKSPACE``, else the nearest folder with mblib.toml."""
    if value:
        return Path(value)
    env = os.environ.get("MBLIB_WORKSPACE")
    if env:
        return Path(env)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "mblib.toml").is_file():
            return folder
    raise MblibError(
        "no workspace given and none found in this folder or above it",
        hint="pass -w PATH (the folder holding mblib.toml), set MBLIB_WORKSPACE, or cd into the workspace",
    )


def workspace_or_sample(value: Path | None) -> Path:
    """Like :func:`workspace_path`, but the shipped sample when no workspace is given or found."""
    try:
        return workspace_path(str(value) if value else None)
    except MblibError:
        return SAMPLE_WORKSPACE


def missing_extra(command: str, error: ModuleNotFoundError) -> MissingDependencyError | None:
    """The error to show when ``mb COMMAND`` lacks a third-party package; None when it is not an optional one."""
    extra = COMMAND_EXTRAS.get(command)
    top = (error.name or "").split(".")[0]
    if extra is None or not top or top == "mblib":
        return None
    return MissingDependencyError.for_extra(DISTRIBUTIONS.get(top, top), extra, f"mb {command}")


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print mblib errors as their message (file, line, fix) instead of a traceback; exit 2.

    A missing optional package becomes the same kind of message, naming the extra to install.
    """

    @functools.wraps(fn)
    def wrapper(*a: Any, **kw: Any) -> Any:
        try:
            return fn(*a, **kw)
        except MblibError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)
        except ModuleNotFoundError as e:
            ctx = click.get_current_context(silent=True)
            command = ctx.find_root().invoked_subcommand if ctx is not None else None
            err = missing_extra(command or "", e)
            if err is None:
                raise
            click.echo(f"error: {err}", err=True)
            sys.exit(2)

    return wrapper


__all__ = [
    "COMMAND_EXTRAS",
    "DEFAULT_EXPORTS",
    "SAMPLE_WORKSPACE",
    "WS_OPTION",
    "friendly",
    "missing_extra",
    "workspace_or_sample",
    "workspace_path",
]
