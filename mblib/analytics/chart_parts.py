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
        return alt.Chart(frame, width=width, height=height)
    # properties at construction: each .properties() call deep-copies the chart (milliseconds a click)
    return alt.Chart(frame, title=title, description=description, width=width, height=height)


def layer_chart(title: str, description: str, *parts: Any) -> Any:
    """The ``parts`` drawn on top of each other, with one title and description."""
    return alt_module().layer(*parts, title=title, description=description)


def protected_frame(frame: Any, metric: str, k: int) -> Any:
    """A partition metric's frame with small groups and their complements hidden (see
    :func:`mblib.analytics.privacy.suppress_metric`); one that went through ``report_table`` passes as it is."""
    from .privacy import suppress_metric

    return suppress_metric(frame, metric, k).frame


def pct_tooltip(field: str, title: str) -> Any:
    """A tooltip showing ``field`` as a percentage."""
    return alt_module().Tooltip(f"{field}:Q", title=title, format=".1%")


def _hidden_rows(frame: Any, k: int) -> Any:
    """The suppressed rows of ``frame`` (``None``: the layer chart's data), each with its ``note``."""
    alt = alt_module()
    return (
        (alt.Chart(frame) if frame is not None else alt.Chart())
        .transform_filter("datum.suppressed == true")
        .transform_calculate(note=f"'hidden (<{k})'")
    )


def hidden_marks(frame: Any, y: Any, k: int, *, x: float = 0.0, extra: dict[str, Any] | None = None) -> Any:
    """Explicit "hidden (<k)" text marks for the suppressed rows of ``frame`` (never a gap or a zero).

    Rows count as suppressed where the frame's ``suppressed`` column is true; a frame without
    one draws nothing. ``y`` is the row encoding the other layers use; ``frame=None`` takes the
    data of the layer chart it goes into.
    """
    alt = alt_module()
    return (
        _hidden_rows(frame, k)
        .mark_text(align="left", dx=2, fontSize=9, fontStyle="italic", color="#595959")
        .encode(
            y=y,
            x=alt.XDatum(x),
            text=alt.Text("note:N"),
            tooltip=[alt.Tooltip("note:N", title="Why no bar")],
            **(extra or {}),
        )
    )


def hidden_column_marks(frame: Any, x: Any, k: int, *, extra: dict[str, Any] | None = None) -> Any:
    """:func:`hidden_marks` for a chart of upright bars: the "hidden (<k)" note stands upright
    from the zero line at the ``x`` of the suppressed row's bar (``x`` a channel value or a field)."""
    alt = alt_module()
    return (
        _hidden_rows(frame, k)
        .mark_text(angle=270, align="left", dx=2, fontSize=9, fontStyle="italic", color="#595959")
        .encode(
            x=x,
            y=alt.YDatum(0),
            text=alt.Text("note:N"),
            tooltip=[alt.Tooltip("note:N", title="Why no bar")],
            **(extra or {}),
        )
    )


def key_entry(
    chart: Any, channel: str, name: str, value: Any, field: str = "part", *, symbol: str | None = None
) -> tuple[Any, Any]:
    """``chart`` with a constant ``field`` ``name`` and an encoding on ``channel`` (``"Opacity"``,
    ``"StrokeDash"``, ``"Shape"``, ...) whose legend has the one entry ``name`` drawn with ``value``:
    a mark that shares its colour with another layer (a band, a whisker) still gets its own entry;
    ``symbol`` is the legend's symbol shape (``"square"`` for an area)."""
    alt = alt_module()
    quoted = name.replace("\\", "\\\\").replace("'", "\\'")
    legend = alt.Legend(symbolType=symbol) if symbol else alt.Undefined
    scale = alt.Scale(type="ordinal", domain=[name], range=[value])
    enc = getattr(alt, channel)(f"{field}:N", scale=scale, title=None, legend=legend)
    return chart.transform_calculate(**{field: f"'{quoted}'"}), enc


def credential_rows() -> Any:
    """One facet row per credential, its name above the panel (never over the axis title)."""
    alt = alt_module()
    return alt.Row(
        "credential_id:N",
        title=None,
        header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold", labelOrient="top"),
    )


def legend_entry(chart: Any, name: str, domain: list[str], colors: list[str]) -> tuple[Any, Any]:
    """``chart`` with a constant ``series`` field ``name`` and a colour on a shared scale, so each
    layer's mark gets its own legend entry: ``(chart, color)``."""
    alt = alt_module()
    quoted = name.replace("\\", "\\\\").replace("'", "\\'")
    color = alt.Color("series:N", scale=alt.Scale(domain=domain, range=colors), title=None)
    return chart.transform_calculate(series=f"'{quoted}'"), color


def rates_long(frame: Any, keys: list[str], measures: list[str]) -> Any:
    """``frame``'s ``<m>_rate`` (and ``<m>_low``/``<m>_high`` where present) per measure, one row per key and measure.

    The measure column holds the human label (``"Start rate"``), so legends never show a column name.
    """
    import polars as pl

    from .labels import label

    parts = []
    for m in measures:
        low, high = f"{m}_low", f"{m}_high"
        cols = [pl.col(c) for c in keys if c in frame.columns]
        parts.append(
            frame.select(
                *cols,
                pl.lit(label(f"{m}_rate")).alias("measure"),
                pl.col(f"{m}_rate").cast(pl.Float64).alias("rate"),
                (pl.col(low) if low in frame.columns else pl.lit(None)).cast(pl.Float64).alias("low"),
                (pl.col(high) if high in frame.columns else pl.lit(None)).cast(pl.Float64).alias("high"),
                (pl.col("suppressed") if "suppressed" in frame.columns else pl.lit(False)).alias("suppressed"),
            )
        )
    return pl.concat(parts)


__all__ = [
    "PALETTE",
    "base_chart",
    "credential_rows",
    "hidden_column_marks",
    "hidden_marks",
    "key_entry",
    "layer_chart",
    "legend_entry",
    "need_columns",
    "pct_tooltip",
    "protected_frame",
    "rates_long",
]
