"""Finding translation models: a local folder, the workspace's models folder, or the Hugging Face cache.

For a language pair ``SRC-TGT`` the model is, in this order:

1. ``[translation.models] "SRC-TGT" = "PATH-or-ID"`` in ``mblib.toml`` (a folder, relative to the workspace);
2. ``<models_dir>/opus-mt-SRC-TGT/`` (what ``mb models pull SRC-TGT`` writes; default ``.mblib/models``);
3. ``Helsinki-NLP/opus-mt-SRC-TGT`` in the Hugging Face cache (never downloaded here).

Only safetensors weights are loaded. Offline with no model, the error names the
model id and the two ways to get it.

>>> hub_id("en", "fr")
'Helsinki-NLP/opus-mt-en-fr'
>>> parse_pair("en-fr")
('en', 'fr')
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MblibError
from .store import TranslationError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace
    from .engines import Engine

HUB_HOST = "huggingface.co"
WEIGHT_PATTERNS = ["*.json", "*.spm", "*.safetensors", "*.txt", "*.model"]


class ModelNotFoundError(TranslationError):
    """No model for a language pair is available locally."""


def hub_id(src: str, tgt: str) -> str:
    return f"Helsinki-NLP/opus-mt-{src}-{tgt}"


def parse_pair(pair: str) -> tuple[str, str]:
    parts = pair.split("-")
    if len(parts) != 2 or not all(parts):
        raise MblibError(f"'{pair}' is not a language pair", hint="write it as SOURCE-TARGET, e.g. en-fr")
    return parts[0], parts[1]


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
                 ".save_pretrained(PATH, safe_serialization=True), or pull a safetensors revision")
    raise ModelNotFoundError(f"{folder} is not a Marian checkpoint (no model.safetensors)",
                             hint="point [translation.models] in mblib.toml at a folder made by save_pretrained")


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


def resolve_model(workspace: "Workspace | None", src: str, tgt: str, spec: str | Path | None = None) -> tuple[Path, str]:
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
            raise ModelNotFoundError(f"model folder '{spec}' for {pair} does not exist (looked at {folder})",
                                     hint=f"fix [translation.models] \"{pair}\" in mblib.toml")
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
             f"on disk and name it in mblib.toml: [translation.models] \"{pair}\" = \"path/to/opus-mt-{pair}\"")


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when huggingface.co answers on port 443 within ``timeout`` seconds (and we are not offline)."""
    if offline():
        return False
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def pull_model(workspace: "Workspace | None", pair: str, *, timeout: float = 3.0) -> Path:
    """Download ``Helsinki-NLP/opus-mt-SRC-TGT`` (safetensors, tokenizer, config) into the models folder.

    Gives up within seconds when the hub cannot be reached.
    """
    src, tgt = parse_pair(pair)
    repo = hub_id(src, tgt)
    root = workspace.root if workspace is not None else Path.cwd()
    models_dir = root / ".mblib/models"
    if workspace is not None:  # a download lands inside the workspace, wherever models_dir points
        from ..content.safewrite import workspace_path

        models_dir = workspace_path(root, workspace.settings.translation.models_dir,
                                    what=f"[translation] models_dir '{workspace.settings.translation.models_dir}'")
    if offline():
        raise ModelNotFoundError(f"cannot pull {repo}: HF_HUB_OFFLINE is set", hint="unset HF_HUB_OFFLINE and retry")
    if not hub_reachable(timeout):
        raise ModelNotFoundError(f"cannot pull {repo}: {HUB_HOST} is not reachable (gave up after {timeout:g} s)",
                                 hint="connect to the internet and retry, or copy a checkpoint folder and name it in "
                                      f"mblib.toml: [translation.models] \"{pair}\" = \"path\"")
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")
    from huggingface_hub import snapshot_download

    target = models_dir / repo.split("/")[-1]
    try:
        snapshot_download(repo, local_dir=str(target), allow_patterns=WEIGHT_PATTERNS)
    except Exception as e:
        raise ModelNotFoundError(f"could not download {repo}: {e}", hint="check the pair and your connection") from e
    return check_safetensors(target)


def list_models(workspace: "Workspace | None") -> list[dict[str, Any]]:
    """Models found locally: the models folder, ``[translation.models]``, the Hugging Face cache, CTranslate2 cache."""
    root = workspace.root if workspace is not None else Path.cwd()
    out: list[dict[str, Any]] = []
    if workspace is not None:
        for pair, spec in workspace.settings.translation.models.items():
            out.append({"pair": pair, "where": "mblib.toml", "path": str(root / spec)})
    models_dir = root / (workspace.settings.translation.models_dir if workspace is not None else ".mblib/models")
    for p in sorted(models_dir.glob("opus-mt-*")) if models_dir.is_dir() else []:
        out.append({"pair": p.name.removeprefix("opus-mt-"), "where": "models folder", "path": str(p)})
    try:
        from huggingface_hub import scan_cache_dir

        for repo in scan_cache_dir().repos:
            if repo.repo_id.startswith("Helsinki-NLP/opus-mt-"):
                out.append({"pair": repo.repo_id.removeprefix("Helsinki-NLP/opus-mt-"), "where": "HF cache",
                            "path": str(repo.repo_path)})
    except Exception:  # no cache folder yet, or huggingface_hub missing
        pass
    ct2 = root / ".mblib" / "ct2"
    for p in sorted(ct2.iterdir()) if ct2.is_dir() else []:
        if (p / "model.bin").is_file():
            out.append({"pair": "?", "where": "CTranslate2 cache", "path": str(p)})
    return out


def make_engine(workspace: "Workspace | None", src: str, tgt: str, *, engine: str | None = None,
                spec: str | Path | None = None) -> "Engine":
    """The engine the settings ask for (``auto``: CTranslate2 when installed, else transformers)."""
    import importlib.util

    from .engines import CTranslate2Engine, MarianEngine

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
        return CTranslate2Engine(folder, workspace_path(root, ".mblib/ct2", what="the CTranslate2 cache"),
                                 model_id=model_id, beam_size=beam, batch_size=batch)
    if kind == "transformers":
        return MarianEngine(folder, model_id=model_id, beam_size=beam, batch_size=batch)
    raise MblibError(f"unknown engine '{kind}'", hint="use auto, ctranslate2 or transformers")


__all__ = ["ModelNotFoundError", "check_safetensors", "hub_id", "hub_reachable", "list_models", "make_engine",
           "offline", "parse_pair", "pull_model", "resolve_model"]
