"""The issuance registry under concurrent exports: every credential keeps one distinct status index, none is lost."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

LIST = "https://learning.example/credentials/c/status/revocation.json"


def _issue(folder: str, start: int) -> None:
    from mblib.export.issuance import assign, open_registry

    for i in range(start, start + 25):
        with open_registry(LIST, Path(folder)) as registry:
            assign(registry, f"urn:uuid:cred-{i}")


@pytest.mark.slow
def test_concurrent_exports_keep_every_entry_and_distinct_indexes(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_issue, args=(str(tmp_path), k * 25)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    from mblib.export.issuance import registry_path

    data = json.loads(registry_path(LIST, tmp_path).read_text())
    assert len(data["entries"]) == 100
    assert len({e["index"] for e in data["entries"].values()}) == 100
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporaries left behind


def test_a_damaged_registry_is_reported_not_overwritten(tmp_path):
    from mblib.export.errors import ExportError
    from mblib.export.issuance import open_registry, registry_path

    path = registry_path(LIST, tmp_path)
    path.write_text("{ half a file")
    with pytest.raises(ExportError, match="is damaged") as e, open_registry(LIST, tmp_path):
        pass
    assert "restore it from your backup" in str(e.value)
    assert path.read_text() == "{ half a file"
