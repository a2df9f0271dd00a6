"""Slicing learner data by credential, segment, date range and language (the dashboard's logic).

:class:`EventFilter` says what to keep; :func:`filter_events` applies it to a lazy events table
(narwhals: polars, DuckDB or Spark alike) and returns a lazy frame; :func:`filter_options`
lists the values a filter can take; :data:`VIEWS` and :func:`dashboard_view` compute one
metric on the filtered data and draw it. The widget (:mod:`mblib.widgets.dashboard`) only wires
controls to these.

>>> import polars as pl
>>> from datetime import datetime, timezone
>>> t = datetime(2025, 1, 6, tzinfo=timezone.utc)
>>> ev = pl.LazyFrame({"timestamp": [t, t, t], "learner_id": ["a", "a", "b"],
...                    "verb": ["enrolled", "launched", "launched"], "credential_id": ["c", None, None],
...                    "module_id": [None, "m1", "m2"], "language": [None, "fr", "en"]})
>>> people = pl.LazyFrame({"learner_id": ["a", "b"], "org_unit": ["Sales", "Finance"]})
>>> keep = EventFilter(segment="org_unit", segment_value="Sales")
>>> sorted(filter_events(ev, people, keep).collect().to_native()["module_id"].drop_nulls())
['m1']
>>> filter_events(ev, None, EventFilter(language="en")).collect().to_native()["learner_id"].to_list()
['b']
>>> EventFilter(segment="org_unit").describe()
'all learners'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Location, MblibError

if TYPE_CHECKING:  # pragma: no cover
    from ..content import Workspace

SEGMENTS: tuple[str, ...] = ("org_unit", "role", "country", "language")
"""Learner attributes a dashboard can slice by (columns of the learners table)."""


class FilterError(MblibError):
    """A filter names a segment, credential or date range the data cannot be sliced by."""


@dataclass(frozen=True)
class EventFilter:
    """What to keep: ``None`` everywhere keeps everything.

    - ``credential_id``: learners enrolled in that credential, and only events of it (its
      enrolment and award, and events of its modules: ``module_ids``);
    - ``segment`` + ``segment_value``: learners whose learners-table column has that value;
    - ``start``/``end``: events on those days (UTC, both inclusive);
    - ``language``: learners who saw that language variant (``language`` on their events).
    """

    credential_id: str | None = None
    module_ids: tuple[str, ...] = ()
    segment: str | None = None
    segment_value: str | None = None
    start: date | None = None
    end: date | None = None
    language: str | None = None

    def with_credential(self, workspace: Workspace, credential_id: str | None) -> EventFilter:
        """A copy filtering on ``credential_id`` with its modules looked up in ``workspace``."""
        if credential_id is None:
            return replace(self, credential_id=None, module_ids=())
        cred = workspace.credential(credential_id)
        return replace(self, credential_id=credential_id, module_ids=tuple(cred.module_ids()))

    def describe(self) -> str:
        """The filter in words, for a caption."""
        parts = []
        if self.credential_id:
            parts.append(f"credential {self.credential_id}")
        if self.segment and self.segment_value is not None:
            parts.append(f"{self.segment.replace('_', ' ')} {self.segment_value}")
        if self.language:
            parts.append(f"language {self.language}")
        if self.start or self.end:
            parts.append(f"from {self.start or 'the start'} to {self.end or 'the end'}")
        return ", ".join(parts) or "all learners"


def _utc(d: date, *, end: bool = False) -> datetime:
    day = d + timedelta(days=1) if end else d
    return datetime.combine(day, time(0), tzinfo=UTC)


def filter_events(events: Any, learners: Any | None, flt: EventFilter) -> Any:
    """``events`` restricted by ``flt`` (a lazy narwhals frame on the events' own backend).

    ``learners`` (lazy, same backend) is needed only for a segment filter.
    """
    import narwhals.stable.v2 as nw

    ev = nw.from_native(events)
    if flt.start and flt.end and flt.start > flt.end:
        raise FilterError(
            f"the date range starts after it ends ({flt.start} > {flt.end})",
            location=Location(field="start"),
            hint="pick a start date on or before the end date",
        )
    if flt.start:
        ev = ev.filter(nw.col("timestamp") >= _utc(flt.start))
    if flt.end:
        ev = ev.filter(nw.col("timestamp") < _utc(flt.end, end=True))
    if flt.segment and flt.segment_value is not None:
        if flt.segment not in SEGMENTS:
            raise FilterError(
                f"unknown segment '{flt.segment}'",
                location=Location(field="segment"),
                hint=f"use one of {', '.join(SEGMENTS)}",
            )
        if learners is None:
            raise FilterError(
                f"slicing by {flt.segment} needs the learners table",
                location=Location(field="segment"),
                hint="open data that has learners.parquet beside the events",
            )
        who = nw.from_native(learners).filter(nw.col(flt.segment) == flt.segment_value).select("learner_id").unique()
        ev = ev.join(who, on="learner_id", how="semi")
    if flt.language:
        who = ev.filter(nw.col("language") == flt.language).select("learner_id").unique()
        ev = ev.join(who, on="learner_id", how="semi")
    if flt.credential_id:
        enrolled = (
            ev.filter((nw.col("verb") == "enrolled") & (nw.col("credential_id") == flt.credential_id))
            .select("learner_id")
            .unique()
        )
        mine = nw.col("credential_id") == flt.credential_id
        if flt.module_ids:
            mine = mine | (nw.col("credential_id").is_null() & nw.col("module_id").is_in(list(flt.module_ids)))
        ev = ev.filter(mine).join(enrolled, on="learner_id", how="semi")
    return ev


def filter_options(events: Any, learners: Any | None = None) -> dict[str, Any]:
    """Choices for a filter UI: ``credentials``, ``languages``, ``segments`` (column -> values), ``first``/``last`` day.

    One small collect per list (distinct values only).
    """
    import narwhals.stable.v2 as nw

    ev = nw.from_native(events)

    def values(frame: Any, col: str) -> list[str]:
        got = frame.select(nw.col(col)).unique().filter(~nw.col(col).is_null()).collect()
        return sorted(str(v) for v in got.get_column(col).to_list())

    span = ev.select(nw.col("timestamp").min().alias("first"), nw.col("timestamp").max().alias("last")).collect()
    first, last = span.get_column("first").to_list()[0], span.get_column("last").to_list()[0]
    segments: dict[str, list[str]] = {}
    if learners is not None:
        people = nw.from_native(learners)
        segments = {s: values(people, s) for s in SEGMENTS if s in people.columns}
    return {
        "credentials": values(ev, "credential_id"),
        "languages": values(ev, "language"),
        "segments": segments,
        "first": first.date() if first else None,
        "last": last.date() if last else None,
    }


# --------------------------------------------------------------------------------------------
# views: one metric on the filtered data, drawn
# --------------------------------------------------------------------------------------------


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


@dataclass
class ViewResult:
    """A computed view: the (suppressed) table, its chart, the filter in words and the events kept."""

    name: str
    title: str
    table: Any  # report.ReportTable
    chart: Any  # altair chart
    caption: str
    learners: int


def dashboard_view(
    events: Any,
    learners: Any | None,
    workspace: Workspace,
    flt: EventFilter,
    view: str = "credential_outcomes",
    *,
    k: int = 5,
) -> ViewResult:
    """Filter ``events`` with ``flt``, compute ``view`` on them, suppress small groups and draw it."""
    import inspect

    import narwhals.stable.v2 as nw

    from . import charts
    from .backends import collect
    from .report import report_table

    views = _views()
    if view not in views:
        raise FilterError(
            f"unknown view '{view}'", location=Location(field="view"), hint=f"use one of {', '.join(views)}"
        )
    spec, title = views[view], VIEWS[view]
    kept = filter_events(events, learners, flt)
    n = int(kept.select(nw.col("learner_id").n_unique().alias("n")).collect().get_column("n").to_list()[0])
    frame = collect(spec.compute(kept, learners, workspace, flt))
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
    if flt.segment and flt.segment_value is not None and spec.count_col and (spec.how == "mask" or spec.series):
        table = _across_segments(events, learners, workspace, flt, spec, table, k)
    draw = charts.CHARTS[spec.chart]
    chart = draw(table.frame, k=k) if "k" in inspect.signature(draw).parameters else draw(table.frame)
    return ViewResult(view, title, table, chart, f"{title}: {flt.describe()} ({n:,} learners)", n)


def _view_counts(frame: Any, spec: View, keys: list[str]) -> Any:
    """The rows' keys and count of a view's frame (for a series view: each series' total)."""
    import polars as pl

    count = spec.count_col or ""
    if spec.series:
        return frame.group_by(keys).agg(pl.col(count).max()) if frame.height else frame.select(keys + [count])
    return frame.select(keys + [count])


def _across_segments(
    events: Any, learners: Any, workspace: Workspace, flt: EventFilter, spec: View, table: Any, k: int
) -> Any:
    """``table`` (one segment value's view) with the groups hidden that the other values would give away.

    The values of a segment split every group of the unfiltered view: all learners' figure minus
    the other values' figures is this value's. So the view is computed for every value (learners
    with no value form one more, never shown, part) and suppressed as one table whose wholes are
    both each value's own (``spec.partition_by``) and each group across the values.
    """
    import polars as pl

    from .backends import collect
    from .privacy import suppress_small_groups

    frame, count = table.frame, spec.count_col or ""
    keys = list(
        spec.series
        or spec.labels
        or [c for c in frame.columns if c not in ("suppressed", count) and not frame.schema[c].is_numeric()]
    )
    values = filter_options(events, learners)["segments"].get(flt.segment or "", [])
    parts = []
    for v in values:
        got = collect(
            spec.compute(filter_events(events, learners, replace(flt, segment_value=v)), learners, workspace, flt)
        )
        parts.append(
            _view_counts(got, spec, keys).with_columns(pl.lit(v).alias("_segment"), pl.lit(False).alias("suppressed"))
        )
    everyone = _view_counts(
        collect(
            spec.compute(
                filter_events(events, learners, replace(flt, segment=None, segment_value=None)),
                learners,
                workspace,
                flt,
            )
        ),
        spec,
        keys,
    )
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


def active_filter(
    workspace: Workspace,
    *,
    credential_id: str | None = None,
    segment: str | None = None,
    segment_value: str | None = None,
    start: date | None = None,
    end: date | None = None,
    language: str | None = None,
) -> EventFilter:
    """An :class:`EventFilter` from UI values (empty strings and "all" mean no filter)."""

    def clean(v: Any) -> Any:
        return None if v in ("", "all", None) else v

    flt = EventFilter(
        segment=clean(segment), segment_value=clean(segment_value), start=start, end=end, language=clean(language)
    )
    return flt.with_credential(workspace, clean(credential_id))


__all__ = [
    "EventFilter",
    "FilterError",
    "SEGMENTS",
    "VIEWS",
    "View",
    "ViewResult",
    "active_filter",
    "dashboard_view",
    "filter_events",
    "filter_options",
]
