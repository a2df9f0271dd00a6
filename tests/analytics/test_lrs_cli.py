"""``mb lrs start|status|replay|stop`` and ``mb ingest`` (LRS or files, --infer-structure) as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest
from click.testing import CliRunner

from .test_xapi_structure import openedx_cohort


def mb(*args: str, env: dict[str, str] | None = None):
    from mblib.cli import main

    return CliRunner().invoke(main, list(args), env=env)


def test_mb_lrs_start_status_replay_ingest_stop(tmp_path):
    pytest.importorskip("ralph")
    folder, out = tmp_path / "lrs", tmp_path / "ingested"
    r = mb("lrs", "start", "--folder", str(folder), "--port", "0")
    try:
        assert r.exit_code == 0, r.output
        assert (
            r.output.startswith("Ralph LRS running at http://127.0.0.1:")
            and "credentials.json (user mblib)" in r.output
        )
        endpoint = r.output.split()[4]
        s = mb("lrs", "status", "--folder", str(folder))
        assert s.exit_code == 0 and s.output.splitlines()[0] == r.output.splitlines()[0]
        rp = mb("lrs", "replay", "--folder", str(folder), "--learners", "6", "--seed", "1")
        assert rp.exit_code == 0, rp.output
        sent = int(rp.output.split()[1].replace(",", ""))
        creds = str(folder / "credentials.json")
        ing = mb("ingest", "--lrs", endpoint, "-o", str(out), "--credentials", creds, "--keep-ids")
        assert ing.exit_code == 0, ing.output
        assert f"{sent:,} new statement(s), {sent:,} held, {sent:,} events written" in ing.output
        assert ing.output.rstrip().endswith(" 0 rejected")
        again = mb("ingest", "--lrs", endpoint, "-o", str(out), "--credentials", creds, "--keep-ids")
        assert again.exit_code == 0 and "0 new statement(s)" in again.output
        user, password = json.loads((folder / "credentials.json").read_text()).values()
        env = {"MBLIB_LRS_USER": user, "MBLIB_LRS_PASSWORD": password}
        fresh = mb("ingest", "--lrs", endpoint, "-o", str(tmp_path / "env"), "--keep-ids", env=env)
        assert fresh.exit_code == 0 and f"{sent:,} new statement(s)" in fresh.output
    finally:
        stop = mb("lrs", "stop", "--folder", str(folder))
    assert stop.output == f"stopped the LRS of {folder}\n"
    gone = mb("lrs", "status", "--folder", str(folder))
    assert gone.exit_code == 1 and gone.output == f"no LRS running from {folder}\n"


def test_mb_ingest_refuses_what_it_cannot_do_with_the_fix(tmp_path):
    r = mb("ingest")
    assert r.exit_code == 2 and "error: give statement FILES or --lrs URL (one of them)" in r.output
    r = mb("ingest", "x.json", "--lrs", "http://127.0.0.1:9/xAPI/")
    assert r.exit_code == 2 and "one of them" in r.output
    r = mb("ingest", "--lrs", "http://127.0.0.1:9/xAPI/", "-o", str(tmp_path), env={"MBLIB_LRS_USER": ""})
    assert r.exit_code == 2 and "error: no LRS credentials" in r.output
    r = mb("ingest", "--lrs", "http://127.0.0.1:9/xAPI/", "--password", "x")
    assert r.exit_code == 2 and "No such option '--password'" in r.output  # never on the command line
    r = mb("ingest", "x.json", "--infer-structure")
    assert r.exit_code == 2 and "error: --infer-structure needs -w WORKSPACE" in r.output
    r = mb("lrs", "replay", "--folder", str(tmp_path / "none"))
    assert r.exit_code == 2 and f"error: no LRS running from {tmp_path / 'none'}" in r.output


def test_infer_structure_from_the_lrs_and_from_files(ralph, tmp_path):
    from mblib.analytics.lrs_client import LrsClient
    from mblib.content import Workspace

    statements = openedx_cohort()
    files = tmp_path / "openedx.jsonl"
    files.write_text("".join(json.dumps(s) + "\n" for s in statements))
    key = {"MBLIB_PSEUDONYM_KEY": "infer-structure-test-key-0123456789"}
    by_file = mb("ingest", str(files), "--infer-structure", "-w", str(tmp_path / "ws-files"), "-o", str(tmp_path / "f"))
    assert by_file.exit_code == 2 and "no pseudonymisation key" in by_file.output
    by_file = mb(
        "ingest", str(files), "--infer-structure", "-w", str(tmp_path / "ws-files"), "-o", str(tmp_path / "f"), env=key
    )
    assert by_file.exit_code == 0, by_file.output
    server = ralph.server
    since = datetime.now(UTC).isoformat()
    LrsClient(server.endpoint, server.username, server.password).post(statements)
    creds = str(server.folder / "credentials.json")
    ws_lrs, out = tmp_path / "ws-lrs", tmp_path / "l"
    args = ["--infer-structure", "-w", str(ws_lrs), "-o", str(out), "--credentials", creds, "--since", since]
    by_lrs = mb("ingest", "--lrs", server.endpoint, *args, env=key)
    assert by_lrs.exit_code == 0, by_lrs.output
    for output, root in ((by_file.output, tmp_path / "ws-files"), (by_lrs.output, ws_lrs)):
        assert "created 1 credential(s)" in output and f"structure: {root / 'activities.yaml'}" in output
        ws = Workspace.open(root)
        assert [c.title for c in ws.credentials.values()] == ["Demonstration Course"]
    mapped_files = (tmp_path / "ws-files" / "activities.yaml").read_text()
    assert (ws_lrs / "activities.yaml").read_text() == mapped_files  # the same skeleton either way
    a = pl.read_parquet(tmp_path / "f" / "events" / "**" / "*.parquet").drop("learner_id")
    b = pl.read_parquet(out / "events" / "**" / "*.parquet").drop("learner_id")
    assert a.height == b.height > 0 and a.sort("timestamp", "verb").equals(b.sort("timestamp", "verb"))
