"""cmi5: course structure against the official XSD; the AU launched against a local xAPI endpoint."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.parse
import zipfile

import pytest

from .conftest import answer_quizzes

CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
PUBLISHER = "https://learning.northwind.example/xapi/courses/reading-bar-charts"
VERB = "http://adlnet.gov/expapi/verbs/"
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "learner-1"}}


@pytest.fixture(scope="module")
def packages(lessons, export_ws, tmp_path_factory):
    from mblib.export.cmi5 import export_cmi5

    out = tmp_path_factory.mktemp("cmi5")
    return {
        item: export_cmi5(export_ws, item, out / f"{item}.zip", workers=2)
        for item in ("data-literacy-foundations", "reading-bar-charts", "presenting-to-decision-makers")
    }


def test_course_structures_are_valid_and_move_on_follows_the_pass_mark(packages, schemas, export_ws):
    import xmlschema

    schema = xmlschema.XMLSchema10(str(schemas / "cmi5" / "CourseStructure.xsd"))
    for path in packages.values():
        xml = zipfile.ZipFile(path).read("cmi5.xml").decode()
        assert list(schema.iter_errors(xml)) == []
    xml = zipfile.ZipFile(packages["data-literacy-foundations"]).read("cmi5.xml").decode()
    data = schema.to_dict(xml)
    aus = data["au"]
    assert [a["url"] for a in aus] == [f"{m}.html" for m in export_ws.credential("data-literacy-foundations").pathway()]
    for au in aus:
        module = export_ws.module(au["url"][:-5])
        assert au["@moveOn"] == "CompletedAndPassed" and float(au["@masteryScore"]) == module.pass_mark
    assert data["course"]["@id"] == "https://learning.northwind.example/xapi/credentials/data-literacy-foundations"
    assert list(schema.iter_errors(xml.replace("<url>", "<link>").replace("</url>", "</link>")))  # schema bites


class _LRS(http.server.SimpleHTTPRequestHandler):
    """Static files of the package plus a tiny xAPI LRS: /fetch, /lrs/activities/state, /lrs/statements."""

    def log_message(self, *a):
        pass

    def _json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        lrs = self.server.lrs
        if self.path == "/fetch":
            lrs["fetches"] += 1
            return self._json(
                200,
                {"auth-token": "dG9rZW4="}
                if lrs["fetches"] == 1
                else {"error-code": "1", "error-text": "already fetched"},
            )
        if self.path.startswith("/lrs/statements"):
            if (
                self.headers.get("Authorization") != "Basic dG9rZW4="
                or self.headers.get("X-Experience-API-Version") != "1.0.3"
            ):
                return self._json(401, {"error": "unauthorised"})
            statement = json.loads(body)
            lrs["statements"].append(statement)
            return self._json(200, [statement["id"]])
        return self._json(404, {})

    def do_GET(self):
        if self.path.startswith("/lrs/activities/state"):
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            lrs = self.server.lrs
            lrs["state_queries"].append(q)
            if self.headers.get("Authorization") != "Basic dG9rZW4=":
                return self._json(401, {})
            return self._json(200, lrs["launch"])
        return super().do_GET()


@pytest.fixture
def lrs(packages, tmp_path):
    from mblib.export.packaging import import_package

    folder = import_package(packages["reading-bar-charts"], tmp_path / "au")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_LRS, directory=str(folder)))
    srv.lrs = {
        "fetches": 0,
        "statements": [],
        "state_queries": [],
        "launch": {
            "launchMode": "Normal",
            "moveOn": "CompletedAndPassed",
            "masteryScore": 0.8,
            "contextTemplate": {
                "contextActivities": {"grouping": [{"id": PUBLISHER, "objectType": "Activity"}]},
                "extensions": {SESSION: "session-1"},
            },
        },
    }
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    activity = "https://learning.northwind.example/xapi/modules/reading-bar-charts"
    query = urllib.parse.urlencode(
        {
            "endpoint": f"{base}/lrs/",
            "fetch": f"{base}/fetch",
            "actor": json.dumps(ACTOR),
            "registration": "0d1c6d2c-6f1a-4f8e-9e5b-6b8f3c1d2e4f",
            "activityId": activity,
        }
    )
    yield {"url": f"{base}/reading-bar-charts.html?{query}", "state": srv.lrs, "activity": activity}
    srv.shutdown()
    srv.server_close()


def _verbs(statements):
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def _categories(s):
    return [c["id"] for c in s["context"]["contextActivities"].get("category", [])]


@pytest.mark.browser
@pytest.mark.parametrize(
    "wrong, mastery, outcome",
    [
        (set(), 0.8, "passed"),
        ({"baseline-check"}, 0.8, "failed"),
        ({"baseline-check"}, 0.6, "passed"),  # the LMS's masteryScore overrides the module's pass mark
    ],
)
def test_au_sends_the_cmi5_statement_sequence(page, lrs, export_ws, wrong, mastery, outcome):
    module = export_ws.module("reading-bar-charts")
    state = lrs["state"]
    state["launch"]["masteryScore"] = mastery
    page.goto(lrs["url"])
    page.get_by_role("button", name="Finish and exit").wait_for(timeout=10_000)
    assert state["fetches"] == 1
    q = state["state_queries"][0]
    assert q["stateId"] == ["LMS.LaunchData"] and q["activityId"] == [lrs["activity"]]
    assert json.loads(q["agent"][0]) == ACTOR and q["registration"] == ["0d1c6d2c-6f1a-4f8e-9e5b-6b8f3c1d2e4f"]
    answer_quizzes(page, module, wrong=wrong)
    page.get_by_role("button", name="Finish and exit").click()
    page.wait_for_function("() => document.querySelector('.mb-lms-status') !== null", timeout=10_000)
    statements = state["statements"]
    verbs = _verbs(statements)
    assert verbs == ["initialized", "answered", "answered", "answered", "completed", outcome, "terminated"]
    for s in statements:
        assert s["actor"] == ACTOR and s["context"]["registration"] == "0d1c6d2c-6f1a-4f8e-9e5b-6b8f3c1d2e4f"
        assert s["context"]["extensions"][SESSION] == "session-1"  # the context template is used
        assert s["context"]["contextActivities"]["grouping"] == [{"id": PUBLISHER, "objectType": "Activity"}]
        assert s["id"] and s["timestamp"].endswith("Z")
    by = dict(zip(verbs, statements))
    for v in ("initialized", "terminated"):
        assert _categories(by[v]) == [CMI5] and by[v]["object"]["id"] == lrs["activity"]
    for v in ("completed", outcome):
        assert _categories(by[v]) == [CMI5, MOVEON] and by[v]["object"]["id"] == lrs["activity"]
    assert by["completed"]["result"]["completion"] is True
    result = by[outcome]["result"]
    quizzes = len(module.quizzes)
    assert result["success"] is (outcome == "passed")
    assert result["score"]["scaled"] == pytest.approx((quizzes - len(wrong)) / quizzes)
    assert by[outcome]["context"]["extensions"][MASTERY] == mastery
    assert "extensions" not in by["completed"]["context"] or MASTERY not in by["completed"]["context"]["extensions"]
    assert result["duration"].startswith("PT") and by["terminated"]["result"]["duration"].startswith("PT")
    answered = [s for s in statements if s["verb"]["id"] == VERB + "answered"]
    assert all(_categories(s) == [] for s in answered)  # "allowed" statements carry no cmi5 category
    assert {s["object"]["id"].rsplit("/", 1)[-1] for s in answered} == {b.id for b in module.quizzes}
    assert page.errors == [] and page.blocked == []


@pytest.mark.browser
def test_browse_mode_sends_no_completion_and_without_launch_parameters_nothing(page, lrs, export_ws):
    lrs["state"]["launch"]["launchMode"] = "Browse"
    page.goto(lrs["url"])
    page.get_by_role("button", name="Finish and exit").wait_for(timeout=10_000)
    answer_quizzes(page, export_ws.module("reading-bar-charts"))
    page.get_by_role("button", name="Finish and exit").click()
    page.wait_for_function("() => document.querySelector('.mb-lms-status') !== null", timeout=10_000)
    assert _verbs(lrs["state"]["statements"]) == ["initialized", "answered", "answered", "answered", "terminated"]
    page.goto(lrs["url"].split("?")[0])  # opened on its own: a plain lesson
    assert page.get_by_role("button", name="Finish and exit").count() == 0
    answer_quizzes(page, export_ws.module("reading-bar-charts"))
    assert page.locator(".mb-score-text").text_content().startswith("Score: 100%")
    assert len(lrs["state"]["statements"]) == 5 and page.errors == []
