"""Saving a workspace's modules and credentials: atomic, under a lock, never over a file that changed
on disk since it was loaded, and leaving unchanged files byte for byte as they were.

:class:`WorkspaceSaving` is the saving half of :class:`~mblib.content.workspace.Workspace`
(opening and lookup are in ``workspace.py``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from ..errors import ConflictError, ContentError, Location, NotFoundError
from .credential import Credential
from .module import Module
from .safewrite import file_lock
from .validation import problems_from_validation
from .yamlio import LoadedYaml, atomic_write, dump_yaml, load_yaml_text, remove_stale_temps

Kind = Literal["module", "credential"]
FOLDERS: dict[Kind, str] = {"module": "modules", "credential": "credentials"}


class FileRecord:
    """What we know of a file as last loaded or saved: its bytes' hash, model and positions.

    ``model`` is a snapshot, not the live model: in-place edits (``ws.module("x").title = ...``)
    must make the item dirty. A saved model is copied; a loaded one (``model_class`` given) is
    validated again from the loaded data the first time it is compared, which costs nothing for
    the many files that are opened and never saved."""

    __slots__ = ("_model", "_model_class", "loaded", "path", "sha256")

    def __init__(
        self,
        path: Path,
        sha256: str | None,
        model: BaseModel | None,
        loaded: LoadedYaml | None,
        *,
        model_class: type[BaseModel] | None = None,
    ):
        self.path = path
        self.sha256 = sha256  # None: the file did not exist
        self.loaded = loaded
        self._model_class = model_class if loaded is not None else None
        self._model = None if self._model_class is not None or model is None else model.model_copy(deep=True)

    @property
    def model(self) -> BaseModel | None:
        if self._model is None and self._model_class is not None and self.loaded is not None:
            self._model = self._model_class.model_validate(self.loaded.data)
        return self._model


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def to_data(model: BaseModel) -> dict[str, Any]:
    """The plain data a model is saved as (defaults left out, so files stay short)."""
    return model.model_dump(mode="json", exclude_defaults=True)


def to_yaml(model: BaseModel) -> str:
    """The canonical YAML text of a module or credential."""
    return dump_yaml(to_data(model))


class WorkspaceSaving:
    """Saving, reloading and forgetting the items of a workspace (mixed into ``Workspace``)."""

    root: Path
    modules: dict[str, Module]
    credentials: dict[str, Credential]
    problems: list[Any]
    _records: dict[tuple[Kind, str], FileRecord]

    if TYPE_CHECKING:  # provided by Workspace

        def path_of(self, kind: Kind, item_id: str) -> Path: ...
        def module_path(self, module_id: str) -> Path: ...
        def _rel(self, path: Path) -> str: ...
        def _load_file(self, kind: Kind, path: Path) -> BaseModel | None: ...

    def is_dirty(self, kind: Kind, item_id: str) -> bool:
        """True when the in-memory model differs from what was loaded or last saved."""
        store = self.modules if kind == "module" else self.credentials
        rec = self._records.get((kind, item_id))
        return rec is None or rec.model != store.get(item_id)

    def changed_on_disk(self) -> list[Path]:
        """Files that someone else changed, created or deleted since they were loaded or saved."""
        out = []
        known = set()
        for rec in self._records.values():
            known.add(rec.path.resolve())
            current = file_sha256(rec.path.read_bytes()) if rec.path.exists() else None
            if current != rec.sha256:
                out.append(rec.path)
        for folder in FOLDERS.values():
            for path in sorted((self.root / folder).glob("*.yaml")):
                if path.resolve() not in known:
                    out.append(path)  # created by someone else since we loaded
        return out

    def save_module(self, module: Module, *, force: bool = False) -> bool:
        """Save one module atomically. Returns False when nothing changed (no byte written)."""
        return self._save("module", module, force=force)

    def add_module(self, module: Module) -> Path:
        """Save a *new* module; refuses an id that the workspace (or the disk) already has."""
        path = self.module_path(module.id)
        if module.id in self.modules or path.exists():
            raise ConflictError(
                f"module '{module.id}' already exists ({self._rel(path)})",
                location=Location(file=self._rel(path)),
                hint="choose another id, or open the existing module to edit it",
            )
        self.save_module(module)
        return path

    def save_credential(self, credential: Credential, *, force: bool = False) -> bool:
        """Save one credential atomically. Returns False when nothing changed."""
        return self._save("credential", credential, force=force)

    def save(self, *, force: bool = False) -> list[Path]:
        """Save every module and credential that changed; returns the files written.

        Unchanged items are skipped, so a file someone else changed on disk blocks (or, with
        ``force``, is overwritten) only when this workspace has edits of its own to save there."""
        written = []
        for m in list(self.modules.values()):
            if self.is_dirty("module", m.id) and self.save_module(m, force=force):
                written.append(self.module_path(m.id))
        for c in list(self.credentials.values()):
            if self.is_dirty("credential", c.id) and self.save_credential(c, force=force):
                written.append(self.path_of("credential", c.id))
        return written

    def _save(self, kind: Kind, model: BaseModel, *, force: bool) -> bool:
        try:  # re-validate: never save what we could not load (in-place list edits skip validation)
            model = type(model).model_validate(model.model_dump())
        except ValidationError as err:
            item = str(getattr(model, "id", "?"))
            file = self._rel(self.root / FOLDERS[kind] / f"{item}.yaml")
            data = LoadedYaml(data=model.model_dump(mode="json"), tree=None, file=file)
            raise ContentError(
                problems_from_validation(err, data, type(model)),
                summary=f"{kind} '{item}' was not saved: it is not valid",
            ) from None
        item_id: str = model.id  # type: ignore[attr-defined]
        path = self.path_of(kind, item_id)
        rec = self._records.get((kind, item_id))
        if (
            rec is not None
            and rec.model == model
            and rec.sha256 is not None
            and path.is_file()
            and file_sha256(path.read_bytes()) == rec.sha256
        ):
            (self.modules if kind == "module" else self.credentials)[item_id] = model  # type: ignore[assignment]
            return False  # unchanged here and on disk: nothing to write, no lock to take
        # Another process saving the same file waits here: the check against the disk and the
        # replace below happen as one step, so of two simultaneous saves the second sees the first.
        with file_lock(self.root, path):
            remove_stale_temps(path)  # left by a save that was killed; nobody else writes here now
            return self._save_locked(kind, item_id, model, path, force=force)

    def _save_locked(self, kind: Kind, item_id: str, model: BaseModel, path: Path, *, force: bool) -> bool:
        rec = self._records.get((kind, item_id))
        on_disk = path.read_bytes() if path.exists() else None
        disk_sha = file_sha256(on_disk) if on_disk is not None else None
        if not force:
            expected = rec.sha256 if rec else None
            if disk_sha != expected:
                file = self._rel(path)
                if rec is None:
                    raise ConflictError(
                        f"{file} already exists and was not loaded into this workspace",
                        location=Location(file=file),
                        hint="reload the workspace to edit it, or save with force=True to replace it",
                    )
                if disk_sha is None:
                    raise ConflictError(
                        f"{file} was deleted on disk after it was loaded",
                        location=Location(file=file),
                        hint="save with force=True to write it again, or drop your copy with "
                        f"ws.forget('{kind}', '{item_id}')",
                    )
                raise ConflictError(
                    f"{file} changed on disk since it was loaded; saving now would overwrite those changes",
                    location=Location(file=file),
                    hint=f"look at the file, then either ws.reload('{kind}', '{item_id}') to take the disk version "
                    "or save with force=True to keep yours",
                )
        store: dict[str, Any] = self.modules if kind == "module" else self.credentials
        store[item_id] = model
        if rec is not None and rec.model == model and on_disk is not None and disk_sha == rec.sha256:
            return False  # unchanged: leave the file byte for byte as it is
        data = to_yaml(model).encode("utf-8")
        if on_disk == data:
            loaded = load_yaml_text(data.decode("utf-8"), self._rel(path))
            self._records[(kind, item_id)] = FileRecord(path, disk_sha, model, loaded)
            return False
        atomic_write(path, data)
        loaded = load_yaml_text(data.decode("utf-8"), self._rel(path))
        self._records[(kind, item_id)] = FileRecord(path, file_sha256(data), model, loaded)
        return True

    def reload(self, kind: Kind, item_id: str) -> BaseModel:
        """Drop the in-memory copy and read the file again (raises ContentError if it is invalid)."""
        path = self.path_of(kind, item_id)
        if not path.exists():
            raise NotFoundError(
                f"{self._rel(path)} does not exist",
                location=Location(file=self._rel(path)),
                hint="it was deleted or renamed; check git status",
            )
        before = len(self.problems)
        model = self._load_file(kind, path)
        if model is None:
            new = self.problems[before:]
            del self.problems[before:]
            raise ContentError(new)
        return model

    def forget(self, kind: Kind, item_id: str) -> None:
        """Remove a module or credential from memory (the file is not touched)."""
        (self.modules if kind == "module" else self.credentials).pop(item_id, None)
        self._records.pop((kind, item_id), None)

    def delete_module(self, module_id: str) -> None:
        """Delete a module file and forget it."""
        path = self.module_path(module_id)
        if path.exists():
            path.unlink()
        self.forget("module", module_id)


__all__ = ["FOLDERS", "FileRecord", "Kind", "WorkspaceSaving", "file_sha256", "to_data", "to_yaml"]
