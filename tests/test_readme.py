"""The README's Python examples run as written."""

from __future__ import annotations

import re

from .conftest import REPO


def test_readme_python_blocks_run():
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README has Python examples"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})


def test_readme_first_screen_gives_the_two_commands():
    first = "\n".join((REPO / "README.md").read_text().splitlines()[:12])
    assert "make demo" in first and "make test" in first
