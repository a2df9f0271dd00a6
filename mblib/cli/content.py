"""``mb new``, ``mb lint``, ``mb render`` and ``mb demo``: the content commands.

mb new workspace PATH --title "..."
mb new module ID [-w WORKSPACE] [--title "..."]
mb lint [-w WORKSPACE] [--strict] [--format text|json]
mb render [MODULE ...] [-w WORKSPACE] [-o OUT] [--lang fr]
mb demo [-o OUT]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from ..errors import MblibError
from ._common import DEFAULT_EXPORTS, SAMPLE_WORKSPACE, WS_OPTION, friendly, workspace_path


@click.group()
def new() -> None:
    """Create a workspace or a module."""


@new.command("workspace")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", default="Untitled workspace")
@click.option("--issuer", default=None, help="name of the awarding body")
@friendly
def new_workspace(path: Path, title: str, issuer: str | None) -> None:
    """Create an empty workspace at PATH."""
    from ..content import Workspace

    Workspace.create(path, title=title, issuer_name=issuer)
    click.echo(f"created workspace {path} (edit {path / 'mblib.toml'})")


@new.command("module")
@click.argument("module_id")
@WS_OPTION
@click.option("--title", default=None, help="module title (default: from the id)")
@friendly
def new_module(module_id: str, workspace: str | None, title: str | None) -> None:
    """Create modules/MODULE_ID.yaml from a starter with a text block and a quiz."""
    from ..content import Workspace
    from ..content.starter import starter_module

    ws = Workspace.open(workspace_path(workspace))
    module = starter_module(module_id, title, language=ws.settings.workspace.source_language)
    click.echo(f"created {ws.add_module(module)}")


@click.command()
@WS_OPTION
@click.option("--strict", is_flag=True, help="fail on warnings too")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@friendly
def lint(workspace: str | None, strict: bool, fmt: str) -> None:
    """Check accessibility, length, quizzes, media and credentials. Exit 1 on errors."""
    from ..content import Workspace
    from ..translate.lint import lint_with_translations

    ws = Workspace.open(workspace_path(workspace), strict=False)
    findings = lint_with_translations(ws)
    errors = sum(p.severity == "error" for p in findings)
    warnings = sum(p.severity == "warning" for p in findings)
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "severity": p.severity,
                        "code": p.code,
                        "message": p.message,
                        "hint": p.hint,
                        "file": p.location.file,
                        "line": p.location.line,
                        "column": p.location.column,
                        "block_id": p.location.block_id,
                        "field": p.location.field,
                    }
                    for p in findings
                ],
                indent=2,
            )
        )
    else:
        for p in findings:
            click.echo(p.format())
        click.echo(
            f"{len(ws.modules)} modules, {len(ws.credentials)} credentials: {errors} error(s), {warnings} warning(s)"
        )
    if errors or (strict and warnings):
        sys.exit(1)


@click.command()
@click.argument("modules", nargs=-1)
@WS_OPTION
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="output folder (default: exports/<workspace>/pages)",
)
@click.option("--lang", default=None, help="render the translations in this language (see mb translate)")
@friendly
def render(modules: tuple[str, ...], workspace: str | None, out: Path | None, lang: str | None) -> None:
    """Render modules (default: all) to standalone HTML pages."""
    from ..content import Workspace
    from ..render import render_workspace, write_module_page

    ws = Workspace.open(workspace_path(workspace))
    out = out or DEFAULT_EXPORTS / ws.root.name / "pages"
    if lang:  # translated pages: missing or stale segments show the source, marked
        from ..translate import translated_module, untranslated_fields

        for mid in modules or sorted(ws.modules):
            m = ws.module(mid)
            click.echo(
                write_module_page(
                    translated_module(ws, m, lang),
                    out / lang,
                    ws,
                    language=lang,
                    untranslated=untranslated_fields(ws, m, lang),
                )
            )
    elif modules:
        for mid in modules:
            click.echo(write_module_page(ws.module(mid), out, ws))
    else:
        for p in render_workspace(ws, out):
            click.echo(p)


def _writable(workspace: Path, out: Path) -> Path:
    """The workspace the demo runs on: an installed package's sample is copied to OUT/workspaces/ first.

    Exports keep a cache in the workspace (``.mblib/``); the copy inside site-packages stays untouched.
    """
    import shutil

    from ..content.samples import SAMPLE_NAME, in_source_tree, packaged_sample

    if in_source_tree() or Path(workspace).resolve() != packaged_sample().resolve():
        return workspace
    copy = out / "workspaces" / SAMPLE_NAME
    shutil.copytree(workspace, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".mblib", "__pycache__"))
    click.echo(f"copied the shipped sample workspace to {copy}")
    return copy


@click.command()
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_EXPORTS, help="where outputs go (default: exports/)"
)
@click.option(
    "-w",
    "--workspace",
    "workspace",
    type=click.Path(path_type=Path),
    default=SAMPLE_WORKSPACE,
    help="workspace to run on (default: the shipped sample)",
)
@friendly
def demo(out: Path, workspace: Path) -> None:
    """Run the main job on the sample workspace: validate, lint, render every module."""
    from ..content import Workspace
    from ..render import render_workspace
    from ..translate.lint import lint_with_translations

    t0 = time.perf_counter()
    ws = Workspace.open(_writable(workspace, Path(out)))
    click.echo(f"workspace {ws.root} : {len(ws.modules)} modules, {len(ws.credentials)} credentials")
    findings = lint_with_translations(ws)
    errors = [p for p in findings if p.severity == "error"]
    for p in findings:
        click.echo(p.format())
    click.echo(f"lint: {len(errors)} error(s), {len(findings) - len(errors)} other finding(s)")
    if errors:
        raise MblibError("the sample workspace has lint errors", hint="run: mb lint -w " + str(workspace))
    for cred in ws.credentials.values():
        total = sum(
            ws.module(m).estimate_duration(ws.settings.duration).minutes for m in cred.required if m in ws.modules
        )
        click.echo(f"credential {cred.id}: pathway {' -> '.join(cred.pathway())} (required modules ~{total:.0f} min)")
    pages_dir = Path(out) / ws.root.name / "pages"
    pages = render_workspace(ws, pages_dir)
    click.echo(f"rendered {len(pages) - 1} module pages in {time.perf_counter() - t0:.1f} s")
    from ..analytics.report import run_demo as analytics_demo  # synthetic cohort + uptake report
    from ..export.demo import run_demo as export_demo  # lessons, sites, SCORM, cmi5, badges
    from ..translate.demo import run_demo as translate_demo  # French, when a model is available

    analytics_demo(ws, out, echo=click.echo)  # first: the badges need its learner events
    translate_demo(ws, Path(out), echo=click.echo)  # before export: sites get a language switcher
    export_demo(ws, Path(out), echo=click.echo)
    click.echo("")
    click.echo("outputs:")
    click.echo(f"  lesson pages   : {pages_dir}/  (open {pages_dir / 'index.html'} in a browser)")
    base = Path(out) / ws.root.name
    for label, path in (
        ("lessons", base / "lessons"),
        ("credential sites", base / "site"),
        ("SCORM 1.2", base / "scorm"),
        ("cmi5", base / "cmi5"),
        ("Open Badges 3.0", base / "badges"),
        ("learner data", Path(out) / "analytics"),
        ("uptake report", Path(out) / "credential-uptake-report.html"),
    ):
        if path.exists():
            click.echo(f"  {label:<15}: {path}{'/' if path.is_dir() else ''}")


__all__ = ["demo", "lint", "new", "render"]
