"""Completion and credential metrics over the events table, written once with narwhals.

(The full text, with the table of every metric's output columns, is assembled below from the
metrics' declarations.)
"""

from __future__ import annotations

from .activity import at_risk_by_inactivity, cohort_retention, learners_at_risk, weekly_active_learners
from .credentials import credential_outcomes, credential_stacking, credential_uptake, pathway_funnel, uptake_by_segment
from .frames import US_PER_DAY, Z95, MetricError, Segment, demo_events, lazy, with_wilson
from .modules import block_dropoff, completion_by_language, estimated_seconds, module_outcomes, time_on_task
from .pathways import elective_choices, pathway_orders, recommended_order
from .registry import REGISTRY, final, metric, output_schema, schema_table

_INTRO = """Completion and credential metrics over the events table, written once with narwhals.

Every metric takes the events table (a lazy frame: polars ``LazyFrame``, a DuckDB relation,
a PySpark ``DataFrame`` or a ``narwhals.LazyFrame`` over any of them) and returns a
``narwhals.LazyFrame`` on the same backend, with the columns and types listed in its
docstring. Nothing is collected here: the caller collects, e.g. with
:func:`mblib.analytics.backends.collect`, which returns a small polars ``DataFrame`` sorted by
the key columns. The rules that keep the code portable are in docs/architecture.md ("Metrics
that run anywhere").

Rates come with Wilson 95 % score intervals (``*_low``/``*_high``); a rate over an empty base
is null. Learners are always counted once (distinct ``learner_id``).

Each metric is declared once (:func:`~mblib.analytics.metrics.registry.metric`: name, key
columns, output columns); the table below, each docstring's ``Columns:``, :func:`output_schema`,
the final cast and :data:`METRICS` come from that declaration. The modules of this package:
``frames`` (shared helpers), ``registry``, ``modules``, ``credentials``, ``activity``.

Output schemas (the report, charts and dashboard build against these):

"""

_OUTRO = """

Time to credential (Kaplan-Meier) is in :mod:`mblib.analytics.survival`; item analysis in
:mod:`mblib.analytics.items`; the shared week-start helper in :mod:`mblib.analytics.weeks`.
"""

__doc__ = _INTRO + schema_table() + _OUTRO

METRICS: tuple[str, ...] = tuple(REGISTRY)
"""The names of every metric of this package (declared with :func:`~mblib.analytics.metrics.registry.metric`)."""

__all__ = [
    "METRICS",
    "MetricError",
    "Segment",
    "US_PER_DAY",
    "Z95",
    "at_risk_by_inactivity",
    "block_dropoff",
    "cohort_retention",
    "completion_by_language",
    "credential_outcomes",
    "credential_stacking",
    "credential_uptake",
    "elective_choices",
    "pathway_orders",
    "recommended_order",
    "demo_events",
    "estimated_seconds",
    "final",
    "lazy",
    "learners_at_risk",
    "metric",
    "module_outcomes",
    "output_schema",
    "pathway_funnel",
    "time_on_task",
    "uptake_by_segment",
    "weekly_active_learners",
    "with_wilson",
]
