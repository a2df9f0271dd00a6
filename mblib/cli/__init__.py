"""The ``mb`` command: a thin face over the library (docs/architecture.md, "Layers").

One module per command family: :mod:`.content` (new, lint, render, demo), :mod:`.export`,
:mod:`.translate` (translate, xliff, models), :mod:`.analytics` (synth, report), :mod:`.lrs`
(lrs start|stop|status|replay), :mod:`.ingest` (ingest), :mod:`.badges`
(keys, verify, revoke); the shared options and helpers are in :mod:`._common`. This group imports the families; they never import it.
The families with optional dependencies load when used (a fast start, no heavy imports), and one
whose extra is missing still answers, with the ``pip install "mblib[EXTRA]"`` to run.
"""

from __future__ import annotations

import importlib

import click

from ._common import COMMAND_EXTRAS, DEFAULT_EXPORTS, SAMPLE_WORKSPACE, WS_OPTION, friendly, missing_extra
from .content import demo, lint, new, render

#: Commands loaded when used: name -> "module:attribute" of a click command or group.
LAZY_COMMANDS: dict[str, str] = {
    "export": "mblib.cli.export:export",
    "translate": "mblib.cli.translate:translate",
    "xliff": "mblib.cli.translate:xliff",
    "models": "mblib.cli.translate:models",
    "synth": "mblib.cli.analytics:synth",
    "report": "mblib.cli.analytics:report",
    "share": "mblib.cli.pages:share",
    "keys": "mblib.cli.badges:keys",
    "verify": "mblib.cli.badges:verify",
    "revoke": "mblib.cli.badges:revoke",
    "lrs": "mblib.cli.lrs:lrs",
    "ingest": "mblib.cli.ingest:ingest",
    "pathway": "mblib.cli.pathway:pathway",
}


def unavailable_command(name: str, error: ModuleNotFoundError) -> click.Command:
    """A stand-in for ``mb NAME`` when its module cannot be imported: it says which extra to install.

    Any option or argument is accepted, so ``mb NAME ...`` always reaches the message (exit 2).
    """
    problem = missing_extra(name, error)
    if problem is None:  # not an optional dependency: a real bug, show it
        raise error

    @click.command(
        name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"(not available: {problem.message}; {problem.hint})",
        add_help_option=False,
    )
    @friendly
    def command() -> None:
        raise problem

    return command


class LazyGroup(click.Group):
    """A group that imports the modules of :data:`LAZY_COMMANDS` only when one of their commands is needed."""

    def lazy_command(self, name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(name)
        if not target:
            return None
        module, _, attr = target.partition(":")
        try:
            loaded = importlib.import_module(module)
        except ModuleNotFoundError as e:
            return unavailable_command(name, e)
        command: click.Command = getattr(loaded, attr)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self.lazy_command(name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mblib")
def main() -> None:
    """mblib: author, lint, render and export microlearning modules and microcredentials."""


for _command in (new, lint, render, demo):
    main.add_command(_command)

__all__ = [
    "COMMAND_EXTRAS",
    "DEFAULT_EXPORTS",
    "LAZY_COMMANDS",
    "SAMPLE_WORKSPACE",
    "WS_OPTION",
    "LazyGroup",
    "main",
    "unavailable_command",
]
