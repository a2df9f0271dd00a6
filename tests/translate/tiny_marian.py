"""Build a tiny Marian en-fr checkpoint offline, for tests (no download).

Sentencepiece models are trained on the shipped parallel corpus
(``data/corpus.en-fr.tsv``: source strings as the engine sees them, with
``<n>`` markup tokens), a joint ``vocab.json`` is written as MarianTokenizer
expects, and a small ``MarianMTModel`` (d_model 64, 2+2 layers) is trained with
AdamW until greedy decoding reproduces every training pair. The result is
cached under the system temp dir, keyed by a hash of the corpus and this file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "data" / "corpus.en-fr.tsv"


def corpus() -> list[tuple[str, str]]:
    pairs = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            en, fr = line.split("\t")
            pairs.append((en, fr))
    return pairs


def cache_dir() -> Path:
    h = hashlib.sha256(CORPUS.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"mblib-tiny-marian-{h}"


def _spm(texts: list[str], prefix: Path, vocab: int) -> None:
    import sentencepiece as spm

    txt = prefix.with_suffix(".txt")
    txt.write_text("\n".join(texts) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(txt),
        model_prefix=str(prefix),
        vocab_size=vocab,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=1,
        bos_id=-1,
        eos_id=0,
        pad_id=-1,
        unk_piece="<unk>",
        eos_piece="</s>",
        minloglevel=2,
        num_threads=1,
    )


def _tokenizer(pairs: list[tuple[str, str]], work: Path, max_positions: int) -> tuple[Path, int]:
    """Sentencepiece models, a joint vocab.json and tokenizer_config.json in ``work/model``;
    returns that folder and the vocabulary size (the last id is ``<pad>``)."""
    import sentencepiece as spm

    _spm([e for e, _ in pairs], work / "source", 160)
    _spm([f for _, f in pairs], work / "target", 180)
    pieces: list[str] = ["</s>", "<unk>"]
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(work / f"{name}.model"))
        for i in range(sp.get_piece_size()):
            p = sp.id_to_piece(i)
            if p not in pieces:
                pieces.append(p)
    pieces.append("<pad>")
    tmp = work / "model"
    tmp.mkdir()
    shutil.copy(work / "source.model", tmp / "source.spm")
    shutil.copy(work / "target.model", tmp / "target.spm")
    (tmp / "vocab.json").write_text(
        json.dumps({p: i for i, p in enumerate(pieces)}, ensure_ascii=False), encoding="utf-8"
    )
    (tmp / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "source_lang": "en",
                "target_lang": "fr",
                "model_max_length": max_positions,
                "separate_vocabs": False,
                "tokenizer_class": "MarianTokenizer",
            }
        ),
        encoding="utf-8",
    )
    return tmp, len(pieces)


def _config(vocab: int, max_positions: int):  # type: ignore[no-untyped-def]
    from transformers import MarianConfig

    pad = vocab - 1
    return MarianConfig(
        vocab_size=vocab,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=max_positions,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        tie_word_embeddings=True,
    )


def _publish(tmp: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
    shutil.copytree(tmp, staging / "m")
    if not out.exists():
        os.replace(staging / "m", out)
    shutil.rmtree(staging, ignore_errors=True)
    return out


def build(out: Path, *, steps: int = 800, seed: int = 0) -> Path:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    pairs = corpus()
    work = Path(tempfile.mkdtemp(prefix="tiny-marian-"))
    try:
        tmp, vocab = _tokenizer(pairs, work, 128)
        tok = MarianTokenizer.from_pretrained(str(tmp))
        pad = vocab - 1
        cfg = _config(vocab, 128)
        torch.manual_seed(seed)
        model = MarianMTModel(cfg)
        with torch.no_grad():  # Marian starts decoding from a zero embedding (CTranslate2 relies on it)
            model.model.shared.weight[pad].zero_()
        batch = tok([e for e, _ in pairs], text_target=[f for _, f in pairs], return_tensors="pt", padding=True)
        labels = batch["labels"].masked_fill(batch["labels"] == pad, -100)
        opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.0)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # a tiny model: more threads only spin
        model.train()
        for step in range(steps):
            loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():  # tied output weights would train the pad row: keep it zero
                model.model.shared.weight[pad].zero_()
            if step % 25 == 24 and loss.item() < 0.05 and _exact(model, tok, pairs):
                break
        torch.set_num_threads(threads)
        model.eval()
        if not _exact(model, tok, pairs):
            raise RuntimeError(f"the tiny model did not learn its corpus (loss {loss.item():.4f})")
        model.generation_config.max_length = 64
        model.generation_config.num_beams = 1
        model.generation_config.bad_words_ids = [[pad]]
        model.save_pretrained(str(tmp), safe_serialization=True)
        return _publish(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_short(out: Path, *, max_positions: int = 32, seed: int = 0) -> Path:
    """An *untrained* checkpoint with the same tokenizer and only ``max_positions`` positions: enough to
    test length limits (seconds to build; its translations are noise)."""
    import torch
    from transformers import MarianMTModel

    work = Path(tempfile.mkdtemp(prefix="short-marian-"))
    try:
        tmp, vocab = _tokenizer(corpus(), work, max_positions)
        torch.manual_seed(seed)
        model = MarianMTModel(_config(vocab, max_positions))
        with torch.no_grad():
            model.model.shared.weight[vocab - 1].zero_()
        model.generation_config.bad_words_ids = [[vocab - 1]]
        model.save_pretrained(str(tmp), safe_serialization=True)
        return _publish(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _exact(model, tok, pairs) -> bool:
    import torch

    model.eval()
    with torch.inference_mode():
        enc = tok([e for e, _ in pairs], return_tensors="pt", padding=True)
        out = model.generate(**enc, num_beams=1, do_sample=False, max_new_tokens=64)
    model.train()
    return tok.batch_decode(out, skip_special_tokens=True) == [f for _, f in pairs]


def short_model(max_positions: int = 32) -> Path:
    """The cached untrained checkpoint with ``max_positions`` positions (see :func:`build_short`)."""
    out = cache_dir().with_name(cache_dir().name.replace("tiny-marian", f"short{max_positions}-marian"))
    if not (out / "model.safetensors").is_file():
        build_short(out, max_positions=max_positions)
    return out


def tiny_model() -> Path:
    """The cached checkpoint folder (built on first use, ~a minute on 2 cores)."""
    out = cache_dir()
    if not (out / "model.safetensors").is_file():
        build(out)
    return out


if __name__ == "__main__":  # pragma: no cover
    import time

    t = time.perf_counter()
    print(tiny_model(), f"{time.perf_counter() - t:.1f} s")
