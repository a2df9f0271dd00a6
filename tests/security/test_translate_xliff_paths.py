"""Issue 10, item 1: an XLIFF file's target language must not steer where `mb xliff import` writes.

trgLang="../modules" once replaced modules/reading-bar-charts.yaml with a translations file and
"../../escaped" wrote outside the workspace. Each case checks the message and that nothing was
written outside the workspace or over a workspace file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.content import Workspace
from mblib.errors import LanguageTagError, MblibError, UnsafePathError
from mblib.translate.xliff import export_xliff, import_xliff
from tests.conftest import SAMPLE

MODULE = "reading-bar-charts"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "space" / "ws"  # two levels below tmp_path, so '../../x' stays observable
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".mblib"))
    return Workspace.open(root)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".mblib" not in p.parts
    }


def hostile_xliff(ws: Workspace, tmp_path: Path, lang: str, version: str = "2.1") -> Path:
    data = export_xliff(ws, [MODULE], "fr", version=version).decode("utf-8")
    if version == "2.1":
        data = data.replace('trgLang="fr"', f'trgLang="{lang}"', 1)
        data = data.replace("</source>", "</source><target>PWNED</target>", 1)
    else:
        data = data.replace('target-language="fr"', f'target-language="{lang}"', 1)
        data = data.replace("</source>", "</source><target>PWNED</target>", 1)
    path = tmp_path / f"hostile-{version}.xlf"
    path.write_text(data, encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["../modules", "../../escaped", "fr/../../x", "ABSOLUTE"])
@pytest.mark.parametrize("version", ["2.1", "1.2"])
def test_hostile_target_language_is_refused_and_nothing_is_written(ws, tmp_path, lang, version):
    if lang == "ABSOLUTE":
        lang = str(tmp_path / "abs")
    before = snapshot(tmp_path)
    xlf = hostile_xliff(ws, tmp_path, lang, version)
    before[str(xlf.relative_to(tmp_path))] = xlf.read_bytes()
    attr = "trgLang" if version == "2.1" else "target-language"
    with pytest.raises(LanguageTagError) as err:
        import_xliff(ws, xlf)
    assert f"{attr} '{lang}' is not a valid BCP 47 language tag" in str(err.value)
    assert "fix: use a language tag such as fr, de, pt-BR" in str(err.value)
    assert str(xlf) in str(err.value)  # the message names the XLIFF file
    assert snapshot(tmp_path) == before  # nothing replaced, nothing created, inside or outside the workspace
    assert not (ws.root / "translations").exists() or not any((ws.root / "translations").iterdir())
    assert "PWNED" not in (ws.root / "modules" / f"{MODULE}.yaml").read_text(encoding="utf-8")


def test_cli_import_names_the_language_and_exits_cleanly(ws, tmp_path):
    xlf = hostile_xliff(ws, tmp_path, "../modules")
    original = (ws.root / "modules" / f"{MODULE}.yaml").read_bytes()
    r = CliRunner().invoke(main, ["xliff", "import", str(xlf), "-w", str(ws.root)])
    assert r.exit_code == 2, r.output
    assert "trgLang '../modules' is not a valid BCP 47 language tag" in r.output
    assert "Traceback" not in r.output
    assert (ws.root / "modules" / f"{MODULE}.yaml").read_bytes() == original


def test_symlinked_translations_folder_pointing_outside_is_refused(ws, tmp_path):
    xlf = hostile_xliff(ws, tmp_path, "fr")
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.root / "translations").mkdir(exist_ok=True)
    (ws.root / "translations" / "fr").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError) as err:
        import_xliff(ws, xlf)
    msg = str(err.value)
    assert "leads outside the workspace folder" in msg
    assert f"the symbolic link 'translations/fr' points to '{outside}'" in msg
    assert "fix: replace the symbolic link with a real folder inside the workspace" in msg
    assert list(outside.iterdir()) == []


def test_whole_translations_folder_symlinked_outside_is_refused_too(ws, tmp_path):
    xlf = hostile_xliff(ws, tmp_path, "fr")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(ws.root / "translations", ignore_errors=True)
    (ws.root / "translations").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError, match="the symbolic link 'translations' points to"):
        import_xliff(ws, xlf)
    assert list(outside.iterdir()) == []


def test_a_good_language_still_imports(ws, tmp_path):
    assert import_xliff(ws, hostile_xliff(ws, tmp_path, "pt-BR")) == {MODULE: 1}
    assert (ws.root / "translations" / "pt-BR" / f"{MODULE}.yaml").is_file()


@pytest.mark.parametrize(
    "args", [["translate", MODULE, "--to", "../modules"], ["xliff", "export", MODULE, "--to", "../../escaped"]]
)
def test_cli_language_options_are_checked(ws, tmp_path, args):
    before = snapshot(tmp_path)
    r = CliRunner().invoke(main, [*args, "-w", str(ws.root)])
    assert r.exit_code == 2, r.output
    assert f"--to '{args[-1]}' is not a valid BCP 47 language tag" in r.output
    assert snapshot(tmp_path) == before


def test_translations_writers_refuse_bad_languages_directly(ws):
    from mblib.translate.store import TranslationFile, load_translations, save_translations

    with pytest.raises(LanguageTagError, match="language '../modules' is not a valid BCP 47 language tag"):
        save_translations(ws, TranslationFile(module=MODULE, language="../modules"))
    with pytest.raises(MblibError, match="is not a valid BCP 47"):
        load_translations(ws, MODULE, "../../escaped")
