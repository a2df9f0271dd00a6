"""XLIFF 2.1 and 1.2: schema-valid, readable by translate-toolkit, lossless round trip; the CLI faces; the demo."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.translate.apply import translate_module
from mblib.translate.store import load_translations
from mblib.translate.xliff import export_xliff, import_xliff
from tests.conftest import REPO, SCHEMAS

from .engines_for_tests import ShoutEngine

# ../shared/schemas beside the repository (a worktree under wt/ finds it one level further up)
_ROOT = next((p for p in (SCHEMAS, REPO.parent.parent / "shared" / "schemas") if (p / "xliff").is_dir()), SCHEMAS)
XSD = {
    "2.1": _ROOT / "xliff" / "2.1" / "xliff_core_2.0.xsd",
    "1.2": _ROOT / "xliff" / "1.2" / "xliff-core-1.2-strict.xsd",
}


@pytest.fixture(scope="module")
def schemas():
    if not XSD["2.1"].is_file():
        pytest.skip(f"XLIFF schemas not found at {_ROOT / 'xliff'} (see ../shared/schemas/PROVENANCE.md)")
    import xmlschema

    return {v: xmlschema.XMLSchema10(str(p), allow="local") for v, p in XSD.items()}


@pytest.mark.parametrize("version", ["2.1", "1.2"])
def test_xliff_is_valid_readable_and_round_trips_as_reviewed(tws, schemas, tmp_path, version):
    translate_module(tws, "bar-basics", "fr", engine=ShoutEngine())
    data = export_xliff(tws, ["bar-basics"], "fr", version=version)
    schemas[version].validate(data.decode("utf-8"))
    if version == "2.1":
        from translate.storage.xliff2 import Xliff2File as Store
    else:
        from translate.storage.xliff import xlifffile as Store
    store = Store.parsestring(data)
    units = [u for u in store.units if u.source]
    assert len(units) == 23
    ids = [u.getid() for u in units]
    assert len(set(ids)) == len(ids)
    by_source = {u.source: u for u in units}
    assert (
        by_source["Run `plot(df)` to draw the chart for {region}."].target
        == "RUN `plot(df)` TO DRAW THE CHART FOR {region}."
    )
    # a translator edits one target in the toolkit; the file goes back into the workspace
    by_source["Compare the lengths, not the numbers."].target = "Comparez les longueurs, pas les nombres."
    path = tmp_path / f"fr-{version}.xlf"
    path.write_bytes(bytes(store))
    assert import_xliff(tws, path) == {"bar-basics": 23}
    tf = load_translations(tws, "bar-basics", "fr")
    assert {e.status for e in tf.segments.values()} == {"reviewed"}
    assert tf.segments["intro/body/2"].target == "Comparez les longueurs, pas les nombres."
    # nothing lost: exporting again gives the same units, now reviewed
    again = export_xliff(tws, ["bar-basics"], "fr", version=version).decode()
    assert again.count("Comparez les longueurs, pas les nombres.") == 1
    assert again.count("<source>") == 23 and "RUN `plot(df)` TO DRAW THE CHART FOR {region}." in again
    assert ('state="reviewed"' in again) if version == "2.1" else ('approved="yes"' in again)


def test_xliff_import_rejects_foreign_files_with_a_clear_message(tws, tmp_path):
    from mblib.translate.store import TranslationError

    bad = tmp_path / "bad.xlf"
    bad.write_text("<root/>")
    with pytest.raises(TranslationError, match="not XLIFF 2.x or 1.2"):
        import_xliff(tws, bad)
    data = export_xliff(tws, ["bar-basics"], "fr").decode().replace('name="intro/body/0"', 'name="gone/body/0"')
    data = data.replace(
        "<source>What a bar stands for</source>", "<source>What a bar stands for</source><target>X</target>"
    )
    bad.write_text(data)
    with pytest.raises(TranslationError, match="unit 'gone/body/0' is not a segment of module 'bar-basics'"):
        import_xliff(tws, bad)


def _run(*args):
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return r


@pytest.mark.slow
def test_cli_translate_lint_render_xliff_and_models(mws, tmp_path):
    ws = str(mws.root)
    r = _run("translate", "bar-basics", "--to", "fr", "-w", ws)
    assert r.exit_code == 0, r.output
    assert "bar-basics -> fr: 23 segments, 23 translated" in r.output
    assert "Lire un diagramme en barres" in (mws.root / "translations" / "fr" / "bar-basics.yaml").read_text()
    r = _run("translate", "bar-basics", "--to", "fr", "-w", ws)
    assert "0 translated" in r.output and "23 kept" in r.output
    out = tmp_path / "x.xlf"
    assert _run("xliff", "export", "bar-basics", "--to", "fr", "-o", out, "-w", ws).exit_code == 0
    r = _run("xliff", "import", out, "-w", ws)
    assert "bar-basics: 23 reviewed segment(s) imported" in r.output
    r = _run("render", "bar-basics", "--lang", "fr", "-o", tmp_path / "pages", "-w", ws)
    assert r.exit_code == 0, r.output
    html = (tmp_path / "pages" / "fr" / "bar-basics.html").read_text()
    assert '<html lang="fr">' in html and "Chaque barre représente une valeur." in html
    r = _run("models", "list", "-w", ws)
    assert "en-fr" in r.output and "mblib.toml" in r.output and "CTranslate2 cache" in r.output
    text = (mws.root / "modules" / "bar-basics.yaml").read_text().replace("Right.", "Right!")
    (mws.root / "modules" / "bar-basics.yaml").write_text(text)
    r = _run("lint", "-w", ws)
    assert (
        "warning[translation.stale] translations/fr/bar-basics.yaml: block 'q', field 'choices.zero.feedback'"
        in r.output
    )


def test_cli_errors_are_friendly(tws, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    r = _run("translate", "bar-basics", "--to", "fr", "-w", tws.root)
    assert r.exit_code == 2 and "mb models pull en-fr" in r.output and "Traceback" not in r.output
    r = _run("models", "pull", "en-fr", "-w", tws.root)
    assert r.exit_code == 2 and "HF_HUB_OFFLINE is set" in r.output
    r = _run("models", "pull", "english", "-w", tws.root)
    assert "'english' is not a language pair" in r.output


def test_demo_step_skips_clearly_without_a_model(sample_ws, tmp_path, monkeypatch):
    from mblib.translate.demo import run_demo

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    lines: list[str] = []
    assert run_demo(sample_ws, tmp_path, echo=lines.append) is False
    text = "\n".join(lines)
    assert "translation: skipped" in text and "mb models pull en-fr" in text and "[translation.models]" in text


@pytest.mark.slow
def test_demo_step_translates_when_the_model_is_there(mws, tmp_path):
    from mblib.translate.demo import run_demo

    lines: list[str] = []
    assert run_demo(mws, tmp_path, echo=lines.append) is True
    assert re.search(r"translation: 1 modules into fr: 23 segments", "\n".join(lines))
    html = (tmp_path / "ws" / "pages" / "fr" / "bar-basics.html").read_text()
    assert "Lire un diagramme en barres" in html
    assert not (mws.root / "translations" / "fr").exists()  # the workspace itself is untouched
