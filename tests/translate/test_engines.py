"""Real translations through both engines with the tiny Marian model; model resolution and its errors."""

from __future__ import annotations

import pytest

from mblib.translate.apply import translate_module, translated_module
from mblib.translate.engines import CTranslate2Engine, convert_to_ct2
from mblib.translate.models import ModelNotFoundError, make_engine, resolve_model
from mblib.translate.store import TranslationError, load_translations

from .conftest import FRENCH
from .tiny_marian import corpus

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["transformers", "ctranslate2"])
def test_real_translation_end_to_end(mws, kind):
    engine = make_engine(mws, "en", "fr", engine=kind)
    assert type(engine).__name__ == {"transformers": "MarianEngine", "ctranslate2": "CTranslate2Engine"}[kind]
    r = translate_module(mws, "bar-basics", "fr", engine=engine)
    assert r.translated == r.segments == 23 and not r.flagged
    fr = translated_module(mws, mws.module("bar-basics"), "fr")
    assert fr.title == FRENCH["title"]
    assert fr.summary == FRENCH["summary"]
    assert fr.blocks[0].body == FRENCH["body"]
    assert fr.blocks[1].alt == FRENCH["alt"]
    assert fr.blocks[2].question == FRENCH["question"]
    assert [c.text for c in fr.blocks[2].choices] == FRENCH["choices"]
    assert [c.feedback for c in fr.blocks[2].choices] == FRENCH["feedback"]
    assert [i.text for i in fr.blocks[5].items] == FRENCH["checklist"]
    assert (fr.blocks[4].items[0].title, fr.blocks[4].items[0].body) == FRENCH["panel"]
    assert fr.blocks[6].caption == FRENCH["caption"] and fr.blocks[6].source == "plot(df)\n"
    tf = load_translations(mws, "bar-basics", "fr")
    e = tf.segments["intro/body/1"]
    assert (e.source, e.target, e.status) == (
        "Each bar stands for one value.",
        "Chaque barre représente une valeur.",
        "machine",
    )
    assert e.model == str(mws.settings.translation.models["en-fr"]) and len(e.source_hash) == 16


def test_ctranslate2_int8_reproduces_the_whole_training_corpus(tiny_marian, tmp_path):
    pairs = corpus()
    engine = CTranslate2Engine(tiny_marian, tmp_path, batch_size=5)
    assert engine.translate_batch([e for e, _ in pairs]) == [f for _, f in pairs]


def test_ct2_conversion_is_cached_and_not_overwritten(tiny_marian, tmp_path):
    first = convert_to_ct2(tiny_marian, tmp_path)
    assert first.parent == tmp_path and (first / "model.bin").is_file()
    stamp = (first / "model.bin").stat().st_mtime_ns
    assert convert_to_ct2(tiny_marian, tmp_path) == first
    assert (first / "model.bin").stat().st_mtime_ns == stamp
    assert convert_to_ct2(tiny_marian, tmp_path, force=True) == first
    assert (first / "model.bin").stat().st_mtime_ns != stamp


def test_default_engine_is_ctranslate2_and_caches_under_dot_mblib(mws):
    engine = make_engine(mws, "en", "fr")
    assert isinstance(engine, CTranslate2Engine)
    assert engine.ct2_dir.parent == mws.root / ".mblib" / "ct2"


def test_offline_without_model_names_the_model_and_both_fixes(tws, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelNotFoundError) as e:
        resolve_model(tws, "en", "fr")
    msg = str(e.value)
    assert "Helsinki-NLP/opus-mt-en-fr" in msg and "mb models pull en-fr" in msg
    assert '[translation.models] "en-fr"' in msg and "HF_HUB_OFFLINE" in msg
    with pytest.raises(ModelNotFoundError):
        translate_module(tws, "bar-basics", "fr")


def test_pickled_weights_are_refused(tws, tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(TranslationError, match="safetensors only") as e:
        resolve_model(tws, "en", "fr", spec=str(folder))
    assert "save_pretrained(PATH, safe_serialization=True)" in str(e.value)
