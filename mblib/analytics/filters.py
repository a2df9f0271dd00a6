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

from .dashboard_views import CURVES, VIEWS, View, ViewResult, dashboard_view
from .event_filter import SEGMENTS, EventFilter, FilterError, active_filter, filter_events, filter_options

__all__ = [
    "CURVES",
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
