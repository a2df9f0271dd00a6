"""Credit for prior learning: which modules a learner need not take again, and why.

A module is credited when the learner

* passed it (under any credential): ``credited: passed``;
* passed a module the workspace declares equivalent (``[pathways] equivalent`` in ``mblib.toml``):
  ``credited: equivalent to X (passed)``;
* holds a credential that requires it: ``credited: part of held credential C``;
* has evidence of every skill id the module teaches (skills listed in the learner state, or taught by
  the required modules of a held credential): ``credited: skills a, b evidenced``.

>>> import pathlib
>>> from mblib.content import Workspace
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> state = LearnerState(credentials_held=frozenset({"data-literacy-foundations"}))
>>> credit = credited_modules(ws, state)
>>> credit["reading-bar-charts"]
'credited: part of held credential data-literacy-foundations'
>>> credit["correlation-is-not-causation"]
'credited: skills data-literacy.critical-evaluation, data-literacy.statistics evidenced by data-literacy-foundations'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..errors import Location, MblibError

if TYPE_CHECKING:  # pragma: no cover
    from .credential import Credential
    from .module import Module
    from .settings import Settings


class PlanError(MblibError):
    """A learning plan cannot be made: a credential that cannot be completed, a prerequisite cycle,
    an unknown goal or an equivalence that names an unknown module."""


@dataclass(frozen=True)
class LearnerState:
    """What a learner brings: modules passed, credentials held, skill ids evidenced elsewhere.

    >>> LearnerState.of(modules_passed=["a"]).modules_passed
    frozenset({'a'})
    """

    modules_passed: frozenset[str] = field(default_factory=frozenset)
    credentials_held: frozenset[str] = field(default_factory=frozenset)
    skills_evidenced: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        modules_passed: Iterable[str] = (),
        credentials_held: Iterable[str] = (),
        skills_evidenced: Iterable[str] = (),
    ) -> LearnerState:
        """A state from any iterables of ids."""
        return cls(frozenset(modules_passed), frozenset(credentials_held), frozenset(skills_evidenced))


class PlanSource(Protocol):
    """What the planner reads of a workspace: modules, credentials, settings (a Workspace has them)."""

    settings: Settings

    @property
    def modules(self) -> Mapping[str, Module]: ...

    @property
    def credentials(self) -> Mapping[str, Credential]: ...


def check_equivalences(workspace: PlanSource) -> list[list[str]]:
    """The ``[pathways] equivalent`` groups, each naming only modules of the workspace.

    Raises :class:`PlanError` naming the setting, the group and the unknown module otherwise.
    """
    groups = workspace.settings.pathways.equivalent
    for i, group in enumerate(groups):
        for mid in group:
            if mid not in workspace.modules:
                raise PlanError(
                    f"[pathways] equivalent[{i}] names module '{mid}', which is not in the workspace",
                    location=Location(file="mblib.toml", field=f"pathways.equivalent[{i}]"),
                    hint="fix the module id or remove it from the group",
                )
    return [list(g) for g in groups]


def credential_skills(credential: Credential, modules: Mapping[str, Module]) -> set[str]:
    """Skill ids a holder of ``credential`` has shown: those of its required modules, those every
    option of an elective group teaches, and those its skill alignments cover."""
    out: set[str] = set()
    for mid in credential.required:
        if mid in modules:
            out.update(modules[mid].skills)
    for g in credential.electives:
        sets = [set(modules[m].skills) for m in g.modules if m in modules]
        if sets:
            out.update(set.intersection(*sets))
    for s in credential.skills:
        out.update(s.covers)
    return out


def credited_modules(workspace: PlanSource, state: LearnerState) -> dict[str, str]:
    """Module id -> reason (``credited: ...``) for every workspace module the learner need not take."""
    modules = workspace.modules
    out: dict[str, str] = {}
    for mid in sorted(state.modules_passed):
        out[mid] = "credited: passed"
    for group in check_equivalences(workspace):
        passed = [m for m in group if m in state.modules_passed]
        for mid in group:
            if passed and mid not in out:
                out[mid] = f"credited: equivalent to {passed[0]} (passed)"
    evidence: dict[str, str] = dict.fromkeys(sorted(state.skills_evidenced), "")
    for cid in sorted(state.credentials_held):
        c = workspace.credentials.get(cid)
        if c is None:
            continue
        for mid in c.required:
            out.setdefault(mid, f"credited: part of held credential {cid}")
        for skill in sorted(credential_skills(c, modules)):
            evidence.setdefault(skill, cid)
    for mid in sorted(modules):
        skills = sorted(set(modules[mid].skills))
        if mid in out or not skills or not all(s in evidence for s in skills):
            continue
        sources = sorted({evidence[s] for s in skills if evidence[s]})
        by = f" by {', '.join(sources)}" if sources else ""
        out[mid] = f"credited: skills {', '.join(skills)} evidenced{by}"
    return out


__all__ = ["LearnerState", "PlanError", "PlanSource", "check_equivalences", "credential_skills", "credited_modules"]
