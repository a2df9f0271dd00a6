"""Shared pieces of the metric charts (:mod:`mblib.analytics.charts`): column checks, a base
chart, layering, small-group suppression and percentage tooltips."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .chart_output import ChartError, alt_module

PALETTE = "tableau10"


def need_columns(frame: Any, columns: Iterable[str], chart: str, metric: str) -> None:
    """Raise :class:`ChartError` naming the ``columns`` that ``frame`` lacks and the ``metric`` to pass."""
    have = list(frame.columns)
    missing = sorted(set(columns) - set(have))
    if missing:
        raise ChartError(
            f"{chart}: the frame lacks column(s) {', '.join(missing)} (it has: {', '.join(have)})",
            hint=f"pass the collected result of {metric}(...)",
        )


def base_chart(
    frame: Any, title: str, description: str, *, width: Any = 480, height: Any = 260, layered: bool = False
) -> Any:
    """A chart over ``frame``; a layer part (``layered``) leaves title and description to :func:`layer_chart`."""
    alt = alt_module()
    if layered:
        return alt.Chart(frame).properties(width=width, height=height)
    return alt.Chart(frame).properties(title=title, description=description, width=width, height=height)


def layer_chart(title: str, description: str, *parts: Any) -> Any:
    """The ``parts`` drawn on top of each other, with one title and description."""
    return alt_module().layer(*parts).properties(title=title, description=description)


def protected_frame(frame: Any, metric: str, k: int) -> Any:
    """A partition metric's frame with small groups and their complements hidden (see
    :func:`mblib.analytics.privacy.suppress_metric`); one that went through ``report_table`` passes as it is."""
    from .privacy import suppress_metric

    return suppress_metric(frame, metric, k).frame


def pct_tooltip(field: str, title: str) -> Any:
    """A tooltip showing ``field`` as a percentage."""
    return alt_module().Tooltip(f"{field}:Q", title=title, format=".1%")


__all__ = ["PALETTE", "base_chart", "layer_chart", "need_columns", "pct_tooltip", "protected_frame"]
