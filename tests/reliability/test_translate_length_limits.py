"""Issue 11 (part), item 5: a model's max_position_embeddings bounds both input and output.

With an untrained checkpoint of 32 positions (built offline in seconds, see tiny_marian.build_short),
generating past 32 tokens or feeding a longer sentence used to end in an IndexError from torch
(CTranslate2: a RuntimeError). Now generation stops at the model's limit, and an over-long segment
is a TranslationError naming the module, block and field, and the fix.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mblib.cli import main
from mblib.content import Module, Workspace
from mblib.translate.apply import translate_module
from mblib.translate.engines import CTranslate2Engine, MarianEngine, SegmentTooLongError, position_limit
from mblib.translate.store import TranslationError, load_translations
from tests.translate.tiny_marian import short_model

LIMIT = 32
LONG = (
    "Compare the lengths of the bars and not the numbers, because each bar stands for one value "
    "and the axis must start at zero so that the lengths can be compared at a glance."
)


@pytest.fixture(scope="module")
def short():
    return short_model(LIMIT)


@pytest.fixture
def short_ws(tmp_path, short):
    ws = Workspace.create(tmp_path / "ws", title="Limits", target_languages=["fr"])
    ws.add_module(
        Module.model_validate(
            {
                "id": "long-one",
                "title": "Bars",
                "blocks": [{"id": "intro", "type": "text", "body": "Bars are short. " + LONG + "\n"}],
            }
        )
    )
    toml = ws.root / "mblib.toml"
    toml.write_text(
        toml.read_text() + f'\n[translation]\nengine = "transformers"\n[translation.models]\n"en-fr" = "{short}"\n'
    )
    return Workspace.open(ws.root)


def test_checkpoint_really_has_few_positions(short):
    assert position_limit(short) == LIMIT


def test_generation_is_clamped_to_the_models_positions(short):
    engine = MarianEngine(short, max_new_tokens=256, min_new_tokens=200)  # asks for far more than 32
    assert engine.max_new_tokens < LIMIT and engine.min_new_tokens == engine.max_new_tokens
    [ids] = engine.generate_ids(["Compare the bars."])
    assert len(ids) <= LIMIT
    assert isinstance(engine.translate_batch(["Compare the bars."])[0], str)


def test_over_long_input_is_refused_with_its_place_in_the_batch(short):
    engine = MarianEngine(short, batch_size=2)
    texts = ["Compare the bars.", LONG, "Each bar stands for one value."]
    with pytest.raises(SegmentTooLongError) as err:
        engine.translate_batch(texts)
    assert err.value.index == 1 and err.value.limit == LIMIT and err.value.tokens > LIMIT
    assert f"reads at most {LIMIT}" in str(err.value) and "split the sentence" in str(err.value)


def test_ctranslate2_engine_has_the_same_limits(short, tmp_path):
    engine = CTranslate2Engine(short, tmp_path, max_new_tokens=256, min_new_tokens=200)
    assert engine.max_new_tokens < LIMIT
    assert isinstance(engine.translate_batch(["Compare the bars."])[0], str)
    with pytest.raises(SegmentTooLongError) as err:
        engine.translate_batch(["Compare the bars.", LONG])
    assert err.value.index == 1


def test_translate_module_names_module_block_field_and_fix(short_ws):
    with pytest.raises(TranslationError) as err:
        translate_module(short_ws, "long-one", "fr")
    msg = str(err.value)
    assert msg.startswith(
        "modules/long-one.yaml: block 'intro', field 'body': segment 'intro/body/1' is too long to translate:"
    )
    assert f"but the model {short_model(LIMIT)} reads at most {LIMIT}" in msg
    assert "fix: split the sentence into shorter ones in the module" in msg
    assert load_translations(short_ws, "long-one", "fr").segments == {}  # nothing half-made was kept


def test_cli_translate_gives_the_message_not_a_traceback(short_ws):
    r = CliRunner().invoke(main, ["translate", "long-one", "--to", "fr", "-w", str(short_ws.root)])
    assert r.exit_code == 2, r.output
    assert "segment 'intro/body/1' is too long to translate" in r.output
    assert "Traceback" not in r.output and "IndexError" not in r.output
