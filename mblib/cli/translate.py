"""CLI faces: ``mb translate``, ``mb xliff export|import``, ``mb models pull|list`` (loaded when used by the ``mb`` group)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import DEFAULT_EXPORTS, WS_OPTION, friendly, workspace_path

if TYPE_CHECKING:
    from ..content import Workspace


def _languages(value: str | None, ws: Workspace) -> list[str]:
    from ..content.language import check_language

    langs = [x.strip() for x in (value or "").split(",") if x.strip()] or list(ws.settings.workspace.target_languages)
    if not langs:
        raise click.UsageError("no target language: pass --to fr,de or set target_languages in mblib.toml")
    return [check_language(lang, what="--to") for lang in langs]


@click.command()
@click.argument("modules", nargs=-1)
@click.option("--to", "to", default=None, help="target languages, comma separated (default: target_languages)")
@click.option(
    "--engine",
    type=click.Choice(["auto", "ctranslate2", "transformers"]),
    default=None,
    help="override [translation] engine",
)
@WS_OPTION
@friendly
def translate(modules: tuple[str, ...], to: str | None, engine: str | None, workspace: str | None) -> None:
    """Translate MODULES (default: all) into the target languages with a local MarianMT model."""
    from ..content import Workspace
    from ..translate.apply import translate_modules
    from ..translate.models import make_engine

    ws = Workspace.open(workspace_path(workspace))
    ids = list(modules) or sorted(ws.modules)
    for mid in ids:
        ws.module(mid)
    t0 = time.perf_counter()
    results = translate_modules(
        ws, ids, _languages(to, ws), engine_factory=lambda s, t: make_engine(ws, s, t, engine=engine)
    )
    for r in results:
        click.echo(str(r))
        if r.flagged:
            click.echo(f"  flagged for review: {', '.join(r.flagged[:5])}{' ...' if len(r.flagged) > 5 else ''}")
    click.echo(f"done in {time.perf_counter() - t0:.1f} s; results in {ws.root / 'translations'}")


@click.group()
def xliff() -> None:
    """Exchange translations with CAT tools as XLIFF 2.1 (or 1.2)."""


@xliff.command("export")
@click.argument("modules", nargs=-1)
@click.option("--to", "to", required=True, help="target language, e.g. fr")
@click.option("--version", "version", type=click.Choice(["2.1", "1.2"]), default="2.1")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="file to write (default: exports/<workspace>/xliff/<lang>.xlf)",
)
@WS_OPTION
@friendly
def xliff_export(modules: tuple[str, ...], to: str, version: str, out: Path | None, workspace: str | None) -> None:
    """Write MODULES (default: all) with their current translations to one XLIFF file."""
    from ..content import Workspace
    from ..content.language import check_language
    from ..translate.xliff import write_xliff

    check_language(to, what="--to")  # it names the default output file
    ws = Workspace.open(workspace_path(workspace))
    ids = list(modules) or sorted(ws.modules)
    out = out or DEFAULT_EXPORTS / ws.root.name / "xliff" / f"{to}{'-1.2' if version == '1.2' else ''}.xlf"
    click.echo(write_xliff(ws, ids, to, out, version=version))  # type: ignore[arg-type]


@xliff.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@WS_OPTION
@friendly
def xliff_import(files: tuple[Path, ...], workspace: str | None) -> None:
    """Read translated XLIFF FILES back; their targets land as reviewed."""
    from ..content import Workspace
    from ..translate.xliff import import_xliff

    ws = Workspace.open(workspace_path(workspace))
    for f in files:
        for mid, n in import_xliff(ws, f).items():
            click.echo(f"{f}: {mid}: {n} reviewed segment(s) imported")


@click.group()
def models() -> None:
    """Find and fetch MarianMT models (Helsinki-NLP/opus-mt-SRC-TGT)."""


@models.command("pull")
@click.argument("pairs", nargs=-1, required=True)
@WS_OPTION
@friendly
def models_pull(pairs: tuple[str, ...], workspace: str | None) -> None:
    """Download models for language PAIRS (e.g. en-fr) into the workspace's models folder."""
    from ..content import Workspace
    from ..translate.models import pull_model

    ws = Workspace.open(workspace_path(workspace))
    for pair in pairs:
        click.echo(f"{pair}: {pull_model(ws, pair)}")


@models.command("list")
@WS_OPTION
@friendly
def models_list(workspace: str | None) -> None:
    """List the models available without a network."""
    from ..content import Workspace
    from ..translate.models import list_models

    ws = Workspace.open(workspace_path(workspace))
    found = list_models(ws)
    for m in found:
        click.echo(f"{m['pair']:8} {m['where']:18} {m['path']}")
    if not found:
        click.echo(
            "no models found; get one with `mb models pull en-fr` (online) or name a local folder in "
            "mblib.toml under [translation.models]"
        )


__all__ = ["models", "translate", "xliff"]
