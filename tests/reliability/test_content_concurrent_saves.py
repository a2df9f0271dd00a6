"""Issue 10, item 3: two processes saving the same file at the same moment: exactly one wins, the other
gets ConflictError, and the file holds the winner's edit (it used to be last-writer-wins, 15/15 trials)."""

from __future__ import annotations

import multiprocessing as mp
import shutil
from pathlib import Path

import pytest

from mblib.content import Workspace
from tests.conftest import SAMPLE

TRIALS = 10


def _edit_and_save(root: str, kind: str, item_id: str, field: str, value: str, barrier, results) -> None:
    from mblib.errors import ConflictError

    ws = Workspace.open(root)
    item = ws.module(item_id) if kind == "module" else ws.credential(item_id)
    setattr(item, field, value)
    barrier.wait(timeout=30)
    try:
        (ws.save_module if kind == "module" else ws.save_credential)(item)
        results.put((field, "saved", ""))
    except ConflictError as e:
        results.put((field, "conflict", str(e)))
    except BaseException as e:  # pragma: no cover - reported by the assertion below
        results.put((field, "error", repr(e)))


@pytest.mark.parametrize(
    "kind,item_id,folder",
    [("module", "reading-bar-charts", "modules"), ("credential", "data-storytelling", "credentials")],
)
def test_simultaneous_saves_one_wins_the_other_conflicts(tmp_path: Path, kind, item_id, folder):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".mblib"))
    ctx = mp.get_context("fork")
    for trial in range(TRIALS):
        edits = {"title": f"Title from A, trial {trial}", "summary": f"Summary from B, trial {trial}"}
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [
            ctx.Process(target=_edit_and_save, args=(str(root), kind, item_id, f, v, barrier, results))
            for f, v in edits.items()
        ]
        for p in procs:
            p.start()
        outcome = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        states = sorted(state for _, state, _ in outcome)
        assert states == ["conflict", "saved"], f"trial {trial}: {outcome}"
        [(winner, _, _)] = [o for o in outcome if o[1] == "saved"]
        [(loser, _, message)] = [o for o in outcome if o[1] == "conflict"]
        assert f"{folder}/{item_id}.yaml changed on disk since it was loaded" in message
        assert "fix: look at the file, then either ws.reload(" in message
        on_disk = Workspace.open(root)
        item = on_disk.module(item_id) if kind == "module" else on_disk.credential(item_id)
        assert getattr(item, winner) == edits[winner]
        assert getattr(item, loser) != edits[loser]  # the loser's edit was refused, not silently lost
    assert not [p for p in root.rglob("*.tmp")]
