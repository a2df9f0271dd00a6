"""Learner analytics: schema, readers, synthetic cohorts, metrics, item analysis, survival,
privacy, charts and reports.

Importing this package is cheap: submodules (and polars, narwhals, duckdb, pyspark) load
when first used. Public names are listed in ``_EXPORTS`` below, one section per submodule.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_EXPORTS: dict[str, str] = {
    # schema / readers / privacy / synth (analytics-data) -- add names below this line
    "VERBS": "mblib.analytics.schema",
    "EVENT_COLUMNS": "mblib.analytics.schema",
    "LEARNER_COLUMNS": "mblib.analytics.schema",
    "SchemaError": "mblib.analytics.schema",
    "events_schema": "mblib.analytics.schema",
    "learners_schema": "mblib.analytics.schema",
    "validate_events": "mblib.analytics.schema",
    "validate_learners": "mblib.analytics.schema",
    "check_events": "mblib.analytics.schema",
    "conform": "mblib.analytics.schema",
    "ReadResult": "mblib.analytics.readers",
    "ReaderError": "mblib.analytics.readers",
    "read_events": "mblib.analytics.readers",
    "read_learners": "mblib.analytics.readers",
    "read_xapi": "mblib.analytics.readers",
    "read_oulad": "mblib.analytics.readers",
    "infer_structure": "mblib.analytics.readers",
    "Pseudonymiser": "mblib.analytics.privacy",
    "PrivacyError": "mblib.analytics.privacy",
    "SuppressedTable": "mblib.analytics.privacy",
    "suppress_small_groups": "mblib.analytics.privacy",
    "Cohort": "mblib.analytics.synth",
    "Calibration": "mblib.analytics.synth",
    "PRESETS": "mblib.analytics.synth",
    "synthesise": "mblib.analytics.synth",
    "write_cohort": "mblib.analytics.synth",
    # metrics / items / survival / backends / insights (analytics-metrics) -- add names below this line
    "METRICS": "mblib.analytics.metrics",
    "MetricError": "mblib.analytics.metrics",
    "module_outcomes": "mblib.analytics.metrics",
    "credential_outcomes": "mblib.analytics.metrics",
    "pathway_funnel": "mblib.analytics.metrics",
    "block_dropoff": "mblib.analytics.metrics",
    "estimated_seconds": "mblib.analytics.metrics",
    "time_on_task": "mblib.analytics.metrics",
    "weekly_active_learners": "mblib.analytics.metrics",
    "cohort_retention": "mblib.analytics.metrics",
    "credential_uptake": "mblib.analytics.metrics",
    "uptake_by_segment": "mblib.analytics.metrics",
    "credential_stacking": "mblib.analytics.metrics",
    "completion_by_language": "mblib.analytics.metrics",
    "learners_at_risk": "mblib.analytics.metrics",
    "at_risk_by_inactivity": "mblib.analytics.metrics",
    "output_schema": "mblib.analytics.metrics",
    "with_wilson": "mblib.analytics.metrics",
    "item_statistics": "mblib.analytics.items",
    "quiz_statistics": "mblib.analytics.items",
    "distractor_analysis": "mblib.analytics.items",
    "credential_durations": "mblib.analytics.survival",
    "time_to_credential": "mblib.analytics.survival",
    "time_to_credential_summary": "mblib.analytics.survival",
    "thin_curve": "mblib.analytics.survival",
    "ENGINES": "mblib.analytics.backends",
    "BackendError": "mblib.analytics.backends",
    "collect": "mblib.analytics.backends",
    "scan_events": "mblib.analytics.backends",
    "to_engine": "mblib.analytics.backends",
    "spark_session": "mblib.analytics.backends",
    "duckdb_connection": "mblib.analytics.backends",
    "BlockInsight": "mblib.analytics.insights",
    "block_insights": "mblib.analytics.insights",
    "week_start": "mblib.analytics.weeks",
    # charts / report / dashboard (analytics-report) -- add names below this line
    "ChartError": "mblib.analytics.charts",
    "CHARTS": "mblib.analytics.charts",
    "save_chart": "mblib.analytics.charts",
    "charts_page": "mblib.analytics.charts",
    "enable_notebook_charts": "mblib.analytics.charts",
    "ReportError": "mblib.analytics.report",
    "ReportData": "mblib.analytics.report",
    "open_report_data": "mblib.analytics.report",
    "report_table": "mblib.analytics.report",
    "run_report": "mblib.analytics.report",
    "EventFilter": "mblib.analytics.filters",
    "filter_events": "mblib.analytics.filters",
    "dashboard_view": "mblib.analytics.filters",
    # dashboard cube / incremental refresh (cube) -- add names below this line
    "Cube": "mblib.analytics.cube",
    "fold_events": "mblib.analytics.cube",
    "kaplan_meier": "mblib.analytics.survival",
    "CubeCacheWarning": "mblib.analytics.refresh",
    "CubeError": "mblib.analytics.refresh",
    "cube_for": "mblib.analytics.refresh",
    "load_cube": "mblib.analytics.refresh",
    "refresh_cube": "mblib.analytics.refresh",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())
