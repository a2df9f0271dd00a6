"""Helpers for the notebook tests: a throw-away copy of notebooks/ beside the datasets they read."""

from __future__ import annotations

import pathlib
import shutil

from tests.conftest import REPO


def notebook_tree(root: pathlib.Path) -> pathlib.Path:
    """``root/notebooks`` (a copy) and ``root/datasets`` (the sample workspace copied, other data linked),
    so that notebooks run with their relative paths and cannot touch the repository. Returns the
    notebooks folder."""
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = root / "datasets"
    data.mkdir()
    for entry in (REPO / "datasets").iterdir():
        if entry.name == "sample-workspace":
            shutil.copytree(entry, data / entry.name)
        else:
            (data / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return root / "notebooks"
