"""Two writers of one translations file (a translation run and an XLIFF import, a reviewer and a
run): the second save used to overwrite the first silently. Now a file that changed on disk since
it was loaded is never overwritten: the second writer gets ConflictError and the first one's
edit stays on disk."""

from __future__ import annotations

import multiprocessing as mp
import shutil
from pathlib import Path

import pytest

from mblib.content import Workspace
from mblib.errors import ConflictError
from mblib.translate.segments import module_segments
from mblib.translate.store import load_translations, save_translations
from tests.conftest import SAMPLE

MODULE = "reading-bar-charts"
TRIALS = 8


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".mblib"))
    return Workspace.open(root)


def _first_segment(ws: Workspace):  # type: ignore[no-untyped-def]
    return module_segments(ws.module(MODULE))[0]


def test_a_file_changed_since_loading_is_not_overwritten(ws: Workspace) -> None:
    seg = _first_segment(ws)
    mine = load_translations(ws, MODULE, "fr")  # no file yet
    theirs = load_translations(ws, MODULE, "fr")
    theirs.set(seg.id, seg.source, "Leur traduction", status="reviewed")
    save_translations(ws, theirs)
    mine.set(seg.id, seg.source, "Ma traduction")
    with pytest.raises(ConflictError) as err:
        save_translations(ws, mine)
    assert f"translations/fr/{MODULE}.yaml' changed on disk since it was read" in err.value.message
    assert "nothing was written" in err.value.message
    assert "load the translations again" in (err.value.hint or "")
    assert load_translations(ws, MODULE, "fr").segments[seg.id].target == "Leur traduction"


def test_one_writer_saves_as_often_as_it_likes(ws: Workspace) -> None:
    seg = _first_segment(ws)
    tf = load_translations(ws, MODULE, "fr")
    for i in range(3):  # a translation run saves what it has after every batch
        tf.set(seg.id, seg.source, f"Version {i}")
        save_translations(ws, tf)
    assert load_translations(ws, MODULE, "fr").segments[seg.id].target == "Version 2"


def test_the_same_content_written_twice_is_no_conflict(ws: Workspace) -> None:
    seg = _first_segment(ws)
    a, b = load_translations(ws, MODULE, "fr"), load_translations(ws, MODULE, "fr")
    for tf in (a, b):
        tf.set(seg.id, seg.source, "Pareil")
        save_translations(ws, tf)  # nothing to lose: the file already holds exactly this


def _load_edit_save(root: str, target: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    ws = Workspace.open(root)
    seg = module_segments(ws.module(MODULE))[0]
    tf = load_translations(ws, MODULE, "fr")
    tf.set(seg.id, seg.source, target)
    barrier.wait(timeout=30)
    try:
        save_translations(ws, tf)
        results.put((target, "saved"))
    except ConflictError:
        results.put((target, "conflict"))
    except BaseException as e:  # pragma: no cover - reported by the assertion below
        results.put((target, repr(e)))


def test_simultaneous_writers_one_wins_the_other_conflicts(ws: Workspace) -> None:
    ctx = mp.get_context("fork")
    seg = _first_segment(ws)
    for trial in range(TRIALS):
        targets = [f"A{trial}", f"B{trial}"]
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_load_edit_save, args=(str(ws.root), t, barrier, results)) for t in targets]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        outcome = dict(results.get(timeout=10) for _ in procs)
        assert sorted(outcome.values()) == ["conflict", "saved"], outcome
        winner = next(t for t, how in outcome.items() if how == "saved")
        assert load_translations(ws, MODULE, "fr").segments[seg.id].target == winner
