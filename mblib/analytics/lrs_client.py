"""A client of any LRS over the xAPI statements API (xAPI 1.0.3 Communication, part 2), on urllib.

It reads pages of statements and follows their ``more`` links (same origin only, a bounded number
of pages, each response bounded in size and checked to be a StatementResult), and posts batches.
Credentials come from a credentials file or the environment (``MBLIB_LRS_USER``,
``MBLIB_LRS_PASSWORD``), never from the command line.

>>> LrsClient("ftp://lrs.example/xapi", "u", "p")
Traceback (most recent call last):
...
mblib.analytics.lrs_server.LrsError: LRS endpoint 'ftp://lrs.example/xapi' is not an http(s) URL
  fix: give the xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI/
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import Location
from .lrs_server import LrsError

USER_ENV = "MBLIB_LRS_USER"
PASSWORD_ENV = "MBLIB_LRS_PASSWORD"
MAX_RESPONSE_BYTES = 256 * 2**20
"""The largest response read from an LRS (one page of statements)."""
MAX_PAGES = 1_000_000
XAPI_VERSION = "1.0.3"


def lrs_auth(credentials: str | Path | None = None, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(user, password) for an LRS: from ``credentials`` (a JSON file ``{"username": .., "password": ..}``,
    as ``mb lrs start`` writes it) when given, else from ``MBLIB_LRS_USER`` and ``MBLIB_LRS_PASSWORD``.

    >>> lrs_auth(env={"MBLIB_LRS_USER": "ann", "MBLIB_LRS_PASSWORD": "s3cret"})
    ('ann', 's3cret')
    """
    env = os.environ if env is None else env
    if credentials is not None:
        path = Path(credentials)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return str(data["username"]), str(data["password"])
        except OSError as e:
            raise LrsError(
                f"cannot read the credentials file ({e.strerror})",
                location=Location(file=str(path)),
                hint="give the credentials.json that `mb lrs start` wrote (in .mblib/lrs/), or set "
                f"{USER_ENV} and {PASSWORD_ENV}",
            ) from None
        except (ValueError, KeyError, TypeError):
            raise LrsError(
                'the credentials file is not JSON with "username" and "password"',
                location=Location(file=str(path)),
                hint='write {"username": "...", "password": "..."} into it',
            ) from None
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user and password:
        return user, password
    raise LrsError(
        "no LRS credentials: neither a credentials file nor the environment gives them",
        hint=f"set {USER_ENV} and {PASSWORD_ENV}, or pass --credentials FILE (never the password on the command line)",
    )


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class LrsClient:
    """Reads and writes statements at one xAPI endpoint with HTTP Basic auth.

    ``max_bytes`` bounds each response, ``max_pages`` the pages one :meth:`pages` call follows.
    """

    def __init__(
        self,
        endpoint: str,
        username: str,
        password: str,
        *,
        timeout: float = 60.0,
        max_bytes: int = MAX_RESPONSE_BYTES,
        max_pages: int = MAX_PAGES,
    ) -> None:
        scheme, netloc = _origin(endpoint)
        if scheme not in ("http", "https") or not netloc:
            raise LrsError(
                f"LRS endpoint {endpoint!r} is not an http(s) URL",
                hint="give the xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI/",
            )
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": XAPI_VERSION}
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_pages = max_pages

    def request(self, method: str, url: str, body: Any = None) -> Any:
        """The parsed JSON answer to one request; :class:`LrsError` on refusal, a bad answer or too large a one."""
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                raw = resp.read(self.max_bytes + 1)
        except urllib.error.HTTPError as e:
            detail = e.read(2000).decode("utf-8", "replace").strip()
            if e.code in (401, 403):
                raise LrsError(
                    f"the LRS refused the credentials (HTTP {e.code}) at {url}",
                    hint=f"check {USER_ENV}/{PASSWORD_ENV} or the credentials file (mb lrs status shows the LRS)",
                ) from None
            raise LrsError(f"the LRS answered HTTP {e.code} to {method} {url}: {detail[:300]}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise LrsError(
                f"cannot reach the LRS at {url} ({reason})",
                hint="is it running? `mb lrs status` says where mblib's LRS runs",
            ) from None
        if len(raw) > self.max_bytes:
            raise LrsError(
                f"the LRS's answer to {url} is larger than {self.max_bytes:,} bytes; not read",
                hint="ask for smaller pages (--page-size) or raise max_bytes",
            )
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            start = raw[:80].decode("utf-8", "replace")
            raise LrsError(
                f"the LRS's answer to {url} is not JSON (it starts {start!r})",
                hint="check that the URL is the xAPI endpoint (it ends in /xAPI/ on Ralph)",
            ) from None

    def statements_url(self, *, since: str | None = None, until: str | None = None, limit: int | None = None) -> str:
        query: dict[str, str] = {"ascending": "true"}
        if since:
            query["since"] = since
        if until:
            query["until"] = until
        if limit:
            query["limit"] = str(int(limit))
        return self.endpoint + "statements?" + urllib.parse.urlencode(query)

    def pages(
        self, *, since: str | None = None, until: str | None = None, limit: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """The statements stored after ``since`` (and up to ``until``), oldest first, one list per page."""
        url = self.statements_url(since=since, until=until, limit=limit)
        origin = _origin(url)
        for _ in range(self.max_pages):
            page = self.request("GET", url)
            if not isinstance(page, dict) or not isinstance(page.get("statements"), list):
                raise LrsError(
                    f"the LRS's answer to {url} is not a StatementResult (no 'statements' list)",
                    hint="check that the URL is the xAPI endpoint",
                )
            yield [s for s in page["statements"] if isinstance(s, dict)]
            more = page.get("more")
            if not more:
                return
            if not isinstance(more, str):
                raise LrsError(f"the LRS's 'more' link {more!r} at {url} is not a URL")
            following = urllib.parse.urljoin(url, more)
            if _origin(following) != origin:
                raise LrsError(
                    f"the LRS's 'more' link points to another host ({following}); not followed",
                    hint="a 'more' link must stay on the LRS that was asked; check the endpoint or the LRS",
                )
            url = following
        raise LrsError(
            f"the LRS gave more than {self.max_pages:,} pages; stopped",
            hint="ingest in parts with --until, or raise the page size",
        )

    def post(self, statements: Sequence[dict[str, Any]]) -> list[str]:
        """Store ``statements`` (one request); the ids the LRS gives back."""
        ids = self.request("POST", self.endpoint + "statements", list(statements))
        return [str(i) for i in ids] if isinstance(ids, list) else []


__all__ = ["MAX_RESPONSE_BYTES", "PASSWORD_ENV", "USER_ENV", "LrsClient", "lrs_auth"]
