"""Editing a module or a credential step by step, with undo, redo and safe saves.

An editor holds a history of validated snapshots: every change builds a new,
fully validated model (an invalid change raises :class:`~mblib.errors.ContentError`
naming the block and field, and nothing changes), undo and redo move through
the history, and ``dirty`` says whether the current snapshot differs from the
saved file. Saving goes through :meth:`Workspace.save_module` (atomic; a file
changed on disk raises :class:`~mblib.errors.ConflictError`, and the editor
keeps your work: :meth:`save` with ``force=True`` overwrites, :meth:`reload`
takes the disk version as one more undoable step).

The widgets (:mod:`mblib.widgets`) are faces over these classes; everything
here works without them.

>>> import pathlib, shutil, tempfile
>>> src = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample-workspace"
>>> root = shutil.copytree(src, pathlib.Path(tempfile.mkdtemp()) / "ws")
>>> from mblib.content import Workspace
>>> ed = ModuleEditor.open(Workspace.open(root), "reading-bar-charts")
>>> new = ed.add_block("callout", after="intro")
>>> ed.update_block(new, title="Remember", body="Bars start at **zero**.")
True
>>> ed.block_ids()[:2], ed.dirty
(['intro', 'callout-1'], True)
>>> ed.undo(); ed.block(new).title is None
True
>>> ed.redo(); ed.save()
True
>>> "Bars start at **zero**." in (root / "modules" / "reading-bar-charts.yaml").read_text(), ed.dirty
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Mapping, Self, Sequence, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ConflictError, ContentError, Location, NotFoundError, Problem
from .credential import Credential, EuropeanElements
from .forms import block_form, form_for, fresh_id, new_block_data, parse_form
from .module import DurationEstimate, Module
from .pathway import CredentialWorkload, PathwayGraph, credential_workload, pathway_graph
from .validation import problems_from_validation
from .yamlio import LoadedYaml

if TYPE_CHECKING:  # pragma: no cover
    from ..render.page import Page
    from .workspace import Kind, Workspace

M = TypeVar("M", Module, Credential)

#: How many snapshots undo can go back.
HISTORY_LIMIT = 200


class _Editor(Generic[M]):
    """History of validated snapshots, dirty flag against the saved version, save and reload."""

    kind: "Kind"
    model: type[BaseModel]

    def __init__(self, workspace: "Workspace", item: M, *, saved: M | None):
        self.workspace = workspace
        self._history: list[M] = [item]
        self._pos = 0
        self._saved = saved
        #: The last :class:`ConflictError` of :meth:`save`, until a save or reload resolves it.
        self.conflict: ConflictError | None = None

    @classmethod
    def open(cls, workspace: "Workspace", item_id: str) -> Self:
        """Edit an item the workspace has loaded (``NotFoundError`` naming close ids otherwise)."""
        item = workspace.module(item_id) if cls.kind == "module" else workspace.credential(item_id)
        return cls(workspace, item.model_copy(deep=True), saved=item.model_copy(deep=True))

    @classmethod
    def create(cls, workspace: "Workspace", item_id: str, title: str | None = None) -> Self:
        """Start a new item from starter content (nothing is written until :meth:`save`); refuses an
        id the workspace or the disk already has."""
        path = workspace.path_of(cls.kind, item_id)
        file = workspace._rel(path)
        store = workspace.modules if cls.kind == "module" else workspace.credentials
        if item_id in store or path.exists():
            raise ConflictError(f"{cls.kind} '{item_id}' already exists ({file})", location=Location(file=file),
                                hint=f"choose another id, or open the existing {cls.kind} to edit it")
        try:
            item = cls._starter(workspace, item_id, title)
        except ValidationError as err:
            problems = problems_from_validation(err, LoadedYaml(data={"id": item_id}, tree=None, file=file), cls.model)
            raise ContentError(problems, summary=f"cannot create {cls.kind} '{item_id}'") from None
        return cls(workspace, item, saved=None)

    @staticmethod
    def _starter(workspace: "Workspace", item_id: str, title: str | None) -> Any:
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
            return self.model.model_validate(data)  # type: ignore[return-value]
        except ValidationError as err:
            problems = problems_from_validation(err, LoadedYaml(data=data, tree=None, file=self._file()), self.model)
            raise ContentError(problems, summary=f"change to {self.kind} '{self.id}' not applied") from None

    def _commit(self, data: dict[str, Any]) -> bool:
        """Validate ``data`` as the next snapshot; returns False when it equals the current one."""
        new = self._validate(data)
        if new == self.current:
            return False
        del self._history[self._pos + 1:]
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
            raise ContentError([Problem(f"unknown field '{unknown[0]}'", Location(file=self._file(), field=unknown[0]),
                                        f"fields are: {', '.join(self.model.model_fields)}", code="edit.field")])
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


@dataclass(frozen=True)
class DurationStatus:
    """A module's estimated duration against its budget."""

    estimate: DurationEstimate
    budget_min: float

    @property
    def over(self) -> bool:
        return self.estimate.minutes > self.budget_min

    @property
    def share(self) -> float:
        """Estimate / budget (1.0 = exactly the budget)."""
        return self.estimate.minutes / self.budget_min

    def __str__(self) -> str:
        return f"{self.estimate.minutes:.1f} min of {self.budget_min:g} min budget" + (" (over budget)" if self.over else "")


class ModuleEditor(_Editor[Module]):
    """Edit one module of a workspace: blocks (add, edit, duplicate, delete, move), undo/redo, save.

    Open an existing module with :meth:`open` or start a new one with :meth:`create`
    (from the starter content of ``mb new module``).
    """

    kind = "module"
    model = Module

    @staticmethod
    def _starter(workspace: "Workspace", module_id: str, title: str | None) -> Module:
        from .starter import starter_module

        return starter_module(module_id, title, language=workspace.settings.workspace.source_language)

    @property
    def module(self) -> Module:
        """The current snapshot of the module."""
        return self.current

    def _save_model(self, item: Module, force: bool) -> bool:
        return self.workspace.save_module(item, force=force)

    # ------------------------------------------------------------ blocks
    def block_ids(self) -> list[str]:
        return [b.id for b in self.current.blocks]

    def block(self, block_id: str) -> Any:
        """The block with this id in the current snapshot."""
        return self.current.blocks[self.index_of(block_id)]

    def index_of(self, block_id: str) -> int:
        ids = self.block_ids()
        if block_id not in ids:
            raise NotFoundError(f"module '{self.id}' has no block '{block_id}'",
                                location=Location(file=self._file(), block_id=block_id),
                                hint=f"its blocks are: {', '.join(ids) or '(none)'}")
        return ids.index(block_id)

    def _with_blocks(self, blocks: list[dict[str, Any]]) -> bool:
        return self._commit({**self._data(), "blocks": blocks})

    def add_block(self, block_type: str, *, after: str | None = None, data: Mapping[str, Any] | None = None) -> str:
        """Add a block of any registered type with a fresh unique id (after ``after``, else at the end).

        ``data`` may give field values; the required ones that it leaves out are filled in.
        Returns the new block's id.
        """
        blocks = self._data()["blocks"]
        new = new_block_data(block_type, self.block_ids())
        new.update({k: v for k, v in (data or {}).items() if k not in ("type",)})
        index = self.index_of(after) + 1 if after is not None else len(blocks)
        blocks.insert(index, new)
        self._with_blocks(blocks)
        return new["id"]

    def update_block(self, block_id: str, **fields: Any) -> bool:
        """Set fields of one block (validated with the whole module); returns whether anything changed."""
        i = self.index_of(block_id)
        blocks = self._data()["blocks"]
        if "type" in fields and fields["type"] != blocks[i]["type"]:
            raise ContentError([Problem("a block's type cannot change", Location(file=self._file(), block_id=block_id,
                                                                              field="type"),
                                        "add a new block of the other type and delete this one", code="edit.type")])
        blocks[i] = {**blocks[i], **fields}
        return self._with_blocks(blocks)

    def update_block_form(self, block_id: str, values: Mapping[str, Any]) -> bool:
        """Set fields of one block from form values (see :func:`mblib.content.forms.form_value`)."""
        specs = block_form(self.block(block_id).type)
        return self.update_block(block_id, **parse_form(specs, values))

    def duplicate_block(self, block_id: str) -> str:
        """Insert a copy of a block right after it, with a fresh id; returns the copy's id."""
        i = self.index_of(block_id)
        blocks = self._data()["blocks"]
        copy = dict(blocks[i], id=fresh_id(f"{block_id[:52]}-copy", self.block_ids()))
        blocks.insert(i + 1, copy)
        self._with_blocks(blocks)
        return copy["id"]

    def delete_block(self, block_id: str) -> None:
        """Remove a block (undo brings it back)."""
        i = self.index_of(block_id)
        blocks = self._data()["blocks"]
        del blocks[i]
        self._with_blocks(blocks)

    def move_block(self, block_id: str, offset: int) -> int:
        """Move a block up (negative) or down (positive), clamped to the ends; returns its new index."""
        i = self.index_of(block_id)
        return self.move_block_to(block_id, i + offset)

    def move_block_to(self, block_id: str, index: int) -> int:
        """Move a block to position ``index`` (clamped); returns its new index."""
        i = self.index_of(block_id)
        blocks = self._data()["blocks"]
        index = max(0, min(len(blocks) - 1, index))
        blocks.insert(index, blocks.pop(i))
        self._with_blocks(blocks)
        return index

    # ------------------------------------------------------------ checks and views
    def preview(self) -> "Page":
        """The current snapshot rendered as learners will see it (:func:`mblib.render.render_module`)."""
        from ..render.page import render_module

        cached = getattr(self, "_preview", None)
        if cached is not None and cached[0] is self.current:
            return cached[1]
        page = render_module(self.current, self.workspace)
        self._preview = (self.current, page)
        return page

    def lint(self) -> list[Problem]:
        """Lint findings of the current snapshot (:func:`mblib.content.lint.lint_module`)."""
        from .lint import lint_module

        return lint_module(self.current, self.workspace)

    def duration(self) -> DurationStatus:
        """The estimated duration against the budget (the module's own, else the workspace's)."""
        est = self.current.estimate_duration(self.workspace.settings.duration)
        return DurationStatus(est, self.workspace.duration_budget_min(self.current))


class CredentialEditor(_Editor[Credential]):
    """Edit one credential: required and elective modules, prerequisites, criteria, European elements."""

    kind = "credential"
    model = Credential

    @staticmethod
    def _starter(workspace: "Workspace", credential_id: str, title: str | None) -> Credential:
        return Credential(id=credential_id, title=title or credential_id.replace("-", " ").capitalize())

    @property
    def credential(self) -> Credential:
        return self.current

    def _save_model(self, item: Credential, force: bool) -> bool:
        return self.workspace.save_credential(item, force=force)

    def _known(self, ids: Sequence[str], field: str) -> list[str]:
        unknown = [m for m in ids if m not in self.workspace.modules]
        if unknown:
            raise ContentError([Problem(f"no module '{unknown[0]}' in the workspace",
                                        Location(file=self._file(), field=field),
                                        f"modules are: {', '.join(sorted(self.workspace.modules))}",
                                        code="edit.unknown-module")])
        return list(dict.fromkeys(ids))

    def set_required(self, module_ids: Sequence[str]) -> bool:
        """The modules every learner completes (in this order); modules must exist in the workspace."""
        return self.update(required=self._known(module_ids, "required"))

    def add_elective_group(self, modules: Sequence[str], *, choose: int = 1, title: str | None = None) -> str:
        """Add a group "choose N of these modules"; returns its fresh id."""
        gid = fresh_id("electives", [g.id for g in self.current.electives])
        group = {"id": gid, "title": title, "choose": choose, "modules": self._known(modules, "electives")}
        self.update(electives=[*self._data()["electives"], group])
        return gid

    def update_elective_group(self, group_id: str, **fields: Any) -> bool:
        groups = self._data()["electives"]
        for g in groups:
            if g["id"] == group_id:
                if "modules" in fields:
                    fields["modules"] = self._known(fields["modules"], "electives")
                g.update(fields)
                return self.update(electives=groups)
        raise NotFoundError(f"credential '{self.id}' has no elective group '{group_id}'",
                            location=Location(file=self._file(), field="electives"),
                            hint=f"its groups are: {', '.join(g['id'] for g in groups) or '(none)'}")

    def remove_elective_group(self, group_id: str) -> bool:
        groups = self._data()["electives"]
        return self.update(electives=[g for g in groups if g["id"] != group_id])

    def set_prerequisites(self, module_id: str, prerequisites: Sequence[str]) -> bool:
        """The modules to pass before ``module_id`` (empty: none). A cycle is allowed here; lint reports it."""
        prereqs = dict(self._data()["prerequisites"])
        wanted = self._known([p for p in prerequisites if p != module_id], "prerequisites")
        if wanted:
            prereqs[module_id] = wanted
        else:
            prereqs.pop(module_id, None)
        return self.update(prerequisites=prereqs)

    def set_criteria(self, narrative: str, min_score: float | None = None) -> bool:
        """What earns the credential: a narrative and an optional minimum average score (0..1)."""
        return self.update(criteria={"narrative": narrative, "min_score": min_score} if narrative.strip() else None)

    def update_european(self, **fields: Any) -> bool:
        """Set elements of the European approach (``learning_outcomes=[...]``, ``workload={"hours": 3}``...)."""
        return self.update(european={**self._data()["european"], **fields})

    def update_european_form(self, values: Mapping[str, Any]) -> bool:
        """Set the European elements from form values (see :func:`mblib.content.forms.form_for`)."""
        return self.update_european(**parse_form(form_for(EuropeanElements, skip=()), values))

    # ------------------------------------------------------------ checks and views
    def lint(self) -> list[Problem]:
        from .lint import lint_credential

        return lint_credential(self.current, self.workspace)

    def workload(self) -> CredentialWorkload:
        """Total estimated workload from the modules' durations (:func:`~mblib.content.pathway.credential_workload`)."""
        return credential_workload(self.current, self.workspace)

    def graph(self) -> PathwayGraph:
        """The prerequisite graph with each module's duration (:func:`~mblib.content.pathway.pathway_graph`)."""
        return pathway_graph(self.current, self.workspace)


__all__ = ["CredentialEditor", "DurationStatus", "HISTORY_LIMIT", "ModuleEditor"]
