"""`mb export ...` and the export step of `mb demo`, through click's runner."""

from __future__ import annotations

import json
import zipfile

from click.testing import CliRunner

from mblib.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_export_group_lists_its_commands():
    r = run("export", "--help")
    assert r.exit_code == 0
    for name in ("lesson", "site", "scorm", "cmi5", "badge", "import"):
        assert name in r.output


def test_export_commands_write_their_outputs(sample_ws, tmp_path):
    ws, out = str(sample_ws.root), tmp_path / "out"
    r = run("export", "lesson", "reading-bar-charts", "-w", ws, "-o", str(out / "lessons"), "--no-execute")
    assert r.exit_code == 0, r.output
    assert "1 built (0 executed), 0 unchanged" in r.output and (out / "lessons" / "reading-bar-charts.ipynb").is_file()
    r = run("export", "site", "data-storytelling", "-w", ws, "-o", str(out / "site"), "--no-execute")
    assert r.exit_code == 0 and (out / "site" / "index.html").is_file(), r.output
    r = run(
        "export", "scorm", "data-storytelling", "reading-bar-charts", "-w", ws, "-o", str(out / "scorm"), "--no-execute"
    )
    assert r.exit_code == 0 and zipfile.ZipFile(out / "scorm" / "reading-bar-charts.zip").read("imsmanifest.xml")
    r = run("export", "cmi5", "-w", ws, "-o", str(out / "cmi5"), "--no-execute")  # default: every credential
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (out / "cmi5").iterdir()) == [
        "data-literacy-foundations.zip",
        "data-storytelling.zip",
    ]
    r = run("export", "badge", "data-storytelling", "-w", ws, "-o", str(out / "badges"))
    assert r.exit_code == 0 and "0 learner credential(s)" in r.output
    assert json.loads((out / "badges" / "achievement.json").read_text())["achievementType"] == "MicroCredential"
    r = run("export", "import", str(out / "scorm" / "reading-bar-charts.zip"), str(out / "unpacked"))
    assert r.exit_code == 0 and (out / "unpacked" / "imsmanifest.xml").is_file()


def test_export_errors_name_the_problem(sample_ws, tmp_path):
    r = run("export", "scorm", "reading-bar-chart", "-w", str(sample_ws.root), "-o", str(tmp_path))
    assert r.exit_code == 2
    assert "'reading-bar-chart' is neither a credential nor a module" in r.output and "reading-bar-charts" in r.output
    r = run("export", "site", "nope", "-w", str(sample_ws.root), "-o", str(tmp_path))
    assert r.exit_code == 2 and "no credential 'nope'" in r.output
    r = run(
        "export",
        "badge",
        "data-storytelling",
        "--events",
        str(tmp_path / "missing.csv"),
        "-w",
        str(sample_ws.root),
        "-o",
        str(tmp_path / "b"),
    )
    assert r.exit_code == 2 and "does not exist" in r.output


def test_demo_export_step_writes_everything(lessons, export_ws, tmp_path, monkeypatch):
    from mblib.export.demo import run_demo

    monkeypatch.delenv("MBLIB_EVENTS", raising=False)
    lines = []
    paths = run_demo(export_ws, tmp_path, echo=lines.append)
    base = tmp_path / "sample-workspace"
    assert "badges: skipped, no learner events yet" in "\n".join(lines)
    assert len(list((base / "lessons").glob("*.html"))) == 11 and len(list((base / "lessons").glob("*.ipynb"))) == 10
    for cid in export_ws.credentials:
        assert (base / "site" / cid / "index.html").is_file()
    assert len(list((base / "scorm").glob("*.zip"))) == len(list((base / "cmi5").glob("*.zip"))) == 12
    assert "badges" not in paths
    events = tmp_path / "analytics" / "events.csv"
    events.parent.mkdir()
    events.write_text(
        "timestamp,learner_id,verb,credential_id,module_id,block_id,score,success\n"
        + "".join(
            f"2026-01-0{i + 1}T00:00:00Z,zoe,passed,,{m},,0.9,true\n"
            for i, m in enumerate(
                [
                    "reading-bar-charts",
                    "line-charts-over-time",
                    "mean-median-and-outliers",
                    "percentages-and-percentage-points",
                    "spotting-misleading-charts",
                    "samples-and-surveys",
                ]
            )
        )
    )
    lines.clear()
    run_demo(export_ws, tmp_path, echo=lines.append)
    issued = list((base / "badges" / "data-literacy-foundations" / "credentials").glob("*.json"))
    assert len(issued) == 1 and "zoe" not in issued[0].name  # named after the credential, not the learner
    text = "\n".join(lines)
    assert "data-literacy-foundations: achievement + 1 signed learner credential(s)" in text
    assert "DEMO issuer key" in text and "data-literacy-foundations: mb verify: 1 of 1 credential(s) valid" in text
    assert (base / "badges" / "data-literacy-foundations" / "status" / "revocation.json").is_file()
    site = base / "site" / "data-literacy-foundations"
    pages = list((site / "credentials").glob("*.html"))
    assert [p.stem for p in pages] == [issued[0].stem]  # the learner's page, in the credential site
    assert "Verified when this page was published: every check passed." in pages[0].read_text()
    assert f"data-literacy-foundations: 1 learner page(s) in {site / 'credentials'}, 1 verified when published" in text
    assert f"mb verify {site}: 1 of 1 credential(s) valid" in text
    from click.testing import CliRunner

    from mblib.cli import main

    r = CliRunner().invoke(main, ["verify", str(site)])  # what a visitor of the published site can run
    assert r.exit_code == 0 and "1 credential(s): 1 valid, 0 not valid" in r.output, r.output
    assert "ok    status: not revoked" in r.output and "ok    proof: signature valid" in r.output
