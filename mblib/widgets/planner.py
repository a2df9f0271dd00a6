"""``PathwayPlanner``: an adviser's view of a learner's next step, a thin face over
:func:`mblib.content.plan_next`.

Pick a learner (a pseudonymised id of an events dataset) or describe a hypothetical state (modules
passed, credentials held, skills evidenced), pick one or more goals; see the plan (modules in order,
reasons, remaining minutes, what was credited) and the pathway chart of each planned credential with
the done, next and remaining modules.

>>> import pathlib
>>> from mblib.content import Workspace
>>> ws = Workspace.open(pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace")
>>> p = PathwayPlanner(ws, chart=False)
>>> p.passed.value = ("reading-bar-charts",)
>>> p.plan.next.module_id
'line-charts-over-time'
>>> p.states()["reading-bar-charts"], p.states()["line-charts-over-time"]
('done', 'next')
"""

from __future__ import annotations

import html
import traceback
from typing import Any

import ipywidgets as w

from ..content import LearnerState, Plan, plan_next
from ..content.workspace import Workspace
from ..errors import MblibError

HYPOTHETICAL = "(hypothetical learner)"


class PathwayPlanner(w.VBox):
    """Learner (from ``events``, any engine's frame, or hypothetical), goals, preferred skills -> plan and chart.

    ``events`` is optional; without it only hypothetical states can be planned. ``learners`` limits the
    learner picker to these ids (default: every learner of ``events``, at most 5,000).
    """

    def __init__(
        self,
        workspace: Workspace,
        events: Any = None,
        *,
        learners: list[str] | None = None,
        chart: bool = True,
    ) -> None:
        super().__init__(layout=w.Layout(width="100%"))
        self.add_class("mblib-pathway-planner")
        self.workspace = workspace
        self.events = events
        self.draw_chart = chart
        self.plan: Plan | None = None
        ids = learners if learners is not None else _learner_ids(events)
        style = {"description_width": "120px"}
        wide = w.Layout(width="98%")
        self.learner = w.Dropdown(options=[HYPOTHETICAL, *ids], description="Learner", style=style, layout=wide)
        modules = [(f"{m.title} ({mid})", mid) for mid, m in sorted(workspace.modules.items())]
        creds = [(f"{c.title} ({cid})", cid) for cid, c in sorted(workspace.credentials.items())]
        skills = sorted({s for m in workspace.modules.values() for s in m.skills})
        self.passed = w.SelectMultiple(options=modules, rows=6, description="Also passed", style=style, layout=wide)
        self.held = w.SelectMultiple(options=creds, rows=3, description="Holds", style=style, layout=wide)
        self.skills = w.SelectMultiple(options=skills, rows=4, description="Skills shown", style=style, layout=wide)
        self.goals = w.SelectMultiple(options=creds, rows=3, description="Goal(s)", style=style, layout=wide)
        self.prefer = w.SelectMultiple(options=skills, rows=4, description="Wants skills", style=style, layout=wide)
        if creds:
            self.goals.value = (creds[-1][1],)
        self.summary = w.HTML()
        self.chart = w.HTML()
        self.errors = w.Output()
        for control in (self.learner, self.passed, self.held, self.skills, self.goals, self.prefer):
            control.observe(self._changed, names="value")
        self.children = [
            w.HBox([w.VBox([self.learner, self.passed, self.held]), w.VBox([self.goals, self.skills, self.prefer])]),
            self.summary,
            self.chart,
            self.errors,
        ]
        self.refresh()

    def learner_state(self) -> LearnerState:
        """The state planned for: the picked learner's (from the events) plus what the form adds."""
        passed = set(self.passed.value)
        held = set(self.held.value)
        if self.learner.value != HYPOTHETICAL and self.events is not None:
            from ..analytics.pathways import learner_state

            found = learner_state(self.events, self.learner.value)
            passed |= found.modules_passed
            held |= found.credentials_held
        return LearnerState.of(passed, held, self.skills.value)

    def states(self) -> dict[str, str]:
        """Module id -> done / next / remaining, for the chart (modules not named: not needed)."""
        if self.plan is None:
            return {}
        out = {s.module_id: "done" for s in self.plan.credited}
        out.update({s.module_id: "remaining" for s in self.plan.steps})
        if self.plan.next is not None:
            out[self.plan.next.module_id] = "next"
        return out

    def refresh(self) -> None:
        """Plan again and redraw; an error is shown in the widget, which keeps working."""
        self.errors.outputs = ()
        try:
            self.plan = plan_next(
                self.workspace, self.learner_state(), list(self.goals.value), prefer_skills=self.prefer.value
            )
            self.summary.value = plan_html(self.plan)
            self.chart.value = self._chart_html() if self.draw_chart else ""
        except MblibError as e:
            self.plan = None
            self.summary.value = f"<div class='mblib-plan-error' style='color:#b00020'>{html.escape(str(e))}</div>"
            self.chart.value = ""
        except Exception:  # noqa: BLE001 - any failure is shown, never swallowed
            self.plan = None
            self.errors.append_stderr(traceback.format_exc())

    def _changed(self, _change: Any) -> None:
        self.refresh()

    def _chart_html(self) -> str:
        from ..content.pathway import pathway_graph
        from .charts import chart_svg, pathway_chart

        assert self.plan is not None
        states = self.states()
        parts = [
            chart_svg(pathway_chart(pathway_graph(self.workspace.credential(cid), self.workspace), states=states))
            for cid in self.plan.credentials
        ]
        return "".join(f"<div class='mblib-pathway'>{p}</div>" for p in parts)


def plan_html(plan: Plan) -> str:
    """A plan as HTML: the next step, the ordered list with reasons, what was credited (text escaped)."""
    e = html.escape
    if not plan.steps:
        held = f" (held: {e(', '.join(plan.held))})" if plan.held else ""
        return f"<div class='mblib-plan'><b>Nothing left for {e(', '.join(plan.goals))}</b>{held}</div>"
    rows = "".join(
        f"<li><b>{e(s.title)}</b> <code>{e(s.module_id)}</code> {s.minutes:.0f} min: {e(s.reason)}</li>"
        for s in plan.steps
    )
    credited = "".join(f"<li><code>{e(s.module_id)}</code>: {e(s.reason)}</li>" for s in plan.credited)
    head = (
        f"<b>Next: {e(plan.steps[0].title)}</b>; {len(plan.steps)} module(s), "
        f"about {plan.remaining_minutes:.0f} min left for {e(', '.join(plan.goals))}"
    )
    extra = f"<p>Credited:</p><ul>{credited}</ul>" if credited else ""
    return f"<div class='mblib-plan'><p>{head}</p><ol>{rows}</ol>{extra}</div>"


def _learner_ids(events: Any, limit: int = 5000) -> list[str]:
    if events is None:
        return []
    from ..analytics.backends import collect
    from ..analytics.metrics import lazy

    ids = collect(lazy(events).select("learner_id").unique()).get_column("learner_id").to_list()
    return sorted(i for i in ids if i)[:limit]


__all__ = ["PathwayPlanner", "plan_html"]
