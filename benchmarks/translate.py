"""Translation throughput: segments per second, each figure against its peer in the same run.

Model: a full-size, random-weight Marian with the opus-mt-en-de architecture (6+6 layers,
d_model 512, 8 heads, FFN 2048, vocabulary 58,101), saved as safetensors. Its tokenizer is a
sentencepiece model trained on the sample workspace's text; that text cannot fill 58,101 pieces,
so vocab.json maps the real pieces to the first ids, pads the rest with ``<unused_N>`` entries and
puts ``<pad>`` last (id 58,100), exactly where opus-mt puts it. Random weights never emit ``</s>``
early, so every segment decodes exactly ``--tokens`` new tokens (min = max), which makes the runs
comparable.

Workload: a module of 200 segments (sentences, titles, choices of the sample workspace).

    (a) naive loop: transformers ``generate`` once per segment (measured on ``--naive`` segments)
    (b) MarianEngine: batches sorted by length
    (c) CTranslate2Engine: int8, through mblib (tokenize, translate, detokenize)
    (d) raw ctranslate2 ``translate_batch`` on the same token batches
    (e) warm re-run of ``translate_module`` served from the translation memory

Targets: (b) >= 8x (a); (c) within 10% of (d); (e) >= 100x faster than (c).

    .venv/bin/python benchmarks/translate.py [--tokens 24] [--naive 40] [--batch 16]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VOCAB = 58101


def build_model(folder: Path) -> Path:
    if (folder / "model.safetensors").is_file():
        return folder
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    from mblib.content import Workspace
    from mblib.translate.segments import module_segments

    ws = Workspace.open(REPO / "datasets" / "sample-workspace")
    text = [s.source for m in ws.modules.values() for s in module_segments(m)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.txt").write_text("\n".join(text), encoding="utf-8")
    for name in ("source", "target"):
        spm.SentencePieceTrainer.train(
            input=str(folder / "train.txt"),
            model_prefix=str(folder / name),
            vocab_size=2000,
            hard_vocab_limit=False,
            character_coverage=1.0,
            unk_id=1,
            bos_id=-1,
            eos_id=0,
            pad_id=-1,
            unk_piece="<unk>",
            eos_piece="</s>",
            minloglevel=2,
        )
        (folder / f"{name}.model").rename(folder / f"{name}.spm")
    sp = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    pieces = ["</s>", "<unk>"] + [
        sp.id_to_piece(i) for i in range(sp.get_piece_size()) if sp.id_to_piece(i) not in ("</s>", "<unk>")
    ]
    pieces += [f"<unused_{i}>" for i in range(VOCAB - 1 - len(pieces))] + ["<pad>"]
    (folder / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(pieces)}), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"source_lang": "en", "target_lang": "de", "separate_vocabs": False})
    )
    cfg = MarianConfig(
        vocab_size=VOCAB,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_position_embeddings=512,
        pad_token_id=VOCAB - 1,
        eos_token_id=0,
        decoder_start_token_id=VOCAB - 1,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    model = MarianMTModel(cfg)
    with torch.no_grad():
        model.model.shared.weight[VOCAB - 1].zero_()
    model.generation_config.bad_words_ids = [[VOCAB - 1]]
    model.save_pretrained(str(folder), safe_serialization=True)
    return folder


def workload(n: int = 200) -> list[str]:
    from mblib.content import Workspace
    from mblib.translate.segments import module_segments

    ws = Workspace.open(REPO / "datasets" / "sample-workspace")
    out: list[str] = []
    for m in ws.modules.values():
        out += [s.source for s in module_segments(m) if len(s.source) > 3]
    return list(dict.fromkeys(out))[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=24, help="new tokens per segment (min = max)")
    ap.add_argument("--naive", type=int, default=40, help="segments timed for the naive loop")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "mblib-bench-opus-mt-en-de-random")
    args = ap.parse_args()

    import ctranslate2
    import torch

    from mblib.content import Module, Workspace
    from mblib.translate.apply import translate_module
    from mblib.translate.engines import CTranslate2Engine, MarianEngine
    from mblib.translate.protect import protect
    from mblib.translate.store import translation_path

    t = time.perf_counter()
    folder = build_model(args.cache)
    print(f"model ready in {time.perf_counter() - t:.1f} s: {folder}")
    segs = workload()
    texts = [protect(s).text for s in segs]
    n, tok = len(texts), args.tokens
    print(
        f"{n} segments, {tok} new tokens each, batch {args.batch}, torch threads {torch.get_num_threads()}, "
        f"ctranslate2 {ctranslate2.__version__}"
    )

    marian = MarianEngine(folder, batch_size=args.batch, max_new_tokens=tok, min_new_tokens=tok)
    marian.translate_batch(texts[:2])  # warm up
    t = time.perf_counter()
    for s in texts[: args.naive]:
        marian.generate_ids([s])
    naive = args.naive / (time.perf_counter() - t)
    t = time.perf_counter()
    marian.translate_batch(texts)
    batched = n / (time.perf_counter() - t)
    marian.close()

    ct2_cache = args.cache.parent / (args.cache.name + "-ct2")
    t = time.perf_counter()
    ct2 = CTranslate2Engine(folder, ct2_cache, batch_size=args.batch, max_new_tokens=tok, min_new_tokens=tok)
    print(f"CTranslate2 int8 ready in {time.perf_counter() - t:.1f} s (cached after the first run)")
    ct2.translate_batch(texts[:2])
    t = time.perf_counter()
    ct2.translate_batch(texts)
    engine_ct2 = n / (time.perf_counter() - t)
    tokens = ct2.tokenize(texts)
    t = time.perf_counter()
    ct2.translator.translate_batch(
        tokens,
        beam_size=1,
        max_batch_size=args.batch,
        batch_type="examples",
        max_decoding_length=tok,
        min_decoding_length=tok,
    )
    raw_ct2 = n / (time.perf_counter() - t)

    root = Path(tempfile.mkdtemp()) / "ws"
    ws = Workspace.create(root, target_languages=["de"])
    ws.add_module(
        Module(
            id="bench",
            title="Bench",
            blocks=[
                {"id": "b", "type": "checklist", "items": [{"id": f"i{i}", "text": s} for i, s in enumerate(segs[1:])]}
            ],
        )
    )
    ws = Workspace.open(root)
    ws.module("bench").title = segs[0]
    translate_module(ws, "bench", "de", engine=ct2)  # cold: fills the memory
    translation_path(root, "de", "bench").unlink()
    t = time.perf_counter()
    r = translate_module(ws, "bench", "de", engine=ct2)
    warm = n / (time.perf_counter() - t)
    assert r.translated == 0 and r.from_memory == r.segments, r
    shutil.rmtree(root.parent, ignore_errors=True)

    print(f"(a) naive transformers loop     {naive:9.1f} seg/s")
    print(f"(b) MarianEngine (batched)      {batched:9.1f} seg/s   {batched / naive:6.1f}x (a)   target >= 8x")
    print(f"(c) CTranslate2Engine int8      {engine_ct2:9.1f} seg/s   {engine_ct2 / naive:6.1f}x (a)")
    print(
        f"(d) raw ctranslate2, same batch {raw_ct2:9.1f} seg/s   (c) is {100 * engine_ct2 / raw_ct2:5.1f}% of (d)"
        "   target >= 90%"
    )
    print(f"(e) warm re-run from memory     {warm:9.1f} seg/s   {warm / engine_ct2:6.0f}x (c)   target >= 100x")


if __name__ == "__main__":
    main()
