"""Charts of credential uptake, stacking, language and learners at risk (small groups suppressed);
re-exported by :mod:`mblib.analytics.charts`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .chart_output import alt_module
from .chart_parts import (
    PALETTE,
    base_chart,
    hidden_column_marks,
    hidden_marks,
    key_entry,
    layer_chart,
    need_columns,
    pct_tooltip,
    protected_frame,
)

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt


def credential_uptake_chart(frame: Any, *, k: int = 5) -> alt.Chart:
    """Cumulative enrolments and awards per credential over time (``metrics.credential_uptake``).

    A running total ends at the credential's total, so credentials with fewer than ``k``
    enrolled learners are left out (:func:`mblib.analytics.privacy.suppress_small_series`).
    """
    need_columns(
        frame,
        ["credential_id", "week_start", "cumulative_enrolled", "cumulative_earned"],
        "credential_uptake_chart",
        "metrics.credential_uptake",
    )
    from .privacy import suppress_small_series

    frame = suppress_small_series(frame, k, "cumulative_enrolled", by=["credential_id"]).frame
    frame = frame.rename({"cumulative_enrolled": "Enrolled", "cumulative_earned": "Earned"})  # legend words
    alt = alt_module()
    return (
        base_chart(
            frame,
            "Credential uptake over time",
            "Running totals of learners enrolled in and learners who earned each credential, week by week.",
        )
        .transform_fold(["Enrolled", "Earned"], as_=["measure", "learners"])
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("week_start:T", title="Week starting"),
            y=alt.Y("learners:Q", title="Learners (cumulative)"),
            color=alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE)),
            strokeDash=alt.StrokeDash("measure:N", title="Running total", sort=["Enrolled", "Earned"]),
            tooltip=[
                alt.Tooltip("credential_id:N"),
                alt.Tooltip("week_start:T", title="week", format="%Y-%m-%d"),
                alt.Tooltip("measure:N"),
                alt.Tooltip("learners:Q"),
            ],
        )
    )


def uptake_by_segment_chart(frame: Any, *, k: int = 5, title: str | None = None) -> alt.LayerChart:
    """Earn rate per learner segment with Wilson intervals (``metrics.uptake_by_segment``).

    Suppressed rows (null counts) are drawn as explicit "hidden (<k)" marks. A frame that has not been through
    ``report_table`` is suppressed here with ``k``: small segments and, since the segments add up
    to the credential's totals, complementary ones too.
    """
    need_columns(
        frame,
        ["credential_id", "segment", "enrolled", "earned", "earn_rate", "earn_low", "earn_high"],
        "uptake_by_segment_chart",
        "metrics.uptake_by_segment",
    )
    frame = protected_frame(frame, "uptake_by_segment", k)
    alt = alt_module()
    base = base_chart(frame, "", "", height=alt.Step(16), layered=True)
    y = alt.Y("segment:N", title="Segment", sort=None)
    color = alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE))
    dot_base, dot_key = key_entry(base, "Shape", "Earn rate (dot)", "circle")
    err_base, err_key = key_entry(base, "StrokeDash", "95% interval (Wilson, line)", [1, 0], field="whisker")
    dots = dot_base.mark_point(filled=True, size=60).encode(
        y=y,
        x=alt.X(
            "earn_rate:Q", title="Earn rate (of enrolled)", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
        ),
        color=color,
        shape=dot_key,
        tooltip=[
            alt.Tooltip("credential_id:N"),
            alt.Tooltip("segment:N"),
            alt.Tooltip("enrolled:Q"),
            alt.Tooltip("earned:Q"),
            pct_tooltip("earn_rate", "earn rate"),
        ],
    )
    errs = err_base.mark_rule(strokeWidth=2).encode(
        y=y,
        x=alt.X("earn_low:Q", title="Earn rate (of enrolled)", scale=alt.Scale(domain=[0, 1])),
        x2=alt.X2("earn_high:Q"),
        color=color,
        strokeDash=err_key,
        tooltip=[pct_tooltip("earn_low", "lower 95% bound"), pct_tooltip("earn_high", "upper 95% bound")],
    )
    hidden = hidden_marks(frame, y, k, extra={"color": color})
    return layer_chart(
        title or "Uptake by segment",
        "Share of enrolled learners in each segment who earned the credential (dot), "
        f"with 95% Wilson intervals (line); groups under {k} learners are marked hidden.",
        errs,
        dots,
        hidden,
    )


def credential_stacking_chart(frame: Any, *, k: int = 5) -> alt.LayerChart:
    """Learners by number of credentials held (``metrics.credential_stacking``); small groups and their complements hidden with ``k`` unless already suppressed."""
    need_columns(
        frame, ["credentials_held", "learners", "share"], "credential_stacking_chart", "metrics.credential_stacking"
    )
    frame = protected_frame(frame, "credential_stacking", k)
    alt = alt_module()
    x = alt.X("credentials_held:O", title="Credentials held")
    bars = (
        base_chart(frame, "", "", height=200, layered=True)
        .transform_calculate(kind="datum.credentials_held >= 2 ? 'Stack (2 or more)' : 'One or none'")
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("learners:Q", title="Learners"),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["Stack (2 or more)", "One or none"], range=["#2ca02c", "#7f7f7f"]),
            ),
            tooltip=[alt.Tooltip("credentials_held:Q"), alt.Tooltip("learners:Q"), pct_tooltip("share", "share")],
        )
    )
    return layer_chart(
        "Credential stacking",
        "Enrolled learners by how many credentials they hold; two or more means stacking; "
        f"groups under {k} learners are marked hidden.",
        bars,
        hidden_column_marks(frame, x, k),
    )


def completion_by_language_chart(frame: Any, *, k: int = 5) -> alt.LayerChart:
    """Completion rate per module and language variant (``metrics.completion_by_language``).

    The languages of a module add up to its starters: a frame not yet suppressed is suppressed
    here with ``k``, complementary groups included.
    """
    need_columns(
        frame,
        ["module_id", "language", "started", "completed", "completion_rate"],
        "completion_by_language_chart",
        "metrics.completion_by_language",
    )
    frame = protected_frame(frame, "completion_by_language", k)
    alt = alt_module()
    y = alt.Y("module_id:N", title="Module", sort=None)
    color = alt.Color("language:N", title="Language", scale=alt.Scale(scheme=PALETTE))
    bars = (
        base_chart(frame, "", "", height=alt.Step(12), layered=True)
        .mark_bar()
        .encode(
            y=y,
            yOffset=alt.YOffset("language:N"),
            x=alt.X(
                "completion_rate:Q", title="Completion rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=color,
            tooltip=[
                alt.Tooltip("module_id:N"),
                alt.Tooltip("language:N"),
                alt.Tooltip("started:Q"),
                alt.Tooltip("completed:Q"),
                pct_tooltip("completion_rate", "completion"),
            ],
        )
    )
    hidden = hidden_marks(frame, y, k, extra={"yOffset": alt.YOffset("language:N"), "color": color})
    return layer_chart(
        "Completion by language variant",
        "Share of learners who started each module in a given language and completed it; "
        f"language groups under {k} starters are marked hidden.",
        bars,
        hidden,
    )


def learners_at_risk_chart(frame: Any, *, k: int = 5) -> alt.LayerChart:
    """At-risk learners per credential by how long they have been inactive (``metrics.at_risk_by_inactivity``).

    The frame holds counts only, never learner ids. Small groups, and complementary ones (the
    bins add up to the number at risk), are drawn as one "hidden (<k)" mark per bin that holds any: a frame not yet through
    ``report_table(..., count_col="learners")`` is suppressed here with ``k``.
    """
    need_columns(
        frame,
        ["credential_id", "days_from", "days_to", "learners"],
        "learners_at_risk_chart",
        "metrics.at_risk_by_inactivity",
    )
    frame = protected_frame(frame, "at_risk_by_inactivity", k)
    alt = alt_module()
    color = alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE))
    bars = (
        base_chart(frame, "", "", height=200, layered=True)
        .mark_bar()
        .encode(
            x=alt.X("days_from:Q", bin="binned", title="Days inactive"),
            x2=alt.X2("days_to:Q"),
            y=alt.Y("learners:Q", title="Learners", stack=True),
            color=color,
            tooltip=[
                alt.Tooltip("credential_id:N"),
                alt.Tooltip("days_from:Q", title="inactive from (days)"),
                alt.Tooltip("days_to:Q", title="to (days)"),
                alt.Tooltip("learners:Q"),
            ],
        )
    )
    # one upright mark per bin holding hidden groups (never one per credential: they would collide)
    hidden = (
        alt.Chart(frame)
        .transform_filter("datum.suppressed == true")
        .transform_aggregate(groups="count()", groupby=["days_from", "days_to"])
        .transform_calculate(
            at="(datum.days_from + datum.days_to) / 2",
            note=f"'hidden (<{k})'",
            why=f"datum.groups + ' credential group(s) here have fewer than {k} learners'",
        )
        .mark_text(angle=270, align="left", dx=2, fontSize=9, fontStyle="italic", color="#333333")
        .encode(
            x=alt.X("at:Q", title="Days inactive"),
            y=alt.YDatum(0),
            text=alt.Text("note:N"),
            tooltip=[alt.Tooltip("why:N", title="Why no bar")],
        )
    )
    return layer_chart(
        "Learners at risk",
        "Enrolled learners without the credential, by days since their last activity (7 or more); "
        f"groups under {k} learners are marked hidden.",
        bars,
        hidden,
    )


__all__ = [
    "credential_uptake_chart",
    "uptake_by_segment_chart",
    "credential_stacking_chart",
    "completion_by_language_chart",
    "learners_at_risk_chart",
]
