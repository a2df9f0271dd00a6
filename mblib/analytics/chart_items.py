"""Charts of ``survival`` (time to credential) and ``items`` (item statistics, distractors);
re-exported by :mod:`mblib.analytics.charts`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .chart_output import alt_module
from .chart_parts import (
    PALETTE,
    base_chart,
    hidden_marks,
    key_entry,
    layer_chart,
    need_columns,
    pct_tooltip,
    protected_frame,
)

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

#: what a quiz item is called in tooltips (its values read "Q1 · What is…", :mod:`mblib.analytics.item_titles`)
ITEM = "Quiz item"
#: room for a choice's text on the distractor chart's axis (~40 characters at the axis font): never cut
CHOICE_LABEL_PX = 300


def time_to_credential_chart(frame: Any) -> alt.LayerChart:
    """Kaplan-Meier share not yet holding the credential, with its band (``survival.time_to_credential``)."""
    need_columns(
        frame,
        ["credential_id", "time_days", "at_risk", "events", "survival", "ci_low", "ci_high"],
        "time_to_credential_chart",
        "survival.time_to_credential",
    )
    alt = alt_module()
    base = base_chart(frame, "", "", layered=True)
    x = alt.X("time_days:Q", title="Days since enrolment")
    color = alt.Color("credential_id:N", title="Credential", scale=alt.Scale(scheme=PALETTE))
    # the band's own axis title is the line's: Vega-Lite would join two titles ("Lower bound, Not yet earned")
    band_base, band_key = key_entry(base, "Opacity", "95% band (shaded)", 0.2, symbol="square")
    line_base, line_key = key_entry(base, "StrokeDash", "Share not yet earned (line)", [1, 0], field="estimate")
    band = band_base.mark_area(interpolate="step-after").encode(
        x=x,
        opacity=band_key,
        y=alt.Y("ci_low:Q", title="Not yet earned", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y2=alt.Y2("ci_high:Q"),
        color=color,
        tooltip=[pct_tooltip("ci_low", "lower 95% bound"), pct_tooltip("ci_high", "upper 95% bound")],
    )
    line = line_base.mark_line(interpolate="step-after").encode(
        x=x,
        strokeDash=line_key,
        y=alt.Y("survival:Q", title="Not yet earned", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=color,
        tooltip=[
            alt.Tooltip("credential_id:N"),
            alt.Tooltip("time_days:Q", format=".1f"),
            alt.Tooltip("at_risk:Q"),
            alt.Tooltip("events:Q"),
            pct_tooltip("survival", "not yet earned"),
        ],
    )
    return layer_chart(
        "Time to credential",
        "Kaplan-Meier estimate of the share of enrolled learners who have "
        "not yet earned the credential, by days since enrolment (line), with its 95% band (shaded).",
        band,
        line,
    )


def item_statistics_chart(frame: Any) -> alt.Chart:
    """Facility against discrimination index per quiz item (``items.item_statistics``).

    Items in the lower right (easy, little discrimination) or with a negative index deserve review.
    """
    need_columns(
        frame,
        ["module_id", "block_id", "facility", "discrimination_index", "attempts"],
        "item_statistics_chart",
        "items.item_statistics",
    )
    alt = alt_module()
    return (
        base_chart(
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
                alt.Tooltip("module_id:N"),
                alt.Tooltip("block_id:N", title=ITEM),
                alt.Tooltip("attempts:Q"),
                alt.Tooltip("facility:Q", format=".2f"),
                alt.Tooltip("discrimination_index:Q", format=".2f"),
            ],
        )
    )


def distractor_analysis_chart(frame: Any, *, k: int = 5) -> alt.FacetChart:
    """How often each choice of each quiz item was chosen; correct choices marked (``items.distractor_analysis``).

    Choices chosen by fewer than ``k`` learners, and complementary ones of the same item, are
    hidden unless the frame has been through suppression already; hidden choices are drawn as
    "hidden (<k)" marks.
    """
    need_columns(
        frame,
        ["module_id", "block_id", "choice_id", "correct", "chosen", "share"],
        "distractor_analysis_chart",
        "items.distractor_analysis",
    )
    frame = protected_frame(frame, "distractor_analysis", k)
    alt = alt_module()
    # choices read as their text (labels.with_titles, up to ~40 characters): the axis leaves them room
    # in the order the choices were written (their texts sorted would shuffle them)
    order = (
        alt.EncodingSortField("choice_position", order="ascending")
        if "choice_position" in frame.columns
        else alt.Undefined
    )
    y = alt.Y("choice_id:N", title=None, sort=order, axis=alt.Axis(labelLimit=CHOICE_LABEL_PX))
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("share:Q", title="Chosen (share of attempts)", axis=alt.Axis(format="%")),
            color=alt.Color(
                "correct:N", title="Correct", scale=alt.Scale(domain=[True, False], range=["#2ca02c", "#7f7f7f"])
            ),
            tooltip=[
                alt.Tooltip("module_id:N"),
                alt.Tooltip("block_id:N", title=ITEM),
                alt.Tooltip("choice_id:N"),
                alt.Tooltip("correct:N"),
                alt.Tooltip("chosen:Q"),
                pct_tooltip("share", "share"),
            ],
        )
    )
    return alt.layer(bars, hidden_marks(None, y, k), data=frame, height=alt.Step(14), width=480).facet(
        row=alt.Row(
            "block_id:N",
            title=None,
            header=alt.Header(  # the item's name over its bars, from their left edge, never cut
                labelAngle=0,
                labelAlign="left",
                labelAnchor="start",
                labelFontWeight="bold",
                labelOrient="top",
                labelLimit=0,
            ),
        ),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),  # each item lists its own choices only
        title="Distractor analysis",
        description="For each quiz item, the share of attempts choosing each choice; correct choices in green; "
        f"choices chosen by fewer than {k} learners are marked hidden.",
    )


__all__ = ["time_to_credential_chart", "item_statistics_chart", "distractor_analysis_chart"]
