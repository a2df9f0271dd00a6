"""The editor both :class:`~mblib.content.editing.ModuleEditor` and
:class:`~mblib.content.editing.CredentialEditor` build on: validated snapshots, undo/redo, save, reload.

Every change builds a new, fully validated model (an invalid change raises
:class:`~mblib.errors.ContentError` naming the block and field, and nothing changes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from pydantic import ValidationError

from ..errors import ConflictError, ContentError, Location, Problem
from .credential import Credential
from .module import Module
from .validation import problems_from_validation
from .yamlio import LoadedYaml

if TYPE_CHECKING:  # pragma: no cover
    from .workspace import Kind, Workspace

M = TypeVar("M", Module, Credential)

#: How many snapshots undo can go back.
HISTORY_LIMIT = 200


class BaseEditor(Generic[M]):
    """What both editors share: a history of validated snapshots (undo, redo), the dirty flag against
    the saved version, save (with conflict detection) and reload. Subclasses set ``kind`` and ``model``."""

    kind: Kind
    model: type[M]

    def __init__(self, workspace: Workspace, item: M, *, saved: M | None):
        self.workspace = workspace
        self._history: list[M] = [item]
        self._pos = 0
        self._saved: M | None = saved
        #: The last :class:`ConflictError` of :meth:`save`, until a save or reload resolves it.
        self.conflict: ConflictError | None = None

    @classmethod
    def open(cls, workspace: Workspace, item_id: str) -> Self:
        """Edit an item the workspace has loaded (``NotFoundError`` naming close ids otherwise)."""
        item = cls._lookup(workspace, item_id)
        return cls(workspace, item.model_copy(deep=True), saved=item.model_copy(deep=True))

    @classmethod
    def create(cls, workspace: Workspace, item_id: str, title: str | None = None) -> Self:
        """Start a new item from starter content (nothing is written until :meth:`save`); refuses an
        id the workspace or the disk already has."""
        path = workspace.path_of(cls.kind, item_id)
        file = workspace._rel(path)
        store = workspace.modules if cls.kind == "module" else workspace.credentials
        if item_id in store or path.exists():
            raise ConflictError(
                f"{cls.kind} '{item_id}' already exists ({file})",
                location=Location(file=file),
                hint=f"choose another id, or open the existing {cls.kind} to edit it",
            )
        try:
            item = cls._starter(workspace, item_id, title)
        except ValidationError as err:
            problems = problems_from_validation(err, LoadedYaml(data={"id": item_id}, tree=None, file=file), cls.model)
            raise ContentError(problems, summary=f"cannot create {cls.kind} '{item_id}'") from None
        return cls(workspace, item, saved=None)

    @classmethod
    def _lookup(cls, workspace: Workspace, item_id: str) -> M:
        """The item as the workspace has loaded it (``NotFoundError`` naming close ids otherwise)."""
        raise NotImplementedError

    @staticmethod
    def _starter(workspace: Workspace, item_id: str, title: str | None) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------ state
    @property
    def current(self) -> M:
        """The current snapshot (treat it as read-only: change it through the editor)."""
        return self._history[self._pos]

    @property
    def id(self) -> str:
        return self.current.id

    @property
    def dirty(self) -> bool:
        """True when the current snapshot differs from the file as loaded or last saved."""
        return self._saved is None or self.current != self._saved

    @property
    def can_undo(self) -> bool:
        return self._pos > 0

    @property
    def can_redo(self) -> bool:
        return self._pos < len(self._history) - 1

    def undo(self) -> None:
        """Go back one change (does nothing at the start of the history)."""
        if self.can_undo:
            self._pos -= 1

    def redo(self) -> None:
        """Go forward one undone change (does nothing at the end of the history)."""
        if self.can_redo:
            self._pos += 1

    # ------------------------------------------------------------ changes
    def _file(self) -> str:
        return self.workspace._rel(self.workspace.path_of(self.kind, self.id))

    def _validate(self, data: dict[str, Any]) -> M:
        try:
            return self.model.model_validate(data)
        except ValidationError as err:
            problems = problems_from_validation(err, LoadedYaml(data=data, tree=None, file=self._file()), self.model)
            raise ContentError(problems, summary=f"change to {self.kind} '{self.id}' not applied") from None

    def _commit(self, data: dict[str, Any]) -> bool:
        """Validate ``data`` as the next snapshot; returns False when it equals the current one."""
        new = self._validate(data)
        if new == self.current:
            return False
        del self._history[self._pos + 1 :]
        self._history.append(new)
        if len(self._history) > HISTORY_LIMIT:
            del self._history[0]
        self._pos = len(self._history) - 1
        return True

    def _data(self) -> dict[str, Any]:
        return self.current.model_dump()

    def update(self, **fields: Any) -> bool:
        """Set top-level fields (``title=...``, ``summary=...``); validated; returns whether anything changed."""
        unknown = [k for k in fields if k not in self.model.model_fields]
        if unknown:
            raise ContentError(
                [
                    Problem(
                        f"unknown field '{unknown[0]}'",
                        Location(file=self._file(), field=unknown[0]),
                        f"fields are: {', '.join(self.model.model_fields)}",
                        code="edit.field",
                    )
                ]
            )
        return self._commit({**self._data(), **fields})

    # ------------------------------------------------------------ files
    def _save_model(self, item: M, force: bool) -> bool:
        raise NotImplementedError

    def save(self, *, force: bool = False) -> bool:
        """Save atomically. ``ConflictError`` (also kept in :attr:`conflict`) when the file changed on
        disk since it was loaded; ``force=True`` overwrites it. Returns False when no byte changed."""
        try:
            written = self._save_model(self.current, force)
        except ConflictError as e:
            self.conflict = e
            raise
        self._saved = self.current
        self.conflict = None
        return written

    def reload(self) -> None:
        """Take the file on disk as the next snapshot (one undo brings your version back)."""
        disk = self.workspace.reload(self.kind, self.id)
        self._commit(disk.model_dump())
        self._saved = self.current
        self.conflict = None

    def changed_on_disk(self) -> bool:
        """True when someone else changed (or deleted) the file since it was loaded or saved."""
        path = self.workspace.path_of(self.kind, self.id)
        return path.resolve() in {p.resolve() for p in self.workspace.changed_on_disk()}


__all__ = ["HISTORY_LIMIT", "BaseEditor"]
