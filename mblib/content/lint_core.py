"""Lint, the machinery: what lint reads of a workspace (:class:`LintTarget`), the context a rule
sees (:class:`LintContext`), and the rule registry (:data:`RULES`, :func:`rule`). The rules are in
:mod:`mblib.content.lint_module_rules` and :mod:`mblib.content.lint_credential_rules`; running them
is :mod:`mblib.content.lint`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from ..errors import Location, Problem, Severity
from .credential import Credential
from .module import Module
from .settings import Settings


class LintTarget(Protocol):
    """What lint reads of a workspace (:class:`~mblib.content.workspace.Workspace` has it): lint does
    not import the workspace module, so the workspace can offer ``ws.lint()``."""

    root: Path
    settings: Settings
    problems: list[Problem]

    @property
    def modules(self) -> Mapping[str, Module]: ...  # read-only: a workspace's dict satisfies it

    @property
    def credentials(self) -> Mapping[str, Credential]: ...

    def locate(self, kind: Literal["module", "credential"], item_id: str, path: tuple[Any, ...] = ()) -> Location: ...

    def media_path(self, src: str) -> Path: ...


@dataclass
class LintContext:
    """What a rule sees besides the item: the settings, the workspace (if any), whether to check media."""

    settings: Settings
    workspace: LintTarget | None
    check_media: bool

    def where(
        self, kind: str, item_id: str, path: tuple[Any, ...], block_id: str | None = None, field: str | None = None
    ) -> Location:
        if self.workspace is not None:
            loc = self.workspace.locate(kind, item_id, path)  # type: ignore[arg-type]
        else:
            loc = Location(**{f"{kind}_id": item_id})  # type: ignore[arg-type]
        return Location(
            file=loc.file,
            line=loc.line,
            column=loc.column,
            block_id=block_id,
            field=field,
            module_id=item_id if kind == "module" else None,
            credential_id=item_id if kind == "credential" else None,
        )


@dataclass(frozen=True)
class Rule:
    """A registered lint rule: its code, severity, what it applies to, description and check."""

    code: str
    severity: Severity
    applies_to: str  # "module" or "credential"
    description: str
    check: Callable[..., Iterator[tuple[str, tuple[Any, ...], str | None, str | None, str]]]


RULES: dict[str, Rule] = {}


def rule(
    code: str, severity: Severity, applies_to: str, description: str
) -> Callable[[Callable[..., Iterator[Any]]], Callable[..., Iterator[Any]]]:
    """Register a lint rule. The function yields (message, yaml path, block id, field, hint)."""

    def deco(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        RULES[code] = Rule(code, severity, applies_to, description, fn)
        return fn

    return deco


__all__ = ["RULES", "LintContext", "LintTarget", "Rule", "rule"]
