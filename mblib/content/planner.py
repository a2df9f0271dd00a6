"""The next step for a learner: the modules still needed for one or more goal credentials, in a
recommended order, with the reason for each (README, "Personalised pathways").

The rules, applied to every goal and every credential it stacks on (``requires_credentials``, unless
held), foundations first:

1. Modules credited by :func:`~mblib.content.credit.credited_modules` are not taken again.
2. Every required module is planned (``required``), with the prerequisites it still needs
   (``do first for X``); a module shared by several credentials is planned once.
3. Then, group by group, each elective group takes the options already planned or credited, and for
   the rest the option that adds the fewest minutes (its own and those of its missing prerequisites);
   ties go to the option teaching more of the skills the learner wants (``prefer_skills``), then to
   the listed order (``cheapest elective of G``).
4. The order is topological over the prerequisites of all planned credentials; among modules that are
   ready, the one listed first (credentials stacked on come first, then each credential's pathway).

>>> import pathlib
>>> from mblib.content import Workspace
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> plan = plan_next(ws, LearnerState.of(modules_passed=["reading-bar-charts"]), "data-literacy-foundations")
>>> plan.next.module_id, plan.next.reason
('line-charts-over-time', 'required')
>>> [s.module_id for s in plan.steps if s.reason.startswith("cheapest")]
['correlation-is-not-causation']
>>> round(plan.remaining_minutes)
31
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

from .credential import Credential
from .credit import LearnerState, PlanError, PlanSource, credited_modules

_PRIORITY = {"required": 0, "cheapest elective": 1, "do first": 2}


@dataclass(frozen=True)
class PlanStep:
    """One module: still to take (in a plan's ``steps``) or credited (in its ``credited``)."""

    module_id: str
    title: str
    minutes: float
    reason: str
    credentials: tuple[str, ...]  # the planned credentials it counts for

    def as_dict(self) -> dict[str, Any]:
        return {
            "module_id": self.module_id,
            "title": self.title,
            "minutes": round(self.minutes, 1),
            "reason": self.reason,
            "credentials": list(self.credentials),
        }


@dataclass(frozen=True)
class ElectiveChoice:
    """What the plan does with one elective group: options credited or shared, options chosen."""

    credential_id: str
    group_id: str
    counted: tuple[str, ...]  # already credited or planned for another reason
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """Modules still needed for ``goals`` in a recommended order, and what was credited."""

    goals: tuple[str, ...]
    credentials: tuple[str, ...]  # goals and the credentials they stack on, foundations first
    steps: tuple[PlanStep, ...]
    credited: tuple[PlanStep, ...] = ()
    electives: tuple[ElectiveChoice, ...] = ()
    held: tuple[str, ...] = ()  # goals, and credentials they stack on, that the learner already holds

    @property
    def next(self) -> PlanStep | None:
        """The module to take now (``None`` when nothing is left)."""
        return self.steps[0] if self.steps else None

    @property
    def remaining_minutes(self) -> float:
        return sum(s.minutes for s in self.steps)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON, a table or the browser twin's parity test)."""
        return {
            "goals": list(self.goals),
            "credentials": list(self.credentials),
            "steps": [s.as_dict() for s in self.steps],
            "credited": [s.as_dict() for s in self.credited],
            "remaining_minutes": round(self.remaining_minutes, 1),
            "held": list(self.held),
        }

    def __str__(self) -> str:
        stacked = [c for c in self.credentials if c not in self.goals]
        head = f"Plan for {', '.join(self.goals)}"
        if stacked:
            head += f" (stacks on {', '.join(stacked)})"
        n = len(self.steps)
        lines = [f"{head}: {n} module{'s' if n != 1 else ''}, {self.remaining_minutes:.0f} min remaining"]
        if self.held:
            lines.append(f"  already held: {', '.join(self.held)}")
        for i, s in enumerate(self.steps, 1):
            lines.append(f"  {i}. {s.module_id} ({s.minutes:.1f} min): {s.reason} [{', '.join(s.credentials)}]")
        if self.credited:
            lines.append("Credited:")
            lines.extend(f"  - {s.module_id}: {s.reason}" for s in self.credited)
        return "\n".join(lines)


def _stacked(workspace: PlanSource, goals: Sequence[str], held: frozenset[str]) -> list[str]:
    """Goals and the credentials they stack on (not held), foundations first; a cycle is an error."""
    out: list[str] = []

    def visit(cid: str, path: tuple[str, ...]) -> None:
        if cid in path:
            chain = " -> ".join((*path[path.index(cid) :], cid))
            raise PlanError(
                f"credentials stack on each other in a cycle: {chain}",
                hint="remove one of these requires_credentials entries",
            )
        if cid in out or (cid in held and path):
            return
        if cid not in workspace.credentials:
            known = ", ".join(sorted(workspace.credentials)) or "none"
            where = f" (required by '{path[-1]}')" if path else ""
            raise PlanError(f"unknown credential '{cid}'{where}", hint=f"the workspace's credentials are: {known}")
        for r in workspace.credentials[cid].requires_credentials:
            visit(r, (*path, cid))
        out.append(cid)

    for g in goals:
        visit(g, ())
    return out


def _check_credential(c: Credential, workspace: PlanSource, credited: dict[str, str]) -> None:
    cycle = c.prerequisite_cycle()
    if cycle:
        raise PlanError(
            f"credential '{c.id}' cannot be completed: prerequisite cycle {' -> '.join(cycle)}",
            hint="remove one of these prerequisites (mb lint reports it too)",
        )
    for mid in c.required:
        if mid not in workspace.modules and mid not in credited:
            raise PlanError(
                f"credential '{c.id}' cannot be completed: required module '{mid}' is not in the workspace",
                hint=f"create modules/{mid}.yaml or remove it from the credential",
            )


def plan_next(
    workspace: PlanSource,
    learner_state: LearnerState | None,
    goals: str | Iterable[str],
    *,
    prefer_skills: Iterable[str] = (),
) -> Plan:
    """The modules ``learner_state`` still needs for ``goals``, in a recommended order (rules above).

    Raises :class:`~mblib.content.credit.PlanError` when a goal is unknown or cannot be completed.
    """
    try:
        return _plan(workspace, learner_state, goals, prefer_skills)
    except RecursionError:  # a prerequisite chain or a stack of credentials deeper than Python recurses
        raise PlanError(
            "the prerequisites or stacked credentials form chains too long to plan (hundreds of steps)",
            hint="split the credential: a chain of prerequisites that long is not microlearning",
        ) from None


def _plan(
    workspace: PlanSource, learner_state: LearnerState | None, goals: str | Iterable[str], prefer_skills: Iterable[str]
) -> Plan:
    state = learner_state or LearnerState()
    goal_ids = (goals,) if isinstance(goals, str) else tuple(dict.fromkeys(goals))
    if not goal_ids:
        raise PlanError("no goal credential given", hint="name at least one credential id")
    held_goals = tuple(g for g in goal_ids if g in state.credentials_held and g in workspace.credentials)
    creds = _stacked(workspace, [g for g in goal_ids if g not in held_goals], state.credentials_held)
    credited = credited_modules(workspace, state)
    for cid in creds:
        _check_credential(workspace.credentials[cid], workspace, credited)
    wanted = set(prefer_skills)
    duration = workspace.settings.duration
    minutes = {mid: m.estimate_duration(duration).minutes for mid, m in workspace.modules.items()}
    needed: dict[str, list[Any]] = {}  # module -> [reason, credentials]
    used_credit: dict[str, list[str]] = {}
    member_sets = {cid: set(workspace.credentials[cid].module_ids()) for cid in creds}

    def closure(mid: str, c: Credential) -> set[str]:
        """``mid`` and the prerequisites (within ``c``) it still needs, not planned yet."""
        out: set[str] = set()
        todo = [mid]
        members = member_sets[c.id]
        while todo:
            m = todo.pop()
            if m in out or m in needed or m in credited:
                continue
            out.add(m)
            todo.extend(p for p in c.prerequisites.get(m, []) if p in members and p != m)
        return out

    def need(mid: str, reason: str, c: Credential) -> None:
        if mid in credited:
            used_credit.setdefault(mid, [])
            if c.id not in used_credit[mid]:
                used_credit[mid].append(c.id)
            return
        entry = needed.get(mid)
        if entry is None:
            needed[mid] = [reason, [c.id]]
            members = member_sets[c.id]
            for p in c.prerequisites.get(mid, []):
                if p in members and p != mid:
                    need(p, f"do first for {mid}", c)
            return
        if c.id not in entry[1]:
            entry[1].append(c.id)
        if _PRIORITY[_kind(reason)] < _PRIORITY[_kind(entry[0])]:
            entry[0] = reason

    for cid in creds:
        c = workspace.credentials[cid]
        for mid in c.required:
            need(mid, "required", c)
    choices: list[ElectiveChoice] = []
    for cid in creds:
        c = workspace.credentials[cid]
        for group in c.electives:
            options = [m for m in dict.fromkeys(group.modules) if m not in c.required]
            counted = [m for m in options if m in credited or m in needed]
            for m in counted:
                need(m, f"cheapest elective of {group.title or group.id}", c)
            left = group.choose - len(counted)
            pool = [m for m in options if m not in counted and m in workspace.modules]
            if left > len(pool):
                raise PlanError(
                    f"credential '{cid}' cannot be completed: elective group '{group.id}' asks for "
                    f"{group.choose} module(s) but only {len(counted) + len(pool)} can be taken",
                    hint="lower 'choose' or add modules of the workspace to the group",
                )
            chosen: list[str] = []
            rank = {m: i for i, m in enumerate(options)}
            costs: dict[str, tuple[tuple[float, int, int], set[str]]] = {}

            def cost(m: str, c: Credential = c, rank: dict[str, int] = rank) -> tuple[tuple[float, int, int], set[str]]:
                todo = closure(m, c)
                extra = sum(minutes.get(x, 0.0) for x in todo)
                return (round(extra, 6), -len(wanted & set(workspace.modules[m].skills)), rank[m]), todo

            for m in pool:
                costs[m] = cost(m)
            for _ in range(max(left, 0)):
                best = min(costs, key=lambda m: costs[m][0])
                added = costs.pop(best)[1]
                chosen.append(best)
                need(best, f"cheapest elective of {group.title or group.id}", c)
                for m, (_, todo) in list(costs.items()):  # only options sharing what was just planned change
                    if todo & added:
                        costs[m] = cost(m)
            choices.append(ElectiveChoice(cid, group.id, tuple(counted), tuple(chosen)))
    order = _order(workspace, creds, list(needed))
    steps = tuple(PlanStep(m, workspace.modules[m].title, minutes[m], needed[m][0], tuple(needed[m][1])) for m in order)
    credited_steps = tuple(
        PlanStep(
            m,
            workspace.modules[m].title if m in workspace.modules else m,
            minutes.get(m, 0.0),
            credited[m],
            tuple(cs),
        )
        for m, cs in used_credit.items()
    )
    stacked_held = [
        r for cid in creds for r in workspace.credentials[cid].requires_credentials if r in state.credentials_held
    ]
    held = tuple(dict.fromkeys([*held_goals, *stacked_held]))
    return Plan(goal_ids, tuple(creds), steps, credited_steps, tuple(choices), held)


def plan_many(
    workspace: PlanSource,
    states: Iterable[LearnerState],
    goals: str | Iterable[str],
    *,
    prefer_skills: Iterable[str] = (),
) -> list[Plan]:
    """:func:`plan_next` for many learners at once: learners in the same state share one plan (a
    cohort has far fewer distinct states than learners; ``benchmarks/pathways.py``).

    >>> import pathlib
    >>> from mblib.content import Workspace
    >>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
    >>> plans = plan_many(ws, [LearnerState(), LearnerState.of(["reading-bar-charts"]), LearnerState()], "data-storytelling")
    >>> [len(p.steps) for p in plans], plans[0] is plans[2]
    ([9, 8, 9], True)
    """
    goal_list: str | list[str] = goals if isinstance(goals, str) else list(goals)
    prefer = tuple(prefer_skills)
    done: dict[LearnerState, Plan] = {}
    out: list[Plan] = []
    for state in states:
        plan = done.get(state)
        if plan is None:
            plan = done[state] = plan_next(workspace, state, goal_list, prefer_skills=prefer)
        out.append(plan)
    return out


def _kind(reason: str) -> str:
    return "required" if reason == "required" else " ".join(reason.split(" ")[:2])


def _order(workspace: PlanSource, creds: list[str], modules: list[str]) -> list[str]:
    """Topological order of ``modules`` over the prerequisites of ``creds``; ties by listed rank."""
    rank: dict[str, int] = {}
    deps: dict[str, set[str]] = {m: set() for m in modules}
    for cid in creds:
        c = workspace.credentials[cid]
        for m in c.pathway():
            rank.setdefault(m, len(rank))
        for m, pres in c.prerequisites.items():
            if m in deps:
                deps[m].update(p for p in pres if p in deps and p != m)
    for m in modules:
        rank.setdefault(m, len(rank))
    try:
        TopologicalSorter(deps).prepare()
    except CycleError as e:
        cycle = " -> ".join(list(e.args[1])[::-1])
        raise PlanError(
            f"the credentials {', '.join(creds)} together order modules in a cycle: {cycle}",
            hint="make their prerequisites agree",
        ) from None
    waiting = {m: set(d) for m, d in deps.items()}
    opens: dict[str, list[str]] = {}
    for m, d in deps.items():
        for p in d:
            opens.setdefault(p, []).append(m)
    ready = [(rank[m], m) for m in modules if not waiting[m]]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, m = heapq.heappop(ready)
        out.append(m)
        for other in opens.get(m, []):
            waiting[other].discard(m)
            if not waiting[other]:
                heapq.heappush(ready, (rank[other], other))
    return out


__all__ = ["ElectiveChoice", "Plan", "PlanStep", "plan_many", "plan_next"]
