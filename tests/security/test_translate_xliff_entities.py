"""XLIFF comes back from translators and agencies: its XML must not reach files or memory it names.

An external entity (``<!ENTITY x SYSTEM "file:///...">``) must not pull a local file into the
translations, and nested entity expansion ("billion laughs") must be refused with a message, not
expanded.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from mblib.content import Workspace
from mblib.translate.errors import TranslationError
from mblib.translate.store import load_translations
from mblib.translate.xliff import export_xliff, import_xliff
from tests.conftest import SAMPLE

MODULE = "reading-bar-charts"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".mblib"))
    return Workspace.open(root)


def with_doctype(ws: Workspace, tmp_path: Path, doctype: str, entity_ref: str) -> Path:
    data = export_xliff(ws, [MODULE], "fr").decode("utf-8")
    head, rest = data.split("?>", 1)
    first_source = rest.index("<source>") + len("<source>")
    rest = rest[:first_source] + entity_ref + rest[first_source:]
    # every unit gets a target so the import writes something we can inspect
    rest = rest.replace("</source>", "</source><target>" + entity_ref + " cible</target>")
    path = tmp_path / "hostile.xlf"
    path.write_text(head + "?>\n" + doctype + rest, encoding="utf-8")
    return path


def test_an_external_entity_does_not_read_a_local_file(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    doctype = f'<!DOCTYPE xliff [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
    path = with_doctype(ws, tmp_path, doctype, "&leak;")
    with pytest.raises(TranslationError) as err:  # expat never fetches it: the entity is undefined
        import_xliff(ws, path)
    assert "cannot read XLIFF" in err.value.message and "undefined entity" in err.value.message
    assert str(path) in str(err.value)
    stored = [p.read_text(encoding="utf-8") for p in (ws.root / "translations").rglob("*.yaml")]
    assert not any("TOP-SECRET-VALUE" in text for text in stored)
    tf = load_translations(ws, MODULE, "fr")
    assert all("TOP-SECRET-VALUE" not in (e.target or "") for e in tf.segments.values())


def test_nested_entity_expansion_is_refused_quickly(ws: Workspace, tmp_path: Path) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE xliff [" + "".join(levels) + "]>\n"
    path = with_doctype(ws, tmp_path, doctype, "&l9;")
    t = time.perf_counter()
    with pytest.raises(TranslationError) as err:
        import_xliff(ws, path)
    assert time.perf_counter() - t < 5
    assert "cannot read XLIFF" in err.value.message
    assert str(path) in str(err.value)
    assert "mb xliff export" in (err.value.hint or "")
    assert not list((ws.root / "translations").rglob("*.yaml"))
