"""Readers: CSV, Parquet, xAPI statements and OULAD, each mapped onto the events/learners tables.

xAPI verbs map through one table (:data:`VERB_RULES`, ``docs/xapi-vocabularies.md``); a course
not authored in mblib gets a workspace skeleton and an editable ``activities.yaml`` from its
statements (:func:`infer_structure`), which :func:`read_xapi` then uses.

Every reader returns a :class:`ReadResult`: the mapped table (a polars ``LazyFrame``), how many
rows were read and rejected, and where the rejects went. Rows that cannot be mapped are never
dropped silently: each goes to a rejects file with its position and the reason, and one malformed
line does not stop the rest. Learner ids are pseudonymised on read (see
:mod:`mblib.analytics.privacy`) unless ``pseudonymise=False``.

>>> import polars as pl, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "events.csv").write_text(
...     "timestamp,learner_id,verb,module_id\\n"
...     "2025-01-06T09:00:00Z,ann,launched,reading-bar-charts\\n"
...     "2025-01-06T09:05:00Z,ann,clicked,reading-bar-charts\\n")
>>> r = read_events(folder / "events.csv", pseudonymise=False, echo=None)
>>> r.read, r.rejected, r.rejects_path.name
(2, 1, 'events.rejects.csv')
>>> r.summary()
'events.csv: read 2 rows, kept 1, rejected 1 (reasons in events.rejects.csv)'
>>> pl.read_csv(r.rejects_path)["_reason"].to_list()
["unknown verb 'clicked'"]
"""

from __future__ import annotations

from ..validation import ReaderError
from .activities import ACTIVITIES_FILE, load_activities
from .oulad import OULAD_TABLES, OuladData, presentation_start, read_oulad
from .rejects import ReadResult
from .structure import InferredStructure, infer_structure
from .tabular import read_events, read_learners, source_columns
from .xapi import read_xapi
from .xapi_input import ADL, VOIDED, XAPI_VERBS, iso_duration_seconds
from .xapi_verbs import NOT_LEARNING, VERB_RULES, event_for

__all__ = [
    "ACTIVITIES_FILE",
    "ADL",
    "InferredStructure",
    "NOT_LEARNING",
    "VERB_RULES",
    "OULAD_TABLES",
    "OuladData",
    "ReadResult",
    "ReaderError",
    "VOIDED",
    "XAPI_VERBS",
    "event_for",
    "infer_structure",
    "iso_duration_seconds",
    "load_activities",
    "presentation_start",
    "read_events",
    "read_learners",
    "read_oulad",
    "read_xapi",
    "source_columns",
]
