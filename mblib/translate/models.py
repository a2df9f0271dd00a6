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
from .checkpoints import WEIGHT_PATTERNS, check_safetensors, hub_id, offline, resolve_model
from .engines import make_engine  # re-exported: make_engine lives beside the engines
from .errors import ModelNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace

HUB_HOST = "huggingface.co"


def parse_pair(pair: str) -> tuple[str, str]:
    parts = pair.split("-")
    if len(parts) != 2 or not all(parts):
        raise MblibError(f"'{pair}' is not a language pair", hint="write it as SOURCE-TARGET, e.g. en-fr")
    return parts[0], parts[1]


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when huggingface.co answers on port 443 within ``timeout`` seconds (and we are not offline)."""
    if offline():
        return False
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def pull_model(workspace: Workspace | None, pair: str, *, timeout: float = 3.0) -> Path:
    """Download ``Helsinki-NLP/opus-mt-SRC-TGT`` (safetensors, tokenizer, config) into the models folder.

    Gives up within seconds when the hub cannot be reached.
    """
    src, tgt = parse_pair(pair)
    repo = hub_id(src, tgt)
    root = workspace.root if workspace is not None else Path.cwd()
    models_dir = root / ".mblib/models"
    if workspace is not None:  # a download lands inside the workspace, wherever models_dir points
        from ..content.safewrite import workspace_path

        models_dir = workspace_path(
            root,
            workspace.settings.translation.models_dir,
            what=f"[translation] models_dir '{workspace.settings.translation.models_dir}'",
        )
    if offline():
        raise ModelNotFoundError(f"cannot pull {repo}: HF_HUB_OFFLINE is set", hint="unset HF_HUB_OFFLINE and retry")
    if not hub_reachable(timeout):
        raise ModelNotFoundError(
            f"cannot pull {repo}: {HUB_HOST} is not reachable (gave up after {timeout:g} s)",
            hint="connect to the internet and retry, or copy a checkpoint folder and name it in "
            f'mblib.toml: [translation.models] "{pair}" = "path"',
        )
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")
    from huggingface_hub import snapshot_download

    target = models_dir / repo.split("/")[-1]
    try:
        snapshot_download(repo, local_dir=str(target), allow_patterns=WEIGHT_PATTERNS)
    except Exception as e:
        raise ModelNotFoundError(f"could not download {repo}: {e}", hint="check the pair and your connection") from e
    return check_safetensors(target)


def list_models(workspace: Workspace | None) -> list[dict[str, Any]]:
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
                out.append(
                    {
                        "pair": repo.repo_id.removeprefix("Helsinki-NLP/opus-mt-"),
                        "where": "HF cache",
                        "path": str(repo.repo_path),
                    }
                )
    except Exception:  # no cache folder yet, or huggingface_hub missing
        pass
    ct2 = root / ".mblib" / "ct2"
    for p in sorted(ct2.iterdir()) if ct2.is_dir() else []:
        if (p / "model.bin").is_file():
            out.append({"pair": "?", "where": "CTranslate2 cache", "path": str(p)})
    return out


__all__ = [
    "ModelNotFoundError",
    "check_safetensors",
    "hub_id",
    "hub_reachable",
    "list_models",
    "make_engine",
    "offline",
    "parse_pair",
    "pull_model",
    "resolve_model",
]
