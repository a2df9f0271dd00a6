"""A real LRS for the workspace: Ralph (the LRS of Open edX) on its file-system backend, in a child process.

:func:`start_lrs` runs Ralph's xAPI API under uvicorn (:mod:`mblib.analytics.lrs_app`) with its
statements in ``FOLDER/data/fs_lrs.jsonl``; on the first start it creates a user with a random
password, stored as Ralph's bcrypt ``auth.json`` and, for the clients, as ``credentials.json``
(mode 0600). ``FOLDER/lrs.json`` records what runs where (pid, host, port); :func:`stop_lrs`
stops it cleanly and :func:`lrs_status` says whether it runs. The readers never touch these files
or Ralph's internals: they speak the xAPI statements API (:mod:`mblib.analytics.lrs_client`), so
another LRS (or Ralph on ClickHouse, its store beyond one machine) is read the same way.

>>> import tempfile
>>> lrs_status(tempfile.mkdtemp()) is None
True
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..content.yamlio import atomic_write
from ..errors import Location, MblibError, MissingDependencyError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8100
DEFAULT_FOLDER = Path(".mblib") / "lrs"
"""Where ``mb lrs`` keeps the LRS, relative to the workspace."""
STATE_FILE = "lrs.json"
CREDENTIALS_FILE = "credentials.json"
APP = "mblib.analytics.lrs_app:app"


class LrsError(MblibError):
    """The LRS could not be started, stopped, reached or read; the message says which and how to fix it."""


@dataclass(frozen=True)
class LrsServer:
    """A running LRS: where it listens, its process and folder, and the credentials of its user."""

    folder: Path
    host: str
    port: int
    pid: int
    username: str
    password: str

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, ``http://HOST:PORT/xAPI/`` (statements are at ``.../statements``)."""
        return f"http://{self.host}:{self.port}/xAPI/"

    def describe(self) -> str:
        return f"Ralph LRS running at {self.endpoint} (pid {self.pid}, folder {self.folder})"


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def lrs_credentials(folder: str | Path) -> tuple[str, str]:
    """(username, password) of the LRS user in ``folder``, created (Ralph's bcrypt ``auth.json`` too) on first use."""
    import bcrypt

    folder = Path(folder)
    creds = folder / CREDENTIALS_FILE
    if creds.is_file():
        try:
            data = json.loads(creds.read_text(encoding="utf-8"))
            return str(data["username"]), str(data["password"])
        except (ValueError, KeyError, TypeError) as e:
            raise LrsError(
                f"credentials file is damaged ({type(e).__name__})",
                location=Location(file=str(creds)),
                hint="delete it and auth.json beside it; the next start creates new ones",
            ) from None
    folder.mkdir(parents=True, exist_ok=True)
    username, password = "mblib", secrets.token_urlsafe(18)
    digest = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")
    user = {"agent": {"mbox": "mailto:lrs@mblib.example.org"}, "scopes": ["all"], "username": username, "hash": digest}
    atomic_write(folder / "auth.json", (json.dumps([user], indent=2) + "\n").encode("utf-8"))
    atomic_write(creds, (json.dumps({"username": username, "password": password}, indent=2) + "\n").encode("utf-8"))
    os.chmod(creds, 0o600)
    os.chmod(folder / "auth.json", 0o600)
    return username, password


def _alive(pid: int) -> bool:
    """True when ``pid`` is a live process running mblib's LRS app (not a pid reused by something else)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return APP.encode() in cmdline


def _state(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def lrs_status(folder: str | Path) -> LrsServer | None:
    """The LRS running from ``folder``, or ``None`` (a stale ``lrs.json`` of a dead process is removed)."""
    folder = Path(folder)
    state = _state(folder)
    if state is None:
        return None
    try:
        pid, host, port = int(str(state["pid"])), str(state["host"]), int(str(state["port"]))
    except (KeyError, ValueError):
        return None
    if not _alive(pid):
        (folder / STATE_FILE).unlink(missing_ok=True)
        return None
    user, password = lrs_credentials(folder) if (folder / CREDENTIALS_FILE).is_file() else ("", "")
    return LrsServer(folder, host, port, pid, user, password)


def _ready(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/__heartbeat__", timeout=1) as r:  # noqa: S310
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_lrs(
    folder: str | Path,
    *,
    host: str = DEFAULT_HOST,
    port: int | None = DEFAULT_PORT,
    page_size: int = 1000,
    cors_origins: Sequence[str] = (),
    timeout: float = 60.0,
) -> LrsServer:
    """Start Ralph on ``host:port`` with its statements in ``folder`` (``port=None``: a free port).

    Returns the running server; an LRS already running from ``folder`` is returned as it is.
    ``page_size`` is the most statements one page of ``GET statements`` holds. ``cors_origins``
    lets pages served from those origins (a cmi5 player) call the LRS.
    """
    import importlib.util

    folder = Path(folder).resolve()
    running = lrs_status(folder)
    if running is not None:
        return running
    if importlib.util.find_spec("ralph") is None or importlib.util.find_spec("uvicorn") is None:
        raise MissingDependencyError.for_extra("ralph-malph", "lrs", "a local LRS (mb lrs start)")
    if port is None or port == 0:
        port = free_port(host)
    elif _port_taken(host, port):
        raise LrsError(
            f"port {port} on {host} is taken by another program",
            hint="choose another with --port (or port=None for a free one), or stop what listens there",
        )
    lrs_credentials(folder)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env.update(
        {
            "RALPH_APP_DIR": str(folder),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_HISTORY_FILE": str(folder / "history.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data),
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(data),
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": str(int(page_size)),
            "RALPH_RUNSERVER_CORS_ALLOW_ORIGINS": json.dumps(list(cors_origins)),
        }
    )
    log = (folder / "lrs.log").open("ab")
    cmd = [sys.executable, "-m", "uvicorn", APP, "--host", host, "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(  # noqa: S603
        cmd, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    deadline = time.monotonic() + timeout
    while not _ready(host, port):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            tail = (folder / "lrs.log").read_text(encoding="utf-8", errors="replace")[-1500:]
            raise LrsError(
                f"Ralph did not start on {host}:{port} (exit {proc.poll()}); the end of its log:\n{tail}",
                location=Location(file=str(folder / "lrs.log")),
                hint='install the LRS with pip install "mblib[lrs]", or choose another port',
            )
        time.sleep(0.1)
    state = {"pid": proc.pid, "host": host, "port": port, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    atomic_write(folder / STATE_FILE, (json.dumps(state) + "\n").encode("utf-8"))
    server = lrs_status(folder)
    assert server is not None
    return server


def _reap(pid: int) -> None:
    """Collect the exit status of ``pid`` when it is a child of this process (no zombie left behind)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: its parent (or init) collects it
            return
        if done:
            return
        time.sleep(0.02)


def stop_lrs(folder: str | Path, *, timeout: float = 10.0) -> bool:
    """Stop the LRS running from ``folder`` (SIGTERM, then SIGKILL after ``timeout``); False when none ran."""
    folder = Path(folder).resolve()
    server = lrs_status(folder)
    if server is None:
        return False
    try:
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(server.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(server.pid):
            os.kill(server.pid, signal.SIGKILL)
        _reap(server.pid)
    except ProcessLookupError:
        pass
    (folder / STATE_FILE).unlink(missing_ok=True)
    return True


@contextmanager
def running_lrs(folder: str | Path, **options: object) -> Iterator[LrsServer]:
    """Ralph running from ``folder`` for the ``with`` block, stopped after it (also on error).

    Options as :func:`start_lrs`; ``port`` defaults to a free port here.
    """
    options.setdefault("port", None)
    server = start_lrs(folder, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        stop_lrs(folder)


__all__ = [
    "DEFAULT_FOLDER",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "LrsError",
    "LrsServer",
    "free_port",
    "lrs_credentials",
    "lrs_status",
    "running_lrs",
    "start_lrs",
    "stop_lrs",
]
