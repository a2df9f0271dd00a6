"""Every docstring example under mblib/ runs, and `import mblib` stays light and fast."""

from __future__ import annotations

import doctest
import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

import mblib

OPTIONAL = {"torch", "transformers", "ctranslate2", "ralph", "fastapi"}
HEAVY = ["torch", "transformers", "nbconvert", "polars"]


def _module_names() -> list[str]:
    names = ["mblib"]
    for info in pkgutil.walk_packages(mblib.__path__, prefix="mblib.", onerror=lambda name: None):
        names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def test_the_walk_finds_the_content_layer():
    assert {"mblib.errors", "mblib.content.blocks", "mblib.content.workspace", "mblib.content.yamlio"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] in OPTIONAL:
            pytest.skip(f"{name} needs the optional dependency {e.name}")
        raise
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {name} (see captured output)"


_PROBE = r"""
import json, sys, time
t = time.perf_counter()
import mblib
elapsed = time.perf_counter() - t
mblib.Module, mblib.Workspace, mblib.lint_workspace, mblib.ContentError  # the content API stays light too
print(json.dumps({"elapsed": elapsed, "modules": sorted(sys.modules)}))
"""


def test_import_is_light_and_fast():
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60)
        runs.append(json.loads(out.stdout))
    best = min(r["elapsed"] for r in runs)
    assert best < 0.5, f"import mblib took {best:.3f} s (best of 3)"
    for r in runs:
        loaded = {m.split(".")[0] for m in r["modules"]}
        assert not loaded & set(HEAVY), f"import mblib pulled in {sorted(loaded & set(HEAVY))}"
