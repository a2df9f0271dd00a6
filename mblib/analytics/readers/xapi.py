"""xAPI statements onto the events table: actors, activities, results; voiding; rejects as JSON lines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .activities import ACTIVITIES_FILE, load_activities
from .rejects import Echo, ReadResult, default_rejects, echo_result, finish_rejects, pseudonymiser
from .xapi_input import VOIDED, iter_json_file, xapi_files
from .xapi_statement import ActivityIndex, Place, actor_id, map_statement

if TYPE_CHECKING:  # pragma: no cover
    from ...content.workspace import Workspace


def read_xapi(
    sources: str | Path | Iterable[str | Path],
    workspace: Workspace,
    *,
    pseudonymise: Any = True,
    verbs: dict[str, str | None] | None = None,
    activities: dict[str, Place | None] | None = None,
    rejects: str | Path | None = None,
    echo: Echo = print,
    voided: Iterable[str] = (),
) -> ReadResult:
    """Read xAPI statements onto the events table.

    ``sources``: files or folders holding a JSON array of statements, JSON lines, one statement
    per file, or LRS ``StatementResult`` pages (``{"statements": [...], "more": "..."}``; save each
    page as a file, the ``more`` links are checked for a gap).

    Verbs map through the verb table (:mod:`mblib.analytics.readers.xapi_verbs`: ADL, cmi5,
    Activity Streams, TLA, the Open edX and Moodle profiles; ``docs/xapi-vocabularies.md``), by
    what the statement is about: ``completed`` on a credential (a course) is the credential
    earned, on a module a completion, on a block progress. ``verbs`` (IRI -> contract verb, or
    ``None``) adds or overrides IRIs, taken literally. Verbs that are not learning events
    (commented, logged in, ...) are counted apart (``aside``), not rejected.

    Activity ids map to module, block and credential ids through ``activities`` (IRI ->
    (credential, module, block)), else ``<workspace>/activities.yaml`` when the workspace has one
    (see :func:`~mblib.analytics.readers.infer_structure`), else the workspace's ids: an IRI whose
    path names a module id (then a block id of that module) or a credential id, e.g.
    ``https://lms.example/xapi/modules/reading-bar-charts/blocks/axis-check``;
    ``context.contextActivities.parent``/``grouping`` supply the module or credential when the
    object is a block (or a badge of the credential). ``result.duration`` (ISO 8601) becomes
    seconds, ``result.score.scaled`` the score, ``result.response`` (``a[,]b``) sorted
    space-separated choice ids, ``context.language`` the language; ``stored`` stands in for a
    missing ``timestamp``. Voided statements and the statements that void them are removed
    (counted in ``removed``); ``voided`` adds ids voided by statements read elsewhere (an earlier
    batch). Everything else that cannot be mapped goes to ``rejects`` (JSON
    lines: source, position, reason, statement; default ``<name>.rejects.jsonl``); the reason is
    the statement's first real defect (no actor, no object, no verb, a bad timestamp) before an
    unknown verb or an activity that matches nothing.
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
    if activities is None and (workspace.root / ACTIVITIES_FILE).is_file():
        activities = load_activities(workspace.root / ACTIVITIES_FILE, workspace)
    index = ActivityIndex(workspace, activities)
    table = dict(verbs or {})
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
    gone: set[str] = set(voided)
    voiding: set[int] = set()
    for k, (_, _, st) in enumerate(items):
        if isinstance(st, dict) and isinstance(st.get("verb"), dict) and st["verb"].get("id") == VOIDED:
            target = st.get("object")
            obj = target if isinstance(target, dict) else {}
            if obj.get("id"):
                gone.add(str(obj["id"]))
            voiding.add(k)
    rows: list[dict[str, Any]] = []
    removed = 0
    aside: Counter[str] = Counter()
    for k, (rel, pos, st) in enumerate(items):
        if k in voiding or (isinstance(st, dict) and isinstance(st.get("id"), str) and st["id"] in gone):
            removed += 1
            continue
        mapped = map_statement(st, index, table)
        if mapped.row is not None:
            rows.append(mapped.row)
        elif mapped.aside is not None:
            aside[mapped.aside] += 1
        else:
            bad.append({"source": rel, "position": pos, "reason": mapped.reason, "statement": st})
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
                    aid = actor_id(st.get("actor"))
                    st["actor"] = {"pseudonym": pseud.pseudonym(aid)} if aid else None
                try:
                    line = json.dumps({**b, "statement": st}, ensure_ascii=False, default=str)
                except (RecursionError, ValueError):
                    line = json.dumps({**b, "statement": repr(st)[:2000]}, ensure_ascii=False)
                out.write(line + "\n")

    written = finish_rejects(rejects_path, len(bad), write)
    result = ReadResult(
        str(first), lf, n_read, len(bad), written, kind="xapi", notes=notes, removed=removed, aside=dict(aside)
    )
    return echo_result(echo, result)


__all__ = ["ActivityIndex", "read_xapi"]
