"""Issue 12 (part), item 4: temporaries left beside a file by a killed save are cleaned on the next save of
that file; a refused save (conflict, invalid content) leaves none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mblib.content import Workspace
from mblib.errors import ConflictError, ContentError
from tests.conftest import SAMPLE

MODULE = "reading-bar-charts"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    shutil.copytree(SAMPLE, tmp_path / "ws", ignore=shutil.ignore_patterns(".mblib"))
    return Workspace.open(tmp_path / "ws")


def temps(ws: Workspace) -> list[str]:
    return sorted(p.name for p in ws.root.rglob("*.tmp"))


def test_stale_temporaries_of_the_saved_file_are_removed(ws):
    modules = ws.root / "modules"
    stale = [modules / f".{MODULE}.yaml.abc123.tmp", modules / f".{MODULE}.yaml.k3j_9x0q.tmp"]
    for p in stale:
        p.write_text("half a file")
    other = modules / ".line-charts-over-time.yaml.abc123.tmp"  # another file's: not ours to clean now
    other.write_text("x")
    not_ours = [modules / f"{MODULE}.yaml.bak.tmp", modules / f".{MODULE}.yaml.tmp", modules / "notes.tmp"]
    for p in not_ours:
        p.write_text("keep me")
    m = ws.module(MODULE)
    m.title = "Reading bar charts, again"
    assert ws.save_module(m) is True
    assert not any(p.exists() for p in stale)
    assert other.exists() and all(p.exists() for p in not_ours)
    assert "title: Reading bar charts, again" in (modules / f"{MODULE}.yaml").read_text()


def test_translations_save_cleans_its_own_stale_temporaries(ws):
    from mblib.translate.store import TranslationFile, save_translations

    folder = ws.root / "translations" / "fr"
    folder.mkdir(parents=True)
    stale = folder / f".{MODULE}.yaml.zz9_ab12.tmp"
    stale.write_text("half")
    tf = TranslationFile(module=MODULE, language="fr")
    tf.set("_module/title/0", "Reading bar charts", "Lire les diagrammes en barres")
    save_translations(ws, tf)
    assert not stale.exists() and temps(ws) == []


def test_a_conflicting_save_leaves_no_temporary(ws):
    path = ws.module_path(MODULE)
    path.write_text(path.read_text().replace("title:", "title: Edited elsewhere -", 1))
    m = ws.module(MODULE)
    m.summary = "mine"
    with pytest.raises(ConflictError, match="changed on disk since it was loaded"):
        ws.save_module(m)
    assert temps(ws) == []


def test_an_invalid_save_is_a_located_content_error_and_leaves_no_temporary(ws):
    m = ws.module(MODULE)
    before = ws.module_path(MODULE).read_bytes()
    m.blocks.append(m.blocks[0].model_copy())  # in-place list edits skip pydantic's assignment check
    with pytest.raises(ContentError) as err:
        ws.save_module(m)
    assert f"module '{MODULE}' was not saved: it is not valid" in str(err.value)
    assert f"duplicate block id '{m.blocks[0].id}'" in str(err.value)
    assert temps(ws) == []
    assert ws.module_path(MODULE).read_bytes() == before


def test_lock_files_stay_out_of_git(ws):
    m = ws.module(MODULE)
    m.title = "Locked"
    ws.save_module(m)
    locks = ws.root / ".mblib" / "locks"
    assert (locks / "modules" / f"{MODULE}.yaml.lock").is_file()
    assert (locks / ".gitignore").read_text() == "*\n"
