"""SCORM 1.2 packages: manifests against the official XSDs, the SCO in Chromium with scorm-again as the LMS."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest

from tests.conftest import REPO

from .conftest import answer_quizzes

SCORM_AGAIN = REPO / "node_modules" / "scorm-again" / "dist" / "scorm12.min.js"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"


@pytest.fixture(scope="module")
def scorm_schema(schemas):
    import xmlschema

    d = schemas.resolve()
    w3c = (d / "w3c" / "xml.xsd").as_uri()
    schema = xmlschema.XMLSchema11(
        str(d / "scorm12" / "imscp_rootv1p1p2.xsd"),
        uri_mapper=lambda u: w3c if u.rsplit("/", 1)[-1] == "ims_xml.xsd" else u,
        locations=[
            (ADLCP, str(d / "scorm12" / "adlcp_rootv1p2.xsd")),
            (IMSMD, str(d / "scorm12" / "imsmd_rootv1p2p1.xsd")),
        ],
        allow="local",
    )
    assert {ADLCP, IMSMD} <= set(schema.maps.namespaces)
    return schema


@pytest.fixture(scope="module")
def packages(lessons, export_ws, tmp_path_factory):
    from mblib.export.scorm import export_scorm

    out = tmp_path_factory.mktemp("scorm")
    return {
        item: export_scorm(export_ws, item, out / f"{item}.zip", workers=2)
        for item in ("data-literacy-foundations", "reading-bar-charts")
    }


def test_manifests_are_valid_scorm_12(packages, scorm_schema):
    for path in packages.values():
        with zipfile.ZipFile(path) as zf:
            manifest = zf.read("imsmanifest.xml").decode()
            names = set(zf.namelist())
        assert list(scorm_schema.iter_errors(manifest)) == []
        for href in re.findall(r'<file href="([^"]+)"', manifest):
            assert href in names  # every listed file is in the package


def test_credential_package_orders_modules_and_carries_prerequisites(packages, export_ws):
    manifest = zipfile.ZipFile(packages["data-literacy-foundations"]).read("imsmanifest.xml").decode()
    items = re.findall(r'<item identifier="item-([^"]+)"', manifest)
    assert items == export_ws.credential("data-literacy-foundations").pathway()
    assert (
        '<adlcp:prerequisites type="aicc_script">item-reading-bar-charts&amp;item-line-charts-over-time&amp;'
        "item-percentages-and-percentage-points</adlcp:prerequisites>"
    ) in manifest
    assert "<adlcp:masteryscore>80</adlcp:masteryscore>" in manifest


def test_a_broken_manifest_is_rejected(scorm_schema, packages):
    manifest = zipfile.ZipFile(packages["reading-bar-charts"]).read("imsmanifest.xml").decode()
    assert list(scorm_schema.iter_errors(manifest.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="lesson"')))


HARNESS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<link rel="icon" href="data:,"><script src="scorm12.min.js"></script>
<script>
  window.API = new Scorm12API({autocommit: false, logLevel: 5}); window.scormLog = []; window.commits = 0;
  API.on("LMSSetValue.cmi.*", (el, v) => scormLog.push([el, v]));
  API.on("LMSCommit", () => { window.commits += 1; });
  API.on("LMSFinish", () => { window.scormFinished = true; });
</script></head><body><iframe id="sco" src="reading-bar-charts.html" title="lesson" width="900" height="700"></iframe></body></html>"""


@pytest.fixture
def lms(packages, tmp_path, serve):
    from mblib.export.packaging import import_package

    if not SCORM_AGAIN.is_file():
        pytest.skip("scorm-again is missing: run `npm ci` (make setup does)")
    folder = import_package(packages["reading-bar-charts"], tmp_path / "lms" / "course")
    shutil.copy(SCORM_AGAIN, folder / "scorm12.min.js")
    (folder / "harness.html").write_text(HARNESS)
    return serve(folder)


@pytest.mark.browser
@pytest.mark.parametrize("wrong", [set(), {"baseline-check"}])
def test_sco_reports_status_score_time_commits_and_finishes(page, lms, export_ws, wrong):
    module = export_ws.module("reading-bar-charts")
    page.goto(f"{lms}/harness.html")
    page.wait_for_function("window.API.cmi.core.lesson_status === 'incomplete'", timeout=10_000)
    sco = page.frame_locator("#sco")
    answer_quizzes(sco, module, wrong=wrong)
    quizzes = len(module.quizzes)
    expect_raw = str(round(100 * (quizzes - len(wrong)) / quizzes))
    expect_status = "passed" if not wrong else "failed"
    cmi = page.evaluate(
        "() => [API.cmi.core.lesson_status, API.cmi.core.score.raw, API.cmi.core.score.min,"
        " API.cmi.core.score.max, window.commits]"
    )
    assert cmi[:4] == [expect_status, expect_raw, "0", "100"] and cmi[4] >= 1
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")  # learner leaves the SCO
    page.wait_for_function("window.scormFinished === true", timeout=10_000)
    log = dict(page.evaluate("() => scormLog"))
    assert re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", log["cmi.core.session_time"])
    assert log["cmi.core.lesson_status"] == expect_status and log["cmi.core.score.raw"] == expect_raw
    assert page.errors == [] and page.blocked == []


@pytest.mark.browser
def test_sco_works_without_an_lms(page, packages, tmp_path, export_ws):
    from mblib.export.packaging import import_package

    folder = import_package(packages["reading-bar-charts"], tmp_path / "plain")
    page.goto((folder / "reading-bar-charts.html").as_uri())
    answer_quizzes(page, export_ws.module("reading-bar-charts"))
    assert page.locator(".mb-score-text").text_content().startswith("Score: 100%")
    assert page.evaluate("() => window.mblibScorm === undefined")
    assert page.errors == [] and page.blocked == []
