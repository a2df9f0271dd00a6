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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .chart_output import (
    CHART_CSS,
    EMBED_JS,
    EMBED_OPTIONS,
    VEGALITE_MIME,
    ChartError,
    alt_module,
    chart_figure_html,
    chart_png,
    chart_spec,
    chart_svg,
    charts_page,
    enable_notebook_charts,
    save_chart,
    script_json,
    vega_bundle,
    vegalite_version,
)

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

PALETTE = "tableau10"


def _need(frame: Any, columns: Iterable[str], chart: str, metric: str) -> None:
    have = list(frame.columns)
    missing = sorted(set(columns) - set(have))
    if missing:
        raise ChartError(
            f"{chart}: the frame lacks column(s) {', '.join(missing)} (it has: {', '.join(have)})",
            hint=f"pass the collected result of {metric}(...)",
        )


def _base(
    frame: Any, title: str, description: str, *, width: Any = 480, height: Any = 260, layered: bool = False
) -> Any:
    """A chart over ``frame``; a layer part (``layered``) leaves title and description to :func:`_layer`."""
    alt = alt_module()
    if layered:
        return alt.Chart(frame).properties(width=width, height=height)
    return alt.Chart(frame).properties(title=title, description=description, width=width, height=height)


def _layer(title: str, description: str, *parts: Any) -> Any:
    return alt_module().layer(*parts).properties(title=title, description=description)


def _protected(frame: Any, metric: str, k: int) -> Any:
    """A partition metric's frame with small groups and their complements hidden (see
    :func:`mblib.analytics.privacy.suppress_metric`); one that went through ``report_table`` passes as it is."""
    from .privacy import suppress_metric

    return suppress_metric(frame, metric, k).frame


def _pct(field: str, title: str) -> Any:
    return alt_module().Tooltip(f"{field}:Q", title=title, format=".1%")


# --------------------------------------------------------------------------------------------
# metrics.py
# --------------------------------------------------------------------------------------------


def module_outcomes_chart(frame: Any) -> alt.LayerChart:
    """Completion rate per module with its Wilson 95 % interval (``metrics.module_outcomes``)."""
    _need(
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
    base = _base(frame, "", "", layered=True)
    y = alt.Y("module_id:N", title="Module", sort=None)
    bars = base.mark_bar().encode(
        y=y,
        x=alt.X(
            "completion_rate:Q",
            title="Completion rate (of starters)",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=[
            "module_id:N",
            "started:Q",
            "completed:Q",
            "passed:Q",
            _pct("completion_rate", "completion"),
            _pct("pass_rate", "pass rate"),
        ],
    )
    errs = base.mark_rule(color="#222").encode(y=y, x="completion_low:Q", x2="completion_high:Q")
    return _layer(
        "Completion by module",
        "Share of learners who started each module and completed it, with 95% Wilson intervals.",
        bars,
        errs,
    )


def credential_outcomes_chart(frame: Any) -> alt.Chart:
    """Start, completion and earn rates per credential (``metrics.credential_outcomes``)."""
    _need(
        frame,
        ["credential_id", "enrolled", "start_rate", "completion_rate", "earn_rate"],
        "credential_outcomes_chart",
        "metrics.credential_outcomes",
    )
    alt = alt_module()
    return (
        _base(
            frame,
            "Credential outcomes",
            "For each credential, the share of enrolled learners who started, "
            "completed the required modules and earned it.",
            height=alt.Step(18),
        )
        .transform_fold(["start_rate", "completion_rate", "earn_rate"], as_=["measure", "rate"])
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=["start_rate", "completion_rate", "earn_rate"]),
            x=alt.X(
                "rate:Q", title="Share of enrolled learners", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color("measure:N", title="Measure", scale=alt.Scale(scheme=PALETTE)),
            row=alt.Row("credential_id:N", title=None),
            tooltip=["credential_id:N", "enrolled:Q", "measure:N", alt.Tooltip("rate:Q", format=".1%")],
        )
    )


def pathway_funnel_chart(frame: Any) -> alt.FacetChart:
    """Learners reaching at least each step of a credential's pathway, one panel per credential (``metrics.pathway_funnel``)."""
    _need(
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
            tooltip=["credential_id:N", "step:Q", "module_id:N", "learners:Q", _pct("share", "of enrolled")],
        )
        .properties(width=420, height=alt.Step(18))
        .facet(
            row=alt.Row(
                "credential_id:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold", labelOrient="top"),
            )
        )
        .resolve_scale(y="independent")
        .properties(
            title="Pathway funnel",
            description="Learners who reached at least each step of the credential's pathway; step 0 is enrolment.",
        )
    )


def block_dropoff_chart(frame: Any) -> alt.Chart:
    """Drop-off rate at each block of a module, in block order (``metrics.block_dropoff``)."""
    _need(
        frame,
        ["module_id", "block_id", "position", "reached", "stopped", "reached_share", "dropoff_rate"],
        "block_dropoff_chart",
        "metrics.block_dropoff",
    )
    alt = alt_module()
    return (
        _base(
            frame,
            "Where learners stop",
            "For each block of the module, in order, the share of learners who reached it and stopped there.",
        )
        .mark_bar()
        .encode(
            x=alt.X("block_id:N", title="Block", sort=alt.EncodingSortField("position", order="ascending")),
            y=alt.Y("dropoff_rate:Q", title="Stopped here (of those who reached it)", axis=alt.Axis(format="%")),
            color=alt.Color("module_id:N", title="Module", scale=alt.Scale(scheme=PALETTE)),
            tooltip=[
                "module_id:N",
                "block_id:N",
                "position:Q",
                "reached:Q",
                "stopped:Q",
                _pct("reached_share", "reached"),
                _pct("dropoff_rate", "drop-off"),
            ],
        )
    )


def time_on_task_chart(frame: Any) -> alt.LayerChart:
    """Time on task per module (quartiles, median) against its estimated duration (``metrics.time_on_task``)."""
    _need(
        frame,
        ["module_id", "learners", "estimated_s", "p25_s", "median_s", "p75_s", "p90_s", "median_ratio"],
        "time_on_task_chart",
        "metrics.time_on_task",
    )
    alt = alt_module()
    base = _base(frame, "", "", layered=True).transform_calculate(
        p25="datum.p25_s / 60",
        p75="datum.p75_s / 60",
        median="datum.median_s / 60",
        p90="datum.p90_s / 60",
        estimate="datum.estimated_s / 60",
    )
    y = alt.Y("module_id:N", title="Module", sort=None)
    tip = [
        "module_id:N",
        "learners:Q",
        alt.Tooltip("median:Q", title="median (min)", format=".1f"),
        alt.Tooltip("estimate:Q", title="estimate (min)", format=".1f"),
        alt.Tooltip("p90:Q", title="90th percentile (min)", format=".1f"),
        alt.Tooltip("median_ratio:Q", title="median / estimate", format=".2f"),
    ]
    iqr = base.mark_bar(opacity=0.5, height=12).encode(y=y, x=alt.X("p25:Q", title="Minutes"), x2="p75:Q", tooltip=tip)
    med = base.mark_tick(color="#222", thickness=2).encode(y=y, x="median:Q", tooltip=tip)
    est = base.mark_point(shape="diamond", filled=True, color="#d62728", size=70).encode(
        y=y, x="estimate:Q", tooltip=tip
    )
    return _layer(
        "Time on task against the estimate",
        "Per module: the middle half of learners' time on "
        "task (bar), the median (tick) and the estimated duration (diamond), in minutes.",
        iqr,
        med,
        est,
    )


def weekly_active_learners_chart(frame: Any) -> alt.Chart:
    """Distinct active learners per week (``metrics.weekly_active_learners``)."""
    _need(frame, ["week_start", "active_learners"], "weekly_active_learners_chart", "metrics.weekly_active_learners")
    alt = alt_module()
    return (
        _base(
            frame,
            "Weekly active learners",
            "Distinct learners with any activity in each week (weeks start on Monday, UTC).",
        )
        .mark_line(point=True)
        .encode(
            x=alt.X("week_start:T", title="Week starting"),
            y=alt.Y("active_learners:Q", title="Active learners"),
            tooltip=[alt.Tooltip("week_start:T", title="week", format="%Y-%m-%d"), "active_learners:Q"],
        )
    )


def cohort_retention_chart(frame: Any) -> alt.Chart:
    """Retention by weekly cohort, as a heat map (``metrics.cohort_retention``)."""
    _need(
        frame,
        ["cohort_week", "week", "cohort_size", "active", "retention"],
        "cohort_retention_chart",
        "metrics.cohort_retention",
    )
    alt = alt_module()
    return (
        _base(
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
                "week:Q",
                "cohort_size:Q",
                "active:Q",
                _pct("retention", "retention"),
            ],
        )
    )


def credential_uptake_chart(frame: Any, *, k: int = 5) -> alt.Chart:
    """Cumulative enrolments and awards per credential over time (``metrics.credential_uptake``).

    A running total ends at the credential's total, so credentials with fewer than ``k``
    enrolled learners are left out (:func:`mblib.analytics.privacy.suppress_small_series`).
    """
    _need(
        frame,
        ["credential_id", "week_start", "cumulative_enrolled", "cumulative_earned"],
        "credential_uptake_chart",
        "metrics.credential_uptake",
    )
    from .privacy import suppress_small_series

    frame = suppress_small_series(frame, k, "cumulative_enrolled", by=["credential_id"]).frame
    alt = alt_module()
    return (
        _base(
            frame,
            "Credential uptake over time",
            "Running totals of learners enrolled in and learners who earned each credential, week by week.",
        )
        .transform_fold(["cumulative_enrolled", "cumulative_earned"], as_=["measure", "learners"])
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("week_start:T", title="Week starting"),
            y=alt.Y("learners:Q", title="Learners (cumulative)"),
            color=alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE)),
            strokeDash=alt.StrokeDash("measure:N", title="Measure", sort=["cumulative_enrolled", "cumulative_earned"]),
            tooltip=[
                "credential_id:N",
                alt.Tooltip("week_start:T", title="week", format="%Y-%m-%d"),
                "measure:N",
                "learners:Q",
            ],
        )
    )


def uptake_by_segment_chart(frame: Any, *, k: int = 5) -> alt.LayerChart:
    """Earn rate per learner segment with Wilson intervals (``metrics.uptake_by_segment``).

    Suppressed rows (null counts) are drawn as gaps. A frame that has not been through
    ``report_table`` is suppressed here with ``k``: small segments and, since the segments add up
    to the credential's totals, complementary ones too.
    """
    _need(
        frame,
        ["credential_id", "segment", "enrolled", "earned", "earn_rate", "earn_low", "earn_high"],
        "uptake_by_segment_chart",
        "metrics.uptake_by_segment",
    )
    frame = _protected(frame, "uptake_by_segment", k)
    alt = alt_module()
    base = _base(frame, "", "", height=alt.Step(16), layered=True)
    y = alt.Y("segment:N", title="Segment", sort=None)
    color = alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE))
    dots = base.mark_point(filled=True, size=60).encode(
        y=y,
        x=alt.X(
            "earn_rate:Q", title="Earn rate (of enrolled)", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
        ),
        color=color,
        tooltip=["credential_id:N", "segment:N", "enrolled:Q", "earned:Q", _pct("earn_rate", "earn rate")],
    )
    errs = base.mark_rule().encode(y=y, x="earn_low:Q", x2="earn_high:Q", color=color)
    return _layer(
        "Uptake by segment",
        "Share of enrolled learners in each segment who earned the credential, "
        "with 95% Wilson intervals; small groups are suppressed.",
        errs,
        dots,
    )


def credential_stacking_chart(frame: Any, *, k: int = 5) -> alt.Chart:
    """Learners by number of credentials held (``metrics.credential_stacking``); small groups and their complements hidden with ``k`` unless already suppressed."""
    _need(frame, ["credentials_held", "learners", "share"], "credential_stacking_chart", "metrics.credential_stacking")
    frame = _protected(frame, "credential_stacking", k)
    alt = alt_module()
    return (
        _base(
            frame,
            "Credential stacking",
            "Enrolled learners by how many credentials they hold; two or more means stacking.",
            height=200,
        )
        .mark_bar()
        .encode(
            x=alt.X("credentials_held:O", title="Credentials held"),
            y=alt.Y("learners:Q", title="Learners"),
            color=alt.condition("datum.credentials_held >= 2", alt.value("#2ca02c"), alt.value("#7f7f7f")),
            tooltip=["credentials_held:Q", "learners:Q", _pct("share", "share")],
        )
    )


def completion_by_language_chart(frame: Any, *, k: int = 5) -> alt.Chart:
    """Completion rate per module and language variant (``metrics.completion_by_language``).

    The languages of a module add up to its starters: a frame not yet suppressed is suppressed
    here with ``k``, complementary groups included.
    """
    _need(
        frame,
        ["module_id", "language", "started", "completed", "completion_rate"],
        "completion_by_language_chart",
        "metrics.completion_by_language",
    )
    frame = _protected(frame, "completion_by_language", k)
    alt = alt_module()
    return (
        _base(
            frame,
            "Completion by language variant",
            "Share of learners who started each module in a given language and completed it.",
            height=alt.Step(10),
        )
        .mark_bar()
        .encode(
            y=alt.Y("module_id:N", title="Module", sort=None),
            yOffset="language:N",
            x=alt.X(
                "completion_rate:Q", title="Completion rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color("language:N", title="Language", scale=alt.Scale(scheme=PALETTE)),
            tooltip=["module_id:N", "language:N", "started:Q", "completed:Q", _pct("completion_rate", "completion")],
        )
    )


def learners_at_risk_chart(frame: Any, *, k: int = 5) -> alt.Chart:
    """At-risk learners per credential by how long they have been inactive (``metrics.at_risk_by_inactivity``).

    The frame holds counts only, never learner ids. Small groups, and complementary ones (the
    bins add up to the number at risk), are drawn as gaps: a frame not yet through
    ``report_table(..., count_col="learners")`` is suppressed here with ``k``.
    """
    _need(
        frame,
        ["credential_id", "days_from", "days_to", "learners"],
        "learners_at_risk_chart",
        "metrics.at_risk_by_inactivity",
    )
    frame = _protected(frame, "at_risk_by_inactivity", k)
    alt = alt_module()
    return (
        _base(
            frame,
            "Learners at risk",
            "Enrolled learners without the credential, by days since their last activity (7 or more).",
            height=200,
        )
        .mark_bar()
        .encode(
            x=alt.X("days_from:Q", bin="binned", title="Days inactive"),
            x2="days_to:Q",
            y=alt.Y("learners:Q", title="Learners", stack=True),
            color=alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE)),
            tooltip=[
                "credential_id:N",
                alt.Tooltip("days_from:Q", title="inactive from (days)"),
                alt.Tooltip("days_to:Q", title="to (days)"),
                "learners:Q",
            ],
        )
    )


# --------------------------------------------------------------------------------------------
# survival.py, items.py
# --------------------------------------------------------------------------------------------


def time_to_credential_chart(frame: Any) -> alt.LayerChart:
    """Kaplan-Meier share not yet holding the credential, with its band (``survival.time_to_credential``)."""
    _need(
        frame,
        ["credential_id", "time_days", "at_risk", "events", "survival", "ci_low", "ci_high"],
        "time_to_credential_chart",
        "survival.time_to_credential",
    )
    alt = alt_module()
    base = _base(frame, "", "", layered=True)
    x = alt.X("time_days:Q", title="Days since enrolment")
    color = alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE))
    band = base.mark_area(opacity=0.2, interpolate="step-after").encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=color)
    line = base.mark_line(interpolate="step-after").encode(
        x=x,
        y=alt.Y("survival:Q", title="Not yet earned", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=color,
        tooltip=[
            "credential_id:N",
            alt.Tooltip("time_days:Q", format=".1f"),
            "at_risk:Q",
            "events:Q",
            _pct("survival", "not yet earned"),
        ],
    )
    return _layer(
        "Time to credential",
        "Kaplan-Meier estimate of the share of enrolled learners who have "
        "not yet earned the credential, by days since enrolment, with a 95% band.",
        band,
        line,
    )


def item_statistics_chart(frame: Any) -> alt.Chart:
    """Facility against discrimination index per quiz item (``items.item_statistics``).

    Items in the lower right (easy, little discrimination) or with a negative index deserve review.
    """
    _need(
        frame,
        ["module_id", "block_id", "facility", "discrimination_index", "attempts"],
        "item_statistics_chart",
        "items.item_statistics",
    )
    alt = alt_module()
    return (
        _base(
            frame,
            "Quiz items: facility and discrimination",
            "Each quiz item by facility (share answering "
            "correctly) and discrimination index; low or negative discrimination needs review.",
            height=300,
        )
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X("facility:Q", title="Facility", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            y=alt.Y("discrimination_index:Q", title="Discrimination index"),
            color=alt.Color("module_id:N", title="Module", scale=alt.Scale(scheme=PALETTE)),
            tooltip=[
                "module_id:N",
                "block_id:N",
                "attempts:Q",
                alt.Tooltip("facility:Q", format=".2f"),
                alt.Tooltip("discrimination_index:Q", format=".2f"),
            ],
        )
    )


def distractor_analysis_chart(frame: Any, *, k: int = 5) -> alt.Chart:
    """How often each choice of each quiz item was chosen; correct choices marked (``items.distractor_analysis``).

    Choices chosen by fewer than ``k`` learners, and complementary ones of the same item, are
    hidden unless the frame has been through suppression already.
    """
    _need(
        frame,
        ["module_id", "block_id", "choice_id", "correct", "chosen", "share"],
        "distractor_analysis_chart",
        "items.distractor_analysis",
    )
    frame = _protected(frame, "distractor_analysis", k)
    alt = alt_module()
    return (
        _base(
            frame,
            "Distractor analysis",
            "For each quiz item, the share of attempts choosing each choice; correct choices in green.",
            height=alt.Step(14),
        )
        .mark_bar()
        .encode(
            y=alt.Y("choice_id:N", title=None),
            x=alt.X("share:Q", title="Chosen (share of attempts)", axis=alt.Axis(format="%")),
            row=alt.Row("block_id:N", title=None),
            color=alt.Color(
                "correct:N", title="Correct", scale=alt.Scale(domain=[True, False], range=["#2ca02c", "#7f7f7f"])
            ),
            tooltip=["module_id:N", "block_id:N", "choice_id:N", "correct:N", "chosen:Q", _pct("share", "share")],
        )
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
}


__all__ = [
    "CHARTS",
    "CHART_CSS",
    "ChartError",
    "EMBED_JS",
    "EMBED_OPTIONS",
    "VEGALITE_MIME",
    "chart_figure_html",
    "chart_png",
    "chart_spec",
    "chart_svg",
    "charts_page",
    "enable_notebook_charts",
    "save_chart",
    "script_json",
    *[f.__name__ for f in CHARTS.values()],
    "vega_bundle",
    "vegalite_version",
]
