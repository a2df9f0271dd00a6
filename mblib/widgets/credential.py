"""``CredentialBuilder``: assemble a microcredential from the workspace's modules.

Every action is a call into :class:`mblib.content.editing.CredentialEditor`; the European
elements and the details form come from the models through :class:`mblib.widgets.forms.FieldForm`;
the pathway chart is drawn by :func:`mblib.widgets.charts.pathway_chart` from the library's graph.

>>> import pathlib, shutil, tempfile
>>> from mblib.content import Workspace
>>> src = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace"
>>> ws = Workspace.open(shutil.copytree(src, pathlib.Path(tempfile.mkdtemp()) / "ws"))
>>> b = CredentialBuilder(ws, "data-storytelling", chart=False)
>>> b.required.value = ("choosing-the-right-chart", "writing-chart-titles-that-inform")
>>> b.editor.current.required, "unsaved" in b.status.value
(['choosing-the-right-chart', 'writing-chart-titles-that-inform'], True)
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from ..content.credential import Credential, EuropeanElements
from ..content.editing import CredentialEditor
from ..content.forms import form_for, parse_form
from ..content.lint_credential_rules import workload_mismatch
from ..content.workspace import Workspace
from ._base import BuilderBase, guarded, lint_html, row
from .forms import FieldForm

#: Credential fields with their own controls (the rest come from the generic details form).
_OWN = ("id", "required", "electives", "prerequisites", "european")


def skills_html(credential: Credential) -> str:
    """The credential's skills: label, framework and code, a link to the skill's URI, the module skill
    ids it covers (text escaped)."""
    if not credential.skills:
        return "<div class='mblib-skills'><b>Skills:</b> none aligned yet (add them under Details)</div>"
    items = []
    for a in credential.skills:
        label = html.escape(a.name)
        if a.url:
            label = f"<a href='{html.escape(str(a.url))}' target='_blank' rel='noopener noreferrer'>{label}</a>"
        where = " ".join(html.escape(x) for x in (a.framework, a.code) if x)
        covers = f" covers <code>{html.escape(', '.join(a.covers))}</code>" if a.covers else ""
        items.append(f"<li>{label}{f' ({where})' if where else ''}{covers}</li>")
    return f"<div class='mblib-skills'><b>Skills</b><ul style='margin:2px 0'>{''.join(items)}</ul></div>"


class CredentialBuilder(BuilderBase):
    """Choose required and elective modules, prerequisites, criteria and the European micro-credential
    elements; see the pathway chart with each module's duration and the total workload; save.

    ``chart=False`` leaves the chart out (it takes a fraction of a second to draw).
    """

    def __init__(self, workspace: Workspace, credential_id: str | None = None, *, chart: bool = True):
        super().__init__(workspace, CredentialEditor)
        self.draw_chart = chart
        self.editor: CredentialEditor | None = None
        names = [(f"{m.title} ({mid})", mid) for mid, m in sorted(workspace.modules.items())]
        self.required = w.SelectMultiple(options=names, rows=8, layout=w.Layout(width="98%"))
        self.electives = w.VBox()
        self.add_group_button = w.Button(
            description="Add elective group",
            icon="plus",
            tooltip="a group of modules of which learners choose some (starts with one module not yet used)",
        )
        self.group_notice = w.HTML()
        self.prereq_module = w.Dropdown(
            options=[], description="Module", layout=w.Layout(width="98%"), style={"description_width": "150px"}
        )
        self.prereqs = w.SelectMultiple(
            options=[],
            rows=6,
            description="Pass first",
            layout=w.Layout(width="98%"),
            style={"description_width": "150px"},
        )
        self.details_box = w.VBox()
        self.european_box = w.VBox()
        self.workload = w.HTML()
        self.skills_view = w.HTML()  # skills with framework, URI and the module skills they cover
        self.chart = w.HTML()
        self.details: FieldForm | None = None
        self.european: FieldForm | None = None
        self.group_controls: dict[str, tuple[w.Text, w.IntText, w.SelectMultiple]] = {}
        self._names = names
        self._drawn: Any = None
        self.required.observe(lambda c: self.set_required(c["new"]) if not self._syncing else None, names="value")
        self.add_group_button.on_click(lambda _: self.add_group())
        self.prereq_module.observe(lambda c: self._show_prereqs() if not self._syncing else None, names="value")
        self.prereqs.observe(lambda c: self.set_prereqs(c["new"]) if not self._syncing else None, names="value")
        tabs = w.Tab(
            children=[
                w.VBox(
                    [
                        w.HTML("<b class='mb-kind--required'>Required</b>: every learner completes them"),
                        self.required,
                        w.HTML("<b class='mb-kind--elective'>Electives</b>: learners choose N of each group"),
                        self.electives,
                        self.add_group_button,
                        self.group_notice,
                    ]
                ),
                w.VBox(
                    [
                        w.HTML("Pick a module, then the modules a learner must pass before it."),
                        self.prereq_module,
                        self.prereqs,
                    ]
                ),
                self.details_box,
                self.european_box,
            ],
            titles=("Modules", "Prerequisites", "Details and criteria", "European elements"),
        )
        self.children = [
            self.picker_row(),
            row(self.toolbar()),
            self.conflict_box,
            self.errors,
            w.HBox(
                [
                    w.VBox([tabs], layout=w.Layout(width="50%")),
                    w.VBox(
                        [self.workload, self.skills_view, self.chart, self.lint_panel], layout=w.Layout(width="50%")
                    ),
                ]
            ),
        ]
        if credential_id is not None:
            self.open_item(credential_id)
        else:
            self._refresh_state()

    # ------------------------------------------------------------ actions
    @guarded
    def set_required(self, module_ids: Any) -> None:
        self._ed().set_required(list(module_ids))
        self._changed(rebuild=False)

    @guarded
    def add_group(self) -> None:
        """Add a group that is valid from the start: "choose 1" of the first module not used yet;
        when every module is used, say the one thing to do instead."""
        c = self._ed().current
        used = set(c.module_ids())
        free = [mid for _, mid in self._names if mid not in used]
        if not free:
            self.group_notice.value = (
                "<span class='mblib-group-notice' style='color:#8a5a00'>&#x26A0; Every module of the workspace "
                "is already in this credential: take one out of 'Required' (or another group), or create a new "
                "module, then add the group.</span>"
            )
            return
        self.group_notice.value = ""
        self._ed().add_elective_group(free[:1], choose=1, title="Electives")
        self._changed(rebuild=True)

    @guarded
    def edit_group(self, group_id: str) -> None:
        title, choose, modules = self.group_controls[group_id]
        self._apply(
            lambda: self._ed().update_elective_group(
                group_id, title=title.value.strip() or None, choose=choose.value, modules=list(modules.value)
            )
        )

    @guarded
    def remove_group(self, group_id: str) -> None:
        self._ed().remove_elective_group(group_id)
        self._changed(rebuild=True)

    @guarded
    def set_prereqs(self, module_ids: Any) -> None:
        if self.prereq_module.value:
            self._ed().set_prerequisites(self.prereq_module.value, list(module_ids))
            self._changed(rebuild=False)

    @guarded
    def edit_details(self, values: Mapping[str, Any]) -> None:
        self._apply(lambda: self._ed().update(**parse_form(form_for(Credential, skip=_OWN), values)))

    @guarded
    def edit_european(self, values: Mapping[str, Any]) -> None:
        self._apply(lambda: self._ed().update_european_form(values))

    # ------------------------------------------------------------ views
    def _changed(self, rebuild: bool) -> None:
        ed = self._ed()
        c = ed.current
        known = {mid for _, mid in self._names}
        self._syncing = True
        try:
            self.required.value = tuple(m for m in c.required if m in known)
            members = c.module_ids()
            if list(self.prereq_module.options) != members:
                keep = self.prereq_module.value
                self.prereq_module.options = members
                self.prereq_module.value = keep if keep in members else (members[0] if members else None)
        finally:
            self._syncing = False
        self._show_prereqs()
        if rebuild:
            self._build_groups()
            specs = form_for(Credential, skip=_OWN)
            self.details = FieldForm(specs, {s.name: getattr(c, s.name) for s in specs}, self.edit_details)
            self.details_box.children = (self.details,)
            especs = form_for(EuropeanElements, skip=())
            self.european = FieldForm(especs, {s.name: getattr(c.european, s.name) for s in especs}, self.edit_european)
            self.european_box.children = (self.european,)
        self.workload.value = self._workload_html()
        self.skills_view.value = skills_html(ed.current)
        if self.draw_chart:
            graph = ed.graph()
            if graph != self._drawn:  # drawing takes a fraction of a second: only when the graph changed
                from .charts import chart_svg, pathway_chart

                self.chart.value = (
                    f"<div class='mblib-pathway' style='width:100%'>{chart_svg(pathway_chart(graph, width=440))}</div>"
                )
                self._drawn = graph
        self.lint_panel.value = lint_html(ed.lint())

    def _workload_html(self) -> str:
        """The total workload, with a warning when the declared hours are too far from it."""
        from ..content.lint_core import LintContext

        ed = self._ed()
        text = f"<b>Total workload:</b> {html.escape(str(ed.workload()))}"
        ctx = LintContext(self.workspace.settings, self.workspace, check_media=False)
        warning = workload_mismatch(ed.current, ctx)
        if warning:
            text += (
                f"<div class='mblib-workload-warning' style='color:#8a5a00'>&#x26A0; {html.escape(warning)}. "
                "Set the declared hours in 'European elements' near the computed ones, or explain the extra "
                "practice in the modules.</div>"
            )
        return f"<div class='mblib-workload'>{text}</div>"

    def _show_prereqs(self) -> None:
        c = self._ed().current
        target = self.prereq_module.value
        members = set(c.module_ids())
        self._syncing = True
        try:
            # "Pass first" offers only the credential's own modules (others cannot be prerequisites)
            self.prereqs.options = [(label, mid) for label, mid in self._names if mid != target and mid in members]
            self.prereqs.value = (
                tuple(p for p in c.prerequisites.get(target, []) if p in self.workspace.modules and p != target)
                if target
                else ()
            )
            self.prereqs.disabled = target is None
        finally:
            self._syncing = False

    def _build_groups(self) -> None:
        rows: list[w.Widget] = []
        self.group_controls = {}
        for g in self._ed().current.electives:
            title = w.Text(
                value=g.title or "",
                description="Title",
                continuous_update=False,
                style={"description_width": "60px"},
                layout=w.Layout(width="98%"),
            )
            choose = w.IntText(
                value=g.choose,
                description="Choose",
                style={"description_width": "60px"},
                layout=w.Layout(width="150px"),
            )
            modules = w.SelectMultiple(
                options=self._names,
                value=tuple(m for m in g.modules if m in self.workspace.modules),
                rows=5,
                layout=w.Layout(width="98%"),
            )
            remove = w.Button(description="Remove group", icon="trash", layout=w.Layout(width="auto"))
            for ctl in (title, choose, modules):
                ctl.observe(lambda _c, gid=g.id: self.edit_group(gid), names="value")
            remove.on_click(lambda _b, gid=g.id: self.remove_group(gid))
            self.group_controls[g.id] = (title, choose, modules)
            rows.append(
                w.VBox(
                    [row([title, choose, remove]), modules],
                    layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0"),
                )
            )
        self.electives.children = rows


__all__ = ["CredentialBuilder"]
