"""Charts of module progress and activity (``metrics`` outcomes, funnel, drop-off, time on task,
weekly activity, retention); re-exported by :mod:`mblib.analytics.charts`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .chart_output import alt_module
from .chart_parts import (
    PALETTE,
    base_chart,
    credential_rows,
    hidden_marks,
    layer_chart,
    legend_entry,
    need_columns,
    pct_tooltip,
    rates_long,
)

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

#: room for a block's name on the drop-off chart's axis (a quiz item reads "Q1 · <60 characters>")
BLOCK_LABEL_PX = 380


def module_outcomes_chart(frame: Any, *, k: int = 5, title: str | None = None) -> alt.LayerChart:
    """Completion rate per module with its Wilson 95 % interval (``metrics.module_outcomes``).

    Bars and interval whiskers each have a legend entry; suppressed modules (a ``suppressed``
    column from ``report_table``) are drawn as "hidden (<k)". ``title`` states a finding.
    """
    need_columns(
        frame,
        [
            "module_id",
            "started",
            "completed",
            "completion_rate",
            "completion_low",
            "completion_high",
            "passed",
            "pass_rate",
        ],
        "module_outcomes_chart",
        "metrics.module_outcomes",
    )
    alt = alt_module()
    base = base_chart(frame, "", "", layered=True)
    y = alt.Y("module_id:N", title="Module", sort=None)
    names = ["Completion rate", "95% interval (Wilson)"]
    palette = ["#4c78a8", "#222222"]
    bar_base, bar_color = legend_entry(base, names[0], names, palette)
    err_base, err_color = legend_entry(base, names[1], names, palette)
    bars = bar_base.mark_bar().encode(
        y=y,
        x=alt.X(
            "completion_rate:Q",
            title="Completion rate (of starters)",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=bar_color,
        tooltip=[
            alt.Tooltip("module_id:N"),
            alt.Tooltip("started:Q"),
            alt.Tooltip("completed:Q"),
            alt.Tooltip("passed:Q"),
            pct_tooltip("completion_rate", "Completion rate"),
            pct_tooltip("completion_low", "lower 95% bound"),
            pct_tooltip("completion_high", "upper 95% bound"),
            pct_tooltip("pass_rate", "Pass rate"),
        ],
    )
    errs = err_base.mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("completion_low:Q"), x2=alt.X2("completion_high:Q"), color=err_color
    )
    return layer_chart(
        title or "Completion by module",
        "Share of learners who started each module and completed it, with 95% Wilson intervals; "
        f"modules with fewer than {k} starters are marked hidden.",
        bars,
        errs,
        hidden_marks(frame, y, k),
    )


def credential_outcomes_chart(frame: Any, *, k: int = 5, title: str | None = None) -> alt.FacetChart:
    """Start, completion and earn rates per credential with their 95% intervals (``metrics.credential_outcomes``)."""
    need_columns(
        frame,
        ["credential_id", "enrolled", "start_rate", "completion_rate", "earn_rate"],
        "credential_outcomes_chart",
        "metrics.credential_outcomes",
    )
    alt = alt_module()
    long = rates_long(frame, ["credential_id", "enrolled"], ["start", "completion", "earn"])
    order = list(dict.fromkeys(long["measure"].to_list()))
    y = alt.Y("measure:N", title=None, sort=order)
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                "rate:Q", title="Share of enrolled learners", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color("measure:N", title="Measure", scale=alt.Scale(scheme=PALETTE), sort=order),
            tooltip=[
                alt.Tooltip("credential_id:N"),
                alt.Tooltip("enrolled:Q"),
                alt.Tooltip("measure:N"),
                pct_tooltip("rate", "Rate"),
                pct_tooltip("low", "lower 95% bound"),
                pct_tooltip("high", "upper 95% bound"),
            ],
        )
    )
    errs = alt.Chart().mark_rule(color="#222", strokeWidth=2).encode(y=y, x=alt.X("low:Q"), x2=alt.X2("high:Q"))
    hidden = hidden_marks(None, y, k)
    return alt.layer(bars, errs, hidden, data=long, width=420, height=alt.Step(18)).facet(
        row=credential_rows(),
        title=title or "Credential outcomes",
        description="For each credential, the share of enrolled learners who started, "
        "completed the required modules and earned it, with 95% Wilson intervals (black lines).",
    )


def pathway_funnel_chart(frame: Any) -> alt.FacetChart:
    """Learners reaching at least each step of a credential's pathway, one panel per credential (``metrics.pathway_funnel``)."""
    need_columns(
        frame,
        ["credential_id", "step", "module_id", "learners", "share"],
        "pathway_funnel_chart",
        "metrics.pathway_funnel",
    )
    alt = alt_module()
    return (
        alt.Chart(frame)
        .transform_calculate(label="datum.step + '. ' + (datum.module_id ? datum.module_id : 'enrolled')")
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("step", order="ascending")),
            x=alt.X("learners:Q", title="Learners"),
            color=alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE), legend=None),
            tooltip=[
                alt.Tooltip("credential_id:N"),
                alt.Tooltip("step:Q"),
                alt.Tooltip("module_id:N"),
                alt.Tooltip("learners:Q"),
                pct_tooltip("share", "of enrolled"),
            ],
        )
        .properties(width=420, height=alt.Step(18))
        .facet(
            row=credential_rows(),
            resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
            title="Pathway funnel",
            description="Learners who reached at least each step of the credential's pathway; step 0 is enrolment.",
        )
    )


def block_dropoff_chart(frame: Any) -> alt.Chart:
    """Drop-off rate at each block of a module, in block order (``metrics.block_dropoff``)."""
    need_columns(
        frame,
        ["module_id", "block_id", "position", "reached", "stopped", "reached_share", "dropoff_rate"],
        "block_dropoff_chart",
        "metrics.block_dropoff",
    )
    alt = alt_module()
    return (
        base_chart(
            frame,
            "Where learners stop",
            "For each block of the module, in order, the share of learners who reached it and stopped there.",
            width=420,
            height=alt.Step(18),
        )
        .mark_bar()
        .encode(
            # one row per block, top to bottom: a quiz item's name ("Q1 · What is…", ~65 characters) fits whole
            y=alt.Y(  # no axis title: the names say what they are, and a title beside long ones may touch them
                "block_id:N",
                title=None,
                sort=alt.EncodingSortField("position", order="ascending"),
                axis=alt.Axis(labelLimit=BLOCK_LABEL_PX),
            ),
            x=alt.X(
                "dropoff_rate:Q",
                title="Stopped here (of those who reached it)",
                axis=alt.Axis(format="%", tickCount=6),  # "0.2%", "0.4%"... stay apart
            ),
            color=alt.Color("module_id:N", title="Module", scale=alt.Scale(scheme=PALETTE)),
            tooltip=[
                alt.Tooltip("module_id:N"),
                alt.Tooltip("block_id:N"),
                alt.Tooltip("position:Q"),
                alt.Tooltip("reached:Q"),
                alt.Tooltip("stopped:Q"),
                pct_tooltip("reached_share", "reached"),
                pct_tooltip("dropoff_rate", "drop-off"),
            ],
        )
    )


def time_on_task_chart(frame: Any) -> alt.LayerChart:
    """Time on task per module (quartiles, median) against its estimated duration (``metrics.time_on_task``)."""
    need_columns(
        frame,
        ["module_id", "learners", "estimated_s", "p25_s", "median_s", "p75_s", "p90_s", "median_ratio"],
        "time_on_task_chart",
        "metrics.time_on_task",
    )
    alt = alt_module()
    base = base_chart(frame, "", "", layered=True).transform_calculate(
        p25="datum.p25_s / 60",
        p75="datum.p75_s / 60",
        median="datum.median_s / 60",
        p90="datum.p90_s / 60",
        estimate="datum.estimated_s / 60",
    )
    y = alt.Y("module_id:N", title="Module", sort=None)
    tip = [
        alt.Tooltip("module_id:N"),
        alt.Tooltip("learners:Q"),
        alt.Tooltip("median:Q", title="median (min)", format=".1f"),
        alt.Tooltip("estimate:Q", title="estimate (min)", format=".1f"),
        alt.Tooltip("p90:Q", title="90th percentile (min)", format=".1f"),
        alt.Tooltip("median_ratio:Q", title="median / estimate", format=".2f"),
    ]
    names = ["Middle half of learners (bar)", "Median (tick)", "Estimated duration (diamond)"]
    colors = ["#9ecae9", "#222222", "#d62728"]
    (b0, c0), (b1, c1), (b2, c2) = (legend_entry(base, n, names, colors) for n in names)
    iqr = b0.mark_bar(height=12).encode(
        y=y, x=alt.X("p25:Q", title="Minutes"), x2=alt.X2("p75:Q"), tooltip=tip, color=c0
    )
    med = b1.mark_tick(thickness=2).encode(y=y, x=alt.X("median:Q"), tooltip=tip, color=c1)
    est = b2.mark_point(shape="diamond", filled=True, size=70).encode(y=y, x=alt.X("estimate:Q"), tooltip=tip, color=c2)
    return layer_chart(
        "Time on task against the estimate",
        "Per module: the middle half of learners' time on "
        "task (bar), the median (tick) and the estimated duration (diamond), in minutes.",
        iqr,
        med,
        est,
    )


def weekly_active_learners_chart(frame: Any) -> alt.Chart:
    """Distinct active learners per week (``metrics.weekly_active_learners``)."""
    need_columns(
        frame, ["week_start", "active_learners"], "weekly_active_learners_chart", "metrics.weekly_active_learners"
    )
    alt = alt_module()
    return (
        base_chart(
            frame,
            "Weekly active learners",
            "Distinct learners with any activity in each week (weeks start on Monday, UTC).",
        )
        .mark_line(point=True)
        .encode(
            x=alt.X("week_start:T", title="Week starting"),
            y=alt.Y("active_learners:Q", title="Active learners"),
            tooltip=[alt.Tooltip("week_start:T", title="week", format="%Y-%m-%d"), alt.Tooltip("active_learners:Q")],
        )
    )


def cohort_retention_chart(frame: Any) -> alt.Chart:
    """Retention by weekly cohort, as a heat map (``metrics.cohort_retention``)."""
    need_columns(
        frame,
        ["cohort_week", "week", "cohort_size", "active", "retention"],
        "cohort_retention_chart",
        "metrics.cohort_retention",
    )
    alt = alt_module()
    return (
        base_chart(
            frame,
            "Cohort retention",
            "Share of each weekly cohort (by first activity) still active a given number of weeks later.",
            width=alt.Step(18),
            height=alt.Step(18),
        )
        .mark_rect()
        .encode(
            x=alt.X("week:O", title="Weeks since first activity"),
            y=alt.Y("cohort_week:O", title="Cohort (week of first activity)", timeUnit="yearmonthdate"),
            color=alt.Color(
                "retention:Q",
                title="Retention",
                scale=alt.Scale(scheme="blues", domain=[0, 1]),
                legend=alt.Legend(format="%"),
            ),
            tooltip=[
                alt.Tooltip("cohort_week:T", title="cohort", format="%Y-%m-%d"),
                alt.Tooltip("week:Q"),
                alt.Tooltip("cohort_size:Q"),
                alt.Tooltip("active:Q"),
                pct_tooltip("retention", "retention"),
            ],
        )
    )


__all__ = [
    "module_outcomes_chart",
    "credential_outcomes_chart",
    "pathway_funnel_chart",
    "block_dropoff_chart",
    "time_on_task_chart",
    "weekly_active_learners_chart",
    "cohort_retention_chart",
]
