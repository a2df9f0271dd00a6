"""A real LRS (Ralph on 127.0.0.1, started once per test session): replay, ingest, checkpoint, voiding."""

from __future__ import annotations

import functools
import http.server
import json
import os
import stat
import threading
import time
import uuid
from datetime import UTC, datetime

import polars as pl
import pytest

from tests.conftest import SAMPLE

ADL = "http://adlnet.gov/expapi/verbs/"
BASE = "https://mblib.example.org/xapi"


def client_for(server, **kw):
    from mblib.analytics.lrs_client import LrsClient

    return LrsClient(server.endpoint, server.username, server.password, **kw)


def now() -> str:
    time.sleep(0.01)
    return datetime.now(UTC).isoformat()


def launched(learner: str, module: str = "reading-bar-charts", **extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": BASE, "name": learner}},
        "verb": {"id": ADL + "launched"},
        "object": {"objectType": "Activity", "id": f"{BASE}/modules/{module}"},
        "timestamp": "2025-02-03T10:00:00Z",
        **extra,
    }


@pytest.fixture(scope="module")
def ws():
    from mblib.content import Workspace

    return Workspace.open(SAMPLE)


@pytest.fixture(scope="module")
def cohort(ws):
    from mblib.analytics.synth import synthesise

    return synthesise(ws, learners=25, seed=3)


def test_replayed_cohort_is_ingested_back_event_for_event(ralph, ws, cohort, tmp_path):
    from mblib.analytics.ingest import ingest_lrs
    from mblib.analytics.replay import replay_cohort, replay_learner_id

    client = client_for(ralph.server)
    since = now()
    sent = replay_cohort(cohort.events, client, batch=300, echo=None)
    assert sent == cohort.events.height > 400  # several pages of 200: `more` links followed
    r = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert (r.fetched, r.statements, r.events, r.rejected, r.removed) == (sent, sent, sent, 0, 0)
    months = sorted(p.parent.name for p in (tmp_path / "events").rglob("*.parquet"))
    assert months and all(m.startswith("month=2025-") for m in months)
    back = pl.read_parquet(tmp_path / "events" / "**" / "*.parquet")
    cols = ["learner_id", "verb", "credential_id", "module_id", "block_id", "success", "response", "language"]
    want = cohort.events.with_columns(pl.col("learner_id").map_elements(replay_learner_id, return_dtype=pl.String))
    key = ["learner_id", "timestamp", "verb", "block_id", "module_id"]
    a, b = want.sort(key, nulls_last=True), back.sort(key, nulls_last=True)
    assert (
        a.select(cols)
        .with_columns(pl.col("verb").cast(pl.String))
        .equals(b.select(cols).with_columns(pl.col("verb").cast(pl.String)))
    )
    assert (a["timestamp"] == b["timestamp"]).all()
    assert (a["score"].fill_null(-1) - b["score"].fill_null(-1)).abs().max() < 1e-6
    assert (a["duration_s"].fill_null(-1) - b["duration_s"].fill_null(-1)).abs().max() < 0.01


def test_next_run_reads_only_what_is_new_and_an_interrupted_run_resumes_without_duplicates(ralph, ws, tmp_path):
    from mblib.analytics.ingest import STATEMENTS, ingest_lrs

    client = client_for(ralph.server)
    since = now()
    first = [launched(f"a{i}") for i in range(250)]
    client.post(first)
    r1 = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert (r1.fetched, r1.statements) == (250, 250)
    client.post([launched(f"b{i}") for i in range(450)])

    class Cut(Exception):
        pass

    class Flaky:  # the connection drops at the third page of the second run (after 150 new ones are kept)
        endpoint = client.endpoint

        def pages(self, **kw):
            for i, page in enumerate(client.pages(**kw)):
                if i == 2:
                    raise Cut
                yield page

    import mblib.analytics.ingest as ingest_mod

    old = ingest_mod.FLUSH_STATEMENTS
    ingest_mod.FLUSH_STATEMENTS = 100  # the first page is recorded before the cut
    try:
        with pytest.raises(Cut):
            ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=Flaky(), since=since, pseudonymise=False, echo=None)
    finally:
        ingest_mod.FLUSH_STATEMENTS = old
    (tmp_path / STATEMENTS / "part-999999.jsonl").write_text(json.dumps(first[0]) + "\n")  # a half-written batch
    r2 = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert r2.statements == r2.events == 700 and r2.fetched == 300  # the rest only
    assert not (tmp_path / STATEMENTS / "part-999999.jsonl").exists()
    held = [json.loads(x) for f in (tmp_path / STATEMENTS).glob("part-*.jsonl") for x in f.read_text().splitlines()]
    assert len({s["id"] for s in held}) == len(held) == 700
    r3 = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert (r3.fetched, r3.events) == (0, 700)


def test_a_voiding_statement_removes_its_target_also_across_runs(ralph, ws, tmp_path):
    from mblib.analytics.ingest import ingest_lrs

    client = client_for(ralph.server)
    since = now()
    keep, gone = launched("keep"), launched("gone")
    client.post([keep, gone])
    r1 = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert r1.events == 2
    void = {
        "actor": keep["actor"],
        "verb": {"id": ADL + "voided"},
        "object": {"objectType": "StatementRef", "id": gone["id"]},
    }
    client.post([void])
    r2 = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert (r2.fetched, r2.events, r2.removed) == (1, 1, 2)
    assert pl.read_parquet(tmp_path / "events" / "**" / "*.parquet")["learner_id"].to_list() == [f"{BASE}|keep"]


def test_rejects_and_set_aside_as_the_file_reader_does(ralph, ws, tmp_path):
    from mblib.analytics.ingest import REJECTS, ingest_lrs

    client = client_for(ralph.server)
    since = now()
    unknown = launched("x", module="no-such-module")
    commented = launched("y", verb={"id": ADL + "commented"})
    client.post([launched("z"), unknown, commented])
    r = ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client, since=since, pseudonymise=False, echo=None)
    assert (r.events, r.rejected, r.aside) == (1, 1, {ADL + "commented": 1})
    line = json.loads((tmp_path / REJECTS).read_text())
    assert (
        line["reason"]
        == f"activity {BASE}/modules/no-such-module matches no module, block or credential of the workspace"
    )
    assert line["statement"]["id"] == unknown["id"] and "part-" in line["source"]


def test_until_and_since_read_stored_time(ralph, ws, tmp_path):
    from mblib.analytics.ingest import ingest_lrs

    client = client_for(ralph.server)
    since = now()
    client.post([launched("early")])
    middle = now()
    client.post([launched("late")])
    r = ingest_lrs(
        ralph.server.endpoint, ws, tmp_path, client=client, since=since, until=middle, pseudonymise=False, echo=None
    )
    assert r.events == 1
    assert pl.read_parquet(tmp_path / "events" / "**" / "*.parquet")["learner_id"].to_list() == [f"{BASE}|early"]


def test_lrs_start_status_stop_credentials_restart_and_taken_port(tmp_path):
    pytest.importorskip("ralph")
    from mblib.analytics.lrs_server import LrsError, lrs_status, start_lrs, stop_lrs

    folder = tmp_path / "lrs"
    server = start_lrs(folder, port=None)
    try:
        assert lrs_status(folder) == server and "running at http://127.0.0.1:" in server.describe()
        assert start_lrs(folder, port=None) == server  # already running: the same one
        creds = folder / "credentials.json"
        assert stat.S_IMODE(creds.stat().st_mode) == 0o600
        auth = json.loads((folder / "auth.json").read_text())
        assert auth[0]["hash"].startswith("$2b$") and server.password not in (folder / "auth.json").read_text()
        client_for(server).post([launched("kept-over-a-restart")])
        with pytest.raises(LrsError) as e:
            start_lrs(tmp_path / "other", port=server.port)
        assert e.value.message == f"port {server.port} on 127.0.0.1 is taken by another program"
    finally:
        assert stop_lrs(folder)
    assert lrs_status(folder) is None and not stop_lrs(folder)
    with pytest.raises(ProcessLookupError):
        os.kill(server.pid, 0)
    again = start_lrs(folder, port=None)  # same credentials, statements indexed again from the file
    try:
        assert (again.username, again.password) == (server.username, server.password)
        page = next(client_for(again).pages())
        assert [s["actor"]["account"]["name"] for s in page] == ["kept-over-a-restart"]
    finally:
        stop_lrs(folder)


def test_state_resource_for_cmi5_launch_data(ralph):
    import urllib.parse

    client = client_for(ralph.server)
    q = urllib.parse.urlencode(
        {"activityId": "https://x.example/au", "agent": json.dumps({"mbox": "mailto:a@x.example.org"}),
         "registration": str(uuid.uuid4()), "stateId": "LMS.LaunchData"}
    )  # fmt: skip
    url = ralph.server.endpoint + "activities/state?" + q
    assert client.request("PUT", url, {"launchMode": "Normal"}) is None
    assert client.request("GET", url) == {"launchMode": "Normal"}


# --- hostile LRSs and bad credentials -------------------------------------------------------------


class _Fake(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        body, kind = self.server.answer(self)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_lrs():
    servers = []

    def start(answer):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Fake))
        srv.answer = answer
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/xAPI/"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def _messages(endpoint, **kw):
    from mblib.analytics.lrs_client import LrsClient
    from mblib.analytics.lrs_server import LrsError

    with pytest.raises(LrsError) as e:
        list(LrsClient(endpoint, "u", "p", **kw).pages())
    return e.value.message


def test_a_more_link_to_another_host_is_not_followed(fake_lrs):
    url = fake_lrs(
        lambda h: ({"statements": [], "more": "http://evil.example/xAPI/statements?x=1"}, "application/json")
    )
    msg = _messages(url)
    assert msg == "the LRS's 'more' link points to another host (http://evil.example/xAPI/statements?x=1); not followed"


def test_non_json_too_large_not_a_statement_result_and_endless_pages(fake_lrs):
    html = fake_lrs(lambda h: (b"<html>login here</html>", "text/html"))
    assert _messages(html).endswith("is not JSON (it starts '<html>login here</html>')")
    big = fake_lrs(lambda h: ({"statements": [launched(str(i)) for i in range(50)]}, "application/json"))
    assert _messages(big, max_bytes=1000).endswith("is larger than 1,000 bytes; not read")
    plain = fake_lrs(lambda h: ([1, 2], "application/json"))
    assert _messages(plain).endswith("is not a StatementResult (no 'statements' list)")
    endless = fake_lrs(lambda h: ({"statements": [], "more": "/xAPI/statements?again=1"}, "application/json"))
    assert _messages(endless, max_pages=3) == "the LRS gave more than 3 pages; stopped"


def test_bad_credentials_are_refused_with_the_fix(ralph):
    from mblib.analytics.lrs_client import LrsClient
    from mblib.analytics.lrs_server import LrsError

    with pytest.raises(LrsError) as e:
        next(LrsClient(ralph.server.endpoint, ralph.server.username, "wrong").pages())
    assert e.value.message.startswith("the LRS refused the credentials (HTTP 401) at http://127.0.0.1:")
    assert "MBLIB_LRS_USER" in e.value.hint


def test_credentials_come_from_a_file_or_the_environment_never_argv(tmp_path):
    from mblib.analytics.lrs_client import lrs_auth
    from mblib.analytics.lrs_server import LrsError

    with pytest.raises(LrsError) as e:
        lrs_auth(env={})
    assert e.value.message == "no LRS credentials: neither a credentials file nor the environment gives them"
    bad = tmp_path / "creds.json"
    bad.write_text("user=ann")
    with pytest.raises(LrsError) as e:
        lrs_auth(bad, env={})
    assert e.value.message == 'the credentials file is not JSON with "username" and "password"'
    assert e.value.location.file == str(bad)
    with pytest.raises(LrsError) as e:
        lrs_auth(tmp_path / "missing.json", env={})
    assert e.value.message == "cannot read the credentials file (No such file or directory)"
    good = tmp_path / "ok.json"
    good.write_text('{"username": "ann", "password": "pw"}')
    assert lrs_auth(good, env={"MBLIB_LRS_USER": "x", "MBLIB_LRS_PASSWORD": "y"}) == ("ann", "pw")


def test_a_checkpoint_from_another_lrs_is_refused(ralph, ws, tmp_path):
    from mblib.analytics.ingest import CHECKPOINT, STATEMENTS, ingest_lrs
    from mblib.analytics.lrs_server import LrsError

    (tmp_path / STATEMENTS).mkdir()
    (tmp_path / STATEMENTS / CHECKPOINT).write_text(json.dumps({"endpoint": "http://other.example/xAPI/", "parts": []}))
    with pytest.raises(LrsError) as e:
        ingest_lrs(ralph.server.endpoint, ws, tmp_path, client=client_for(ralph.server), pseudonymise=False, echo=None)
    assert (
        e.value.message
        == f"this folder holds statements ingested from http://other.example/xAPI/, not {ralph.server.endpoint}"
    )


def test_running_lrs_stops_ralph_also_when_the_block_fails(tmp_path):
    pytest.importorskip("ralph")
    from mblib.analytics.lrs_server import lrs_status, running_lrs

    with pytest.raises(RuntimeError, match="replay failed"), running_lrs(tmp_path / "lrs") as server:
        pid = server.pid
        raise RuntimeError("replay failed")
    assert lrs_status(tmp_path / "lrs") is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_statements_file_written_by_plain_ralph_is_read_and_paged(tmp_path):
    """Lines in Ralph's own key order (not id and stored first) are parsed, filtered and paged all the same."""
    pytest.importorskip("ralph")
    from mblib.analytics.lrs_server import running_lrs

    data = tmp_path / "lrs" / "data"
    data.mkdir(parents=True)
    old = [{**launched(f"old{i}"), "stored": f"2026-01-0{i + 1}T00:00:00+00:00"} for i in range(3)]
    (data / "fs_lrs.jsonl").write_text("".join(json.dumps(s) + "\n" for s in old))
    with running_lrs(tmp_path / "lrs", page_size=2) as server:
        client = client_for(server)
        pages = list(client.pages())
        assert [[s["id"] for s in p] for p in pages] == [[old[0]["id"], old[1]["id"]], [old[2]["id"]]]
        later = [s["id"] for p in client.pages(since="2026-01-01T12:00:00+00:00") for s in p]
        assert later == [old[1]["id"], old[2]["id"]]
        client.post([launched("new")])  # appended after the old lines, in this backend's form
        assert [s["actor"]["account"]["name"] for p in client.pages() for s in p][-1] == "new"
