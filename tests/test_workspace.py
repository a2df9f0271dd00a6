"""Workspace files: byte-stable saves, atomic writes, conflicts, and messages for bad input."""

from __future__ import annotations

import os
import pathlib
from pathlib import Path

import pytest

from mblib.content import Module, Workspace, validate_workspace
from mblib.errors import ConflictError, ContentError, NotFoundError, SettingsError

HAND_WRITTEN = """\
# Written by hand: comments, odd indentation, defaults spelled out.
id: hand
title:   "Hand written"    # a comment after a value
pass_mark: 0.8
blocks:
    -   id: q
        type: quiz
        question: >
            Folded question
            over two lines
        choices:
          - {id: a, text: 'Yes', correct: true}
          - {id: b, text: "No", correct: false}
    -   id: t
        type: text
        body: |
            Some *Markdown*.
"""

GOOD_CREDENTIAL = """\
id: cred
title: Cred
required: [hand]
"""


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    Workspace.create(root, title="Test")
    return root


def write(root: Path, rel: str, text: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


# ------------------------------------------------------------------ byte stability
def test_unchanged_hand_written_workspace_is_not_rewritten(ws_root):
    f = write(ws_root, "modules/hand.yaml", HAND_WRITTEN)
    write(ws_root, "credentials/cred.yaml", GOOD_CREDENTIAL)
    for p in ws_root.rglob("*.yaml"):
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(ws_root)
    ws = Workspace.open(ws_root)
    assert ws.module("hand").block("q").question == "Folded question over two lines\n"
    assert ws.save() == []
    assert ws.save_module(ws.module("hand")) is False
    assert ws.save_credential(ws.credential("cred")) is False
    assert snapshot(ws_root) == before
    assert f.read_text() == HAND_WRITTEN
    assert ws.changed_on_disk() == []


def test_edited_module_is_written_canonically_and_only_it(ws_root):
    f = write(ws_root, "modules/hand.yaml", HAND_WRITTEN)
    c = write(ws_root, "credentials/cred.yaml", GOOD_CREDENTIAL)
    cred_before = c.read_bytes(), c.stat().st_mtime_ns
    ws = Workspace.open(ws_root)
    ws.module("hand").title = "Edited in place"  # in-place edits count as changes
    assert ws.is_dirty("module", "hand")
    assert ws.save() == [f]
    assert (c.read_bytes(), c.stat().st_mtime_ns) == cred_before
    text = f.read_text()
    assert "# Written by hand" not in text and "correct: false" not in text
    assert text.startswith("id: hand\ntitle: Edited in place\nblocks:\n  - id: q\n    type: quiz\n")
    assert not ws.is_dirty("module", "hand")
    assert ws.save() == []
    assert Workspace.open(ws_root).module("hand") == ws.module("hand")


def test_saving_a_model_equal_to_the_canonical_file_writes_nothing(ws_root):
    ws = Workspace.open(ws_root)
    m = Module(id="m", title="M", blocks=[{"id": "t", "type": "text", "body": "a\nb\n"}])
    assert ws.save_module(m) is True
    f = ws.module_path("m")
    os.utime(f, ns=(5, 5))
    ws2 = Workspace.open(ws_root)
    assert ws2.save_module(Module.model_validate(m.model_dump())) is False
    assert f.stat().st_mtime_ns == 5


# ------------------------------------------------------------------ atomic writes
def test_atomic_save_leaves_no_temp_files(ws_root):
    ws = Workspace.open(ws_root)
    for i in range(3):
        ws.save_module(Module(id=f"m{i}", title=f"Module {i}"))
    assert sorted(p.name for p in (ws_root / "modules").iterdir()) == ["m0.yaml", "m1.yaml", "m2.yaml"]
    assert no_temp_files(ws_root)
    assert oct((ws_root / "modules/m0.yaml").stat().st_mode & 0o777) == oct(0o644)


def test_failed_rename_keeps_old_file_and_removes_temp(ws_root, monkeypatch):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="m", title="Old"))
    f = ws.module_path("m")
    old = f.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    ws.module("m").title = "New"
    with pytest.raises(OSError, match="disk full"):
        ws.save()
    assert f.read_bytes() == old
    assert no_temp_files(ws_root)
    assert ws.is_dirty("module", "m")  # still unsaved
    monkeypatch.undo()
    assert ws.save() == [f]
    assert "title: New" in f.read_text()


# ------------------------------------------------------------------ conflicts
def test_file_changed_on_disk_is_not_overwritten(ws_root):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="m", title="Mine"))
    f = ws.module_path("m")
    f.write_text("id: m\ntitle: Theirs\n")
    assert ws.changed_on_disk() == [f]
    ws.module("m").title = "Mine, edited"
    with pytest.raises(ConflictError) as exc:
        ws.save()
    msg = str(exc.value)
    assert "ws/modules/m.yaml changed on disk since it was loaded" in msg
    assert exc.value.location.file == "ws/modules/m.yaml"
    assert "force=True" in exc.value.hint and "ws.reload('module', 'm')" in exc.value.hint
    assert f.read_text() == "id: m\ntitle: Theirs\n"
    assert ws.save(force=True) == [f]
    assert f.read_text() == "id: m\ntitle: Mine, edited\n"
    assert ws.changed_on_disk() == []


def test_untouched_module_changed_on_disk_does_not_block_save(ws_root):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="a", title="A"))
    ws.save_module(Module(id="b", title="B"))
    theirs = "id: a\ntitle: Theirs\n"
    ws.module_path("a").write_text(theirs)
    ws.module("b").title = "B2"
    assert ws.save(force=True) == [ws.module_path("b")]  # force does not clobber files we did not edit
    assert ws.module_path("a").read_text() == theirs
    assert ws.changed_on_disk() == [ws.module_path("a")]
    assert ws.reload("module", "a").title == "Theirs"
    assert ws.module("a").title == "Theirs"
    assert ws.changed_on_disk() == []


def test_reload_takes_the_disk_version(ws_root):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="m", title="Mine"))
    ws.module_path("m").write_text("id: m\ntitle: Theirs\n")
    ws.module("m").title = "Unsaved"
    m = ws.reload("module", "m")
    assert m.title == "Theirs" and ws.module("m").title == "Theirs"
    assert not ws.is_dirty("module", "m")
    ws.module_path("m").write_text("id: m\ntitle: [broken\n")
    with pytest.raises(ContentError, match=r"ws/modules/m\.yaml:\d+:\d+: YAML syntax error"):
        ws.reload("module", "m")
    assert ws.problems == []  # reload's problems are raised, not kept


def test_file_deleted_on_disk(ws_root):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="m", title="M"))
    f = ws.module_path("m")
    f.unlink()
    assert ws.changed_on_disk() == [f]
    ws.module("m").title = "Edited"
    with pytest.raises(ConflictError, match=r"ws/modules/m\.yaml was deleted on disk after it was loaded") as exc:
        ws.save_module(ws.module("m"))
    assert "force=True" in exc.value.hint and "ws.forget('module', 'm')" in exc.value.hint
    assert not f.exists()
    with pytest.raises(NotFoundError, match=r"ws/modules/m\.yaml does not exist") as exc2:
        ws.reload("module", "m")
    assert exc2.value.location.file == "ws/modules/m.yaml"
    assert ws.save_module(ws.module("m"), force=True) is True
    assert "title: Edited" in f.read_text()


def test_new_module_whose_file_exists_is_a_conflict(ws_root):
    ws = Workspace.open(ws_root)
    write(ws_root, "modules/m.yaml", "id: m\ntitle: Someone else's\n")
    with pytest.raises(ConflictError, match=r"ws/modules/m\.yaml already exists and was not loaded") as exc:
        ws.save_module(Module(id="m", title="Mine"))
    assert "force=True" in exc.value.hint
    assert ws.module_path("m").read_text() == "id: m\ntitle: Someone else's\n"
    assert ws.save_module(Module(id="m", title="Mine"), force=True) is True
    assert ws.module_path("m").read_text() == "id: m\ntitle: Mine\n"


def test_forget_and_delete(ws_root):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="m", title="M"))
    ws.forget("module", "m")
    with pytest.raises(NotFoundError, match="no module 'm' in workspace 'ws'"):
        ws.module("m")
    assert ws.module_path("m").exists()
    ws = Workspace.open(ws_root)
    ws.delete_module("m")
    assert not ws.module_path("m").exists() and "m" not in ws.modules


def test_lookup_errors_suggest(ws_root):
    ws = Workspace.open(ws_root)
    ws.save_module(Module(id="bar-charts", title="B"))
    with pytest.raises(NotFoundError) as exc:
        ws.module("bar-chart")
    assert exc.value.hint == "did you mean 'bar-charts'?"
    with pytest.raises(NotFoundError, match="no credential 'x'") as exc:
        ws.credential("x")
    assert exc.value.hint == "create credentials/x.yaml"


def test_create_refuses_existing_workspace(ws_root):
    with pytest.raises(ConflictError, match="already holds a workspace"):
        Workspace.create(ws_root)


# ------------------------------------------------------------------ bad input
BROKEN = {
    "modules/syntax.yaml": "id: syntax\ntitle: S\nblocks:\n  - id: one\n   type: text\n    body: hi\n",
    "modules/types.yaml": (
        "id: types\n"
        "title: T\n"
        "titel: typo\n"
        "pass_mark: lots\n"
        "blocks:\n"
        "  - id: q\n"
        "    type: quizz\n"
        "    question: Q\n"
        "  - id: t\n"
        "    type: text\n"
        "  - id: BAD ID\n"
        "    type: text\n"
        "    body: x\n"
    ),
    "modules/dupes.yaml": (
        "id: dupes\n"
        "title: D\n"
        "blocks:\n"
        "  - id: t\n"
        "    type: text\n"
        "    body: a\n"
        "  - id: q\n"
        "    type: quiz\n"
        "    question: Q\n"
        "    choices:\n"
        "      - {id: a, text: A, correct: true}\n"
        "      - {id: a, text: B}\n"
    ),
    "modules/dupblocks.yaml": (
        "id: dupblocks\n"
        "title: D\n"
        "blocks:\n"
        "  - id: t\n"
        "    type: text\n"
        "    body: a\n"
        "  - id: u\n"
        "    type: text\n"
        "    body: b\n"
        "  - id: t\n"
        "    type: text\n"
        "    body: c\n"
    ),
    "modules/listy.yaml": "- id: listy\n- title: L\n",
    "modules/latin1.yaml": b"id: latin1\ntitle: caf\xe9\n",
    "modules/named.yaml": "id: other-name\ntitle: N\n",
    "modules/old.yml": "id: old\ntitle: O\n",
    "credentials/cred.yaml": "id: cred\ntitle: C\nelectives:\n  - id: g\n    choose: 0\n    modules: [a]\n",
    "modules/good.yaml": "id: good\ntitle: Good\n",
}


@pytest.fixture
def broken_root(ws_root) -> Path:
    for rel, text in BROKEN.items():
        write(ws_root, rel, text)
    return ws_root


def find(problems, file, message):
    hits = [p for p in problems if p.location.file == f"ws/{file}" and message in p.message]
    assert len(hits) == 1, f"expected one problem in {file} with {message!r}, got:\n" + "\n".join(map(str, problems))
    return hits[0]


def test_strict_open_lists_every_problem_across_files(broken_root):
    with pytest.raises(ContentError) as exc:
        Workspace.open(broken_root, strict=True)
    err = exc.value
    text = str(err)
    assert text.startswith(f"workspace 'ws' has {len(err.problems)} problem(s):\n")
    files = {p.location.file for p in err.problems}
    assert files == {f"ws/{rel}" for rel in BROKEN} - {"ws/modules/good.yaml"}
    assert len(err.problems) == 13
    for p in err.problems:
        assert str(p) in text  # every problem is in the message, with its fix
        assert p.hint


def test_problem_details(broken_root):
    problems = validate_workspace(broken_root)
    assert problems == Workspace.open(broken_root, strict=False).problems

    p = find(problems, "modules/syntax.yaml", "YAML syntax error")
    assert (p.location.line, p.location.column) == (5, 4)
    assert str(p).startswith("ws/modules/syntax.yaml:5:4: YAML syntax error: expected <block end>")
    assert "indentation" in p.hint

    p = find(problems, "modules/types.yaml", "expected a number")
    assert p.message == "expected a number, got 'lots'"
    assert (p.location.line, p.location.field, p.location.block_id) == (4, "pass_mark", None)
    assert str(p).startswith("ws/modules/types.yaml:4:1: field 'pass_mark': expected a number")

    p = find(problems, "modules/types.yaml", "unknown field")
    assert p.message == "unknown field 'titel'" and p.location.field == "titel" and p.location.line == 3
    assert p.hint.startswith("did you mean 'title'?")

    p = find(problems, "modules/types.yaml", "unknown block type")
    assert p.message == "unknown block type 'quizz'"
    assert p.hint.startswith("did you mean 'quiz'?")
    assert p.location.block_id == "q" and p.location.line == 6

    p = find(problems, "modules/types.yaml", "is missing")
    assert p.message == "'body' is missing"
    assert (p.location.block_id, p.location.field, p.location.line) == ("t", "body", 9)
    assert p.hint == "add a line 'body: ...' here"

    p = find(problems, "modules/types.yaml", "not a valid id")
    assert p.message == "'BAD ID' is not a valid id"
    assert (p.location.block_id, p.location.field, p.location.line) == ("BAD ID", "id", 11)
    assert "lowercase letters" in p.hint

    p = find(problems, "modules/dupblocks.yaml", "duplicate block id")
    assert p.message == "duplicate block id 't': every block needs its own id"
    assert (p.location.block_id, p.location.field, p.location.line) == ("t", "id", 10)  # the second 't'

    p = find(problems, "modules/dupes.yaml", "duplicate choice id")
    assert p.message == "duplicate choice id 'a': every choice needs its own id"
    assert (p.location.block_id, p.location.field, p.location.line) == ("q", "choices[1].id", 12)

    p = find(problems, "modules/listy.yaml", "must be a mapping")
    assert p.message == "a module file must be a mapping of fields (id:, title:, ...), not list"
    assert p.hint == "start the file with 'id: listy'"

    p = find(problems, "modules/latin1.yaml", "not UTF-8")
    assert p.location.line == 2 and "UTF-8" in p.hint

    p = find(problems, "modules/named.yaml", "does not match the file name")
    assert p.message == "module id 'other-name' does not match the file name 'named.yaml'"
    assert p.location.field == "id" and p.location.line == 1
    assert p.hint == "rename the file to other-name.yaml or set 'id: named'"

    p = find(problems, "modules/old.yml", "end in .yaml")
    assert p.hint == "rename it to old.yaml"

    p = find(problems, "credentials/cred.yaml", "out of range")
    assert (p.location.field, p.location.line) == ("electives[0].choose", 5)
    assert p.hint == "use a value at least 1"


def test_non_strict_open_loads_the_valid_files(broken_root):
    ws = Workspace.open(broken_root, strict=False)
    assert list(ws.modules) == ["good"] and ws.credentials == {}
    assert len(ws.problems) == 13


def test_duplicate_yaml_key(ws_root):
    write(ws_root, "modules/m.yaml", "id: m\ntitle: A\ntitle: B\n")
    [p] = validate_workspace(ws_root)
    assert p.message == "YAML syntax error: the key 'title' appears twice in the same mapping"
    assert str(p).startswith("ws/modules/m.yaml:3:")


@pytest.mark.parametrize(
    "text, message, field",
    [
        ("id: m\ntitle: M\nobjectives: one\n", "expected a list (lines starting with '- '), got 'one'", "objectives"),
        (
            "id: m\ntitle: M\nblocks:\n  - id: q\n    type: quiz\n    question: Q\n    multiple: maybe\n",
            "expected true or false, got 'maybe'",
            "multiple",
        ),
        (
            "id: m\ntitle: M\nblocks:\n  - id: c\n    type: callout\n    body: B\n    variant: danger\n",
            "'danger' is not allowed here",
            "variant",
        ),
        ("id: m\ntitle: M\nblocks:\n  - id: x\n    body: B\n", "the block has no 'type'", None),
        ("id: m\ntitle: M\nversion: one\n", "'one' is not a version number", "version"),
        ("id: m\n", "'title' is missing", "title"),
    ],
)
def test_more_schema_messages(ws_root, text, message, field):
    write(ws_root, "modules/m.yaml", text)
    [p] = validate_workspace(ws_root)
    assert p.message == message
    assert p.location.field == field
    assert p.location.file == "ws/modules/m.yaml" and p.location.line is not None
    assert p.hint


def test_file_vanishing_while_loading(ws_root, monkeypatch):
    write(ws_root, "modules/gone.yaml", "id: gone\ntitle: G\n")
    write(ws_root, "modules/kept.yaml", "id: kept\ntitle: K\n")
    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == "gone.yaml":
            self.unlink()  # deleted between listing the folder and reading the file
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    with pytest.raises(ContentError) as exc:
        Workspace.open(ws_root)
    [p] = exc.value.problems
    assert p.location.file == "ws/modules/gone.yaml" and p.code == "file.missing"
    assert "vanished" in p.message
    assert "ws/modules/gone.yaml" in str(exc.value)


def test_missing_workspace_and_settings(tmp_path):
    with pytest.raises(NotFoundError, match="does not exist") as exc:
        Workspace.open(tmp_path / "nope")
    assert "mb new workspace" in exc.value.hint
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFoundError, match="is not a workspace: it has no mblib.toml") as exc:
        Workspace.open(tmp_path / "empty")
    assert "mb new workspace" in exc.value.hint
    assert exc.value.location.file.endswith("mblib.toml")
    [p] = validate_workspace(tmp_path / "empty")
    assert "no mblib.toml" in p.message and "mb new workspace" in p.hint


@pytest.mark.parametrize(
    "toml, message, line, field",
    [
        ('[workspace]\ntitle = "unclosed\n', "TOML syntax error", 2, None),
        (
            '[workspace]\ntitle = "x"\n\n[authoring]\nduration_budget = 3\n',
            "Extra inputs are not permitted",
            5,
            "authoring.duration_budget",
        ),
        ('[workspace]\ntitle = "x"\n[bogus]\nx = 1\n', "Extra inputs are not permitted", 3, "bogus"),
        ('[authoring]\nmax_objectives = "three"\n', "valid integer", 2, "authoring.max_objectives"),
    ],
)
def test_bad_settings(ws_root, toml, message, line, field):
    (ws_root / "mblib.toml").write_text(toml)
    with pytest.raises(SettingsError, match=message) as exc:
        Workspace.open(ws_root)
    loc = exc.value.location
    assert loc.file.endswith("mblib.toml") and loc.line == line and loc.field == field
    assert f"mblib.toml:{line}" in str(exc.value)
    assert exc.value.hint
    assert validate_workspace(ws_root)[0].location.line == line


def test_toml_syntax_error_has_column(ws_root):
    (ws_root / "mblib.toml").write_text('[workspace]\ntitle = "unclosed\n')
    with pytest.raises(SettingsError) as exc:
        Workspace.open(ws_root)
    assert exc.value.location.column == 18
    assert exc.value.message == "TOML syntax error: Illegal character '\\n'"


def test_duplicate_required_module_points_at_the_second(ws_root):
    write(ws_root, "credentials/c.yaml", "id: c\ntitle: C\nrequired:\n  - a\n  - b\n  - a\n")
    [p] = validate_workspace(ws_root)
    assert p.message == "duplicate required module id 'a': every required module needs its own id"
    assert (p.location.file, p.location.line, p.location.field) == ("ws/credentials/c.yaml", 6, "required[2]")


def test_duplicate_block_ids_reported_even_when_another_block_is_invalid(ws_root):
    write(
        ws_root,
        "modules/m.yaml",
        "id: m\ntitle: M\nblocks:\n  - id: a\n    type: text\n    body: x\n"
        "  - id: a\n    type: text\n    body: y\n  - id: b\n    type: quizz\n",
    )
    problems = validate_workspace(ws_root)
    assert {p.message for p in problems} == {
        "unknown block type 'quizz'",
        "duplicate block id 'a': every block needs its own id",
    }
    dup = next(p for p in problems if "duplicate" in p.message)
    assert (dup.location.line, dup.location.block_id, dup.location.field) == (7, "a", "id")


def test_list_item_read_as_mapping_gets_a_quoting_hint(ws_root):
    write(ws_root, "modules/m.yaml", "id: m\ntitle: M\nobjectives:\n  - Note: this breaks\n")
    [p] = validate_workspace(ws_root)
    assert p.message == "expected text, got a mapping" and "double quotes" in p.hint


def test_changed_on_disk_lists_new_files(ws_root):
    from mblib.content import Workspace

    ws = Workspace.open(ws_root)
    write(ws_root, "modules/newcomer.yaml", "id: newcomer\ntitle: N\n")
    assert [p.name for p in ws.changed_on_disk()] == ["newcomer.yaml"]
