"""``mb pathway``: a learner's next step toward a goal credential, a thin face over
:func:`mblib.content.plan_next`.

    mb pathway LEARNER [--goal CREDENTIAL ...] [-d DATA] [-w WORKSPACE] [--prefer-skill SKILL ...]
               [--passed MODULE ...] [--json]

LEARNER is a (pseudonymised) ``learner_id`` of DATA (events as Parquet, e.g. a cohort folder from
``mb synth``); ``-`` plans for a hypothetical learner described by ``--passed`` alone. Without
``--goal`` the goals are the credentials the learner enrolled in and has not earned.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import MblibError
from ._common import DEFAULT_EXPORTS, friendly, workspace_or_sample


@click.command()
@click.argument("learner")
@click.option("-g", "--goal", "goals", multiple=True, help="goal credential id (repeat for several goals)")
@click.option(
    "-d",
    "--events",
    "--data",
    "data",
    type=click.Path(path_type=Path),
    default=DEFAULT_EXPORTS / "analytics",
    show_default=True,
    help="learner events as Parquet: a file, a folder, or a cohort folder from `mb synth`",
)
@click.option("-w", "--workspace", "workspace", type=click.Path(path_type=Path), default=None, help="workspace folder")
@click.option("--prefer-skill", "prefer", multiple=True, help="skill id the learner wants (breaks elective ties)")
@click.option("--passed", multiple=True, help="also count this module as passed (a hypothetical state)")
@click.option("--json", "as_json", is_flag=True, help="print the plan as JSON")
@friendly
def pathway(
    learner: str,
    goals: tuple[str, ...],
    data: Path,
    workspace: Path | None,
    prefer: tuple[str, ...],
    passed: tuple[str, ...],
    as_json: bool,
) -> None:
    """Print LEARNER's plan: the modules still needed for the goal credential(s), in order, with reasons."""
    from ..content import LearnerState, Workspace, plan_next

    ws = Workspace.open(workspace_or_sample(workspace))
    state = LearnerState.of(passed)
    goal_list = list(goals)
    if learner != "-":
        from ..analytics.backends import scan_events
        from ..analytics.pathways import learner_goals, learner_state

        events = scan_events(data)
        found = learner_state(events, learner)
        state = LearnerState.of(found.modules_passed | state.modules_passed, found.credentials_held)
        goal_list = goal_list or learner_goals(events, learner)
    if not goal_list:
        raise MblibError(
            f"no goal for learner '{learner}': no credential in progress",
            hint=f"name one with --goal (credentials: {', '.join(sorted(ws.credentials))})",
        )
    plan = plan_next(ws, state, goal_list, prefer_skills=prefer)
    if as_json:
        click.echo(json.dumps(plan.as_dict(), indent=2))
        return
    if learner != "-":
        click.echo(
            f"learner {learner}: {len(state.modules_passed)} module(s) passed, holds {', '.join(sorted(state.credentials_held)) or 'no credential'}"
        )
    click.echo(str(plan))
    if plan.next is not None:
        click.echo(f"Next: {plan.next.title} ({plan.next.module_id}), {plan.next.minutes:.0f} min")
