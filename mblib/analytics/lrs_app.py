"""Ralph's LRS app as :mod:`mblib.analytics.lrs_server` runs it (in a child process, under uvicorn).

Ralph 5.1's file-system LRS backend, as shipped, cannot serve as a store that grows:

- it writes with the ``create`` operation, so the second POST fails ("already exists");
- it rereads its whole statements file for every page, for every duplicate-id check on POST and
  for ``search_after`` (the cursor of its ``more`` links), and rewrites ``history.json`` on each
  read, so paging N statements costs O(N^2);
- its ``since``/``until`` compare the statement's ``timestamp``, where xAPI 1.0.3 (Communication
  2.1.3) says ``stored``.

:class:`IndexedFSLRSBackend` keeps Ralph's API, auth, validation and file format (one JSON
statement per line in ``fs_lrs.jsonl``) and fixes these three: writes append, an in-memory index
(statement id -> byte offset, rebuilt by one scan at start) answers id lookups and resumes a page
where the last one ended, and ``since``/``until`` read ``stored``. Pages come in stored order
(oldest first), whatever ``ascending`` says. It also serves the xAPI State resource that cmi5
launches need (:func:`_state_router`). This module imports Ralph: nothing in mblib imports it;
uvicorn loads it as ``mblib.analytics.lrs_app:app``.
"""

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.base import RalphStatementsQuery, StatementQueryResult
from ralph.backends.lrs.fs import FSLRSBackend


def _when(value: Any) -> datetime | None:
    """A date-time (naive ones read as UTC), or None when there is none or it is not ISO 8601."""
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_HEAD = re.compile(rb'^\{"id": "([^"\\]*)", "stored": "([^"\\]*)"')
"""The head of a line this backend writes: the statement's id and stored time come first."""


class RawStatement(str):
    """A statement as the JSON text of its line in the file: sent as it is, never parsed and re-encoded."""


class IndexedFSLRSBackend(FSLRSBackend):
    """Ralph's fs LRS backend with appending writes, an id -> offset index and ``stored`` for since/until."""

    default_operation_type = BaseOperationType.APPEND

    def __init__(self, settings: Any = None) -> None:
        super().__init__(settings)
        self.path = Path(self.default_directory) / self.settings.DEFAULT_LRS_FILE
        self.offsets: dict[str, tuple[int, int]] = {}
        if self.path.is_file():
            with self.path.open("rb") as f:
                start = 0
                for line in f:
                    end = start + len(line)
                    if line.strip():
                        sid = json.loads(line).get("id")
                        if isinstance(sid, str):
                            self.offsets[sid] = (start, end)
                    start = end

    def append_to_history(self, event: Any) -> None:  # history.json is not needed by an LRS
        return None

    def write(
        self,
        data: Iterable[dict[str, Any]] | Any,
        target: str | None = None,
        chunk_size: int | None = None,
        ignore_errors: bool = False,
        operation_type: BaseOperationType | None = None,
    ) -> int:
        if target:
            return int(super().write(data, target, chunk_size, ignore_errors, BaseOperationType.APPEND))
        count = 0
        with self.path.open("ab") as f:
            for statement in data:
                if isinstance(statement, dict) and "id" in statement and "stored" in statement:
                    statement = {"id": statement["id"], "stored": statement["stored"], **statement}  # see _HEAD
                line = (json.dumps(statement, ensure_ascii=False) + "\n").encode("utf-8")
                start = f.tell()
                f.write(line)
                if isinstance(statement, dict) and isinstance(statement.get("id"), str):
                    self.offsets[statement["id"]] = (start, start + len(line))
                count += 1
        return count

    def _lines_from(self, offset: int) -> Iterator[tuple[bytes, str | None, str | None]]:
        """(line, id, stored) from ``offset`` on; id and stored read from the line's head when it has
        the form this backend writes, else None (the caller parses the line)."""
        if not self.path.is_file():
            return
        with self.path.open("rb") as f:
            f.seek(offset)
            for line in f:
                if line.strip():
                    m = _HEAD.match(line)
                    yield (line, m.group(1).decode(), m.group(2).decode()) if m else (line, None, None)

    def query_statements_by_ids(self, ids: list[str], target: str | None = None) -> list[dict[str, Any]]:
        if target:
            return list(super().query_statements_by_ids(ids, target))
        found = []
        with self.path.open("rb") if self.path.is_file() else open("/dev/null", "rb") as f:
            for sid in ids:
                where = self.offsets.get(str(sid))
                if where:
                    f.seek(where[0])
                    found.append(json.loads(f.read(where[1] - where[0])))
        return found

    def query_statements(self, params: RalphStatementsQuery, target: str | None = None) -> StatementQueryResult:
        if target:
            return super().query_statements(params, target)
        if params.statement_id:
            return StatementQueryResult(
                statements=self.query_statements_by_ids([str(params.statement_id)]), pit_id=None, search_after=None
            )
        filters: list[Any] = []
        self._add_filter_by_agent(filters, params.agent, params.related_agents)
        self._add_filter_by_authority(filters, params.authority)
        self._add_filter_by_verb(filters, params.verb)
        self._add_filter_by_activity(filters, params.activity, params.related_activities)
        self._add_filter_by_registration(filters, params.registration)
        since, until = _when(params.since), _when(params.until)
        start = 0
        if params.search_after:
            where = self.offsets.get(str(params.search_after))
            if where is None:
                return StatementQueryResult(statements=[], pit_id=None, search_after=None)
            start = where[1]
        limit = params.limit
        statements: list[Any] = []
        search_after = None
        for line, sid, stored_text in self._lines_from(start):
            statement: dict[str, Any] | None = None
            if sid is None or filters:
                statement = json.loads(line)
                sid, stored_text = statement.get("id"), statement.get("stored")
            if since is not None or until is not None:
                stored = _when(stored_text)
                if since is not None and (stored is None or stored <= since):
                    continue
                if until is not None and (stored is None or stored > until):
                    break  # stored order: nothing later qualifies
            if statement is not None and not all(f(statement) for f in filters):
                continue
            statements.append(RawStatement(line.decode("utf-8").rstrip("\n")))
            if limit and len(statements) == limit:
                search_after = sid
                break
        return StatementQueryResult(statements=statements, pit_id=None, search_after=search_after)


def _state_router(folder: Path) -> Any:
    """The xAPI State resource (``activities/state``), which Ralph 5.1 lacks and cmi5 needs: the LMS
    puts ``LMS.LaunchData`` there before a launch and the AU reads it. Documents are kept in
    ``FOLDER/state.json``, keyed by activity, agent, registration and state id."""
    # imported here: ralph.api builds Ralph's default backend when imported. Without
    # `from __future__ import annotations` in this module, FastAPI sees these local names.
    from fastapi import APIRouter, HTTPException, Request, Security
    from fastapi.responses import JSONResponse, Response
    from ralph.api.auth import get_authenticated_user

    read = Security(get_authenticated_user, scopes=["state/read"])
    write = Security(get_authenticated_user, scopes=["state/write"])
    path = folder / "state.json"
    store: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    router = APIRouter(prefix="/xAPI/activities/state")

    def key(request: Request) -> str:
        q = request.query_params
        if not q.get("activityId") or not q.get("agent") or not q.get("stateId"):
            raise HTTPException(status_code=400, detail="activityId, agent and stateId are required")
        try:
            agent = json.dumps(json.loads(q["agent"]), sort_keys=True)
        except ValueError:
            raise HTTPException(status_code=400, detail="agent is not JSON") from None
        return json.dumps([q["activityId"], agent, q.get("registration") or "", q["stateId"]])

    @router.get("")
    async def get_state(request: Request, _: Any = read) -> Any:
        k = key(request)
        if k not in store:
            raise HTTPException(status_code=404, detail="no such state document")
        return JSONResponse(store[k])

    @router.put("")
    @router.post("")
    async def put_state(request: Request, _: Any = write) -> Any:
        k = key(request)
        body = await request.body()
        if len(body) > 1_000_000:
            raise HTTPException(status_code=413, detail="state documents are limited to 1 MB here")
        try:
            store[k] = json.loads(body)
        except ValueError:
            raise HTTPException(status_code=400, detail="state document is not JSON") from None
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(store), encoding="utf-8")
        tmp.replace(path)
        return Response(status_code=204)

    return router


def _app() -> Any:
    from ralph.api.routers import statements

    statements.BACKEND_CLIENT = IndexedFSLRSBackend()
    from ralph.api import app as ralph_app
    from ralph.conf import settings

    ralph_app.include_router(_state_router(Path(settings.APP_DIR)))
    _plain_json_pages(ralph_app)
    return ralph_app


def _plain_json_pages(app: Any) -> None:
    """Answer ``GET statements`` with ``json.dumps`` of Ralph's result: FastAPI's generic encoder
    (``jsonable_encoder``, which walks every value of every statement in Python) took most of the
    time of a page of statements, and the statements are plain JSON already."""
    from fastapi.responses import Response
    from fastapi.routing import APIRoute

    for route in app.routes:
        if (
            isinstance(route, APIRoute)
            and route.path in ("/xAPI/statements", "/xAPI/statements/")
            and "GET" in route.methods
        ):
            original = route.dependant.call

            async def plain(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                result = await _original(*args, **kwargs)
                if not isinstance(result, dict):
                    return result
                items = result.get("statements") or []
                body = "[" + ",".join(x if isinstance(x, RawStatement) else json.dumps(x) for x in items) + "]"
                head = json.dumps({k: v for k, v in result.items() if k != "statements"}, ensure_ascii=False)
                text = head[:-1] + (", " if len(head) > 2 else "") + '"statements": ' + body + "}"
                return Response(text, media_type="application/json")

            route.dependant.call = plain


_built: list[Any] = []


def __getattr__(name: str) -> Any:
    """``app``, built on first use (uvicorn asks for it): importing this module has no side effects."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _built:
        _built.append(_app())
    return _built[0]
