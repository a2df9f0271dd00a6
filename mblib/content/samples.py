"""Where the sample workspace shipped with mblib lives.

The sample is package data (``mblib/content/sample-workspace/``, found with
:mod:`importlib.resources`), so it is there after ``pip install mblib`` as well as in a clone,
where ``datasets/sample-workspace`` is a link to it (docs/architecture.md, "Packaging").

>>> (sample_workspace() / "mblib.toml").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_NAME = "sample-workspace"


def packaged_sample() -> Path:
    """The sample workspace inside the installed package (read it; do not write into it)."""
    return Path(str(resources.files(__package__) / SAMPLE_NAME))


def sample_workspace() -> Path:
    """The sample workspace: ``./datasets/sample-workspace`` when run from a clone's root, else the packaged one."""
    here = Path("datasets") / SAMPLE_NAME
    return here.absolute() if here.is_dir() else packaged_sample()


def in_source_tree() -> bool:
    """True when mblib runs from a source checkout (a clone, an editable install), not from a wheel.

    A checkout has ``pyproject.toml`` beside the ``mblib`` package folder; an installed package does not.
    """
    return (Path(__file__).resolve().parents[2] / "pyproject.toml").is_file()


__all__ = ["SAMPLE_NAME", "in_source_tree", "packaged_sample", "sample_workspace"]
