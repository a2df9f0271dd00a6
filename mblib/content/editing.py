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
here works without them. The editors know nothing of HTML: the builder widget renders
the preview (``mblib.render.render_module(editor.current, workspace)``; docs/architecture.md).

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ContentError, Location, NotFoundError, Problem
from .credential import Credential, EuropeanElements
from .editor import HISTORY_LIMIT, BaseEditor
from .forms import block_form, form_for, fresh_id, new_block_data, parse_form
from .module import DurationEstimate, Module
from .pathway import CredentialWorkload, PathwayGraph, credential_workload, pathway_graph

if TYPE_CHECKING:  # pragma: no cover
    from .workspace import Workspace


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
        return f"{self.estimate.minutes:.1f} min of {self.budget_min:g} min budget" + (
            " (over budget)" if self.over else ""
        )


class ModuleEditor(BaseEditor[Module]):
    """Edit one module of a workspace: blocks (add, edit, duplicate, delete, move), undo/redo, save.

    Open an existing module with :meth:`open` or start a new one with :meth:`create`
    (from the starter content of ``mb new module``).
    """

    kind = "module"
    model = Module

    @classmethod
    def _lookup(cls, workspace: Workspace, item_id: str) -> Module:
        return workspace.module(item_id)

    @staticmethod
    def _starter(workspace: Workspace, module_id: str, title: str | None) -> Module:
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
            raise NotFoundError(
                f"module '{self.id}' has no block '{block_id}'",
                location=Location(file=self._file(), block_id=block_id),
                hint=f"its blocks are: {', '.join(ids) or '(none)'}",
            )
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
            raise ContentError(
                [
                    Problem(
                        "a block's type cannot change",
                        Location(file=self._file(), block_id=block_id, field="type"),
                        "add a new block of the other type and delete this one",
                        code="edit.type",
                    )
                ]
            )
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
    def lint(self) -> list[Problem]:
        """Lint findings of the current snapshot (:func:`mblib.content.lint.lint_module`)."""
        from .lint import lint_module

        return lint_module(self.current, self.workspace)

    def duration(self) -> DurationStatus:
        """The estimated duration against the budget (the module's own, else the workspace's)."""
        est = self.current.estimate_duration(self.workspace.settings.duration)
        return DurationStatus(est, self.workspace.duration_budget_min(self.current))


class CredentialEditor(BaseEditor[Credential]):
    """Edit one credential: required and elective modules, prerequisites, criteria, European elements."""

    kind = "credential"
    model = Credential

    @classmethod
    def _lookup(cls, workspace: Workspace, item_id: str) -> Credential:
        return workspace.credential(item_id)

    @staticmethod
    def _starter(workspace: Workspace, credential_id: str, title: str | None) -> Credential:
        return Credential(id=credential_id, title=title or credential_id.replace("-", " ").capitalize())

    @property
    def credential(self) -> Credential:
        return self.current

    def _save_model(self, item: Credential, force: bool) -> bool:
        return self.workspace.save_credential(item, force=force)

    def _known(self, ids: Sequence[str], field: str) -> list[str]:
        unknown = [m for m in ids if m not in self.workspace.modules]
        if unknown:
            raise ContentError(
                [
                    Problem(
                        f"no module '{unknown[0]}' in the workspace",
                        Location(file=self._file(), field=field),
                        f"modules are: {', '.join(sorted(self.workspace.modules))}",
                        code="edit.unknown-module",
                    )
                ]
            )
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
        raise NotFoundError(
            f"credential '{self.id}' has no elective group '{group_id}'",
            location=Location(file=self._file(), field="electives"),
            hint=f"its groups are: {', '.join(g['id'] for g in groups) or '(none)'}",
        )

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


__all__ = ["BaseEditor", "CredentialEditor", "DurationStatus", "HISTORY_LIMIT", "ModuleEditor"]
