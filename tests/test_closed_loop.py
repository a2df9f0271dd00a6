"""The closed loop: a published cmi5 lesson, a learner in a real browser, Ralph, ``mb ingest``, the
metrics and the insights beside the block in the module builder.

The sample credential is exported as cmi5; a small launcher does what an LMS does (it puts
``LMS.LaunchData`` into the LRS's State resource, sends ``launched``, serves the one-time fetch
URL with a real token for the LRS and builds the launch URL with endpoint, fetch, actor,
registration and activityId); the AU runs in headless Chromium against Ralph.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import shutil
import threading
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime

import pytest

from .conftest import SAMPLE
from .export.conftest import answer_quizzes

CREDENTIAL = "data-literacy-foundations"
MODULE = "reading-bar-charts"
CMI5_NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "learner-7"}}


class _Launcher(http.server.SimpleHTTPRequestHandler):
    """The LMS side: the package's files and the one-time fetch URL (cmi5 section 8.2)."""

    def log_message(self, *a):
        pass

    def do_POST(self):
        lms = self.server.lms
        if self.path != "/fetch":
            self.send_error(404)
            return
        lms["fetches"] += 1
        body = {"auth-token": lms["token"]} if lms["fetches"] == 1 else {"error-code": "1", "error-text": "used"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def course(tmp_path, ralph):
    from mblib.content import Workspace
    from mblib.export.cmi5 import export_cmi5
    from mblib.export.packaging import import_package

    root = tmp_path / "sample-workspace"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".mblib"))
    ws = Workspace.open(root)
    lrs_origin = ralph.server.endpoint.split("/xAPI/")[0]  # the package is published for this LRS (its CSP)
    package = export_cmi5(ws, CREDENTIAL, tmp_path / f"{CREDENTIAL}.zip", workers=2, connect_src=f"'self' {lrs_origin}")
    structure = ET.fromstring(zipfile.ZipFile(package).read("cmi5.xml"))
    course_id = structure.find("c:course", CMI5_NS).get("id")
    aus = {au.find("c:url", CMI5_NS).text: au.get("id") for au in structure.findall("c:au", CMI5_NS)}
    return ws, import_package(package, tmp_path / "au"), course_id, aus


@pytest.mark.browser
def test_a_learner_in_a_published_lesson_reaches_the_builder_through_ralph(ralph, course, page, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mblib.analytics.backends import collect
    from mblib.analytics.insights import block_insights
    from mblib.analytics.lrs_client import LrsClient
    from mblib.analytics.metrics import module_outcomes
    from mblib.cli import main
    from mblib.widgets import ModuleBuilder

    ws, folder, course_id, aus = course
    server = ralph.server
    lrs = LrsClient(server.endpoint, server.username, server.password)
    since = datetime.now(UTC).isoformat()
    activity, registration = aus[f"{MODULE}.html"], str(uuid.uuid4())

    # the LMS: launch data into the LRS's State resource, `launched`, a one-time fetch URL
    state = {"activityId": activity, "agent": json.dumps(ACTOR), "registration": registration}
    lrs.request(
        "PUT",
        server.endpoint + "activities/state?" + urllib.parse.urlencode({**state, "stateId": "LMS.LaunchData"}),
        {
            "launchMode": "Normal",
            "moveOn": "CompletedAndPassed",
            "masteryScore": ws.module(MODULE).pass_mark,
            "contextTemplate": {
                "contextActivities": {"grouping": [{"id": course_id, "objectType": "Activity"}]},
                "extensions": {SESSION: str(uuid.uuid4())},
            },
        },
    )
    lrs.post(
        [
            {
                "actor": ACTOR,
                "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
                "object": {"objectType": "Activity", "id": activity},
                "context": {"registration": registration, "contextActivities": {"grouping": [{"id": course_id}]}},
            }
        ]
    )
    token = base64.b64encode(f"{server.username}:{server.password}".encode()).decode()
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", ralph.page_port), functools.partial(_Launcher, directory=str(folder))
    )
    srv.lms = {"fetches": 0, "token": token}
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{ralph.page_port}"
        query = {"endpoint": server.endpoint, "fetch": f"{base}/fetch", "actor": json.dumps(ACTOR)}
        query.update(registration=registration, activityId=activity)
        page.goto(f"{base}/{MODULE}.html?{urllib.parse.urlencode(query)}")
        try:
            page.get_by_role("button", name="Finish and exit").wait_for(timeout=15_000)
        except Exception as e:  # say why the AU did not connect
            status = page.locator(".mb-lms-status")
            said = status.text_content() if status.count() else None
            raise AssertionError(f"the AU did not start: {said!r}, errors {page.errors}, blocked {page.blocked}") from e
        answer_quizzes(page, ws.module(MODULE))
        page.get_by_role("button", name="Finish and exit").click()
        page.wait_for_function("() => document.querySelector('.mb-lms-status') !== null", timeout=15_000)
    finally:
        srv.shutdown()
        srv.server_close()
    assert srv.lms["fetches"] == 1 and page.errors == [] and page.blocked == []

    # what Ralph holds for this registration, as the AU sent it
    held = [s for p in lrs.pages(since=since) for s in p if s.get("context", {}).get("registration") == registration]
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in held]
    assert verbs == ["launched", "initialized", "answered", "answered", "answered", "completed", "passed", "terminated"]

    # mb ingest reads them back: zero rejects, no hand-made mapping
    monkeypatch.setenv("MBLIB_PSEUDONYM_KEY", "closed-loop-test-key-0123456789")
    out = tmp_path / "ingested"
    creds = server.folder / "credentials.json"
    args = ["ingest", "--lrs", server.endpoint, "-w", str(ws.root), "-o", str(out), "--credentials", str(creds)]
    r = CliRunner().invoke(main, [*args, "--since", since])
    assert r.exit_code == 0, r.output
    assert " 0 rejected" in r.output and not (out / "rejects.jsonl").exists()
    assert not (ws.root / "activities.yaml").exists()
    import polars as pl

    events = pl.read_parquet(out / "events" / "**" / "*.parquet")
    assert events.height == len(held) and events["learner_id"].n_unique() == 1
    assert "learner-7" not in events["learner_id"][0]  # pseudonymised on the way in

    # the metrics count that learner
    outcomes = collect(module_outcomes(events)).filter(pl.col("module_id") == MODULE)
    assert outcomes.select("started", "completed", "passed").rows() == [(1, 1, 1)]

    # and the module builder shows the block's figures
    module = ws.module(MODULE)
    insights = block_insights(events, module)
    quiz = next(b for b in module.blocks if b.type == "quiz")
    assert insights[quiz.id].stats["attempts"] == 1 and insights[quiz.id].stats["facility"] == 1.0
    builder = ModuleBuilder(ws, MODULE, insights=insights)
    notes = {item["id"]: item["note"] for item in builder.blocks.get_state()["items"]}  # the block list's rows
    assert notes[quiz.id] == insights[quiz.id].summary
    builder.blocks.value = quiz.id  # selecting the block shows its figures beside its title too
    assert insights[quiz.id].summary in builder.block_title.value
    assert insights[quiz.id].summary.startswith("facility 1.00")
