"""Charts (altair): one function per metric, each taking that metric's *collected* frame.

Computing and drawing are separate: a metric in :mod:`mblib.analytics.metrics` (or
``survival``/``items``) returns a lazy frame, the caller collects it (a small polars
``DataFrame``), and the function here with the metric's name plus ``_chart`` draws it. A chart
function checks that the frame has the metric's columns and says which are missing.

Saving works offline: :func:`save_chart` writes ``.html`` with the Vega libraries inlined (no
CDN, a strict Content-Security-Policy, rendered with ``vegaEmbed``), ``.png`` and ``.svg``
through vl-convert, or ``.json`` (the Vega-Lite spec). The same page machinery
(:func:`charts_page`) embeds several charts in one file; the report exporter reuses it.

>>> import polars as pl
>>> frame = pl.DataFrame({"week_start": [], "active_learners": []},
...                      schema={"week_start": pl.Date, "active_learners": pl.Int64})
>>> weekly_active_learners_chart(frame).to_dict()["mark"]["type"]
'line'
>>> weekly_active_learners_chart(pl.DataFrame({"week": [1]}))
Traceback (most recent call last):
...
mblib.analytics.charts.ChartError: weekly_active_learners_chart: the frame lacks column(s) active_learners, week_start (it has: week)
  fix: pass the collected result of metrics.weekly_active_learners(...)
"""

from __future__ import annotations

from typing import Any

from .chart_items import (
    distractor_analysis_chart,
    item_statistics_chart,
    time_to_credential_chart,
)
from .chart_output import (
    CHART_CSS,
    EMBED_JS,
    EMBED_OPTIONS,
    VEGALITE_MIME,
    ChartError,
    alt_module,  # noqa: F401 - imported from here before the split
    chart_bundle,
    chart_figure_html,
    chart_png,
    chart_spec,
    chart_svg,
    charts_page,
    enable_notebook_charts,
    offline_by_default,
    save_chart,
    script_json,
    vega_bundle,
    vegalite_version,
)
from .chart_parts import PALETTE  # noqa: F401 - imported from here before the split
from .chart_paths import elective_choices_chart, pathway_orders_chart, recommended_order_chart
from .chart_progress import (
    block_dropoff_chart,
    cohort_retention_chart,
    credential_outcomes_chart,
    module_outcomes_chart,
    pathway_funnel_chart,
    time_on_task_chart,
    weekly_active_learners_chart,
)
from .chart_uptake import (
    completion_by_language_chart,
    credential_stacking_chart,
    credential_uptake_chart,
    learners_at_risk_chart,
    uptake_by_segment_chart,
)

#: metric name -> chart function (the report and the dashboard look charts up here).
CHARTS: dict[str, Any] = {
    "module_outcomes": module_outcomes_chart,
    "credential_outcomes": credential_outcomes_chart,
    "pathway_funnel": pathway_funnel_chart,
    "block_dropoff": block_dropoff_chart,
    "time_on_task": time_on_task_chart,
    "weekly_active_learners": weekly_active_learners_chart,
    "cohort_retention": cohort_retention_chart,
    "credential_uptake": credential_uptake_chart,
    "uptake_by_segment": uptake_by_segment_chart,
    "credential_stacking": credential_stacking_chart,
    "completion_by_language": completion_by_language_chart,
    "at_risk_by_inactivity": learners_at_risk_chart,
    "time_to_credential": time_to_credential_chart,
    "item_statistics": item_statistics_chart,
    "distractor_analysis": distractor_analysis_chart,
    "pathway_orders": pathway_orders_chart,
    "recommended_order": recommended_order_chart,
    "elective_choices": elective_choices_chart,
}


__all__ = [
    "CHARTS",
    "CHART_CSS",
    "ChartError",
    "chart_bundle",
    "EMBED_JS",
    "EMBED_OPTIONS",
    "VEGALITE_MIME",
    "chart_figure_html",
    "chart_png",
    "chart_spec",
    "chart_svg",
    "charts_page",
    "enable_notebook_charts",
    "offline_by_default",
    "save_chart",
    "script_json",
    *[f.__name__ for f in CHARTS.values()],
    "vega_bundle",
    "vegalite_version",
]


# charts display offline in notebooks and JupyterLab with no extra call (altair's default renderer
# would fetch Vega from a CDN); a renderer the user enabled on purpose is kept
offline_by_default()
