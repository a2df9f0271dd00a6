"""``AnalyticsDashboard``: filter learner data by credential, segment, date range and language.

A thin ipywidgets face: every change builds an :class:`~mblib.analytics.filters.EventFilter`
(:func:`~mblib.analytics.filters.active_filter`) and calls
:func:`~mblib.analytics.filters.dashboard_view`, which filters, computes the chosen metric,
suppresses small groups and draws the chart. Errors are shown in the dashboard and the
controls keep working.

    from mblib.widgets.dashboard import AnalyticsDashboard
    AnalyticsDashboard.load("datasets/sample-workspace", "exports/analytics")

Tests need no browser: set a control's ``value`` and read :attr:`AnalyticsDashboard.result`,
``status.value`` and ``table.value``.

Charts display offline with no extra call (importing the chart module enables mblib's renderer).
An invalid filter clears the previous results and says so in a marked alert; **Reset** puts every
control back. Curves (time to credential, uptake over time, weekly activity) are shown as charts,
never as their raw rows; small groups are marked "<k" in tables and "hidden (<k)" in charts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from ..analytics.filters import SEGMENTS, VIEWS, ViewResult, active_filter, dashboard_view, filter_options
from ..errors import MblibError

ALL = "all"


class AnalyticsDashboard(w.VBox):
    """Controls (view, credential, segment and value, date range, language), a status line, the chart and the table."""

    def __init__(self, data: Any, **kwargs: Any):
        """``data`` is a :class:`mblib.analytics.report.ReportData` (see :meth:`load`)."""
        self.data = data
        self.result: ViewResult | None = None
        self.error: str | None = None
        opts = filter_options(data.events, data.learners)
        self.options = opts
        style = {"description_width": "initial"}
        self.view = w.Dropdown(
            options=[(title, name) for name, title in VIEWS.items()],
            value="credential_outcomes",
            description="View",
            style=style,
        )
        from ..analytics.labels import workspace_titles

        titles = workspace_titles(data.workspace).get("credential_id", {})
        self.credential = w.Dropdown(
            options=[("All credentials", ALL)] + [(titles.get(c, c), c) for c in opts["credentials"]],
            value=ALL,
            description="Credential",
            style=style,
        )
        segs = [s for s in SEGMENTS if s in opts["segments"]]
        self.segment = w.Dropdown(
            options=[("No segment", ALL)] + [(s.replace("_", " "), s) for s in segs],
            value=ALL,
            description="Segment",
            style=style,
        )
        self.segment_value = w.Dropdown(
            options=[("All", ALL)], value=ALL, description="Value", style=style, disabled=True
        )
        self.start = w.DatePicker(value=opts["first"], description="From", style=style)
        self.end = w.DatePicker(value=opts["last"], description="To", style=style)
        self.language = w.Dropdown(
            options=[("All languages", ALL)] + [(lang, lang) for lang in opts["languages"]],
            value=ALL,
            description="Language",
            style=style,
        )
        self.status = w.HTML()
        self.chart_out = w.Output()
        self.table = w.HTML()
        self.reset_button = w.Button(description="Reset", tooltip="Put every filter back to all data", icon="undo")
        self.reset_button.on_click(lambda _b: self.reset())
        controls = [self.view, self.credential, self.segment, self.segment_value, self.start, self.end, self.language]
        self._controls = controls
        self._defaults = {c: c.value for c in controls}
        self._quiet = False
        for c in controls:
            c.observe(self._changed, names="value")
        super().__init__(
            [
                w.HBox(controls[:2]),
                w.HBox(controls[2:4]),
                w.HBox([*controls[4:], self.reset_button]),
                self.status,
                self.chart_out,
                self.table,
            ],
            **kwargs,
        )
        self.refresh()

    @classmethod
    def load(
        cls, workspace: str | Path, data: str | Path | None = None, *, engine: str = "polars", k: int | None = None
    ) -> AnalyticsDashboard:
        """A dashboard over a workspace and a cohort folder (``None``: a small synthetic cohort)."""
        from ..analytics.report import open_report_data

        return cls(open_report_data(workspace, data, engine=engine, k=k))  # type: ignore[arg-type]

    def reset(self) -> ViewResult | None:
        """Every control back to its first value (all data, the first view); recompute once."""
        self._quiet = True
        try:
            for c in self._controls:
                c.value = self._defaults[c]
        finally:
            self._quiet = False
        return self.refresh()

    def _changed(self, change: dict[str, Any]) -> None:
        if change["owner"] is self.segment:
            values = self.options["segments"].get(self.segment.value, [])
            self.segment_value.unobserve(self._changed, names="value")
            self.segment_value.options = [("All", ALL)] + [(v, v) for v in values]
            self.segment_value.value = ALL
            self.segment_value.disabled = self.segment.value == ALL
            self.segment_value.observe(self._changed, names="value")
        if not self._quiet:
            self.refresh()

    def refresh(self) -> ViewResult | None:
        """Recompute the chosen view with the current filters; show it (or the error) and return it."""
        from html import escape

        try:
            flt = active_filter(
                self.data.workspace,
                credential_id=self.credential.value,
                segment=self.segment.value,
                segment_value=self.segment_value.value,
                start=self.start.value,
                end=self.end.value,
                language=self.language.value,
            )
            result = dashboard_view(
                self.data.events, self.data.learners, self.data.workspace, flt, self.view.value, k=self.data.k
            )
        except MblibError as e:
            # stale results must not sit under the message as if they answered the new filter
            self.error = str(e)
            self.result = None
            self.chart_out.clear_output()
            self.table.value = ""
            self.status.value = (
                '<p role="alert" class="mb-alert" style="border-left:4px solid #b00020;padding:0.25rem 0.5rem;">'
                f"<strong>Cannot show this:</strong> {escape(str(e))} "
                "<em>(previous results cleared; fix the filter or press Reset)</em></p>"
            )
            return None
        self.error = None
        self.result = result
        small = int(result.table.frame["suppressed"].sum()) if "suppressed" in result.table.frame.columns else 0
        marked = f" {small} small group(s) marked &lt;{result.table.k} / hidden." if small else ""
        self.status.value = f"<p>{escape(result.caption)}{marked}</p>"
        self.table.value = result.table_html()
        self.chart_out.clear_output(wait=True)
        with self.chart_out:
            from IPython.display import display

            data, metadata = result.chart_bundle()
            display(data, metadata=metadata, raw=True)
        return result


__all__ = ["AnalyticsDashboard"]
