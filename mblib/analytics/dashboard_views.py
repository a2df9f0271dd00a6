"""The dashboard's views: one metric computed on filtered learner data (:mod:`mblib.analytics.event_filter`),
small groups suppressed (also those another segment value would give away), and drawn.
Imported from :mod:`mblib.analytics.filters`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Location
from .event_filter import EventFilter, FilterError, filter_events, filter_options_segments

if TYPE_CHECKING:  # pragma: no cover
    from ..content import Workspace


@dataclass(frozen=True)
class View:
    """A dashboard view: how to compute its frame from filtered data, and its chart."""

    compute: Callable[[Any, Any, Workspace, EventFilter], Any]
    chart: str  # name in charts.CHARTS
    count_col: str | None = None  # groups to suppress by (None: not a grouped table)
    labels: tuple[str, ...] | None = None
    how: Literal["mask", "drop"] = "mask"  # "drop" leaves small groups out (a curve then ends where they start)
    partition_by: Any = "auto"  # wholes the rows add up to (privacy.suppress_small_groups)
    series: tuple[str, ...] | None = None  # running totals: whole series under k left out (count_col: their total)


def _creds(ws: Workspace, flt: EventFilter) -> list[Any]:
    return [ws.credential(flt.credential_id)] if flt.credential_id else list(ws.credentials.values())


def _views() -> dict[str, View]:
    from . import metrics, survival
    from .backends import collect

    def funnel(ev: Any, lr: Any, ws: Workspace, flt: EventFilter) -> Any:
        import narwhals.stable.v2 as nw

        return nw.concat([nw.from_native(metrics.pathway_funnel(ev, c)) for c in _creds(ws, flt)])

    return {
        "credential_outcomes": View(
            lambda ev, lr, ws, f: metrics.credential_outcomes(ev, _creds(ws, f)), "credential_outcomes", "enrolled"
        ),
        "pathway_funnel": View(funnel, "pathway_funnel", "learners", ("credential_id", "step", "module_id")),
        "module_outcomes": View(
            lambda ev, lr, ws, f: metrics.module_outcomes(ev, _creds(ws, f)), "module_outcomes", "started"
        ),
        "credential_uptake": View(
            lambda ev, lr, ws, f: metrics.credential_uptake(ev),
            "credential_uptake",
            "cumulative_enrolled",
            ("credential_id",),
            "drop",
            series=("credential_id",),
        ),
        "weekly_active_learners": View(
            lambda ev, lr, ws, f: metrics.weekly_active_learners(ev),
            "weekly_active_learners",
            "active_learners",
            ("week_start",),
        ),
        "time_to_credential": View(
            lambda ev, lr, ws, f: survival.thin_curve(collect(survival.time_to_credential(ev))),
            "time_to_credential",
            "at_risk",
            ("credential_id", "time_days"),
            "drop",
        ),
        "completion_by_language": View(
            lambda ev, lr, ws, f: metrics.completion_by_language(ev),
            "completion_by_language",
            "started",
            partition_by=("module_id",),
        ),
    }


def view_spec(name: str) -> View:
    """The :class:`View` of dashboard view ``name`` (its metric on filtered events, its chart...)."""
    views = _views()
    if name not in views:
        raise FilterError(
            f"unknown view '{name}'", location=Location(field="view"), hint=f"use one of {', '.join(views)}"
        )
    return views[name]


#: view name -> title (the dashboard's choices, in order)
VIEWS: dict[str, str] = {
    "credential_outcomes": "Credential outcomes",
    "pathway_funnel": "Pathway funnel",
    "module_outcomes": "Completion by module",
    "credential_uptake": "Uptake over time",
    "weekly_active_learners": "Weekly active learners",
    "time_to_credential": "Time to credential",
    "completion_by_language": "Completion by language",
}


#: views drawn as curves: the dashboard draws their points and does not list them
CURVES = frozenset({"time_to_credential", "credential_uptake", "weekly_active_learners"})


@dataclass
class ViewResult:
    """A computed view: the (suppressed) table, its chart, the filter in words and the events kept."""

    name: str
    title: str
    table: Any  # report.ReportTable
    chart: Any  # altair chart
    caption: str
    learners: int

    def table_html(self) -> str:
        """The table as the dashboard shows it (the reports' style); a curve's rows are drawn, not listed."""
        from html import escape

        if self.name in CURVES:
            return (
                f'<p class="mb-note">{escape(self.table.note)} The curve is drawn above; its points are not listed.</p>'
            )
        return str(self.table._repr_html_())

    def chart_bundle(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The chart as the dashboard displays it: the spec JupyterLab draws, interactive and offline,
        without the SVG image a notebook output keeps for viewers without Vega (a live dashboard
        never shows it, and drawing it would add 40-80 ms to every click). The spec is not checked
        against the Vega-Lite schema again on every click: the view's chart function is, on every
        metric's frame, in tests/analytics/test_charts.py."""
        from .chart_output import chart_bundle

        return chart_bundle(self.chart, svg=False, validate=False)


def dashboard_view(
    events: Any,
    learners: Any | None,
    workspace: Workspace,
    flt: EventFilter,
    view: str = "credential_outcomes",
    *,
    k: int = 5,
    use_cube: bool = True,
) -> ViewResult:
    """Filter ``events`` with ``flt``, compute ``view`` on them, suppress small groups and draw it.

    With ``use_cube`` (the default) the answer comes from the data's pre-aggregated facts
    (:func:`mblib.analytics.refresh.cube_for`: folded once per data load, then a filter and a
    group-by per call); ``use_cube=False`` recomputes the metric on the filtered events. Both
    give equal frames.
    """
    import inspect

    from . import charts
    from .report import report_table

    views = _views()
    if view not in views:
        raise FilterError(
            f"unknown view '{view}'", location=Location(field="view"), hint=f"use one of {', '.join(views)}"
        )
    spec, title = views[view], VIEWS[view]
    run = _runner(events, learners, workspace, spec, view, flt, use_cube)
    across = bool(
        flt.segment and flt.segment_value is not None and spec.count_col and (spec.how == "mask" or spec.series)
    )
    if across and hasattr(run, "prefetch"):
        run.prefetch(flt)  # this value, the others and all learners in one pass
    frame, n = run(flt)
    if spec.series:
        from .privacy import suppress_small_series
        from .report import ReportTable

        shown = suppress_small_series(frame, k, spec.count_col or "", by=list(spec.series))
        table = ReportTable(shown.frame, title, shown.note, k)
    elif spec.count_col:
        table = report_table(
            frame,
            caption=title,
            k=k,
            count_col=spec.count_col,
            labels=list(spec.labels) if spec.labels else None,
            how=spec.how,
            partition_by=spec.partition_by,
        )
    else:
        from .report import ReportTable

        table = ReportTable(frame, title, "Not a table of groups; nothing to suppress.", k)
    if across:
        table = _across_segments(events, learners, workspace, flt, spec, table, k, run)
    from .labels import with_titles, workspace_titles

    # people read titles, not ids: the table renders them and the chart draws them (frames keep ids)
    table = replace(table, titles=workspace_titles(workspace))
    shown_frame = with_titles(table.frame, table.titles)
    draw = charts.CHARTS[spec.chart]
    chart = draw(shown_frame, k=k) if "k" in inspect.signature(draw).parameters else draw(shown_frame)
    return ViewResult(view, title, table, chart, f"{title}: {flt.describe()} ({n:,} learners)", n)


def _runner(
    events: Any, learners: Any, workspace: Workspace, spec: View, view: str, shown: EventFilter, use_cube: bool
) -> Callable[[EventFilter], tuple[Any, int]]:
    """How to compute the view's frame (and its learners) for a filter: from the cube or the events."""
    import narwhals.stable.v2 as nw

    from .backends import collect

    if use_cube:
        from . import cube_views
        from .refresh import cube_for

        cube = cube_for(events, learners)

        def from_cube(f: EventFilter) -> tuple[Any, int]:
            def work() -> tuple[Any, int]:
                return cube_views.compute(view, cube, workspace, f, shown)

            frame, n = cube.answer((view, f, shown.credential_id, id(workspace)), work)
            return frame.clone(), n

        from_cube.segment_values = lambda seg: cube.options()["segments"].get(seg, [])  # type: ignore[attr-defined]

        def prefetch(f: EventFilter) -> None:
            """Every value of ``f``'s segment answered in one pass, remembered for ``from_cube``."""
            values = from_cube.segment_values(f.segment or "")  # type: ignore[attr-defined]
            if all((view, replace(f, segment_value=v), shown.credential_id, id(workspace)) in cube for v in values):
                return
            got = cube_views.compute_by_segment(view, cube, workspace, f, shown) or {}
            for v, answer in got.items():
                if v is None or v in values:
                    key = replace(f, segment=None, segment_value=None) if v is None else replace(f, segment_value=v)
                    cube.answer((view, key, shown.credential_id, id(workspace)), _const(answer))

        from_cube.prefetch = prefetch  # type: ignore[attr-defined]
        return from_cube

    def direct(f: EventFilter) -> tuple[Any, int]:
        kept = filter_events(events, learners, f)
        frame = collect(spec.compute(kept, learners, workspace, shown))
        n = int(kept.select(nw.col("learner_id").n_unique().alias("n")).collect().get_column("n").to_list()[0])
        return frame, n

    return direct


def _const(value: Any) -> Callable[[], Any]:
    return lambda: value


def _segment_values(learners: Any) -> Callable[[str], list[str]]:
    def values(segment: str) -> list[str]:
        return filter_options_segments(learners).get(segment, [])

    return values


def _view_counts(frame: Any, spec: View, keys: list[str]) -> Any:
    """The rows' keys and count of a view's frame (for a series view: each series' total)."""
    import polars as pl

    count = spec.count_col or ""
    if spec.series:
        return frame.group_by(keys).agg(pl.col(count).max()) if frame.height else frame.select(keys + [count])
    return frame.select(keys + [count])


def _across_segments(
    events: Any,
    learners: Any,
    workspace: Workspace,
    flt: EventFilter,
    spec: View,
    table: Any,
    k: int,
    run: Callable[[EventFilter], tuple[Any, int]],
) -> Any:
    """``table`` (one segment value's view) with the groups hidden that the other values would give away.

    The values of a segment split every group of the unfiltered view: all learners' figure minus
    the other values' figures is this value's. So the view is computed for every value (learners
    with no value form one more, never shown, part) and suppressed as one table whose wholes are
    both each value's own (``spec.partition_by``) and each group across the values.
    """
    import polars as pl

    from .privacy import suppress_small_groups

    frame, count = table.frame, spec.count_col or ""
    keys = list(
        spec.series
        or spec.labels
        or [c for c in frame.columns if c not in ("suppressed", count) and not frame.schema[c].is_numeric()]
    )
    values = getattr(run, "segment_values", None) or _segment_values(learners)
    values = values(flt.segment or "")
    prefetch = getattr(run, "prefetch", None)
    if prefetch is not None:
        prefetch(flt)
    parts = []
    for v in values:
        got = run(replace(flt, segment_value=v))[0]
        parts.append(
            _view_counts(got, spec, keys).with_columns(pl.lit(v).alias("_segment"), pl.lit(False).alias("suppressed"))
        )
    everyone = _view_counts(run(replace(flt, segment=None, segment_value=None))[0], spec, keys)
    stack = (
        pl.concat(parts, how="vertical_relaxed")
        if parts
        else everyone.head(0).with_columns(pl.lit("").alias("_segment"), pl.lit(False).alias("suppressed"))
    )
    rest = (
        everyone.join(
            stack.group_by(keys).agg(pl.col(count).sum().alias("_sum")), on=keys, how="left", nulls_equal=True
        )
        .with_columns((pl.col(count) - pl.col("_sum").fill_null(0)).alias(count))
        .drop("_sum")
        .filter(pl.col(count) > 0)
        .with_columns(pl.lit(None, pl.String).alias("_segment"), pl.lit(True).alias("suppressed"))
    )
    both = pl.concat([stack, rest.select(stack.columns)], how="vertical_relaxed")
    own = spec.partition_by if spec.partition_by != "auto" else None
    if spec.partition_by == "auto":
        from .privacy import partition_of

        own = partition_of(list(frame.columns), count)
    wholes = [keys] + ([[*own, "_segment"]] if own is not None else [])
    flags = suppress_small_groups(both, k, count, labels=[*keys, "_segment"], partition_by=wholes).frame
    hide = flags.filter((pl.col("_segment") == flt.segment_value) & pl.col("suppressed")).select(keys).unique()
    mine = frame.join(hide.with_columns(pl.lit(True).alias("_hide")), on=keys, how="left", nulls_equal=True)
    newly = pl.col("_hide").fill_null(False)
    if "suppressed" in frame.columns:
        newly = newly & ~pl.col("suppressed").fill_null(False)
    more = mine.filter(newly).select(keys).unique().height
    if not more:
        return table
    if spec.series:
        kept = mine.filter(~pl.col("_hide").fill_null(False)).drop("_hide")
    else:
        flag = pl.col("suppressed").fill_null(True) | pl.col("_hide").fill_null(False)
        values_cols = [c for c in frame.columns if c not in keys and c != "suppressed"]
        kept = (
            mine.with_columns(flag.alias("suppressed"))
            .with_columns([pl.when(~pl.col("suppressed")).then(pl.col(c)).alias(c) for c in values_cols])
            .drop("_hide")
        )
    note = (
        f"{table.note} {more} more group{'s are' if more != 1 else ' is'} hidden so that this "
        f"{flt.segment.replace('_', ' ') if flt.segment else 'segment'}'s figures cannot be worked out from "
        f"all learners' figures minus the other values'."
    )
    return replace(table, frame=kept, note=note)


__all__ = ["CURVES", "VIEWS", "View", "ViewResult", "dashboard_view", "view_spec"]
