"""Translation engines behind one small interface: a batch of strings in, a batch out.

* :class:`MarianEngine` -- transformers ``MarianMTModel`` + ``MarianTokenizer`` with ``generate``.
* :class:`CTranslate2Engine` -- the same checkpoint converted once to CTranslate2 (int8 on CPU),
  cached under ``<workspace>/.mblib/ct2/<hash>/``; the default when ctranslate2 is installed.
* Any object with ``model_id`` and ``translate_batch`` works (tests plug a deterministic one).

>>> class Upper(Engine):
...     model_id = "upper"
...     def translate_batch(self, texts): return [t.upper() for t in texts]
>>> Upper().translate_batch(["a", "b"])
['A', 'B']
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MblibError, MissingDependencyError
from .checkpoints import check_safetensors, resolve_model
from .errors import TranslationError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace


class Engine:
    """Translate a batch of (already protected) strings; output has the same length and order."""

    model_id: str = "engine"
    batch_size: int = 16

    def translate_batch(self, texts: Sequence[str]) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        """Free what the engine holds (models, threads)."""


SPLIT_HINT = (
    "split the sentence into shorter ones in the module (a segment is one sentence), or translate "
    "this text by hand (mb xliff export, then import)"
)


class SegmentTooLongError(TranslationError):
    """An input has more tokens than the model has positions; ``index`` is its place in the batch."""

    def __init__(self, index: int, tokens: int, limit: int, model_id: str):
        self.index, self.tokens, self.limit, self.model_id = index, tokens, limit, model_id
        super().__init__(
            f"a segment is {tokens} tokens long, but the model {model_id} reads at most {limit}", hint=SPLIT_HINT
        )


def position_limit(model_dir: str | Path) -> int | None:
    """``max_position_embeddings`` of a checkpoint's ``config.json`` (None when it does not say)."""
    import json

    try:
        value = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8")).get("max_position_embeddings")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and value > 1 else None


def _check_lengths(lengths: Sequence[int], limit: int | None, model_id: str) -> None:
    """Refuse the first input longer than the model's positions (instead of an index error deep in torch)."""
    if limit is None:
        return
    for i, n in enumerate(lengths):
        if n > limit:
            raise SegmentTooLongError(i, n, limit, model_id)


def _generation_limit(requested: int, limit: int | None) -> int:
    """``requested`` new tokens, but never past the model's positions (the decoder start token takes one)."""
    return requested if limit is None else max(1, min(requested, limit - 1))


def _need(package: str, purpose: str) -> Any:
    import importlib

    try:
        return importlib.import_module(package)
    except ModuleNotFoundError:
        raise MissingDependencyError.for_extra(package, "translate", purpose) from None


def _by_length(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indexes of ``texts`` in batches of similar length (less padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def load_tokenizer(model_dir: str | Path) -> Any:
    """The ``MarianTokenizer`` of a checkpoint folder."""
    transformers = _need("transformers", "MarianMT translation")
    return transformers.MarianTokenizer.from_pretrained(str(model_dir))


class MarianEngine(Engine):
    """transformers MarianMT on the CPU (or ``device``), batches sorted by length, greedy or beam search.

    ``model_dir`` is a local checkpoint folder (see :func:`mblib.translate.checkpoints.resolve_model`);
    only ``model.safetensors`` is loaded, never a pickle.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        model_id: str | None = None,
        beam_size: int = 1,
        batch_size: int = 16,
        max_new_tokens: int = 256,
        min_new_tokens: int | None = None,
        device: str = "cpu",
    ):
        torch = _need("torch", "MarianMT translation")
        transformers = _need("transformers", "MarianMT translation")
        self.model_dir = check_safetensors(Path(model_dir))
        self.model_id = model_id or self.model_dir.name
        self.beam_size, self.batch_size = beam_size, batch_size
        self.max_new_tokens, self.min_new_tokens = max_new_tokens, min_new_tokens
        self.tokenizer = transformers.MarianTokenizer.from_pretrained(str(self.model_dir))
        self.model = transformers.MarianMTModel.from_pretrained(str(self.model_dir), use_safetensors=True)
        self.model.to(device).eval()
        self.device = device
        self._torch = torch
        #: Positions of the model: inputs longer than this are refused, outputs stop there.
        self.max_positions: int | None = getattr(self.model.config, "max_position_embeddings", None)
        self.max_new_tokens = _generation_limit(max_new_tokens, self.max_positions)
        if min_new_tokens is not None:
            self.min_new_tokens = min(min_new_tokens, self.max_new_tokens)

    def generate_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids the model generates for one batch (no sorting, no splitting).

        Raises :class:`SegmentTooLongError` for an input longer than the model's positions."""
        enc = self.tokenizer(list(texts), return_tensors="pt", padding=True)
        _check_lengths(enc["attention_mask"].sum(dim=1).tolist(), self.max_positions, self.model_id)
        kw: dict[str, Any] = {"num_beams": self.beam_size, "do_sample": False, "max_new_tokens": self.max_new_tokens}
        if self.min_new_tokens is not None:
            kw["min_new_tokens"] = self.min_new_tokens
        with self._torch.inference_mode():
            out = self.model.generate(**{k: v.to(self.device) for k, v in enc.items()}, **kw)
        return out.tolist()

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        result = [""] * len(texts)
        for idx in _by_length(texts, self.batch_size):
            try:
                ids = self.generate_ids([texts[i] for i in idx])
            except SegmentTooLongError as e:
                raise SegmentTooLongError(idx[e.index], e.tokens, e.limit, e.model_id) from None
            for i, out in zip(idx, self.tokenizer.batch_decode(ids, skip_special_tokens=True)):
                result[i] = out
        return result

    def close(self) -> None:
        self.model = None


def checkpoint_hash(model_dir: Path, quantization: str) -> str:
    """Identity of a checkpoint (config, weights, vocabulary) plus the quantization."""
    h = hashlib.sha256(quantization.encode())
    for name in sorted(os.listdir(model_dir)):
        p = model_dir / name
        if p.is_file() and name.endswith((".json", ".safetensors", ".spm", ".model")):
            st = p.stat()
            h.update(f"{name}:{st.st_size}".encode())
            with open(p, "rb") as fh:
                h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


def convert_to_ct2(
    model_dir: str | Path, cache_root: str | Path, *, quantization: str = "int8", force: bool = False
) -> Path:
    """Convert a Marian checkpoint with ctranslate2's converter once; later calls reuse the cache.

    The output is ``cache_root/<hash>/``; an existing conversion is never overwritten unless ``force``.
    """
    _need("ctranslate2", "CTranslate2 translation")
    src = check_safetensors(Path(model_dir))
    out = Path(cache_root) / checkpoint_hash(src, quantization)
    if (out / "model.bin").is_file() and not force:
        return out
    import shutil
    import tempfile

    from ctranslate2.converters import TransformersConverter

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ct2-", dir=out.parent))
    try:
        TransformersConverter(str(src)).convert(str(tmp / "model"), quantization=quantization, force=True)
        if out.exists():
            if not force:  # someone else converted it meanwhile
                return out
            shutil.rmtree(out)
        os.replace(tmp / "model", out)
    except Exception as e:
        raise TranslationError(
            f"could not convert {src} to CTranslate2: {e}",
            hint="check that the folder holds "
            "a complete Marian checkpoint (config.json, model.safetensors, source.spm, "
            "target.spm, vocab.json)",
        ) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


class CTranslate2Engine(Engine):
    """CTranslate2 (int8 on CPU): tokenize with the Marian tokenizer, ``translate_batch``, detokenize.

    Does not set ``CT2_USE_MKL`` (forcing MKL is many times slower on AMD CPUs).
    """

    def __init__(
        self,
        model_dir: str | Path,
        cache_root: str | Path,
        *,
        model_id: str | None = None,
        quantization: str = "int8",
        beam_size: int = 1,
        batch_size: int = 32,
        max_new_tokens: int = 256,
        min_new_tokens: int = 0,
        device: str = "cpu",
        intra_threads: int = 0,
        force: bool = False,
    ):
        ct2 = _need("ctranslate2", "CTranslate2 translation")
        self.model_dir = Path(model_dir)
        self.model_id = model_id or self.model_dir.name
        self.ct2_dir = convert_to_ct2(self.model_dir, cache_root, quantization=quantization, force=force)
        self.tokenizer = load_tokenizer(self.model_dir)
        self.translator = ct2.Translator(
            str(self.ct2_dir), device=device, compute_type=quantization, intra_threads=intra_threads
        )
        self.beam_size, self.batch_size = beam_size, batch_size
        self.max_positions = position_limit(self.model_dir)
        self.max_new_tokens = _generation_limit(max_new_tokens, self.max_positions)
        self.min_new_tokens = min(min_new_tokens, self.max_new_tokens)

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Source tokens (Marian pieces plus ``</s>``) as CTranslate2 expects them."""
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in self.tokenizer(list(texts))["input_ids"]]

    def translate_tokens(self, tokens: list[list[str]]) -> list[list[str]]:
        """Raw CTranslate2 on token batches (sorted by length into ``batch_size`` batches by ctranslate2)."""
        results = self.translator.translate_batch(
            tokens,
            beam_size=self.beam_size,
            max_batch_size=self.batch_size,
            batch_type="examples",
            max_decoding_length=self.max_new_tokens,
            min_decoding_length=self.min_new_tokens,
        )
        return [r.hypotheses[0] for r in results]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        tokens = self.tokenize(texts)
        _check_lengths([len(t) for t in tokens], self.max_positions, self.model_id)
        out = self.translate_tokens(tokens)
        return [self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(t), skip_special_tokens=True) for t in out]

    def close(self) -> None:
        self.translator = None


def make_engine(
    workspace: Workspace | None, src: str, tgt: str, *, engine: str | None = None, spec: str | Path | None = None
) -> Engine:
    """The engine the settings ask for (``auto``: CTranslate2 when installed, else transformers), on the
    checkpoint :func:`~mblib.translate.checkpoints.resolve_model` finds (never downloads)."""
    import importlib.util

    folder, model_id = resolve_model(workspace, src, tgt, spec)
    s = workspace.settings.translation if workspace is not None else None
    kind = engine or (s.engine if s else "auto")
    beam = s.beam_size if s else 1
    batch = s.batch_size if s else 16
    if kind == "auto":
        kind = "ctranslate2" if importlib.util.find_spec("ctranslate2") else "transformers"
    if kind == "ctranslate2":
        from ..content.safewrite import workspace_path

        root = workspace.root if workspace is not None else Path.cwd()
        return CTranslate2Engine(
            folder,
            workspace_path(root, ".mblib/ct2", what="the CTranslate2 cache"),
            model_id=model_id,
            beam_size=beam,
            batch_size=batch,
        )
    if kind == "transformers":
        return MarianEngine(folder, model_id=model_id, beam_size=beam, batch_size=batch)
    raise MblibError(f"unknown engine '{kind}'", hint="use auto, ctranslate2 or transformers")


__all__ = [
    "CTranslate2Engine",
    "Engine",
    "MarianEngine",
    "SegmentTooLongError",
    "checkpoint_hash",
    "convert_to_ct2",
    "load_tokenizer",
    "make_engine",
    "position_limit",
]
