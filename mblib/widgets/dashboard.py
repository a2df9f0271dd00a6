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
        self.credential = w.Dropdown(
            options=[("All credentials", ALL)] + [(c, c) for c in opts["credentials"]],
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
        controls = [self.view, self.credential, self.segment, self.segment_value, self.start, self.end, self.language]
        for c in controls:
            c.observe(self._changed, names="value")
        super().__init__(
            [
                w.HBox(controls[:2]),
                w.HBox(controls[2:4]),
                w.HBox([*controls[4:]]),
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

    def _changed(self, change: dict[str, Any]) -> None:
        if change["owner"] is self.segment:
            values = self.options["segments"].get(self.segment.value, [])
            self.segment_value.unobserve(self._changed, names="value")
            self.segment_value.options = [("All", ALL)] + [(v, v) for v in values]
            self.segment_value.value = ALL
            self.segment_value.disabled = self.segment.value == ALL
            self.segment_value.observe(self._changed, names="value")
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
            self.error = str(e)
            self.status.value = f'<p role="alert"><strong>Cannot show this:</strong> {escape(str(e))}</p>'
            return None
        self.error = None
        self.result = result
        self.status.value = f"<p>{escape(result.caption)}</p>"
        self.table.value = result.table._repr_html_()
        self.chart_out.clear_output(wait=True)
        with self.chart_out:
            from IPython.display import display

            display(result.chart)
        return result


__all__ = ["AnalyticsDashboard"]
