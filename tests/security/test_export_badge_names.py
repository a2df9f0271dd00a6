"""Badge files are named after the credential, never the learner (issue 10, item 6).

With a pseudonymisation key set, no exported path holds a raw learner id; learner ids a
file name cannot tell apart (`ann@example.com`, `ann_example.com`) give two files, not
one overwriting the other; a file-name collision is an error naming both credentials.
"""

from __future__ import annotations

import json

import pytest

FOUNDATIONS = [
    "reading-bar-charts",
    "line-charts-over-time",
    "mean-median-and-outliers",
    "percentages-and-percentage-points",
    "spotting-misleading-charts",
    "samples-and-surveys",
]
LEARNERS = ["L000004", "ann@example.com", "ann_example.com"]


def _events():
    return [
        {
            "timestamp": f"2026-03-{5 + i:02d}T10:00:00Z",
            "learner_id": learner,
            "verb": "passed",
            "module_id": m,
            "score": 0.9,
            "success": True,
        }
        for learner in LEARNERS
        for i, m in enumerate(FOUNDATIONS)
    ]


@pytest.fixture
def keyed_ws(sample_ws, monkeypatch):
    from mblib.analytics.privacy import Pseudonymiser

    monkeypatch.setenv(sample_ws.settings.privacy.key_env, "k" * 32)
    Pseudonymiser.for_workspace(sample_ws)  # the key is set: pseudonymisation is on
    return sample_ws


def test_no_exported_path_holds_a_raw_learner_id_and_each_learner_gets_a_file(keyed_ws, tmp_path):
    from mblib.export.badges import export_badges

    out = export_badges(keyed_ws, "data-literacy-foundations", _events(), tmp_path / "exports" / "badges")
    paths = [p.relative_to(tmp_path).as_posix() for p in (tmp_path / "exports").rglob("*")]
    for learner in LEARNERS:
        for form in (learner, learner.replace("@", "_"), learner.lower()):
            assert not any(form.lower() in p.lower() for p in paths), (form, paths)
    files = sorted((out / "credentials").glob("*.json"))
    assert len(files) == 3  # ann@example.com and ann_example.com no longer overwrite each other
    ids = {json.loads(f.read_text())["id"] for f in files}
    assert ids == {f"urn:uuid:{f.stem}" for f in files} and len(ids) == 3


def test_the_cli_counts_every_learner(keyed_ws, tmp_path):
    import csv

    from click.testing import CliRunner

    from mblib.cli import main

    events = tmp_path / "events.csv"
    with open(events, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["timestamp", "learner_id", "verb", "module_id", "score", "success"])
        w.writeheader()
        w.writerows(_events())
    r = CliRunner().invoke(
        main,
        [
            "export",
            "badge",
            "data-literacy-foundations",
            "-w",
            str(keyed_ws.root),
            "--events",
            str(events),
            "-o",
            str(tmp_path / "b"),
        ],
    )
    assert r.exit_code == 0 and "3 learner credential(s)" in r.output, r.output


def test_a_file_name_collision_is_refused_naming_both_credentials(keyed_ws, tmp_path, monkeypatch):
    from mblib.export import badges
    from mblib.export.errors import ExportError

    _ach, issued = badges.issue_badges(keyed_ws, "data-literacy-foundations", _events())
    monkeypatch.setattr(badges, "credential_file_name", lambda doc: "same.json")
    with pytest.raises(ExportError, match="would both be written to credentials/same.json") as e:
        badges.export_badges(keyed_ws, "data-literacy-foundations", _events(), tmp_path / "out" / "badges")
    named = [doc["id"] for doc in issued.values() if doc["id"] in str(e.value)]
    assert len(named) == 2
    assert not (tmp_path / "out").exists()  # nothing written, not even a temporary folder
