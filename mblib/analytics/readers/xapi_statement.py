"""One xAPI statement onto one events row: checks in the order that names the first real defect.

:func:`map_statement` never raises. It answers a row, a reject reason, or "set aside" for a
statement whose verb is not a learning event. The checks run in this order, so the reason is the
statement's first real defect, not a consequence of it: the statement's shape (``id``), the actor,
the object, the verb, the timestamp (``stored`` when there is no ``timestamp``); only then is an
unknown verb or an activity that matches nothing in the workspace a reason.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..validation import VERB_NEEDS, Reject, duration_problem, kind, number, obj, objects, shown, text, text_problem
from .xapi_input import iso_duration_seconds, parse_iso_datetime
from .xapi_verbs import Level, rule_for

if TYPE_CHECKING:  # pragma: no cover
    from ...content.workspace import Workspace

Place = tuple[str | None, str | None, str | None]
"""(credential_id, module_id, block_id) of an activity."""

CREDENTIAL_TYPES: frozenset[str] = frozenset(
    {
        "http://activitystrea.ms/schema/1.0/badge",
        "http://id.tincanapi.com/activitytype/badge",
        "https://w3id.org/xapi/tla/activity-types/credential",
        "http://id.tincanapi.com/activitytype/certificate",
    }
)
"""Activity types that stand for the credential named by the statement's context (a badge, a certificate)."""


class SetAside(Exception):
    """A statement that is valid but is not a learning event: counted apart under its verb IRI."""

    def __init__(self, verb: str, reason: str):
        super().__init__(reason)
        self.verb = verb
        self.reason = reason


@dataclass(frozen=True)
class Mapped:
    """What :func:`map_statement` made of a statement: a ``row``, a reject ``reason``, or ``aside`` (a verb IRI)."""

    row: dict[str, Any] | None = None
    reason: str | None = None
    aside: str | None = None


class ActivityIndex:
    """Maps activity IRIs to (credential_id, module_id, block_id) through the workspace's ids."""

    def __init__(self, workspace: Workspace, extra: dict[str, Place | None] | None):
        self.modules = {mid: {b.id for b in m.blocks} for mid, m in workspace.modules.items()}
        self.credentials = set(workspace.credentials)
        self.extra = extra or {}

    def block_in(self, iri: str, module: str) -> str | None:
        """The block of ``module`` that the IRI names (its last matching path segment)."""
        parts = [p for p in re.split(r"[/#?=&]", iri) if p]
        hits = [p for p in parts if p in self.modules.get(module, ())]
        return hits[-1] if hits else None

    def lookup(self, iri: str) -> Place | None:
        if iri in self.extra:
            return self.extra[iri]
        parts = [p for p in re.split(r"[/#?=&]", iri) if p]
        module = block = cred = None
        for i, part in enumerate(parts):
            if part in self.modules:
                module = part
                for later in parts[i + 1 :]:
                    if later in self.modules[part]:
                        block = later
            elif part in self.credentials:
                cred = part
        if module is None and cred is None:
            return None
        return cred, module, block


def actor_id(actor: Any) -> str | None:
    """The learner id of an actor, or ``None``; never raises (used to pseudonymise rejected statements)."""
    try:
        return _learner(actor)
    except Reject:
        return None


def _learner(actor: Any) -> str | None:
    """The learner id of an actor; :class:`Reject` when a part of it is of the wrong kind or not valid text."""
    if actor is None:
        return None
    if not isinstance(actor, dict):
        raise Reject(f"actor {shown(actor)} is {kind(actor)}, not an object")
    acc = obj(actor, "account", "actor.account")
    name = text(acc, "name", "actor.account.name")
    if name:
        home = text(acc, "homePage", "actor.account.homePage") or ""
        return f"{home}|{name}" if home else name
    for key in ("mbox", "mbox_sha1sum", "openid"):
        v = text(actor, key, f"actor.{key}")
        if v:
            return v[len("mailto:") :] if v.startswith("mailto:") else v
    return None


def _response(result: dict[str, Any]) -> str | None:
    r = result.get("response")
    if r is None:
        return None
    if isinstance(r, bool) or not isinstance(r, (str, int, float)):
        raise Reject(f"result.response {shown(r)} is {kind(r)}, not text")
    if isinstance(r, str) and (problem := text_problem(r, "result.response")):
        raise Reject(problem)
    parts = [p.strip() for p in re.split(r"\[,\]|\s+", str(r)) if p.strip()]
    return " ".join(sorted(parts)) or None


def _score(result: dict[str, Any]) -> float | None:
    """``result.score.scaled``, else ``(raw - min) / (max - min)``; :class:`Reject` on a bad shape or range."""
    sc = obj(result, "score", "result.score")
    scaled = number(sc, "scaled", "result.score.scaled")
    score = scaled
    if scaled is None:
        raw = number(sc, "raw", "result.score.raw")
        hi = number(sc, "max", "result.score.max")
        lo = number(sc, "min", "result.score.min") or 0.0
        if raw is not None and hi not in (None, 0) and hi != lo:
            score = (raw - lo) / (hi - lo)
    if score is not None and not (math.isfinite(score) and 0 <= score <= 1):
        raise Reject(f"result.score.scaled {score} is outside 0..1")
    return score


def map_statement(st: Any, index: ActivityIndex, verbs: dict[str, str | None]) -> Mapped:
    """A row, a reject reason or a set-aside verb for one statement. Never raises, whatever the JSON's shape.

    ``verbs`` (IRI -> contract verb, or ``None`` for "not a learning event") is taken literally, on
    every level, before the verb table.
    """
    if not isinstance(st, dict):
        return Mapped(reason="not a statement (expected a JSON object)")
    try:
        return Mapped(row=_map_checked(st, index, verbs))
    except Reject as e:
        return Mapped(reason=e.reason)
    except SetAside as e:
        return Mapped(aside=e.verb, reason=e.reason)
    except Exception as e:  # noqa: BLE001 - a shape no check foresaw is a reject, never an aborted read
        return Mapped(reason=f"statement could not be mapped ({type(e).__name__}: {e})")


def _essentials(st: dict[str, Any]) -> tuple[str, str, str, Any]:
    """(learner, object id, verb IRI, timestamp) or :class:`Reject` naming the first missing or bad one."""
    text(st, "id", "id")  # a statement id is a UUID string (voiding refers to it)
    if st.get("actor") is None:
        raise Reject("statement has no actor")
    learner = _learner(st.get("actor"))
    if not learner:
        raise Reject("actor has no account name, mbox, mbox_sha1sum or openid")
    if st.get("object") is None:
        raise Reject("statement has no object")
    obj_id = text(obj(st, "object", "object"), "id", "object.id")
    if not obj_id:
        raise Reject("statement has no object.id")
    if st.get("verb") is None:
        raise Reject("statement has no verb")
    verb_iri = text(obj(st, "verb", "verb"), "id", "verb.id")
    if not verb_iri:
        raise Reject("statement has no verb.id")
    stamp = st.get("timestamp")
    where = "timestamp"
    if stamp is None or stamp == "":
        stamp, where = st.get("stored"), "stored"
    if stamp is None or stamp == "":
        raise Reject("statement has no timestamp (and no stored time)")
    try:
        ts = parse_iso_datetime(stamp)
    except (ValueError, OverflowError):
        raise Reject(f"{where} {stamp!r} is not ISO 8601"[:300]) from None
    return learner, obj_id, verb_iri, ts


def _place(st: dict[str, Any], obj_id: str, index: ActivityIndex) -> Place | None:
    """Where the object is: by its own IRI, its context's parent/grouping, or its type (a badge)."""
    found = index.lookup(obj_id)
    cred = module = block = None
    if found is not None:
        cred, module, block = found
    ctx = obj(st, "context", "context")
    acts = obj(ctx, "contextActivities", "context.contextActivities")
    for key in ("parent", "grouping"):
        for i, act in enumerate(objects(acts, key, f"context.contextActivities.{key}"), 1):
            act_id = text(act, "id", f"context.contextActivities.{key}[{i}].id")
            hit = index.lookup(act_id) if act_id else None
            if hit:
                cred = cred or hit[0]
                module = module or hit[1]
    if found is None and module is not None:  # a block named only by its id, its module by the parent
        block = index.block_in(obj_id, module)
        found = (cred, module, block) if block else None
    if found is None and cred is not None and module is None:
        definition = obj(obj(st, "object", "object"), "definition", "object.definition")
        if text(definition, "type", "object.definition.type") in CREDENTIAL_TYPES:
            found = (cred, None, None)  # a badge or certificate of the credential the context names
    if found is None:
        return None
    return cred, module, block


def _map_checked(st: dict[str, Any], index: ActivityIndex, verbs: dict[str, str | None]) -> dict[str, Any]:
    learner, obj_id, verb_iri, ts = _essentials(st)
    rule = rule_for(verb_iri)
    if verb_iri in verbs:
        literal = verbs[verb_iri]
        if literal is None:
            raise SetAside(verb_iri, f"verb {verb_iri} is not a learning event (verbs=)")
    elif rule is None:
        raise Reject(f"unknown verb IRI {verb_iri} (map it with verbs={{'{verb_iri}': 'progressed'}})")
    elif rule.event is None:
        raise SetAside(verb_iri, f"'{rule.name}' is not a learning event: {rule.note}")
    place = _place(st, obj_id, index)
    if place is None:
        raise Reject(f"activity {obj_id} matches no module, block or credential of the workspace")
    cred, module, block = place
    level: Level = "block" if block else "module" if module else "credential"
    mapped = verbs[verb_iri] if verb_iri in verbs else rule.on(level) if rule else None
    if mapped is None:
        raise SetAside(verb_iri, f"'{verb_iri}' about a {level} is not a learning event")
    found_ids = {"module_id": module, "block_id": block, "credential_id": cred}
    missing = {
        "module_id": "module of the workspace",
        "block_id": f"block of module '{module}'",
        "credential_id": "credential of the workspace",
    }
    for column, needing in VERB_NEEDS:
        if mapped in needing and found_ids[column] is None:
            raise Reject(f"a '{mapped}' statement about {obj_id} names no {missing[column]}")
    return _row(st, ts, learner, mapped, place)


def _row(st: dict[str, Any], ts: Any, learner: str, mapped: str, place: Place) -> dict[str, Any]:
    cred, module, block = place
    result = obj(st, "result", "result")
    score = _score(result)
    duration = None
    raw_duration = result.get("duration")
    if raw_duration is not None:
        try:
            duration = iso_duration_seconds(raw_duration)
        except ValueError as e:
            raise Reject(f"result.duration: {e}"[:300]) from None
        problem = duration_problem(duration, f"result.duration {raw_duration!r}")
        if problem:
            raise Reject(problem)
    success = result.get("success")
    if success is not None and not isinstance(success, bool):
        raise Reject(f"result.success {success!r} is not true or false"[:300])
    if mapped in ("enrolled", "earned"):
        module = block = None
    ctx = obj(st, "context", "context")
    language = ctx.get("language")
    return {
        "timestamp": ts,
        "learner_id": learner,
        "verb": mapped,
        "credential_id": cred,
        "module_id": module,
        "block_id": block,
        "score": score,
        "success": success,
        "duration_s": duration,
        "response": _response(result),
        "language": text(ctx, "language", "context.language") if isinstance(language, str) else None,
    }


__all__ = ["CREDENTIAL_TYPES", "ActivityIndex", "Mapped", "Place", "SetAside", "actor_id", "map_statement"]
