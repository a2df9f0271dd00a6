"""A workspace: a folder of module and credential files that a team keeps in git.

Loading reports every problem at once; saving is atomic, never overwrites a
file that changed on disk since it was loaded, and leaves unchanged files
byte for byte as they were.

>>> import tempfile, pathlib
>>> from mblib.content import Workspace, Module
>>> root = pathlib.Path(tempfile.mkdtemp()) / "ws"
>>> ws = Workspace.create(root, title="Demo")
>>> ws.save_module(Module(id="hello", title="Hello", blocks=[{"id": "t", "type": "text", "body": "Hi"}]))
True
>>> Workspace.open(root).module("hello").title
'Hello'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ConflictError, ContentError, Location, NotFoundError, Problem, SettingsError
from .credential import Credential
from .module import Module
from .settings import SETTINGS_FILE, Settings
from .validation import problems_from_validation
from .language import check_language
from .safewrite import file_lock, workspace_path, write_workspace_file
from .yamlio import LoadedYaml, atomic_write, dump_yaml, load_yaml_text, remove_stale_temps

Kind = Literal["module", "credential"]
M = TypeVar("M", Module, Credential)
_FOLDERS: dict[Kind, str] = {"module": "modules", "credential": "credentials"}
_MODELS: dict[Kind, type[BaseModel]] = {"module": Module, "credential": Credential}


@dataclass
class _Record:
    """What we know of a file as last loaded or saved: its bytes' hash, model and positions."""

    path: Path
    sha256: str | None  # None: the file did not exist
    model: BaseModel | None
    loaded: LoadedYaml | None

    def __post_init__(self) -> None:
        # A snapshot, not the live model: in-place edits (ws.module("x").title = ...) must make it dirty.
        if self.model is not None:
            self.model = self.model.model_copy(deep=True)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def to_data(model: BaseModel) -> dict[str, Any]:
    """The plain data a model is saved as (defaults left out, so files stay short)."""
    return model.model_dump(mode="json", exclude_defaults=True)


def to_yaml(model: BaseModel) -> str:
    """The canonical YAML text of a module or credential."""
    return dump_yaml(to_data(model))


class Workspace:
    """A workspace folder: ``mblib.toml``, ``modules/``, ``credentials/``, ``media/``, ``translations/``."""

    def __init__(self, root: Path, settings: Settings):
        self.root = Path(root).resolve()
        self.settings = settings
        self.modules: dict[str, Module] = {}
        self.credentials: dict[str, Credential] = {}
        self.problems: list[Problem] = []
        self._records: dict[tuple[Kind, str], _Record] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, root: str | Path, *, strict: bool = True) -> "Workspace":
        """Load a workspace. With ``strict`` (default) any problem raises one
        :class:`ContentError` listing them all; otherwise valid files load and
        ``ws.problems`` lists the rest."""
        root = Path(root)
        settings_file = root / SETTINGS_FILE
        if not root.is_dir():
            raise NotFoundError(
                f"workspace folder '{root}' does not exist",
                location=Location(file=str(root)),
                hint="check the path, or create one with: mb new workspace PATH",
            )
        if not settings_file.is_file():
            raise NotFoundError(
                f"'{root}' is not a workspace: it has no {SETTINGS_FILE}",
                location=Location(file=str(settings_file)),
                hint="open the folder that holds mblib.toml, or create one with: mb new workspace PATH",
            )
        settings = Settings.from_toml_text(settings_file.read_text(encoding="utf-8"), str(settings_file))
        ws = cls(root, settings)
        for kind in ("module", "credential"):
            folder = ws.root / _FOLDERS[kind]
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                ws._load_file(kind, path)
            for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
                ws.problems.append(
                    Problem(
                        "workspace files end in .yaml",
                        Location(file=ws._rel(path)),
                        f"rename it to {path.stem}.yaml",
                        code="file.extension",
                    )
                )
        if strict and ws.problems:
            raise ContentError(ws.problems, summary=f"workspace '{ws.root.name}' has {len(ws.problems)} problem(s)")
        return ws

    @classmethod
    def create(
        cls, root: str | Path, *, title: str = "Untitled workspace", source_language: str = "en",
        target_languages: Iterable[str] = (), issuer_name: str | None = None,
    ) -> "Workspace":
        """Create an empty workspace folder with a ``mblib.toml``; refuses to overwrite one."""
        root = Path(root)
        check_language(source_language, what="source_language")
        target_languages = [check_language(t, what="target language") for t in target_languages]
        if (root / SETTINGS_FILE).exists():
            raise ConflictError(
                f"'{root}' already holds a workspace",
                location=Location(file=str(root / SETTINGS_FILE)),
                hint="open it with Workspace.open, or choose another folder",
            )
        for sub in ("modules", "credentials", "media", "translations"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        langs = ", ".join(f'"{t}"' for t in target_languages)
        text = (
            f'[workspace]\ntitle = "{_toml_escape(title)}"\nsource_language = "{source_language}"\n'
            f"target_languages = [{langs}]\n\n[authoring]\nduration_budget_min = 10\nmax_objectives = 3\n"
        )
        if issuer_name:
            text += f'\n[issuer]\nname = "{_toml_escape(issuer_name)}"\n'
        write_workspace_file(root, SETTINGS_FILE, text.encode())
        return cls.open(root)

    def _rel(self, path: Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def _load_file(self, kind: Kind, path: Path) -> BaseModel | None:
        file = self._rel(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self.problems.append(Problem(f"the file vanished while the workspace was loading", Location(file=file),
                                         "check whether someone deleted or renamed it, then open the workspace again",
                                         code="file.missing"))
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            self.problems.append(Problem("the file is not UTF-8 text", Location(file=file, line=line),
                                         "save it as UTF-8 in your editor", code="file.encoding"))
            return None
        try:
            loaded = load_yaml_text(text, file)
        except ContentError as e:
            self.problems.extend(e.problems)
            return None
        if not isinstance(loaded.data, dict):
            self.problems.append(Problem(
                f"a {kind} file must be a mapping of fields (id:, title:, ...), not {type(loaded.data).__name__}",
                Location(file=file, line=1, column=1), f"start the file with 'id: {path.stem}'", code="schema.root"))
            return None
        model_cls = _MODELS[kind]
        try:
            model = model_cls.model_validate(loaded.data)
        except ValidationError as err:
            found = problems_from_validation(err, loaded, model_cls)
            self.problems.extend(found)
            if not any("duplicate block id" in p.message for p in found):
                # pydantic skips the list-level id check when an item is invalid: check the raw data
                self.problems.extend(_raw_duplicate_blocks(loaded))
            return None
        if model.id != path.stem:  # type: ignore[attr-defined]
            line, col = loaded.locate(("id",))
            self.problems.append(Problem(
                f"{kind} id '{model.id}' does not match the file name '{path.name}'",  # type: ignore[attr-defined]
                Location(file=file, line=line, column=col, field="id"),
                f"rename the file to {model.id}.yaml or set 'id: {path.stem}'",  # type: ignore[attr-defined]
                code="file.id-mismatch"))
            return None
        store = self.modules if kind == "module" else self.credentials
        store[model.id] = model  # type: ignore[index,attr-defined,assignment]
        self._records[(kind, model.id)] = _Record(path, _sha(raw), model, loaded)  # type: ignore[attr-defined]
        return model

    # ------------------------------------------------------------------ lookup
    def module(self, module_id: str) -> Module:
        try:
            return self.modules[module_id]
        except KeyError:
            raise NotFoundError(
                f"no module '{module_id}' in workspace '{self.root.name}'",
                hint=_suggest(module_id, self.modules, "mb new module " + module_id),
            ) from None

    def credential(self, credential_id: str) -> Credential:
        try:
            return self.credentials[credential_id]
        except KeyError:
            raise NotFoundError(
                f"no credential '{credential_id}' in workspace '{self.root.name}'",
                hint=_suggest(credential_id, self.credentials, f"create credentials/{credential_id}.yaml"),
            ) from None

    def path_of(self, kind: Kind, item_id: str) -> Path:
        """The file of a module or credential; refuses (:class:`~mblib.errors.UnsafePathError`) a path
        that would lead outside the workspace, e.g. through a symbolic link."""
        return workspace_path(self.root, f"{_FOLDERS[kind]}/{item_id}.yaml", what=f"{kind} '{item_id}'")

    def module_path(self, module_id: str) -> Path:
        return self.path_of("module", module_id)

    def media_path(self, src: str) -> Path:
        return self.root / src

    def locate(self, kind: Kind, item_id: str, path: tuple[Any, ...] = ()) -> Location:
        """The file, line and column of a field of a loaded module or credential."""
        rec = self._records.get((kind, item_id))
        file = self._rel(self.root / _FOLDERS[kind] / f"{item_id}.yaml")  # for messages: never refuses
        if rec is None or rec.loaded is None:
            return Location(file=file, **{f"{kind}_id": item_id})  # type: ignore[arg-type]
        line, col = rec.loaded.locate(path)
        return Location(file=file, line=line, column=col)

    def duration_budget_min(self, module: Module) -> float:
        return module.duration_budget_min or self.settings.authoring.duration_budget_min

    # ------------------------------------------------------------------ saving
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
            current = _sha(rec.path.read_bytes()) if rec.path.exists() else None
            if current != rec.sha256:
                out.append(rec.path)
        for folder in _FOLDERS.values():
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
            file = self._rel(self.root / _FOLDERS[kind] / f"{item}.yaml")
            data = LoadedYaml(data=model.model_dump(mode="json"), tree=None, file=file)
            raise ContentError(problems_from_validation(err, data, type(model)),
                               summary=f"{kind} '{item}' was not saved: it is not valid") from None
        item_id: str = model.id  # type: ignore[attr-defined]
        path = self.path_of(kind, item_id)
        rec = self._records.get((kind, item_id))
        if rec is not None and rec.model == model and rec.sha256 is not None and path.is_file() \
                and _sha(path.read_bytes()) == rec.sha256:
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
        disk_sha = _sha(on_disk) if on_disk is not None else None
        if not force:
            expected = rec.sha256 if rec else None
            if disk_sha != expected:
                file = self._rel(path)
                if rec is None:
                    raise ConflictError(
                        f"{file} already exists and was not loaded into this workspace",
                        location=Location(file=file),
                        hint=f"reload the workspace to edit it, or save with force=True to replace it",
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
            self._records[(kind, item_id)] = _Record(path, disk_sha, model, loaded)
            return False
        atomic_write(path, data)
        loaded = load_yaml_text(data.decode("utf-8"), self._rel(path))
        self._records[(kind, item_id)] = _Record(path, _sha(data), model, loaded)
        return True

    def reload(self, kind: Kind, item_id: str) -> BaseModel:
        """Drop the in-memory copy and read the file again (raises ContentError if it is invalid)."""
        path = self.path_of(kind, item_id)
        if not path.exists():
            raise NotFoundError(f"{self._rel(path)} does not exist", location=Location(file=self._rel(path)),
                                hint="it was deleted or renamed; check git status")
        before = len(self.problems)
        model = self._load_file(kind, path)
        if model is None:
            new = self.problems[before:]
            del self.problems[before:]
            raise ContentError(new)
        return model

    def forget(self, kind: Kind, item_id: str) -> None:
        """Remove a module or credential from memory (the file is not touched)."""
        (self.modules if kind == "module" else self.credentials).pop(item_id, None)  # type: ignore[arg-type]
        self._records.pop((kind, item_id), None)

    def delete_module(self, module_id: str) -> None:
        """Delete a module file and forget it."""
        path = self.module_path(module_id)
        if path.exists():
            path.unlink()
        self.forget("module", module_id)

    # ------------------------------------------------------------------ checks
    def lint(self) -> list[Problem]:
        """All lint findings for the workspace (see :mod:`mblib.content.lint`)."""
        from .lint import lint_workspace

        return lint_workspace(self)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r}, modules={len(self.modules)}, credentials={len(self.credentials)})"


def validate_workspace(root: str | Path) -> list[Problem]:
    """Every load problem of a workspace (empty when it loads cleanly); never raises for content."""
    try:
        return Workspace.open(root, strict=False).problems
    except (NotFoundError, SettingsError) as e:
        return [e.problem]


def _raw_duplicate_blocks(loaded: LoadedYaml) -> list[Problem]:
    blocks = loaded.data.get("blocks") if isinstance(loaded.data, dict) else None
    out: list[Problem] = []
    seen: set[str] = set()
    for i, b in enumerate(blocks if isinstance(blocks, list) else []):
        bid = b.get("id") if isinstance(b, dict) else None
        if not isinstance(bid, str):
            continue
        if bid in seen:
            line, col = loaded.locate(("blocks", i, "id"))
            out.append(Problem(f"duplicate block id '{bid}': every block needs its own id",
                               Location(file=loaded.file, line=line, column=col, block_id=bid, field="id"),
                               "give each one its own id", code="schema.value_error"))
        seen.add(bid)
    return out


def _suggest(name: str, known: dict[str, Any], create: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if known:
        return f"known ids: {', '.join(sorted(known))}; or {create}"
    return create


def _toml_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


__all__ = ["Workspace", "to_data", "to_yaml", "validate_workspace"]
