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

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from ..errors import Location, Problem, Severity
from .blocks import ImageBlock, QuizBlock, VideoBlock
from .credential import Credential
from .module import Module
from .settings import Settings

_ORDER = {"error": 0, "warning": 1, "info": 2}


class LintTarget(Protocol):
    """What lint reads of a workspace (:class:`~mblib.content.workspace.Workspace` has it): lint does
    not import the workspace module, so the workspace can offer ``ws.lint()``."""

    root: Path
    settings: Settings
    modules: Mapping[str, Module]
    credentials: Mapping[str, Credential]
    problems: list[Problem]

    def locate(self, kind: Literal["module", "credential"], item_id: str, path: tuple[Any, ...] = ()) -> Location: ...

    def media_path(self, src: str) -> Path: ...


@dataclass
class _Context:
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
    code: str
    severity: Severity
    applies_to: str  # "module" or "credential"
    description: str
    check: Callable[..., Iterator[tuple[str, tuple[Any, ...], str | None, str | None, str]]]


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, applies_to: str, description: str):
    """Register a lint rule. The function yields (message, yaml path, block id, field, hint)."""

    def deco(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        RULES[code] = Rule(code, severity, applies_to, description, fn)
        return fn

    return deco


# ---------------------------------------------------------------- module rules
@rule("a11y.alt-missing", "error", "module", "images need alt text unless marked decorative")
def _alt_missing(m: Module, ctx: _Context):
    for i, b in enumerate(m.blocks):
        if isinstance(b, ImageBlock) and not b.decorative and not b.alt.strip():
            yield (
                "image has no alt text",
                ("blocks", i),
                b.id,
                "alt",
                "add 'alt:' describing what the image shows, or set 'decorative: true' if it adds nothing",
            )


@rule("a11y.alt-quality", "warning", "module", "alt text should be a short description, not a file name")
def _alt_quality(m: Module, ctx: _Context):
    limit = ctx.settings.authoring.max_alt_length
    for i, b in enumerate(m.blocks):
        if not isinstance(b, ImageBlock) or b.decorative or not b.alt.strip():
            continue
        alt = b.alt.strip()
        if alt.lower() in {Path(b.src).name.lower(), Path(b.src).stem.lower()} or alt.lower() in {
            "image",
            "picture",
            "photo",
            "graphic",
        }:
            yield (
                f"alt text '{alt}' does not describe the image",
                ("blocks", i, "alt"),
                b.id,
                "alt",
                "say what the image shows and why it matters here",
            )
        elif len(alt) > limit:
            yield (
                f"alt text is {len(alt)} characters (more than {limit})",
                ("blocks", i, "alt"),
                b.id,
                "alt",
                "keep alt short and put the long description in 'caption'",
            )


@rule("a11y.captions-missing", "error", "module", "videos need a captions track")
def _captions(m: Module, ctx: _Context):
    for i, b in enumerate(m.blocks):
        if isinstance(b, VideoBlock) and not any(t.kind == "captions" for t in b.captions):
            yield (
                "video has no captions track",
                ("blocks", i),
                b.id,
                "captions",
                "add 'captions: [{src: media/NAME.vtt, language: en, label: English}]' (WebVTT)",
            )


@rule("length.duration", "warning", "module", "a module should fit the microlearning duration budget")
def _duration(m: Module, ctx: _Context):
    budget = m.duration_budget_min or ctx.settings.authoring.duration_budget_min
    est = m.estimate_duration(ctx.settings.duration)
    if est.minutes > budget:
        yield (
            f"estimated {est.minutes:.1f} min is over the {budget:g} min budget ({est})",
            (),
            None,
            None,
            "split the module in two, or cut text and media; set 'duration_budget_min' to change the budget",
        )


@rule("length.objectives", "warning", "module", "microlearning modules have few objectives")
def _objectives(m: Module, ctx: _Context):
    limit = ctx.settings.authoring.max_objectives
    if len(m.objectives) > limit:
        yield (
            f"{len(m.objectives)} objectives (more than {limit})",
            ("objectives",),
            None,
            "objectives",
            "keep one to three objectives per module; move the others to a new module",
        )


@rule("quiz.no-correct", "error", "module", "a quiz needs at least one correct choice")
def _no_correct(m: Module, ctx: _Context):
    for i, b in enumerate(m.blocks):
        if isinstance(b, QuizBlock) and b.choices and not b.correct_ids:
            yield (
                "quiz has no correct choice",
                ("blocks", i, "choices"),
                b.id,
                "choices",
                "mark the right answer with 'correct: true'",
            )


@rule("quiz.single-many-correct", "error", "module", "a single-answer quiz has exactly one correct choice")
def _single(m: Module, ctx: _Context):
    for i, b in enumerate(m.blocks):
        if isinstance(b, QuizBlock) and not b.multiple and len(b.correct_ids) > 1:
            yield (
                f"single-answer quiz has {len(b.correct_ids)} correct choices ({', '.join(b.correct_ids)})",
                ("blocks", i, "choices"),
                b.id,
                "choices",
                "set 'multiple: true' to let learners pick several, or keep one correct choice",
            )


@rule("quiz.too-few-choices", "error", "module", "a quiz needs at least two choices")
def _few(m: Module, ctx: _Context):
    for i, b in enumerate(m.blocks):
        if isinstance(b, QuizBlock) and len(b.choices) < 2:
            yield (f"quiz has {len(b.choices)} choice(s)", ("blocks", i), b.id, "choices", "add at least two choices")


@rule("quiz.duplicate-choices", "error", "module", "choices of a quiz must differ")
def _dupe_choices(m: Module, ctx: _Context):
    for i, b in enumerate(m.blocks):
        if not isinstance(b, QuizBlock):
            continue
        seen: dict[str, str] = {}
        for j, c in enumerate(b.choices):
            key = " ".join(c.text.lower().split())
            if key in seen:
                yield (
                    f"choices '{seen[key]}' and '{c.id}' have the same text",
                    ("blocks", i, "choices", j, "text"),
                    b.id,
                    f"choices[{j}].text",
                    "reword or remove one of them",
                )
            else:
                seen[key] = c.id


@rule("media.missing", "error", "module", "media files a block uses must exist in the workspace")
def _media(m: Module, ctx: _Context):
    if not ctx.check_media or ctx.workspace is None:
        return
    for i, b in enumerate(m.blocks):
        for src in b.media_paths():
            if src.startswith(("http://", "https://", "data:")):
                yield (
                    f"'{src}' is a remote file; exported pages work offline and cannot load it",
                    ("blocks", i),
                    b.id,
                    "src",
                    "download it into media/ and point to the local copy",
                )
                continue
            p = ctx.workspace.media_path(src)
            if not p.is_file():
                yield (
                    f"media file '{src}' does not exist",
                    ("blocks", i),
                    b.id,
                    "src",
                    f"put the file at {ctx.workspace.root.name}/{src} or fix the path",
                )


# ------------------------------------------------------------ credential rules
@rule("credential.unknown-module", "error", "credential", "a credential may only name modules of the workspace")
def _unknown(c: Credential, ctx: _Context):
    if ctx.workspace is None:
        return
    known = ctx.workspace.modules
    import difflib

    def check(mid: str, path: tuple[Any, ...], field: str):
        if mid not in known:
            close = difflib.get_close_matches(mid, list(known), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"create modules/{mid}.yaml or remove it here"
            return (f"unknown module '{mid}'", path, None, field, hint)
        return None

    for j, mid in enumerate(c.required):
        if f := check(mid, ("required", j), f"required[{j}]"):
            yield f
    for g, group in enumerate(c.electives):
        for j, mid in enumerate(group.modules):
            if f := check(mid, ("electives", g, "modules", j), f"electives[{g}].modules[{j}]"):
                yield f
    members = set(c.module_ids())
    for mid, pres in c.prerequisites.items():
        if mid not in members:
            yield (
                f"prerequisites name '{mid}', which is not part of this credential",
                ("prerequisites", mid),
                None,
                f"prerequisites.{mid}",
                "add it to 'required' or an elective group, or remove the entry",
            )
        for j, p in enumerate(pres):
            if p not in members:
                yield (
                    f"'{mid}' needs '{p}', which is not part of this credential",
                    ("prerequisites", mid, j),
                    None,
                    f"prerequisites.{mid}[{j}]",
                    "add it to 'required' or an elective group, or drop the prerequisite",
                )


@rule("credential.cycle", "error", "credential", "prerequisites must not form a cycle")
def _cycle(c: Credential, ctx: _Context):
    cycle = c.prerequisite_cycle()
    if cycle:
        yield (
            f"prerequisite cycle: {' -> '.join(cycle)}",
            ("prerequisites", cycle[0]),
            None,
            "prerequisites",
            "remove one of these prerequisites so the modules can be taken in some order",
        )


@rule("credential.electives", "error", "credential", "every elective group must be satisfiable")
def _electives(c: Credential, ctx: _Context):
    required = set(c.required)
    for g, group in enumerate(c.electives):
        options = [m for m in dict.fromkeys(group.modules) if m not in required]
        if ctx.workspace is not None:
            options = [m for m in options if m in ctx.workspace.modules]
        if group.choose > len(options):
            yield (
                f"elective group '{group.id}' asks to choose {group.choose} of {len(options)} available module(s)",
                ("electives", g, "choose"),
                None,
                f"electives[{g}].choose",
                f"lower 'choose' to at most {len(options)} or add modules to the group",
            )


@rule("credential.unknown-credential", "error", "credential", "stacked credentials must exist")
def _stack(c: Credential, ctx: _Context):
    if ctx.workspace is None:
        return
    for j, cid in enumerate(c.requires_credentials):
        if cid not in ctx.workspace.credentials:
            yield (
                f"unknown credential '{cid}'",
                ("requires_credentials", j),
                None,
                f"requires_credentials[{j}]",
                f"create credentials/{cid}.yaml or remove it",
            )
        elif cid == c.id:
            yield (
                "a credential cannot require itself",
                ("requires_credentials", j),
                None,
                f"requires_credentials[{j}]",
                "remove it",
            )


@rule("credential.empty", "error", "credential", "a credential needs at least one module")
def _empty(c: Credential, ctx: _Context):
    if not c.required and not c.electives:
        yield ("credential has no modules", (), None, "required", "list module ids under 'required:'")


# --------------------------------------------------------------------- running
def _run(kind: str, item: Any, ctx: _Context, only: set[str] | None) -> list[Problem]:
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
    ctx = _Context(settings or (workspace.settings if workspace else Settings()), workspace, check_media)
    return _run("module", module, ctx, only)


def lint_credential(
    credential: Credential, workspace: LintTarget | None = None, *, only: set[str] | None = None
) -> list[Problem]:
    """Lint one credential (unknown-module checks need the workspace)."""
    ctx = _Context(workspace.settings if workspace else Settings(), workspace, True)
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
