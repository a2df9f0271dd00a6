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

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConflictError, ContentError, Location, NotFoundError, Problem, SettingsError
from .credential import Credential
from .language import check_language
from .module import Module
from .safewrite import workspace_path, write_workspace_file
from .saving import FOLDERS, FileRecord, Kind, WorkspaceSaving, file_sha256, to_data, to_yaml
from .settings import SETTINGS_FILE, Settings
from .validation import problems_from_validation
from .yamlio import LoadedYaml, load_yaml_text

_MODELS: dict[Kind, type[Module] | type[Credential]] = {"module": Module, "credential": Credential}


class Workspace(WorkspaceSaving):
    """A workspace folder: ``mblib.toml``, ``modules/``, ``credentials/``, ``media/``, ``translations/``."""

    def __init__(self, root: Path, settings: Settings):
        self.root = Path(root).resolve()
        self.settings = settings
        self.modules: dict[str, Module] = {}
        self.credentials: dict[str, Credential] = {}
        self.problems: list[Problem] = []
        self._records: dict[tuple[Kind, str], FileRecord] = {}
        self._real_dirs: dict[Path, Path] | None = None  # folders resolved while opening

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, root: str | Path, *, strict: bool = True) -> Workspace:
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
        ws._real_dirs = {}
        try:
            ws._load_all()
        finally:
            ws._real_dirs = None
        if strict and ws.problems:
            raise ContentError(ws.problems, summary=f"workspace '{ws.root.name}' has {len(ws.problems)} problem(s)")
        return ws

    def _load_all(self) -> None:
        ws = self
        for kind in ("module", "credential"):
            folder = ws.root / FOLDERS[kind]
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

    @classmethod
    def create(
        cls,
        root: str | Path,
        *,
        title: str = "Untitled workspace",
        source_language: str = "en",
        target_languages: Iterable[str] = (),
        issuer_name: str | None = None,
    ) -> Workspace:
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
        path = Path(path)
        cache = self._real_dirs
        if cache is not None and path.name not in ("", ".", "..") and not path.is_symlink():
            # while opening: one realpath per folder instead of one per file
            folder = cache.get(path.parent)
            if folder is None:
                folder = cache[path.parent] = path.parent.resolve()
            real = folder / path.name
        else:
            real = path.resolve()
        try:
            return str(real.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def _load_file(self, kind: Kind, path: Path) -> BaseModel | None:
        file = self._rel(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self.problems.append(
                Problem(
                    "the file vanished while the workspace was loading",
                    Location(file=file),
                    "check whether someone deleted or renamed it, then open the workspace again",
                    code="file.missing",
                )
            )
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            self.problems.append(
                Problem(
                    "the file is not UTF-8 text",
                    Location(file=file, line=raw[: e.start].count(b"\n") + 1),
                    "save it as UTF-8 in your editor",
                    code="file.encoding",
                )
            )
            return None
        try:
            loaded = load_yaml_text(text, file)
        except ContentError as e:
            self.problems.extend(e.problems)
            return None
        if not isinstance(loaded.data, dict):
            self.problems.append(
                Problem(
                    f"a {kind} file must be a mapping of fields (id:, title:, ...), not {type(loaded.data).__name__}",
                    Location(file=file, line=1, column=1),
                    f"start the file with 'id: {path.stem}'",
                    code="schema.root",
                )
            )
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
        if model.id != path.stem:
            line, col = loaded.locate(("id",))
            self.problems.append(
                Problem(
                    f"{kind} id '{model.id}' does not match the file name '{path.name}'",
                    Location(file=file, line=line, column=col, field="id"),
                    f"rename the file to {model.id}.yaml or set 'id: {path.stem}'",
                    code="file.id-mismatch",
                )
            )
            return None
        if isinstance(model, Module):
            self.modules[model.id] = model
        else:
            self.credentials[model.id] = model
        self._records[(kind, model.id)] = FileRecord(
            path,
            file_sha256(raw),
            None,
            loaded,
            model_class=model_cls,
        )
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
        return workspace_path(self.root, f"{FOLDERS[kind]}/{item_id}.yaml", what=f"{kind} '{item_id}'")

    def module_path(self, module_id: str) -> Path:
        return self.path_of("module", module_id)

    def media_path(self, src: str) -> Path:
        return self.root / src

    def locate(self, kind: Kind, item_id: str, path: tuple[Any, ...] = ()) -> Location:
        """The file, line and column of a field of a loaded module or credential."""
        rec = self._records.get((kind, item_id))
        file = self._rel(self.root / FOLDERS[kind] / f"{item_id}.yaml")  # for messages: never refuses
        if rec is None or rec.loaded is None:
            return Location(file=file, **{f"{kind}_id": item_id})  # type: ignore[arg-type]
        line, col = rec.loaded.locate(path)
        return Location(file=file, line=line, column=col)

    def duration_budget_min(self, module: Module) -> float:
        return module.duration_budget_min or self.settings.authoring.duration_budget_min

    # ------------------------------------------------------------------ checks
    def lint(self) -> list[Problem]:
        """Lint findings of the workspace's content (:func:`mblib.content.lint.lint_workspace`); with the
        checks of its translations: :func:`mblib.translate.lint_with_translations`."""
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
            out.append(
                Problem(
                    f"duplicate block id '{bid}': every block needs its own id",
                    Location(file=loaded.file, line=line, column=col, block_id=bid, field="id"),
                    "give each one its own id",
                    code="schema.value_error",
                )
            )
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


__all__ = ["Kind", "Workspace", "to_data", "to_yaml", "validate_workspace"]
