"""Finding a translation model's checkpoint folder on disk; never downloads (``mb models pull`` does,
in :mod:`mblib.translate.models`).

For a language pair ``SRC-TGT`` the model is, in this order:

1. ``[translation.models] "SRC-TGT" = "PATH-or-ID"`` in ``mblib.toml`` (a folder, relative to the workspace);
2. ``<models_dir>/opus-mt-SRC-TGT/`` (what ``mb models pull SRC-TGT`` writes; default ``.mblib/models``);
3. ``Helsinki-NLP/opus-mt-SRC-TGT`` in the Hugging Face cache.

Only safetensors weights are loaded.

>>> hub_id("en", "fr")
'Helsinki-NLP/opus-mt-en-fr'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ModelNotFoundError, TranslationError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace

WEIGHT_PATTERNS = ["*.json", "*.spm", "*.safetensors", "*.txt", "*.model"]


def hub_id(src: str, tgt: str) -> str:
    return f"Helsinki-NLP/opus-mt-{src}-{tgt}"


def check_safetensors(folder: Path) -> Path:
    """``folder`` when it holds a safetensors checkpoint; a clear error for pickles or nothing."""
    folder = Path(folder)
    if (folder / "model.safetensors").is_file() or list(folder.glob("model-*.safetensors")):
        return folder
    if list(folder.glob("*.bin")) or list(folder.glob("*.pt")) or list(folder.glob("*.pth")):
        raise TranslationError(
            f"{folder} holds only pickled weights (.bin/.pt); mblib loads safetensors only, "
            "because a pickle can run code when it is loaded",
            hint="convert it once where you trust the file: MarianMTModel.from_pretrained(PATH)"
            ".save_pretrained(PATH, safe_serialization=True), or pull a safetensors revision",
        )
    raise ModelNotFoundError(
        f"{folder} is not a Marian checkpoint (no model.safetensors)",
        hint="point [translation.models] in mblib.toml at a folder made by save_pretrained",
    )


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _from_cache(repo: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download
    except ModuleNotFoundError:
        return None
    try:
        path = Path(snapshot_download(repo, local_files_only=True, allow_patterns=WEIGHT_PATTERNS))
    except Exception:  # not cached (LocalEntryNotFoundError and friends)
        return None
    return path if (path / "config.json").is_file() else None


def resolve_model(workspace: Workspace | None, src: str, tgt: str, spec: str | Path | None = None) -> tuple[Path, str]:
    """``(checkpoint folder, model id)`` for a language pair; never downloads.

    Raises :class:`ModelNotFoundError` naming the model id and how to get it.
    """
    root = workspace.root if workspace is not None else Path.cwd()
    settings = workspace.settings.translation if workspace is not None else None
    pair = f"{src}-{tgt}"
    spec = spec or (settings.models.get(pair) if settings else None)
    repo = hub_id(src, tgt)
    if spec:
        folder = Path(spec) if Path(spec).is_absolute() else root / spec
        if folder.is_dir():
            return check_safetensors(folder), str(spec)
        if "/" in str(spec) and not Path(str(spec)).exists():
            repo = str(spec)  # a hub id
        else:
            raise ModelNotFoundError(
                f"model folder '{spec}' for {pair} does not exist (looked at {folder})",
                hint=f'fix [translation.models] "{pair}" in mblib.toml',
            )
    models_dir = root / (settings.models_dir if settings else ".mblib/models")
    local = models_dir / repo.split("/")[-1]
    if local.is_dir():
        return check_safetensors(local), repo
    cached = _from_cache(repo)
    if cached is not None:
        return check_safetensors(cached), repo
    raise ModelNotFoundError(
        f"no translation model for {pair}: '{repo}' is not in {models_dir} nor in the Hugging Face cache"
        + (" (HF_HUB_OFFLINE is set)" if offline() else ""),
        hint=f"either run `mb models pull {pair}` while online, or put a Marian checkpoint folder (safetensors) "
        f'on disk and name it in mblib.toml: [translation.models] "{pair}" = "path/to/opus-mt-{pair}"',
    )


__all__ = ["WEIGHT_PATTERNS", "check_safetensors", "hub_id", "offline", "resolve_model"]
