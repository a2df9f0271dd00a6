"""Slicing learner data: :class:`EventFilter` (credential, segment, date range, language),
:func:`filter_events`, :func:`filter_options` and :func:`active_filter`. Imported from
:mod:`mblib.analytics.filters`, which also holds the dashboard's views.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import Location, MblibError

if TYPE_CHECKING:  # pragma: no cover
    from ..content import Workspace

SEGMENTS: tuple[str, ...] = ("org_unit", "role", "country", "language")
"""Learner attributes a dashboard can slice by (columns of the learners table)."""


class FilterError(MblibError):
    """A filter names a segment, credential or date range the data cannot be sliced by."""

    __module__ = "mblib.analytics.filters"  # where it is documented and imported from


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


def check_filter(flt: EventFilter, *, has_learners: bool) -> None:
    """Raise :class:`FilterError` when ``flt`` cannot slice the data: its date range starts after it
    ends, it names an unknown segment, or it needs the learners table and there is none."""
    if flt.start and flt.end and flt.start > flt.end:
        raise FilterError(
            f"the date range starts after it ends ({flt.start} > {flt.end})",
            location=Location(field="start"),
            hint="pick a start date on or before the end date",
        )
    if flt.segment and flt.segment_value is not None:
        if flt.segment not in SEGMENTS:
            raise FilterError(
                f"unknown segment '{flt.segment}'",
                location=Location(field="segment"),
                hint=f"use one of {', '.join(SEGMENTS)}",
            )
        if not has_learners:
            raise FilterError(
                f"slicing by {flt.segment} needs the learners table",
                location=Location(field="segment"),
                hint="open data that has learners.parquet beside the events",
            )


def filter_events(events: Any, learners: Any | None, flt: EventFilter) -> Any:
    """``events`` restricted by ``flt`` (a lazy narwhals frame on the events' own backend).

    ``learners`` (lazy, same backend) is needed only for a segment filter.
    """
    import narwhals.stable.v2 as nw

    ev = nw.from_native(events)
    check_filter(flt, has_learners=learners is not None)
    if flt.start:
        ev = ev.filter(nw.col("timestamp") >= _utc(flt.start))
    if flt.end:
        ev = ev.filter(nw.col("timestamp") < _utc(flt.end, end=True))
    if flt.segment and flt.segment_value is not None and learners is not None:  # checked above
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
    segments = filter_options_segments(learners)
    return {
        "credentials": values(ev, "credential_id"),
        "languages": values(ev, "language"),
        "segments": segments,
        "first": first.date() if first else None,
        "last": last.date() if last else None,
    }


def filter_options_segments(learners: Any | None) -> dict[str, list[str]]:
    """The ``segments`` of :func:`filter_options`: each segment column of ``learners`` -> its values."""
    import narwhals.stable.v2 as nw

    if learners is None:
        return {}
    people = nw.from_native(learners)

    def values(col: str) -> list[str]:
        got = people.select(nw.col(col)).unique().filter(~nw.col(col).is_null()).collect()
        return sorted(str(v) for v in got.get_column(col).to_list())

    return {s: values(s) for s in SEGMENTS if s in people.columns}


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
    "SEGMENTS",
    "EventFilter",
    "FilterError",
    "active_filter",
    "check_filter",
    "filter_events",
    "filter_options",
    "filter_options_segments",
]
