"""Lint rules of skills: a skill id used in one place only cannot credit or be credited elsewhere
(:mod:`mblib.content.credit`). Importing this module registers them in
:data:`mblib.content.lint_core.RULES`.
"""

from __future__ import annotations

from .lint_core import LintContext, rule
from .module import Module


@rule(
    "skill.single-use",
    "warning",
    "module",
    "a module's skill id should be shared: by another module or a credential's skill alignment (covers)",
)
def _single_use(m: Module, ctx: LintContext):
    if ctx.workspace is None:
        return
    covered = {s for c in ctx.workspace.credentials.values() for a in c.skills for s in a.covers}
    for j, skill in enumerate(m.skills):
        if skill in covered:
            continue
        if any(skill in other.skills for mid, other in ctx.workspace.modules.items() if mid != m.id):
            continue
        yield (
            f"skill '{skill}' is used by this module only: no other module or credential skill shares it, "
            "so it gives no credit for prior learning",
            ("skills", j),
            None,
            f"skills[{j}]",
            "use a skill id other modules share, or list it under 'covers:' of a credential's skill "
            "alignment (an ESCO skill with its URI, for example)",
        )
