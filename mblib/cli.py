"""The ``mb`` command: a thin face over the library.

    mb new workspace PATH --title "..."
    mb new module ID [-w WORKSPACE] [--title "..."]
    mb lint [-w WORKSPACE] [--strict] [--format text|json]
    mb render [MODULE ...] [-w WORKSPACE] [-o OUT] [--lang fr]
    mb demo [-o OUT]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from .errors import MblibError

REPO_ROOT = Path(__file__).resolve().parent.parent


def _sample_workspace() -> Path:
    """The shipped sample: ./datasets/sample-workspace, else the one beside the package (editable install)."""
    here = Path("datasets") / "sample-workspace"
    return here if here.is_dir() else REPO_ROOT / "datasets" / "sample-workspace"


SAMPLE_WORKSPACE = _sample_workspace()
DEFAULT_EXPORTS = Path("exports")


def _workspace_path(value: str | None) -> Path:
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


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print mblib errors as their message (file, line, fix) instead of a traceback; exit 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*a: Any, **kw: Any) -> Any:
        try:
            return fn(*a, **kw)
        except MblibError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)

    return wrapper


WS_OPTION = click.option("-w", "--workspace", "workspace", default=None,
                         help="workspace folder (default: $MBLIB_WORKSPACE or the nearest folder with mblib.toml)")


# Commands that live beside their package, loaded only when used (fast start, no heavy imports).
# name -> "module:attribute" of a click command or group. A package that is not there yet is skipped.
LAZY_COMMANDS: dict[str, str] = {
    "export": "mblib.export.commands:export",
    "translate": "mblib.translate.commands:translate",
    "xliff": "mblib.translate.commands:xliff",
    "models": "mblib.translate.commands:models",
    "synth": "mblib.analytics.commands:synth",
    "report": "mblib.analytics.report_cli:report",
}


class _LazyGroup(click.Group):
    def _lazy(self, name: str) -> click.Command | None:
        import importlib

        target = LAZY_COMMANDS.get(name)
        if not target:
            return None
        mod, _, attr = target.partition(":")
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name and (e.name == mod or mod.startswith(e.name + ".")):
                return None  # that part of mblib is not built yet
            raise
        return getattr(module, attr, None)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(n for n in LAZY_COMMANDS if self._lazy(n) is not None)
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._lazy(name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mblib")
def main() -> None:
    """mblib: author, lint, render and export microlearning modules and microcredentials."""


@main.group()
def new() -> None:
    """Create a workspace or a module."""


@new.command("workspace")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", default="Untitled workspace")
@click.option("--issuer", default=None, help="name of the awarding body")
@_friendly
def new_workspace(path: Path, title: str, issuer: str | None) -> None:
    """Create an empty workspace at PATH."""
    from .content import Workspace

    Workspace.create(path, title=title, issuer_name=issuer)
    click.echo(f"created workspace {path} (edit {path / 'mblib.toml'})")


@new.command("module")
@click.argument("module_id")
@WS_OPTION
@click.option("--title", default=None, help="module title (default: from the id)")
@_friendly
def new_module(module_id: str, workspace: str | None, title: str | None) -> None:
    """Create modules/MODULE_ID.yaml from a starter with a text block and a quiz."""
    from .content import Workspace
    from .content.starter import starter_module

    ws = Workspace.open(_workspace_path(workspace))
    module = starter_module(module_id, title, language=ws.settings.workspace.source_language)
    click.echo(f"created {ws.add_module(module)}")


@main.command()
@WS_OPTION
@click.option("--strict", is_flag=True, help="fail on warnings too")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@_friendly
def lint(workspace: str | None, strict: bool, fmt: str) -> None:
    """Check accessibility, length, quizzes, media and credentials. Exit 1 on errors."""
    from .content import Workspace, lint_workspace

    ws = Workspace.open(_workspace_path(workspace), strict=False)
    findings = lint_workspace(ws)
    errors = sum(p.severity == "error" for p in findings)
    warnings = sum(p.severity == "warning" for p in findings)
    if fmt == "json":
        click.echo(json.dumps([{
            "severity": p.severity, "code": p.code, "message": p.message, "hint": p.hint,
            "file": p.location.file, "line": p.location.line, "column": p.location.column,
            "block_id": p.location.block_id, "field": p.location.field} for p in findings], indent=2))
    else:
        for p in findings:
            click.echo(p.format())
        click.echo(f"{len(ws.modules)} modules, {len(ws.credentials)} credentials: "
                   f"{errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        sys.exit(1)


@main.command()
@click.argument("modules", nargs=-1)
@WS_OPTION
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="output folder (default: exports/<workspace>/pages)")
@click.option("--lang", default=None, help="render the translations in this language (see mb translate)")
@_friendly
def render(modules: tuple[str, ...], workspace: str | None, out: Path | None, lang: str | None) -> None:
    """Render modules (default: all) to standalone HTML pages."""
    from .content import Workspace
    from .render import render_workspace, write_module_page

    ws = Workspace.open(_workspace_path(workspace))
    out = out or DEFAULT_EXPORTS / ws.root.name / "pages"
    if lang:  # translated pages: missing or stale segments show the source, marked
        from .translate import translated_module, untranslated_fields

        for mid in modules or sorted(ws.modules):
            m = ws.module(mid)
            click.echo(write_module_page(translated_module(ws, m, lang), out / lang, ws, language=lang,
                                         untranslated=untranslated_fields(ws, m, lang)))
    elif modules:
        for mid in modules:
            click.echo(write_module_page(ws.module(mid), out, ws))
    else:
        for p in render_workspace(ws, out):
            click.echo(p)


@main.command()
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_EXPORTS,
              help="where outputs go (default: exports/)")
@click.option("-w", "--workspace", "workspace", type=click.Path(path_type=Path), default=SAMPLE_WORKSPACE,
              help="workspace to run on (default: the shipped sample)")
@_friendly
def demo(out: Path, workspace: Path) -> None:
    """Run the main job on the sample workspace: validate, lint, render every module."""
    from .content import Workspace, lint_workspace
    from .render import render_workspace

    t0 = time.perf_counter()
    ws = Workspace.open(workspace)
    click.echo(f"workspace {ws.root} : {len(ws.modules)} modules, {len(ws.credentials)} credentials")
    findings = lint_workspace(ws)
    errors = [p for p in findings if p.severity == "error"]
    for p in findings:
        click.echo(p.format())
    click.echo(f"lint: {len(errors)} error(s), {len(findings) - len(errors)} other finding(s)")
    if errors:
        raise MblibError("the sample workspace has lint errors", hint="run: mb lint -w " + str(workspace))
    for cred in ws.credentials.values():
        total = sum(ws.module(m).estimate_duration(ws.settings.duration).minutes for m in cred.required
                    if m in ws.modules)
        click.echo(f"credential {cred.id}: pathway {' -> '.join(cred.pathway())} (required modules ~{total:.0f} min)")
    pages_dir = Path(out) / ws.root.name / "pages"
    pages = render_workspace(ws, pages_dir)
    click.echo(f"rendered {len(pages) - 1} module pages in {time.perf_counter() - t0:.1f} s")
    from .analytics.report import run_demo as analytics_demo  # synthetic cohort + uptake report
    from .export.demo import run_demo as export_demo  # lessons, sites, SCORM, cmi5, badges
    from .translate.demo import run_demo as translate_demo  # French, when a model is available

    analytics_demo(ws, out, echo=click.echo)  # first: the badges need its learner events
    translate_demo(ws, Path(out), echo=click.echo)  # before export: sites get a language switcher
    export_demo(ws, Path(out), echo=click.echo)
    click.echo("")
    click.echo("outputs:")
    click.echo(f"  lesson pages   : {pages_dir}/  (open {pages_dir / 'index.html'} in a browser)")
    base = Path(out) / ws.root.name
    for label, path in (("lessons", base / "lessons"), ("credential sites", base / "site"),
                        ("SCORM 1.2", base / "scorm"), ("cmi5", base / "cmi5"), ("Open Badges 3.0", base / "badges"),
                        ("learner data", Path(out) / "analytics"),
                        ("uptake report", Path(out) / "credential-uptake-report.html")):
        if path.exists():
            click.echo(f"  {label:<15}: {path}{'/' if path.is_dir() else ''}")


if __name__ == "__main__":  # pragma: no cover
    main()
