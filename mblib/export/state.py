"""Content hashes and the cache of executed lessons, so unchanged modules are not exported again.

A module's *export hash* covers its YAML file, the media it uses, the
workspace settings and the renderer (templates, static files, code). Executed
modules (code block outputs filled in) are cached under
``<workspace>/.mblib/export/modules/<module-id>.json`` together with that
hash; ``<workspace>/.mblib/export-state.json`` records, per export target,
which hash each written page came from. Modules whose code must run are
executed in parallel worker processes.

>>> from mblib.content import Module
>>> a = module_hash(Module(id="m", title="A"), None)
>>> a == module_hash(Module(id="m", title="A"), None) != module_hash(Module(id="m", title="B"), None)
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.yamlio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.workspace import Workspace

STATE_FILE = "export-state.json"
CACHE_FORMAT = 1


@lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """Hash of everything that shapes an exported page: templates, static files, renderer and export code."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("mblib")
    except PackageNotFoundError:  # a source tree that was never installed
        release = "unknown"
    base = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(release.encode())
    for folder in (base / "render", base / "export"):
        for p in sorted(folder.rglob("*")):
            if p.is_file() and p.suffix in (".py", ".j2", ".css", ".js", ".json", ".xml"):
                h.update(p.relative_to(base).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def module_hash(module: Module, workspace: Workspace | None) -> str:
    """The export hash of a module (content, media bytes, settings, renderer)."""
    h = hashlib.sha256(renderer_fingerprint().encode())
    h.update(json.dumps(module.model_dump(mode="json"), sort_keys=True).encode())
    if workspace is not None:
        settings = workspace.settings.model_dump(mode="json")
        h.update(json.dumps(settings, sort_keys=True).encode())
        root = workspace.root
        for block in module.blocks:
            for src in block.media_paths():
                path = root / src
                h.update(src.encode())
                h.update(_file_digest(path).encode() if path.is_file() else b"missing")
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    st = path.stat()
    return _file_digest_cached(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4096)
def _file_digest_cached(path: str, size: int, mtime_ns: int) -> str:
    from .packaging import sha256_file

    return sha256_file(path)


class ExportState:
    """``<workspace>/.mblib/``: executed-module cache and per-target page hashes (saved atomically)."""

    def __init__(self, workspace_root: str | Path):
        self.dir = Path(workspace_root) / ".mblib"
        self.cache_dir = self.dir / "export" / "modules"
        self.path = self.dir / STATE_FILE
        try:
            self.data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.data.setdefault("format", CACHE_FORMAT)
        self.data.setdefault("targets", {})

    # executed modules ---------------------------------------------------------------------
    def cached_module(self, module_id: str, digest: str) -> Module | None:
        from ..content.module import Module

        try:
            raw = json.loads((self.cache_dir / f"{module_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("hash") != digest:
            return None
        try:
            return Module.model_validate(raw["module"])
        except Exception:  # a cache written by another version: rebuild
            return None

    def store_module(self, module: Module, digest: str) -> None:
        data = {"hash": digest, "module": module.model_dump(mode="json")}
        atomic_write(self.cache_dir / f"{module.id}.json", json.dumps(data).encode("utf-8"))

    # export targets ----------------------------------------------------------------------
    def target(self, key: str) -> dict[str, Any]:
        """What was recorded for an export target (e.g. ``lessons:/abs/path``): item id -> its hash
        (or a JSON record such as ``{"hash": ..., "files": [...]}``)."""
        return dict(self.data["targets"].get(key, {}))

    def set_target(self, key: str, hashes: dict[str, Any]) -> None:
        self.data["targets"][key] = dict(sorted(hashes.items()))

    def save(self) -> None:
        atomic_write(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8"))


def _execute_job(args: tuple[dict[str, Any], str | None, int]) -> dict[str, Any]:
    """Worker: execute one module's lesson notebook; return the executed module's data."""
    from ..content.module import Module
    from .lesson import execute_module

    data, root, timeout = args
    module, _nb = execute_module(Module.model_validate(data), workspace=root, timeout=timeout)
    return module.model_dump(mode="json")


def default_workers() -> int:
    """Worker processes for executing lessons: the CPUs this process may use, at most 8."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(8, n))


def executed_modules(
    workspace: Workspace,
    module_ids: Iterable[str] | None = None,
    *,
    execute: bool = True,
    workers: int | None = None,
    timeout: int = 120,
    echo: Callable[[str], None] | None = None,
) -> tuple[dict[str, Module], dict[str, str], list[str]]:
    """Modules with their code block outputs, from the cache or executed now (in parallel).

    Returns ``(modules, hashes, executed_ids)``. With ``execute=False`` code blocks keep the
    outputs stored in the module file and nothing runs. The first failing code block raises
    :class:`~mblib.export.errors.CodeBlockError` (module and block named); modules that did
    execute are cached all the same, so the next run resumes.
    """
    ids = list(module_ids) if module_ids is not None else list(workspace.modules)
    state = ExportState(workspace.root)
    out: dict[str, Module] = {}
    hashes: dict[str, str] = {}
    todo: list[str] = []
    for mid in ids:
        module = workspace.module(mid)
        digest = module_hash(module, workspace)
        hashes[mid] = digest
        has_code = any(b.type == "code" and b.source.strip() for b in module.blocks)
        if not execute or not has_code:
            out[mid] = module
            continue
        cached = state.cached_module(mid, digest)
        if cached is not None:
            out[mid] = cached
        else:
            todo.append(mid)
    if not todo:
        return out, hashes, []
    n = min(workers or default_workers(), len(todo))
    jobs = [(workspace.module(mid).model_dump(mode="json"), str(workspace.root), timeout) for mid in todo]
    from ..content.module import Module

    first_error: Exception | None = None
    if n <= 1:
        results = []
        for mid, job in zip(todo, jobs):
            try:
                results.append((mid, _execute_job(job)))
            except Exception as e:
                first_error = e
                break
    else:
        import multiprocessing

        results = []
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [(mid, pool.submit(_execute_job, job)) for mid, job in zip(todo, jobs)]
            for mid, fut in futures:
                try:
                    results.append((mid, fut.result()))
                except Exception as e:  # keep collecting the others so they are cached
                    first_error = first_error or e
    for mid, data in results:
        module = Module.model_validate(data)
        state.store_module(module, hashes[mid])
        out[mid] = module
        if echo:
            echo(f"executed {mid}")
    if first_error is not None:
        raise first_error
    return out, hashes, [mid for mid, _ in results]


__all__ = ["ExportState", "default_workers", "executed_modules", "module_hash", "renderer_fingerprint"]
