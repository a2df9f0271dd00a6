"""One declaration per metric: docstrings, the package table, output_schema and METRICS come from it."""

from __future__ import annotations

import pytest

import mblib.analytics as analytics
from mblib.analytics import metrics as M
from mblib.analytics.metrics.registry import REGISTRY, MetricError, metric


def test_metrics_lists_every_declared_metric_once():
    assert len(M.METRICS) == len(set(M.METRICS)) == 16  # 13 + the 3 pathway metrics
    assert set(M.METRICS) == set(REGISTRY)
    for name in M.METRICS:
        assert callable(getattr(M, name)), name


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_docstring_and_table_come_from_the_declaration(name):
    spec = REGISTRY[name]
    doc = " ".join(getattr(M, name).__doc__.split())
    assert spec.columns_text() in doc
    assert list(M.output_schema(name)) == list(spec.columns)
    table = " ".join(M.__doc__.split())
    assert f"{name} {' '.join(spec.table_text().split())}" in table
    assert set(spec.keys) <= set(spec.columns)


def test_unknown_metric_and_bad_declaration_are_clear_errors():
    with pytest.raises(MetricError, match="no metric named 'nope'"):
        M.output_schema("nope")
    with pytest.raises(MetricError, match=r"metric 'broken' sorts by \['x'\], which are not among its columns"):
        metric("broken", keys=["x"], columns={"y": "Int64"})(lambda events: events)
    assert "broken" not in REGISTRY


def test_analytics_does_not_export_the_dashboard():
    """The dashboard is a widget (a face over the library): mblib.widgets has it, analytics does not."""
    assert "AnalyticsDashboard" not in analytics.__all__
    with pytest.raises(AttributeError):
        analytics.AnalyticsDashboard  # noqa: B018
