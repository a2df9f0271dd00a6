"""Issue 10, item 2: hostile YAML in translations/ (translations files, the glossary) is refused fast
with a located error, through the same check as the module files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mblib.content import Module, Workspace
from mblib.errors import ContentError
from mblib.translate.glossary import Glossary
from mblib.translate.lint import lint_translations
from mblib.translate.store import load_translations

from .test_content_yaml_bombs import alias_bomb

REL = "translations/fr/m.yaml"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace.create(tmp_path / "ws", title="Bombs", target_languages=["fr"])
    w.add_module(Module(id="m", title="Hello"))
    (w.root / "translations" / "fr").mkdir(parents=True, exist_ok=True)
    return w


def head(body: str) -> str:
    return 'module: "m"\nlanguage: "fr"\nsource_language: "en"\n' + body


CASES = {
    "bomb": (head("segments: {}\n" + alias_bomb().split("\n", 2)[2]), "anchors/aliases are not allowed", (5, 4)),
    "anchor": (
        head(
            'segments:\n  "_module/title/0": &e\n    source: "Hello"\n    target: "Bonjour"\n'
            "    source_hash: 185f8db32271fe25\n"
        ),
        "anchors/aliases are not allowed",
        (5, 22),
    ),
    "deep": (head("segments: " + "[" * 10_000 + "]" * 10_000 + "\n"), "nested more than 64 levels deep", (4, None)),
    "int": (head("segments: {}\nextra: " + "9" * 5_000 + "\n"), "a number with 5000 digits is too long", (5, 8)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_translations_reader_refuses_with_file_line_and_column(ws, case):
    text, message, (line, col) = CASES[case]
    (ws.root / REL).write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ContentError) as err:
        load_translations(ws, "m", "fr")
    assert time.perf_counter() - t0 < 2
    assert message in str(err.value)
    assert err.value.location.file == REL and err.value.location.line == line
    if col is not None:
        assert err.value.location.column == col


def test_lint_reports_a_bombed_translations_file_instead_of_hanging(ws):
    (ws.root / REL).write_text(CASES["bomb"][0], encoding="utf-8")
    t0 = time.perf_counter()
    problems = lint_translations(ws)
    assert time.perf_counter() - t0 < 2
    [p] = [p for p in problems if p.code == "translation.invalid"]
    assert p.location.file == REL and "anchors/aliases are not allowed" in p.message


def test_glossary_refuses_anchors_and_deep_nesting(ws):
    path = ws.root / "translations" / "glossary.yaml"
    path.write_text("do_not_translate: &d [mblib]\nterms: []\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"translations/glossary.yaml:1:19: anchors/aliases are not allowed"):
        Glossary.load(ws.root)
    path.write_text("terms: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match="nested more than 64 levels deep"):
        Glossary.load(ws.root)


def test_ordinary_translations_files_still_load(ws):
    from mblib.translate.store import TranslationFile, save_translations

    tf = TranslationFile(module="m", language="fr")
    tf.set("_module/title/0", "Hello", "Bonjour")
    save_translations(ws, tf)
    assert load_translations(ws, "m", "fr").segments["_module/title/0"].target == "Bonjour"
