"""A workspace skeleton for a course that was not authored in mblib, inferred from its xAPI statements.

:func:`infer_structure` reads the statements an LMS sent (Open edX, Moodle, a cmi5 player, ...)
and writes, at ``root``:

- a **credential** per course: a context parent or grouping activity of a course type
  (``http://adlnet.gov/expapi/activities/course``, Moodle's ``lms/course``, cmi5's course), or a
  context parent with no type whose IRI says ``course``;
- a **module** per unit, lesson, assessment or cmi5 AU (module, lesson and assessment types,
  Moodle's ``lms/module``, the object of a statement in the cmi5 category), in its course;
- a **block** per other activity, in the module its context names (nearest first), else in the
  course's ``<course>-activities`` module (Open edX names only the course as parent);
- ``activities.yaml``: IRI -> credential / module / block, one line each, which
  :func:`~mblib.analytics.readers.read_xapi` then uses.

Every block is a **text block** naming its source activity: statements carry no question text
or answer key to make a quiz from, and the analytics need only the block's id (answers, scores
and responses are read onto it all the same). Names come from ``definition.name`` (English
first), ids from the IRIs (:func:`~mblib.analytics.readers.structure_scan.slug`: lowercase words,
unique, never a path). A later run keeps ``activities.yaml`` as it is (a person's edits, comments
and all) and appends only activities it has not seen; the modules and credentials it names are
created when missing, and those already there are only added to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .activities import ACTIVITIES_FILE, Place, activities_text, entry_line, parse_activities
from .structure_scan import Activity, Scan, scan_activities, slug, unique

MAX_ACTIVITIES = 20_000
"""The most activities one inference takes (beyond that: an error that says to infer per course)."""
NO_COURSE = "xapi-activities"
"""The credential of activities whose statements name no course."""


@dataclass
class InferredStructure:
    """What :func:`infer_structure` wrote: the workspace, what it added, and the mapping file."""

    root: Path
    mapping: Path
    statements: int
    activities: int  # activities mapped in activities.yaml (all runs)
    new_activities: int  # appended by this run
    credentials: list[str] = field(default_factory=list)  # created by this run
    modules: list[str] = field(default_factory=list)
    blocks: int = 0

    def summary(self) -> str:
        return (
            f"{self.root.name}: {self.statements:,} statements, {self.activities:,} activities mapped in "
            f"{self.mapping.name} ({self.new_activities:,} new); created {len(self.credentials)} credential(s), "
            f"{len(self.modules)} module(s), {self.blocks:,} block(s)"
        )


def _course_of(a: Activity, acts: dict[str, Activity]) -> Activity | None:
    for iri in a.parents + a.groupings:
        if acts[iri].role == "course":
            return acts[iri]
    for iri in a.parents:  # Open edX video statements name the course by id alone
        if not acts[iri].type and "course" in iri.lower():
            acts[iri].type = "http://adlnet.gov/expapi/activities/course"
            return acts[iri]
    return None


def _module_of(a: Activity, acts: dict[str, Activity]) -> Activity | None:
    for iri in a.parents + list(reversed(a.groupings)):  # the parent, else the innermost grouping
        if acts[iri].role == "module":
            return acts[iri]
    return None


def _plan(
    scan: Scan, known: dict[str, Place | None], used: set[str], blocks_used: dict[str, set[str]]
) -> dict[str, Place]:
    """New IRI -> place for the activities ``known`` does not map yet (sorted by IRI: same ids on re-run)."""
    acts = scan.activities
    places: dict[str, Place] = {}
    course_ids: dict[str, str] = {}

    def course_id(course: Activity | None) -> str:
        if course is None:
            return NO_COURSE
        if course.iri in known:  # mapped by an earlier run or a person (null: no course)
            mapped = known[course.iri]
            return (mapped[0] if mapped else None) or NO_COURSE
        if course.iri not in course_ids:
            course_ids[course.iri] = unique(slug(course.iri), used)
            places[course.iri] = (course_ids[course.iri], None, None)
        return course_ids[course.iri]

    def module_id(module: Activity, cred: str) -> str:
        if module.iri in known:
            mapped = known[module.iri]
            return (mapped[1] if mapped else None) or f"{cred}-activities"
        if module.iri not in places:
            places[module.iri] = (cred, unique(slug(module.iri), used), None)
        return places[module.iri][1]  # type: ignore[return-value]

    for iri in sorted(a.iri for a in acts.values() if a.is_object or a.role == "course"):
        a = acts[iri]
        if a.role == "ignored" or iri in known:
            continue
        if a.role == "course":
            course_id(a)
            continue
        cred = course_id(_course_of(a, acts))
        if a.role == "badge":
            places[iri] = (cred, None, None)
        elif a.role == "module":
            module_id(a, cred)
        else:
            module = _module_of(a, acts)
            mid = module_id(module, cred) if module else f"{cred}-activities"
            places[iri] = (cred, mid, unique(slug(iri), blocks_used.setdefault(mid, set())))
    return places


def infer_structure(
    sources: Sequence[Path], root: Path, *, echo: Callable[[str], Any] | None = print
) -> InferredStructure:
    """Infer a workspace skeleton (credentials, modules, blocks) and ``activities.yaml`` at ``root``
    from the xAPI statements in ``sources`` (files or folders, as :func:`read_xapi` reads them).

    Creates the workspace when ``root`` holds none; otherwise adds to it and reuses its
    ``activities.yaml``. Returns what it wrote (and says it through ``echo``).
    """
    from ...content import Workspace

    sources = [Path(s) for s in sources]
    root = Path(root)
    scan = scan_activities(sources, MAX_ACTIVITIES)
    if (root / "mblib.toml").is_file():
        ws = Workspace.open(root)
    else:
        ws = Workspace.create(root, title="Inferred from xAPI statements")
    mapping = root / ACTIVITIES_FILE
    old_text = mapping.read_text(encoding="utf-8") if mapping.is_file() else ""
    known = parse_activities(old_text, str(mapping)) if old_text else {}
    used = set(ws.modules) | set(ws.credentials) | {p[0] for p in known.values() if p and p[0]}
    used |= {p[1] for p in known.values() if p and p[1]}
    used.add(NO_COURSE)
    blocks_used: dict[str, set[str]] = {mid: {b.id for b in m.blocks} for mid, m in ws.modules.items()}
    for place in known.values():
        if place and place[1] and place[2]:
            blocks_used.setdefault(place[1], set()).add(place[2])
    new = _plan(scan, known, used, blocks_used)
    result = InferredStructure(root, mapping, scan.statements, 0, len(new))
    _write_skeleton(ws, {**{k: v for k, v in known.items() if v}, **new}, scan, result)
    names = {iri: scan.activities[iri].name for iri in new if iri in scan.activities}
    if not old_text:
        text = activities_text(dict(new), names)
    else:
        text = old_text + ("" if old_text.endswith("\n") else "\n")
        text += "".join(entry_line(iri, place, names.get(iri, "")) for iri, place in new.items())
        if set(parse_activities(text, str(mapping))) != set(known) | set(new):  # the person reshaped the file
            text = activities_text({**known, **new}, names)
    from ...content.safewrite import write_workspace_file

    write_workspace_file(root, ACTIVITIES_FILE, text.encode("utf-8"), what="the activities mapping")
    result.activities = sum(1 for p in {**known, **new}.values() if p)
    if echo is not None:
        echo(result.summary())
    return result


def _title(iri: str, scan: Scan, fallback: str) -> str:
    a = scan.activities.get(iri)
    return (a.name if a and a.name else "") or fallback.replace("-", " ").capitalize()


def _write_skeleton(ws: Any, places: dict[str, Place], scan: Scan, result: InferredStructure) -> None:
    """Create the credentials, modules and blocks ``places`` names that the workspace lacks."""
    from ...content import Credential, Module, TextBlock

    by_module: dict[str, list[tuple[str, str]]] = {}
    module_iri: dict[str, str] = {}
    cred_iri: dict[str, str] = {}
    modules_of: dict[str, list[str]] = {}
    for iri, (cred, mid, bid) in places.items():
        if cred and mid is None and bid is None:
            cred_iri.setdefault(cred, iri)
        if mid:
            if cred:
                modules_of.setdefault(cred, [])
                if mid not in modules_of[cred]:
                    modules_of[cred].append(mid)
            if bid:
                by_module.setdefault(mid, []).append((bid, iri))
            else:
                module_iri.setdefault(mid, iri)
    for mid in sorted(set(by_module) | set(module_iri)):
        module = ws.modules.get(mid)
        if module is None:
            title = _title(module_iri.get(mid, ""), scan, mid)
            if mid.endswith("-activities") and mid not in module_iri:
                title = f"Activities of {mid[: -len('-activities')]}"
            module = Module(id=mid, title=title, summary="Inferred from xAPI statements.", blocks=[])
            result.modules.append(mid)
        have = {b.id for b in module.blocks}
        added = [
            TextBlock(
                id=bid,
                type="text",
                body=f"{_title(iri, scan, bid)}\n\nSource activity: `{iri.replace('`', '%60')}`\n",
            )
            for bid, iri in by_module.get(mid, [])
            if bid not in have
        ]
        if added or mid in result.modules:
            module = module.model_copy(update={"blocks": [*module.blocks, *added]})
            ws.save_module(module)
            result.blocks += len(added)
    for cred in sorted(set(cred_iri) | set(modules_of)):
        credential = ws.credentials.get(cred)
        listed: set[str] = set()
        if credential is None:
            title = _title(cred_iri.get(cred, ""), scan, cred)
            if cred == NO_COURSE:
                title = "Activities without a course"
            credential = Credential(id=cred, title=title, summary="Inferred from xAPI statements.")
            result.credentials.append(cred)
        else:
            listed = set(credential.required) | {m for g in credential.electives for m in g.modules}
        extra = [m for m in modules_of.get(cred, []) if m not in listed and m not in credential.required]
        if extra or cred in result.credentials:
            ws.save_credential(credential.model_copy(update={"required": [*credential.required, *extra]}))


__all__ = ["MAX_ACTIVITIES", "NO_COURSE", "InferredStructure", "infer_structure"]
