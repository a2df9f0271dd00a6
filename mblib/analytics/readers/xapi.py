"""xAPI statements onto the events table: actors, activities, results; voiding; rejects as JSON lines."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..validation import VERB_NEEDS, Reject, duration_problem, kind, number, obj, objects, shown, text, text_problem
from .rejects import Echo, ReadResult, default_rejects, echo_result, finish_rejects, pseudonymiser
from .xapi_input import VOIDED, XAPI_VERBS, iso_duration_seconds, iter_json_file, parse_iso_datetime, xapi_files

if TYPE_CHECKING:  # pragma: no cover
    from ...content.workspace import Workspace


class ActivityIndex:
    """Maps activity IRIs to (credential_id, module_id, block_id) through the workspace's ids."""

    def __init__(self, workspace: Workspace, extra: dict[str, tuple[str | None, str | None, str | None]] | None):
        self.modules = {mid: {b.id for b in m.blocks} for mid, m in workspace.modules.items()}
        self.credentials = set(workspace.credentials)
        self.extra = extra or {}

    def block_in(self, iri: str, module: str) -> str | None:
        """The block of ``module`` that the IRI names (its last matching path segment)."""
        parts = [p for p in re.split(r"[/#?=&]", iri) if p]
        hits = [p for p in parts if p in self.modules.get(module, ())]
        return hits[-1] if hits else None

    def lookup(self, iri: str) -> tuple[str | None, str | None, str | None] | None:
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


def _actor_id(actor: Any) -> str | None:
    """The learner id of an actor (account homePage|name, mbox, mbox_sha1sum or openid), or ``None``.

    Lenient (never raises): used to pseudonymise rejected statements; :func:`_learner` checks.
    """
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
        return _reject(f"result.score.scaled {score} is outside 0..1")
    return score


def _reject(reason: str) -> Any:
    raise Reject(reason)


def _map_statement(st: Any, index: ActivityIndex, verbs: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
    """(event row, None) or (None, reason). Never raises, whatever the JSON's shape."""
    if not isinstance(st, dict):
        return None, "not a statement (expected a JSON object)"
    try:
        return _map_checked(st, index, verbs), None
    except Reject as e:
        return None, e.reason
    except Exception as e:  # noqa: BLE001 - a shape no check foresaw is a reject, never an aborted read
        return None, f"statement could not be mapped ({type(e).__name__}: {e})"


def _map_checked(st: dict[str, Any], index: ActivityIndex, verbs: dict[str, str]) -> dict[str, Any]:
    text(st, "id", "id")  # a statement id is a UUID string (voiding refers to it)
    verb_iri = text(obj(st, "verb", "verb"), "id", "verb.id")
    if not verb_iri:
        raise Reject("statement has no verb.id")
    mapped = verbs.get(verb_iri)
    if mapped is None:
        raise Reject(f"unknown verb IRI {verb_iri} (map it with verbs={{'{verb_iri}': 'progressed'}})")
    learner = _learner(st.get("actor"))
    if not learner:
        raise Reject("actor has no account name, mbox, mbox_sha1sum or openid")
    stamp = st.get("timestamp") or st.get("stored")
    if not stamp:
        raise Reject("statement has no timestamp")
    try:
        ts = parse_iso_datetime(stamp)
    except (ValueError, OverflowError):
        raise Reject(f"timestamp {stamp!r} is not ISO 8601"[:300]) from None
    obj_id = text(obj(st, "object", "object"), "id", "object.id")
    if not obj_id:
        raise Reject("statement has no object.id")
    found = index.lookup(obj_id)
    ctx = obj(st, "context", "context")
    cred = module = block = None
    if found is not None:
        cred, module, block = found
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
    if found is None:
        raise Reject(f"activity {obj_id} matches no module, block or credential of the workspace")
    found_ids = {"module_id": module, "block_id": block, "credential_id": cred}
    missing = {
        "module_id": "module of the workspace",
        "block_id": f"block of module '{module}'",
        "credential_id": "credential of the workspace",
    }
    for column, needing in VERB_NEEDS:
        if mapped in needing and found_ids[column] is None:
            raise Reject(f"a '{mapped}' statement about {obj_id} names no {missing[column]}")
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


def read_xapi(
    sources: str | Path | Iterable[str | Path],
    workspace: Workspace,
    *,
    pseudonymise: Any = True,
    verbs: dict[str, str] | None = None,
    activities: dict[str, tuple[str | None, str | None, str | None]] | None = None,
    rejects: str | Path | None = None,
    echo: Echo = print,
) -> ReadResult:
    """Read xAPI statements onto the events table.

    ``sources``: files or folders holding a JSON array of statements, JSON lines, one statement
    per file, or LRS ``StatementResult`` pages (``{"statements": [...], "more": "..."}``; save each
    page as a file, the ``more`` links are checked for a gap). ADL verb IRIs map through
    :data:`XAPI_VERBS` (extend with ``verbs``); activity ids map to module, block and credential
    ids through the workspace: an IRI whose path names a module id (then a block id of that
    module) or a credential id, e.g. ``https://lms.example/xapi/modules/reading-bar-charts/blocks/axis-check``;
    ``context.contextActivities.parent``/``grouping`` supply the module or credential when the
    object is a block. ``result.duration`` (ISO 8601) becomes seconds, ``result.score.scaled`` the
    score, ``result.response`` (``a[,]b``) sorted space-separated choice ids, ``context.language``
    the language. Voided statements and the statements that void them are removed (counted in
    ``removed``). Everything else that cannot be mapped goes to ``rejects`` (JSON lines: source,
    position, reason, statement; default ``<name>.rejects.jsonl``).
    """
    import polars as pl

    from ..schema import events_schema

    if isinstance(sources, (str, Path)):
        sources = [sources]
    sources = list(sources)
    files = xapi_files(sources)
    first = Path(sources[0]) if sources else Path("xapi")
    rejects_path = Path(rejects) if rejects else default_rejects(first, ".rejects.jsonl")
    pseud = pseudonymiser(pseudonymise, workspace)
    index = ActivityIndex(workspace, activities)
    table = dict(XAPI_VERBS)
    table.update(verbs or {})
    items: list[tuple[str, str, Any]] = []
    bad: list[dict[str, Any]] = []
    notes: list[str] = []
    pages_more: list[str] = []
    page_ids: set[str] = set()
    for f in files:
        rel = str(f)
        for pos, value, err in iter_json_file(f):
            if err:
                bad.append({"source": rel, "position": pos, "reason": err, "statement": value})
                continue
            if isinstance(value, dict) and isinstance(value.get("statements"), list) and "verb" not in value:
                if value.get("more"):
                    pages_more.append(str(value["more"]))
                page_ids.add(f.name)
                for i, st in enumerate(value["statements"], 1):
                    items.append((rel, f"{pos}, statements[{i}]", st))
            elif isinstance(value, list):
                for i, st in enumerate(value, 1):
                    items.append((rel, f"{pos}[{i}]", st))
            else:
                items.append((rel, pos, value))
    # voiding
    voided: set[str] = set()
    voiding: set[int] = set()
    for k, (_, _, st) in enumerate(items):
        if isinstance(st, dict) and isinstance(st.get("verb"), dict) and st["verb"].get("id") == VOIDED:
            target = st.get("object")
            obj = target if isinstance(target, dict) else {}
            if obj.get("id"):
                voided.add(str(obj["id"]))
            voiding.add(k)
    rows: list[dict[str, Any]] = []
    removed = 0
    for k, (rel, pos, st) in enumerate(items):
        if k in voiding or (isinstance(st, dict) and isinstance(st.get("id"), str) and st["id"] in voided):
            removed += 1
            continue
        row, reason = _map_statement(st, index, table)
        if row is None:
            bad.append({"source": rel, "position": pos, "reason": reason, "statement": st})
        else:
            rows.append(row)
    if pages_more:
        # a page's `more` is followed by a later page; the last page's `more` is empty
        unfollowed = len(pages_more) - max(0, len(page_ids) - 1)
        if unfollowed > 0:
            notes.append(
                f"{unfollowed} StatementResult page(s) point to more results ({pages_more[-1]}) "
                "that were not given: fetch them from the LRS and read them too"
            )
    n_read = len(items) + sum(1 for b in bad if b["reason"].startswith(("malformed", "not JSON")))
    schema = events_schema()
    df = pl.DataFrame(rows, schema={k: (pl.String if k == "verb" else v) for k, v in schema.items()}).with_columns(
        pl.col("verb").cast(schema["verb"])
    )
    lf = df.lazy()
    if pseud is not None:
        lf = pseud.apply(lf)

    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as out:
            for b in bad:
                st = b["statement"]
                if pseud is not None and isinstance(st, dict) and "actor" in st:
                    st = dict(st)
                    aid = _actor_id(st.get("actor"))
                    st["actor"] = {"pseudonym": pseud.pseudonym(aid)} if aid else None
                try:
                    line = json.dumps({**b, "statement": st}, ensure_ascii=False, default=str)
                except (RecursionError, ValueError):
                    line = json.dumps({**b, "statement": repr(st)[:2000]}, ensure_ascii=False)
                out.write(line + "\n")

    written = finish_rejects(rejects_path, len(bad), write)
    result = ReadResult(str(first), lf, n_read, len(bad), written, kind="xapi", notes=notes, removed=removed)
    return echo_result(echo, result)


__all__ = ["ActivityIndex", "read_xapi"]
