"""The wheel works outside a clone: `mb demo`, `mb synth` and `mb report` in a fresh virtualenv.

Builds the wheel from a copy of the source tree (so no stale build/ or caches slip in), installs it
with the analytics, export and widgets extras into a new virtualenv in tmp_path, and runs the
commands from a working folder outside the repository. About 3 minutes on 2 cores: ~10 s to build,
~2 min to install (pip's cache and the configured package index), ~45 s for the three commands.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "exports",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mblib",
    ".pytest_cache",
    ".hypothesis",
    "tests",
    "benchmarks",
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _run(cmd: list[str], cwd: Path, timeout: int = 400) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MBLIB_WORKSPACE", "VIRTUAL_ENV")}
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv (outside the repository) with the wheel and its analytics, export and widgets extras."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(REPO, src, symlinks=True, ignore=IGNORE)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(base / "dist"),
            str(src),
        ],
        cwd=base,
    )
    wheel = next((base / "dist").glob("mblib-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "mblib/content/sample-workspace/mblib.toml" in names
    assert "mblib/analytics/notebooks/05-credential-uptake-report.ipynb" in names
    assert {"mblib/export/ob3/context-3.0.3.json", "mblib/export/ob3/credentials-v2.jsonld"} <= set(names)
    assert {"mblib/export/ob3/extensions.json", "mblib/export/ob3/achievementcredential.json"} <= set(names)
    assert not [n for n in names if "/.mblib/" in n or n.startswith(("datasets/", "notebooks/"))]
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=base)
    _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--prefer-binary",
            "--disable-pip-version-check",
            f"{wheel}[analytics,export,widgets]",
        ],
        cwd=base,
        timeout=500,
    )
    return venv


def test_demo_synth_and_report_run_from_an_installed_wheel(installed, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    mb = str(installed / "bin" / "mb")
    r = _run([mb, "demo"], cwd=work)
    exports = work / "exports"
    assert "lint: 0 error(s)" in r.stdout and "outputs:" in r.stdout
    assert (exports / "sample-workspace" / "pages" / "index.html").is_file()
    assert (exports / "sample-workspace" / "scorm").is_dir() and (exports / "credential-uptake-report.html").is_file()
    assert "uptake report  : exports/credential-uptake-report.html" in r.stdout
    verified = re.findall(r"mb verify: (\d+) of (\d+) credential", r.stdout)  # signed with the demo key, verified
    assert "DEMO issuer key" in r.stdout and verified and all(a == b for a, b in verified), r.stdout[-3000:]
    r = _run([mb, "verify", "exports/sample-workspace/badges"], cwd=work)
    assert " 0 not valid" in r.stdout
    packaged = next((installed / "lib").glob("python3*/site-packages/mblib/content/sample-workspace"))
    assert not (packaged / ".mblib").exists()  # the installed sample is never written to
    r = _run([mb, "synth", "--learners", "200", "-o", "exports/cohort"], cwd=work)
    assert "200 learners" in r.stdout and (exports / "cohort" / "learners.parquet").is_file()
    r = _run([mb, "report", "completion-analytics", "-d", "exports/cohort"], cwd=work)
    assert (exports / "completion-analytics.html").is_file() and "open exports/completion-analytics.html" in r.stdout
