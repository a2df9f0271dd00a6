"""Charts of the paths learners took (:mod:`mblib.analytics.metrics.pathways`): earn rate with its
Wilson interval per group (an order of module starts, following the recommended order or not, an
elective), small groups suppressed; re-exported by :mod:`mblib.analytics.charts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .chart_output import alt_module
from .chart_parts import PALETTE, base_chart, layer_chart, need_columns, pct_tooltip, protected_frame

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

_NEEDS = ["credential_id", "learners", "earned", "earn_rate", "earn_low", "earn_high", "days_mean"]


def _earn_chart(frame: Any, group: str, group_title: str, title: str, description: str) -> alt.LayerChart:
    alt = alt_module()
    base = base_chart(frame, "", "", height=alt.Step(18), layered=True)
    y = alt.Y(f"{group}:N", title=group_title, sort=None)
    color = alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE))
    dots = base.mark_point(filled=True, size=60).encode(
        y=y,
        x=alt.X(
            "earn_rate:Q",
            title="Earned the credential (95% interval)",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=color,
        tooltip=[
            alt.Tooltip(f"{group}:N"),
            alt.Tooltip("learners:Q"),
            alt.Tooltip("earned:Q"),
            pct_tooltip("earn_rate", "earn rate"),
            alt.Tooltip("days_mean:Q", title="mean days to credential", format=".1f"),
        ],
    )
    # the interval's layer comes first and titles the shared axis: one title, never "Earn rate, lower bound"
    errs = base.mark_rule().encode(
        y=y, x=alt.X("earn_low:Q", title="Earned the credential (95% interval)"), x2=alt.X2("earn_high:Q"), color=color
    )
    return layer_chart(title, description, errs, dots)


def pathway_orders_chart(frame: Any, *, k: int = 5, top: int = 10) -> alt.LayerChart:
    """Earn rate per order of module starts (``metrics.pathway_orders``), the ``top`` most common."""
    need_columns(frame, ["path", *_NEEDS], "pathway_orders_chart", "metrics.pathway_orders")
    frame = protected_frame(frame, "pathway_orders", k)
    frame = frame.filter(frame["learners"].is_not_null()).sort("learners", descending=True).head(top)
    return _earn_chart(
        frame,
        "path",
        "Modules started, in order",
        "Earning by order of module starts",
        f"The share who earned the credential for the {top} most common orders of the first modules started, "
        f"with Wilson 95% intervals; orders of fewer than {k} learners are left out.",
    )


def recommended_order_chart(frame: Any, *, k: int = 5) -> alt.LayerChart:
    """Earn rate of learners who followed the recommended order and of those who did not."""
    need_columns(frame, ["followed", *_NEEDS], "recommended_order_chart", "metrics.recommended_order")
    frame = protected_frame(frame, "recommended_order", k)
    import polars as pl

    frame = frame.with_columns(
        pl.when(pl.col("followed")).then(pl.lit("followed")).otherwise(pl.lit("other order")).alias("order")
    )
    return _earn_chart(
        frame,
        "order",
        "Order of module starts",
        "Earning by whether the recommended order was followed",
        "The share who earned the credential, with Wilson 95% intervals, for learners who started the modules "
        "in the recommended order and for the others.",
    )


def elective_choices_chart(frame: Any, *, k: int = 5) -> alt.LayerChart:
    """Earn rate per elective option passed (``metrics.elective_choices``)."""
    need_columns(frame, ["group_id", "module_id", *_NEEDS], "elective_choices_chart", "metrics.elective_choices")
    frame = protected_frame(frame, "elective_choices", k)
    return _earn_chart(
        frame,
        "module_id",
        "Elective passed",
        "Earning by elective chosen",
        "The share who earned the credential among the learners who passed each elective, with Wilson 95% intervals.",
    )


__all__ = ["elective_choices_chart", "pathway_orders_chart", "recommended_order_chart"]
