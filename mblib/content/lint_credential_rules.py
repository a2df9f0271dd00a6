"""Lint rules of a credential: known modules, prerequisites without cycles, satisfiable electives
and known stacked credentials. Importing this module registers them in
:data:`mblib.content.lint_core.RULES`.
"""

from __future__ import annotations

from typing import Any

from .credential import Credential
from .lint_core import LintContext, rule


@rule("credential.unknown-module", "error", "credential", "a credential may only name modules of the workspace")
def _unknown(c: Credential, ctx: LintContext):
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
def _cycle(c: Credential, ctx: LintContext):
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
def _electives(c: Credential, ctx: LintContext):
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
def _stack(c: Credential, ctx: LintContext):
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
def _empty(c: Credential, ctx: LintContext):
    if not c.required and not c.electives:
        yield ("credential has no modules", (), None, "required", "list module ids under 'required:'")


@rule(
    "credential.workload",
    "warning",
    "credential",
    "declared workload should be near the one computed from the modules ([authoring] workload_factor)",
)
def _workload(c: Credential, ctx: LintContext):
    message = workload_mismatch(c, ctx)
    if message:
        yield (message, ("european", "workload", "hours"), None, "european.workload.hours", _WORKLOAD_FIX)


_WORKLOAD_FIX = (
    "set the declared hours near the computed ones (add the practice and assessment time they include to "
    "the modules), or raise [authoring] workload_factor in mblib.toml"
)


def workload_mismatch(c: Credential, ctx: LintContext) -> str | None:
    """Why the declared workload is more than ``[authoring] workload_factor`` off the computed one, or ``None``."""
    from .pathway import credential_workload

    declared = c.european.workload.hours if c.european.workload else None
    if declared is None or ctx.workspace is None:
        return None
    wl = credential_workload(c, ctx.workspace)
    lo, hi = wl.min_hours, wl.max_hours
    factor = ctx.settings.authoring.workload_factor
    if hi <= 0 or lo / factor <= declared <= hi * factor:
        return None
    computed = f"{lo:.1f} h" if abs(hi - lo) < 0.05 else f"{lo:.1f}-{hi:.1f} h"
    if declared > hi * factor:
        off = f"{declared / hi:.1f} times the {computed}"
    else:
        off = f"{lo / max(declared, 1e-9):.1f} times less than the {computed}"
    return (
        f"declared workload {declared:g} h is {off} computed from the modules "
        f"(more than the factor {factor:g} of [authoring] workload_factor)"
    )
