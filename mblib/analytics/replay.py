"""Events as xAPI statements, and a replay of them into an LRS (``mb lrs replay``).

:func:`event_statements` writes each row of the events table as the statement an LMS would send:
the ADL verb of its contract verb (TLA ``achieved`` for a credential earned), the module, block or
credential as an activity IRI under ``base`` (``BASE/modules/M/blocks/B``; the readers map those
IRIs back by the workspace's ids), the credential as the context's grouping, score, success,
duration and response as ``result``, the learner as an account on ``base``. Statement ids are
UUIDs derived from the row, so a replay sent twice stores nothing twice.
:func:`replay_cohort` posts them to an LRS in batches.

>>> from datetime import datetime, timezone
>>> row = {"timestamp": datetime(2025, 1, 6, 9, tzinfo=timezone.utc), "learner_id": "L1", "verb": "passed",
...        "credential_id": "c", "module_id": "m", "block_id": None, "score": 0.8, "success": True}
>>> st = event_statement(row)
>>> st["verb"]["id"], st["object"]["id"], st["result"]["score"]["scaled"], st["actor"]["account"]["name"]
('http://adlnet.gov/expapi/verbs/passed', 'https://mblib.example.org/xapi/modules/m', 0.8, 'L1')
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .readers.xapi_verbs import ADL, TLA

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from .lrs_client import LrsClient

BASE = "https://mblib.example.org/xapi"
"""Where replayed activity IRIs and learner accounts live."""

VERB_IRIS: dict[str, str] = {
    "enrolled": ADL + "registered",
    "launched": ADL + "launched",
    "progressed": ADL + "progressed",
    "answered": ADL + "answered",
    "completed": ADL + "completed",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "earned": TLA + "achieved",
}
"""The verb IRI each contract verb is sent as (the verb table maps each back to it)."""
_NAMESPACE = uuid.UUID("5f0c7a52-4d0e-4b55-9a51-6d1f0b1c2e3a")


def replay_learner_id(learner_id: str, base: str = BASE) -> str:
    """The learner id the readers make of a replayed learner (``HOMEPAGE|NAME`` of its account)."""
    return f"{base}|{learner_id}"


def _iso_duration(seconds: float) -> str:
    return f"PT{seconds:.2f}S"


def event_statement(row: Mapping[str, Any], base: str = BASE) -> dict[str, Any]:
    """One events row as an xAPI statement (see the module's description)."""
    verb = str(row["verb"])
    cred, module, block = row.get("credential_id"), row.get("module_id"), row.get("block_id")
    if verb in ("enrolled", "earned") or not module:
        obj_id, kind = f"{base}/credentials/{cred}", "http://adlnet.gov/expapi/activities/course"
    elif block:
        obj_id, kind = f"{base}/modules/{module}/blocks/{block}", "http://adlnet.gov/expapi/activities/interaction"
    else:
        obj_id, kind = f"{base}/modules/{module}", "http://adlnet.gov/expapi/activities/module"
    ts: datetime = row["timestamp"]
    stamp = ts.isoformat().replace("+00:00", "Z")
    st: dict[str, Any] = {
        "id": str(
            uuid.uuid5(
                _NAMESPACE, f"{row['learner_id']}|{verb}|{obj_id}|{stamp}|{row.get('score')}|{row.get('response')}"
            )
        ),
        "actor": {"objectType": "Agent", "account": {"homePage": base, "name": str(row["learner_id"])}},
        "verb": {"id": VERB_IRIS[verb], "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": obj_id, "definition": {"type": kind}},
        "timestamp": stamp,
    }
    context: dict[str, Any] = {}
    if cred and not obj_id.endswith(f"/credentials/{cred}"):
        context["contextActivities"] = {"grouping": [{"id": f"{base}/credentials/{cred}"}]}
    if row.get("language"):
        context["language"] = str(row["language"])
    if context:
        st["context"] = context
    result: dict[str, Any] = {}
    if row.get("score") is not None:
        result["score"] = {"scaled": round(float(row["score"]), 6)}
    if row.get("success") is not None:
        result["success"] = bool(row["success"])
    if row.get("duration_s") is not None:
        result["duration"] = _iso_duration(float(row["duration_s"]))
    if row.get("response"):
        result["response"] = "[,]".join(str(row["response"]).split())
    if result:
        st["result"] = result
    return st


def event_statements(events: pl.DataFrame, base: str = BASE) -> Iterator[dict[str, Any]]:
    """Every row of ``events`` as an xAPI statement, in time order."""
    for row in events.sort("timestamp").iter_rows(named=True):
        yield event_statement(row, base)


def replay_cohort(
    events: pl.DataFrame,
    client: LrsClient,
    *,
    batch: int = 500,
    base: str = BASE,
    echo: Callable[[str], Any] | None = print,
) -> int:
    """Post ``events`` (e.g. a cohort from :func:`~mblib.analytics.synth.synthesise`) to an LRS as
    xAPI statements, ``batch`` per request; returns how many were sent."""
    sent = 0
    chunk: list[dict[str, Any]] = []
    for st in event_statements(events, base):
        chunk.append(st)
        if len(chunk) >= batch:
            client.post(chunk)
            sent += len(chunk)
            chunk = []
    if chunk:
        client.post(chunk)
        sent += len(chunk)
    if echo is not None:
        echo(f"replayed {sent:,} statements to {client.endpoint}")
    return sent


__all__ = ["BASE", "VERB_IRIS", "event_statement", "event_statements", "replay_cohort", "replay_learner_id"]
