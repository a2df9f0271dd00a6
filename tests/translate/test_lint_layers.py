"""Issue 11: content lint knows nothing of translations; ``lint_with_translations`` combines both and
gives what the workspace lint gave before the split (load problems, content rules, translation checks,
errors first)."""

from __future__ import annotations

from mblib.content import Module, Workspace, lint_workspace
from mblib.content.lint import lint_credential, lint_module, sort_problems
from mblib.translate import lint_with_translations
from mblib.translate.apply import translate_module
from mblib.translate.lint import lint_translations

from .engines_for_tests import ShoutEngine


def _before_the_split(ws: Workspace, only: set[str] | None = None) -> list:
    """The old content lint_workspace, translations included (the reference)."""
    out = list(ws.problems)
    for m in ws.modules.values():
        out.extend(lint_module(m, ws, only=only))
    for c in ws.credentials.values():
        out.extend(lint_credential(c, ws, only=only))
    out.extend(p for p in lint_translations(ws) if only is None or p.code in only)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda p: (order[p.severity], p.location.file or "", p.location.line or 0))


def _workspace_with_every_translation_finding(tws: Workspace) -> Workspace:
    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    tws.save_module(Module(id="other", title="Other", blocks=[{"id": "pic", "type": "image", "src": "media/x.png"}]))
    m = tws.module("bar-basics")
    m.blocks[3].body = "Sorted bars are much faster to read."  # stale
    tws.save_module(m)
    fr = tws.root / "translations" / "fr"
    (fr / "ghost.yaml").write_text('module: "ghost"\nlanguage: "fr"\nsegments: {}\n')  # orphan
    (fr / "other.yaml").write_text('module: "other"\nlanguage: "fr"\nsegments: {}\n')  # missing
    (tws.root / "modules" / "broken.yaml").write_text("id: broken\n")  # a load problem
    return Workspace.open(tws.root, strict=False)


def test_combined_lint_equals_the_workspace_lint_before_the_split(tws):
    ws = _workspace_with_every_translation_finding(tws)
    combined = lint_with_translations(ws)
    assert combined == _before_the_split(ws)
    codes = {p.code for p in combined}
    assert {
        "translation.stale",
        "translation.orphan",
        "translation.missing",
        "schema.missing",
        "a11y.alt-missing",
        "media.missing",
    } <= codes
    only = {"translation.stale", "media.missing"}
    assert lint_with_translations(ws, only=only) == _before_the_split(ws, only)
    assert {p.code for p in lint_with_translations(ws, only=only)} == only | {"schema.missing"}  # load problems stay


def test_content_lint_has_no_translation_findings(tws):
    ws = _workspace_with_every_translation_finding(tws)
    content = lint_workspace(ws)
    assert content and not any(p.code.startswith("translation.") for p in content)
    assert ws.lint() == content == sort_problems(content)


def test_content_lint_does_not_import_translate():
    import subprocess
    import sys

    code = (
        "import sys, mblib.content.lint, mblib.content.workspace, mblib.content.editing;"
        "print(sorted(m for m in sys.modules if m.startswith(('mblib.translate', 'mblib.render'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
