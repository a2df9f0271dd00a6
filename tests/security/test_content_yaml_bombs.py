"""Issue 10, item 2: hostile YAML in workspace files gives a located ContentError, fast.

A 600-byte alias bomb used to hang every command that opens the workspace (aliases expanded
x10 per level); 10,000-deep nesting raised RecursionError and a 5,000-digit integer ValueError.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mblib.content import Workspace, validate_workspace
from mblib.content.yamlio import load_yaml_text
from mblib.errors import ContentError


def alias_bomb(levels: int = 7) -> str:
    """``a`` holds ten strings; each next key holds ten aliases of the previous one (10**levels strings)."""
    lines = ["id: bomb", "title: Bomb", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for prev, cur in zip(names, names[1:levels]):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


DEEP = "id: deep\ntitle: Deep\nblocks: " + "[" * 10_000 + "]" * 10_000 + "\n"
HUGE_INT = "id: huge\ntitle: Huge\nduration_budget_min: " + "7" * 5_000 + "\n"
ANCHOR = "id: anchored\ntitle: &t Harmless\nsummary: plain\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    Workspace.create(tmp_path / "ws", title="Bombs")
    return tmp_path / "ws"


def test_alias_bomb_is_small_and_refused_fast(root):
    text = alias_bomb()
    assert len(text) < 700
    (root / "modules" / "bomb.yaml").write_text(text)
    t0 = time.perf_counter()
    with pytest.raises(ContentError) as err:
        Workspace.open(root)
    assert time.perf_counter() - t0 < 2
    msg = str(err.value)
    assert "modules/bomb.yaml:3:4: anchors/aliases are not allowed (found the anchor '&a'); write the value out" in msg
    assert "fix: remove '&a' and '*a' and write the value out in full" in msg


def test_lint_path_reports_the_bomb_as_a_problem_and_keeps_going(root):
    (root / "modules" / "bomb.yaml").write_text(alias_bomb())
    (root / "modules" / "fine.yaml").write_text("id: fine\ntitle: Fine\n")
    t0 = time.perf_counter()
    ws = Workspace.open(root, strict=False)
    assert time.perf_counter() - t0 < 2
    assert "fine" in ws.modules and "bomb" not in ws.modules
    [p] = ws.problems
    assert (p.code, p.location.file, p.location.line, p.location.column) == ("yaml.alias", "ws/modules/bomb.yaml", 3, 4)


def test_a_single_harmless_anchor_is_refused_too(root):
    (root / "modules" / "anchored.yaml").write_text(ANCHOR)
    with pytest.raises(
        ContentError,
        match=r"modules/anchored.yaml:2:8: anchors/aliases are not allowed "
        r"\(found the anchor '&t'\); write the value out",
    ):
        Workspace.open(root)


def test_an_alias_without_anchor_is_refused_with_its_position():
    with pytest.raises(ContentError, match=r"m.yaml:2:8: anchors/aliases are not allowed \(found the alias '\*t'\)"):
        load_yaml_text("id: m\ntitle: *t\n", "m.yaml")


def test_ten_thousand_deep_nesting_is_a_located_error_not_a_recursion_error(root):
    (root / "credentials" / "deep.yaml").write_text(DEEP)
    t0 = time.perf_counter()
    with pytest.raises(ContentError) as err:
        Workspace.open(root)
    assert time.perf_counter() - t0 < 2
    assert "credentials/deep.yaml:3:" in str(err.value)
    assert "lists and mappings are nested more than 64 levels deep" in str(err.value)
    assert "fix: flatten the data" in str(err.value)


def test_block_style_deep_nesting_is_refused():
    text = "id: m\nblocks:\n" + "".join("  " * i + "-\n" for i in range(1, 200)) + "  " * 200 + "- x\n"
    with pytest.raises(ContentError, match="nested more than 64 levels deep"):
        load_yaml_text(text, "m.yaml")


def test_five_thousand_digit_integer_is_a_located_error(root):
    (root / "modules" / "huge.yaml").write_text(HUGE_INT)
    problems = validate_workspace(root)
    [p] = problems
    assert (p.location.line, p.location.column, p.code) == (3, 22, "yaml.int")
    assert p.message == "a number with 5000 digits is too long (at most 30)"
    assert "put it in quotes" in (p.hint or "")


def test_long_numbers_in_quotes_and_ordinary_numbers_still_load():
    text = 'id: m\ncode: "' + "7" * 5000 + '"\nn: 123456789012345678901234567890\nh: 0123abc' + "f" * 60 + "\n"
    data = load_yaml_text(text, "m.yaml").data
    assert data["code"] == "7" * 5000 and data["n"] == 123456789012345678901234567890
    assert data["h"].endswith("fff")
    with pytest.raises(ContentError, match="a number with 40 digits"):
        load_yaml_text("n: 0x" + "f" * 40 + "\n", "m.yaml")


def test_settings_toml_deep_nesting_and_huge_integers_are_settings_errors(root):
    from mblib.errors import SettingsError

    toml = root / "mblib.toml"
    good = toml.read_text()
    toml.write_text(good + "\n[extra]\nx = " + "[" * 10_000 + "]" * 10_000 + "\n")
    with pytest.raises(SettingsError, match="arrays or tables are nested too deeply"):
        Workspace.open(root)
    toml.write_text(good + "\n[extra]\nx = " + "7" * 5_000 + "\n")
    with pytest.raises(SettingsError) as err:
        Workspace.open(root)
    assert "a value cannot be read" in str(err.value) and f"mblib.toml:{good.count(chr(10)) + 3}" in str(err.value)
