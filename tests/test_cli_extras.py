"""`mb` without an optional extra: every command still answers, naming the extra to install.

Also the shape of the `mblib.cli` package (docs/architecture.md, "Layers": the group imports the
command families, never the other way) and where the shipped sample and report notebooks live.
"""

from __future__ import annotations

import ast
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mblib.cli import LAZY_COMMANDS, main

REPO = pathlib.Path(__file__).resolve().parents[1]
CLI = REPO / "mblib" / "cli"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_a_package_missing_at_run_time_names_the_extra(tmp_path, monkeypatch):
    # synth imports numpy inside its functions: before, this ended in ModuleNotFoundError: numpy
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MBLIB_WORKSPACE", raising=False)
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` now fails as if it were not installed
    r = invoke("synth", "--learners", "5", "-o", str(tmp_path / "out"))
    assert r.exit_code == 2, r.output
    assert "mb synth needs the package 'numpy', which is not installed" in r.output
    assert "pip install 'mblib[analytics]'" in r.output and "Traceback" not in r.output


def test_report_without_nbformat_names_the_analytics_extra(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MBLIB_WORKSPACE", raising=False)
    monkeypatch.setitem(sys.modules, "nbformat", None)
    r = invoke("report", "-o", str(tmp_path))
    assert r.exit_code == 2 and "pip install 'mblib[analytics]'" in r.output, r.output


def test_a_command_module_that_cannot_import_is_listed_and_says_what_to_install(monkeypatch):
    import mblib.cli

    real = mblib.cli.importlib.import_module

    def fail_for_export(name: str, *a, **kw):
        if name == "mblib.cli.export":
            raise ModuleNotFoundError("No module named 'nbconvert'", name="nbconvert")
        return real(name, *a, **kw)

    monkeypatch.setattr(mblib.cli.importlib, "import_module", fail_for_export)
    r = invoke("--help")
    assert r.exit_code == 0 and all(name in r.output for name in LAZY_COMMANDS)  # nothing disappears
    assert "(not available: mb export needs" in r.output
    for args in (["export", "lesson", "-w", "x", "--no-execute"], ["export", "--help"]):
        r = invoke(*args)
        assert r.exit_code == 2, r.output
        assert "mb export needs the package 'nbconvert', which is not installed" in r.output
        assert "pip install 'mblib[export]'" in r.output


def test_a_broken_mblib_module_is_not_hidden_as_a_missing_extra(monkeypatch):
    import mblib.cli

    def broken(name: str, *a, **kw):
        raise ModuleNotFoundError("No module named 'mblib.nothing'", name="mblib.nothing")

    monkeypatch.setattr(mblib.cli.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="mblib.nothing"):
        CliRunner().invoke(main, ["synth"], catch_exceptions=False)


def test_command_modules_never_import_the_group():
    for path in sorted(CLI.glob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                target = "." * node.level + (node.module or "")
                assert target not in (".", "mblib.cli", "..cli"), f"{path.name} imports the mb group"


def test_python_dash_m_runs_the_group():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run(
        [sys.executable, "-m", "mblib.cli", "--help"], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
    )
    assert r.returncode == 0 and "synth" in r.stdout and "export" in r.stdout


def test_sample_and_report_notebooks_are_package_data_linked_from_the_repository():
    from mblib.analytics.report import REPORTS, resolve_notebook
    from mblib.content.samples import packaged_sample

    sample = packaged_sample()
    assert sample == REPO / "mblib" / "content" / "sample-workspace" and (sample / "mblib.toml").is_file()
    assert (REPO / "datasets" / "sample-workspace").resolve() == sample.resolve()
    for name, file in REPORTS.items():
        path = resolve_notebook(name)
        assert path == REPO / "mblib" / "analytics" / "notebooks" / file and path.is_file()
        link = REPO / "notebooks" / file
        assert link.is_symlink() and link.resolve() == path.resolve()
    if shutil.which("git") and (REPO / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", "-s", "datasets/sample-workspace", *(f"notebooks/{f}" for f in REPORTS.values())],
            capture_output=True,
            text=True,
            cwd=REPO,
        ).stdout.splitlines()
        if out:  # committed: git keeps them as links (mode 120000), not as copies
            assert all(line.startswith("120000 ") for line in out), out


def test_jupyter_lists_and_opens_the_linked_report_notebooks():
    filemanager = pytest.importorskip("jupyter_server.services.contents.filemanager")
    manager = filemanager.FileContentsManager(root_dir=str(REPO / "notebooks"))  # what `make lab` serves
    names = {c["name"] for c in manager.get("")["content"]}
    assert {"04-completion-analytics.ipynb", "05-credential-uptake-report.ipynb"} <= names
    assert manager.get("05-credential-uptake-report.ipynb")["type"] == "notebook"
