"""Issue 10, item 1: every path the workspace writes stays inside the workspace folder, checked in one
place (mblib.content.safewrite.workspace_path); languages are well-formed BCP 47 tags everywhere."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mblib.content import Module, Workspace
from mblib.content.language import is_language_tag
from mblib.content.safewrite import workspace_path
from mblib.errors import LanguageTagError, SettingsError, UnsafePathError
from tests.conftest import SAMPLE


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "ws"
    shutil.copytree(SAMPLE, r, ignore=shutil.ignore_patterns(".mblib"))
    return r


def test_workspace_path_accepts_inside_and_refuses_escapes(tmp_path, root):
    assert workspace_path(root, "modules/a.yaml") == root.resolve() / "modules" / "a.yaml"
    assert workspace_path(root, "translations/fr/../de/a.yaml") == root.resolve() / "translations" / "de" / "a.yaml"
    with pytest.raises(UnsafePathError, match=r"'\.\./escaped/a\.yaml' climbs out of the workspace folder with '\.\.'"):
        workspace_path(root, "../escaped/a.yaml")
    with pytest.raises(UnsafePathError, match="climbs out"):
        workspace_path(root, "translations/fr/../../../x.yaml")
    with pytest.raises(UnsafePathError, match="is an absolute path; workspace files must stay inside"):
        workspace_path(root, tmp_path / "abs.yaml")
    with pytest.raises(UnsafePathError, match="NUL"):
        workspace_path(root, "modules/a\x00.yaml")
    # a link that stays inside the workspace is fine; one that leads out is not
    (root / "inner").symlink_to(root / "modules", target_is_directory=True)
    assert workspace_path(root, "inner/a.yaml") == root.resolve() / "inner" / "a.yaml"
    (root / "out").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UnsafePathError, match="the symbolic link 'out' points to"):
        workspace_path(root, "out/a.yaml")


def test_module_and_credential_saves_refuse_a_modules_folder_linked_outside(tmp_path, root):
    outside = tmp_path / "elsewhere"
    for folder in ("modules", "credentials"):
        shutil.move(root / folder, outside / folder)
        (root / folder).symlink_to(outside / folder, target_is_directory=True)
    before = {p: p.read_bytes() for p in outside.rglob("*.yaml")}
    ws = Workspace.open(root)  # reading is allowed
    m = ws.module("reading-bar-charts")
    m.title = "Changed"
    with pytest.raises(UnsafePathError) as err:
        ws.save_module(m)
    assert "module 'reading-bar-charts' ('modules/reading-bar-charts.yaml') leads outside the workspace folder" in str(
        err.value
    )
    assert "the symbolic link 'modules' points to" in str(err.value)
    c = ws.credential("data-storytelling")
    c.title = "Changed"
    with pytest.raises(UnsafePathError, match="credential 'data-storytelling'.*the symbolic link 'credentials'"):
        ws.save_credential(c)
    with pytest.raises(UnsafePathError):
        ws.add_module(Module(id="new-one", title="New"))
    with pytest.raises(UnsafePathError):
        ws.delete_module("reading-bar-charts")
    assert {p: p.read_bytes() for p in outside.rglob("*.yaml")} == before
    assert not (outside / "modules" / "new-one.yaml").exists()


def test_translation_memory_refuses_a_dot_mblib_linked_outside(tmp_path, root):
    from mblib.translate.memory import TranslationMemory

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / ".mblib").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError, match="the translation memory .*the symbolic link '.mblib' points to"):
        TranslationMemory.for_workspace(root)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("bad", ["../modules", "fr/../../x", "/tmp/x", "en_US", "", "f", "fr-", "a" * 70])
def test_settings_languages_must_be_bcp47(root, bad):
    toml = root / "mblib.toml"
    toml.write_text(
        re.sub(r"target_languages\s*=\s*\[[^\]]*\]", f'target_languages = ["fr", "{bad}"]', toml.read_text(), count=1)
    )
    with pytest.raises(SettingsError) as err:
        Workspace.open(root)
    assert f"'{bad}' is not a valid BCP 47 language tag" in str(err.value)
    assert "workspace.target_languages" in str(err.value)


def test_workspace_create_refuses_bad_languages_and_writes_nothing(tmp_path):
    with pytest.raises(LanguageTagError, match="target language '../modules' is not a valid BCP 47 language tag"):
        Workspace.create(tmp_path / "ws", target_languages=["fr", "../modules"])
    with pytest.raises(LanguageTagError, match="source_language 'en\" evil' is not"):
        Workspace.create(tmp_path / "ws", source_language='en" evil')
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "fr",
        "pt-BR",
        "zh-Hant-TW",
        "sr-Latn-RS",
        "es-419",
        "de-CH-1996",
        "sl-rozaj-biske",
        "en-a-bbb-x-a-ccc",
        "x-whatever",
        "i-klingon",
        "zh-min-nan",
        "yue-HK",
        "zh-yue-HK",
        "EN-gb",
        "qaa",
    ],
)
def test_well_formed_tags(tag):
    assert is_language_tag(tag)


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "e",
        "en_US",
        "en-",
        "-en",
        "en--GB",
        "123",
        "en-GB-a",
        "en-x",
        "fr/x",
        "..",
        "en-GB-x-",
        "abcdefghi",
        "en-a-bb-a",
        "en-abcd-efgh-ijkl-x-" + "y" * 9,
        "fr\n",
        " fr",
    ],
)
def test_malformed_tags(tag):
    assert not is_language_tag(tag)
