"""Fixtures for the export tests: one executed export of the sample workspace per session."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO, SAMPLE, SCHEMAS


@pytest.fixture(scope="session")
def export_ws(tmp_path_factory):
    """A private copy of the sample workspace, shared by the export tests (they do not edit it)."""
    from mblib.content import Workspace

    dest = tmp_path_factory.mktemp("export-ws") / "sample-workspace"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(".mblib"))  # no export cache from a demo run
    return Workspace.open(dest)


@pytest.fixture(scope="session")
def lessons(export_ws, tmp_path_factory):
    """Every lesson exported once with its code executed (2 worker processes); warms the cache."""
    from mblib.export.lessons import export_lessons

    out = tmp_path_factory.mktemp("lessons-out") / "lessons"
    report = export_lessons(export_ws, out, workers=2)
    return out, report


@pytest.fixture(scope="session")
def schemas():
    """../shared/schemas beside the repository (or beside a folder above it, for git worktrees)."""
    for folder in (SCHEMAS, *(p / "shared" / "schemas" for p in REPO.parents)):
        if folder.is_dir():
            return folder
    pytest.skip(f"official schemas not found at {SCHEMAS} (see ../shared/schemas/PROVENANCE.md)")


def correct_choices(module):
    """block id -> the choice ids that answer each quiz correctly."""
    return {b.id: b.correct_ids for b in module.blocks if b.type == "quiz"}


def answer_quizzes(frame, module, *, wrong: set[str] = frozenset()):
    """Answer every quiz of ``module`` in a page or frame (correctly, except the block ids in ``wrong``)."""
    for b in module.blocks:
        if b.type != "quiz":
            continue
        ids = b.correct_ids if b.id not in wrong else [next(c.id for c in b.choices if not c.correct)]
        block = frame.locator(f"#block-{b.id}")
        for cid in ids:
            block.locator(f"input[value='{cid}']").check()
        block.get_by_role("button", name="Check answer").click()


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A private mblib configuration folder (keys, registries) for one test."""
    folder = tmp_path / "config"
    monkeypatch.setenv("MBLIB_CONFIG_DIR", str(folder))
    monkeypatch.delenv("MBLIB_ISSUER_KEY", raising=False)
    monkeypatch.delenv("MBLIB_REGISTRY_DIR", raising=False)
    return folder


@pytest.fixture
def key(config):
    """A fresh did:key issuer key in that folder (keys/issuer.json)."""
    from mblib.export.keys import new_key

    return new_key()[1]
