"""``activities.yaml``: the editable map from xAPI activity IRIs to credential, module and block ids.

:func:`~mblib.analytics.readers.structure.infer_structure` writes it beside the workspace skeleton
it infers; :func:`~mblib.analytics.readers.read_xapi` reads ``<workspace>/activities.yaml`` when it
is there. One line per activity, so that a person can move an activity to another module or block,
or map it to nothing (``null``), and a later inference keeps those edits and only appends new IRIs::

    activities:
      "https://lms.example/course/view.php?id=7": {credential: data-basics}  # Data basics
      "https://lms.example/mod/quiz/view.php?id=3": {credential: data-basics, module: quiz-1}  # Quiz 1
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import Location
from ..validation import ReaderError

if TYPE_CHECKING:  # pragma: no cover
    from ...content.workspace import Workspace

ACTIVITIES_FILE = "activities.yaml"
KEYS = ("credential", "module", "block")
MAX_ACTIVITIES = 100_000
"""The most activities a mapping file holds (a file beyond that is refused, not read)."""

HEADER = (
    "# xAPI activity IRI -> credential / module / block of this workspace (mblib activities.yaml).\n"
    "# Edit freely: move an activity to another module or block, or map it to null to leave it out.\n"
    "# infer_structure keeps every line here and appends activities it has not seen before.\n"
)

Place = tuple[str | None, str | None, str | None]


def _error(message: str, file: str, line: int | None, hint: str) -> ReaderError:
    return ReaderError(message, location=Location(file=file, line=line), hint=hint)


def parse_activities(text: str, file: str) -> dict[str, Place | None]:
    """The entries of an activities file (``None`` for an IRI mapped to nothing); :class:`ReaderError` on a bad shape."""
    from ...content.yamlio import load_yaml_text

    loaded = load_yaml_text(text, file)
    data = loaded.data
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("activities", {}), dict):
        raise _error(
            "an activities file holds one mapping 'activities:' of IRI -> {credential, module, block}",
            file,
            1,
            "start the file with 'activities:' and one '\"IRI\": {module: id}' line per activity",
        )
    entries = data.get("activities") or {}
    if len(entries) > MAX_ACTIVITIES:
        raise _error(
            f"{len(entries):,} activities, more than {MAX_ACTIVITIES:,}",
            file,
            None,
            "split the statements by course and infer one workspace per course",
        )
    out: dict[str, Place | None] = {}
    for iri, value in entries.items():
        line = loaded.locate(("activities", iri))[0]
        if value is None:
            out[str(iri)] = None
            continue
        bad_keys = sorted(set(value) - set(KEYS)) if isinstance(value, dict) else None
        if not isinstance(value, dict) or bad_keys:
            raise _error(
                f"activity {str(iri)[:200]!r}: {value!r}"[:300] + " is not a mapping of credential, module, block",
                file,
                line,
                "write it as {credential: ID, module: ID, block: ID} (leave out what does not apply), or null",
            )
        ids = tuple(value.get(k) for k in KEYS)
        for key, v in zip(KEYS, ids, strict=True):
            if v is not None and not isinstance(v, str):
                raise _error(
                    f"activity {str(iri)[:200]!r}: {key} {v!r} is not an id"[:300],
                    file,
                    line,
                    f"write the {key} id as text",
                )
        out[str(iri)] = (ids[0], ids[1], ids[2])
    return out


def check_places(entries: dict[str, Place | None], workspace: Workspace, file: str, text: str) -> None:
    """:class:`ReaderError` for the first entry naming a credential, module or block the workspace lacks."""
    lines = text.splitlines()
    for iri, place in entries.items():
        if place is None:
            continue
        cred, module, block = place
        problem = None
        if cred is not None and cred not in workspace.credentials:
            problem = f"credential '{cred}'"
        elif module is not None and module not in workspace.modules:
            problem = f"module '{module}'"
        elif block is not None and (module is None or block not in {b.id for b in workspace.modules[module].blocks}):
            problem = f"block '{block}' in module '{module}'"
        if problem:
            key = json.dumps(iri, ensure_ascii=False)
            line = next((i for i, t in enumerate(lines, 1) if t.lstrip().startswith((key, iri))), None)
            raise _error(
                f"activity {iri[:200]} is mapped to {problem}, which the workspace does not have",
                file,
                line,
                "correct the id (see modules/ and credentials/), or map the activity to null",
            )


def load_activities(path: str | Path, workspace: Workspace | None = None) -> dict[str, Place | None]:
    """The IRI -> (credential, module, block) entries of an activities file, checked against ``workspace``.

    An entry mapped to ``null`` stays ``None``: its statements match nothing (and are rejected as
    such), even when the IRI's path happens to name a module of the workspace.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    entries = parse_activities(text, str(path))
    if workspace is not None:
        check_places(entries, workspace, str(path), text)
    return entries


def _one_line(name: str) -> str:
    flat = " ".join(name.split())
    return flat if len(flat) <= 80 else flat[:77] + "..."


def entry_line(iri: str, place: Place | None, name: str = "") -> str:
    """One ``activities:`` line: the IRI (quoted), its ids in a flow mapping, the activity's name as a comment."""
    key = json.dumps(iri, ensure_ascii=False)
    if place is None:
        value = "null"
    else:
        value = "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in zip(KEYS, place, strict=True) if v) + "}"
    comment = f"  # {_one_line(name)}" if name.strip() else ""
    return f"  {key}: {value}{comment}\n"


def activities_text(entries: dict[str, Place | None], names: dict[str, str] | None = None) -> str:
    """A whole activities file for ``entries`` (in their order)."""
    names = names or {}
    return HEADER + "activities:\n" + "".join(entry_line(i, p, names.get(i, "")) for i, p in entries.items())


__all__ = [
    "ACTIVITIES_FILE",
    "MAX_ACTIVITIES",
    "activities_text",
    "check_places",
    "entry_line",
    "load_activities",
    "parse_activities",
]
