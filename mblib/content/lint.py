"""Lint: accessibility, microlearning length, quiz sanity, media and credential structure.

Every finding is a :class:`~mblib.errors.Problem` with a severity, a rule code,
a location (file, line, block, field) and a hint. Rules are plain functions
registered with :func:`rule`; ``RULES`` lists them with their descriptions.

>>> from mblib.content import Module
>>> m = Module(id="m", title="M", blocks=[{"id": "pic", "type": "image", "src": "media/a.svg"}])
>>> [p.code for p in lint_module(m, check_media=False)]
['a11y.alt-missing']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import Problem
from . import lint_module_rules  # noqa: F401 - registers the module rules, first (the order of RULES)
from .credential import Credential
from .lint_core import RULES, LintContext, LintTarget, Rule, rule
from .module import Module
from .settings import Settings

# isort: split
from . import lint_credential_rules, lint_skill_rules  # noqa: F401 - then the credential and skill rules

_ORDER = {"error": 0, "warning": 1, "info": 2}


# --------------------------------------------------------------------- running
def _run(kind: str, item: Any, ctx: LintContext, only: set[str] | None) -> list[Problem]:
    out: list[Problem] = []
    for r in RULES.values():
        if r.applies_to != kind or (only is not None and r.code not in only):
            continue
        for message, path, block_id, field, hint in r.check(item, ctx):
            out.append(Problem(message, ctx.where(kind, item.id, path, block_id, field), hint, r.severity, r.code))
    return out


def lint_module(
    module: Module,
    workspace: LintTarget | None = None,
    *,
    settings: Settings | None = None,
    check_media: bool = True,
    only: set[str] | None = None,
) -> list[Problem]:
    """Lint one module (media checks need the workspace)."""
    ctx = LintContext(settings or (workspace.settings if workspace else Settings()), workspace, check_media)
    return _run("module", module, ctx, only)


def lint_credential(
    credential: Credential, workspace: LintTarget | None = None, *, only: set[str] | None = None
) -> list[Problem]:
    """Lint one credential (unknown-module checks need the workspace)."""
    ctx = LintContext(workspace.settings if workspace else Settings(), workspace, True)
    return _run("credential", credential, ctx, only)


def lint_workspace(workspace: LintTarget, *, only: set[str] | None = None) -> list[Problem]:
    """Load problems plus lint findings of every module and credential, errors first.

    Content only: :func:`mblib.translate.lint_with_translations` adds the checks of ``translations/``."""
    out = list(workspace.problems)
    for m in workspace.modules.values():
        out.extend(lint_module(m, workspace, only=only))
    for c in workspace.credentials.values():
        out.extend(lint_credential(c, workspace, only=only))
    return sort_problems(out)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors first, then warnings, then infos; by file and line within each (a stable sort)."""
    return sorted(problems, key=lambda p: (_ORDER[p.severity], p.location.file or "", p.location.line or 0))


__all__ = ["RULES", "LintTarget", "Rule", "lint_credential", "lint_module", "lint_workspace", "rule", "sort_problems"]
