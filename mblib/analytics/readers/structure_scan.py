"""What xAPI statements say about a course's structure: its activities, their names, types and containers.

:func:`scan_activities` reads statements (any shape :func:`~mblib.analytics.readers.xapi_input.iter_json_file`
reads) and keeps, per activity IRI, a name, a type and the activities the statements place it in
(``context.contextActivities`` parent and grouping). :func:`slug` makes a readable, safe id from
an IRI. :mod:`mblib.analytics.readers.structure` builds the workspace from these.

>>> slug("http://www.example.org/mod/quiz/view.php?id=12"), slug("https://lms.example/../../etc/passwd")
('quiz-12', 'etc-passwd')
>>> slug("http://localhost:18000/xblock/block-v1:edX+DemoX+Demo_Course+type@problem+block@3fc5461f86764ad7bdbdf6cbdde61e66")
'demo-course-problem-3fc5461f'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import Location
from ..validation import ReaderError
from .xapi_input import iter_json_file, xapi_files
from .xapi_statement import CREDENTIAL_TYPES
from .xapi_verbs import XAPI_VERBS

COURSE_TYPES: frozenset[str] = frozenset(
    {
        "http://adlnet.gov/expapi/activities/course",
        "http://id.tincanapi.com/activitytype/lms/course",
        "https://w3id.org/xapi/cmi5/activitytype/course",
    }
)
"""Activity types that become a credential."""
MODULE_TYPES: frozenset[str] = frozenset(
    {
        "http://adlnet.gov/expapi/activities/module",
        "http://adlnet.gov/expapi/activities/lesson",
        "http://adlnet.gov/expapi/activities/assessment",
        "http://id.tincanapi.com/activitytype/lms/module",
        "https://w3id.org/xapi/cmi5/activitytype/block",
    }
)
"""Activity types that become a module (a cmi5 AU, the object of a statement in the cmi5 category, too)."""
IGNORED_TYPES: frozenset[str] = frozenset(
    {
        "http://id.tincanapi.com/activitytype/lms",
        "http://id.tincanapi.com/activitytype/source",
        "http://adlnet.gov/expapi/activities/attempt",
        "http://adlnet.gov/expapi/activities/profile",
    }
)
"""Context activities that are neither course, module nor block: the LMS site, the source, an attempt."""
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MAX_NAME = 200
"""Names longer than this are cut (with '...')."""

_NOISE = frozenset(
    [
        "http",
        "https",
        "www",
        "php",
        "html",
        "htm",
        "aspx",
        "jsp",
        "view",
        "index",
        "id",
        "xblock",
        "block",
        "type",
        "v1",
        "xapi",
        "activities",
        "activity",
        "mod",
    ]
)
_HEX = re.compile(r"^[0-9a-f]{12,}$")


def slug(iri: str, limit: int = 48) -> str:
    """A readable id from an IRI: its last meaningful words, lowercase, ``-``-joined (never a path)."""
    words = [w for w in re.split(r"[^a-z0-9]+", iri.lower()) if w and w not in _NOISE]
    words = [w[:8] if _HEX.match(w) else w for w in words]
    host = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#]+)", iri.lower())
    if host and len(words) > 1:  # the host says nothing about the activity once there is a path
        host_words = set(re.split(r"[^a-z0-9]+", host.group(1)))
        rest = [w for w in words if w not in host_words]
        words = rest or words
    out = ""
    for w in reversed(words[-4:]):
        candidate = f"{w}-{out}" if out else w
        if len(candidate) > limit:
            break
        out = candidate
    out = out or (words[-1][:limit] if words else "")
    return out.strip("-") or "activity"


def unique(base: str, used: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... : the first not in ``used`` (which it joins)."""
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[: 60 - len(str(n))]}-{n}"
    used.add(name)
    return name


def name_of(definition: Any) -> str:
    """The activity's name from ``definition.name`` (English first), one line, at most :data:`MAX_NAME` characters."""
    names = definition.get("name") if isinstance(definition, dict) else None
    if not isinstance(names, dict):
        return ""
    texts = [v for v in names.values() if isinstance(v, str) and v.strip()]
    english = [v for k, v in names.items() if isinstance(v, str) and v.strip() and str(k).lower().startswith("en")]
    chosen = (english or texts or [""])[0]
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in chosen).split())
    return flat if len(flat) <= MAX_NAME else flat[: MAX_NAME - 3] + "..."


@dataclass
class Activity:
    """One activity IRI as the statements describe it."""

    iri: str
    name: str = ""
    type: str = ""
    parents: list[str] = field(default_factory=list)  # context parent ids, first seen first
    groupings: list[str] = field(default_factory=list)
    is_object: bool = False  # the object of a learning statement (not only context)
    cmi5_au: bool = False

    def learn(self, definition: Any) -> None:
        if not isinstance(definition, dict):
            return
        if not self.name:
            self.name = name_of(definition)
        kind = definition.get("type")
        if not self.type and isinstance(kind, str):
            self.type = kind[:300]

    @property
    def role(self) -> str:
        """'course', 'module', 'badge', 'ignored' or 'block' (by type; a cmi5 AU is a module)."""
        if self.type in COURSE_TYPES:
            return "course"
        if self.type in MODULE_TYPES or self.cmi5_au:
            return "module"
        if self.type in CREDENTIAL_TYPES:
            return "badge"
        if self.type in IGNORED_TYPES:
            return "ignored"
        return "block"


@dataclass
class Scan:
    """Activities by IRI (first seen first) and statement counts."""

    activities: dict[str, Activity] = field(default_factory=dict)
    statements: int = 0
    used: int = 0  # learning statements whose object became an activity


def _context(st: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    ctx = st.get("context")
    acts = ctx.get("contextActivities") if isinstance(ctx, dict) else None
    if not isinstance(acts, dict):
        return [], [], False

    def listed(key: str) -> list[dict[str, Any]]:
        v = acts.get(key)
        v = [v] if isinstance(v, dict) else v if isinstance(v, list) else []
        return [a for a in v if isinstance(a, dict) and isinstance(a.get("id"), str) and a["id"]]

    cmi5 = any(a["id"] == CMI5_CATEGORY for a in listed("category"))
    return listed("parent"), listed("grouping"), cmi5


def _statements(files: Iterable[Path]) -> Iterable[Any]:
    for f in files:
        for _, value, err in iter_json_file(f):
            if err:
                continue
            if isinstance(value, dict) and isinstance(value.get("statements"), list) and "verb" not in value:
                yield from value["statements"]
            elif isinstance(value, list):
                yield from value
            else:
                yield value


def scan_activities(sources: Sequence[Path], max_activities: int) -> Scan:
    """The activities of the learning statements in ``sources``; :class:`ReaderError` beyond ``max_activities``."""
    scan = Scan()
    acts = scan.activities

    def get(iri: str) -> Activity:
        a = acts.get(iri)
        if a is None:
            if len(acts) >= max_activities:
                raise ReaderError(
                    f"the statements name more than {max_activities:,} activities: too many for one workspace",
                    location=Location(file=str(sources[0]) if sources else None),
                    hint="infer one workspace per course: give the statements of one course at a time",
                )
            a = acts[iri] = Activity(iri[:2000])
        return a

    for st in _statements(xapi_files(sources)):
        scan.statements += 1
        if not isinstance(st, dict):
            continue
        verb = st.get("verb")
        verb_id = verb.get("id") if isinstance(verb, dict) else None
        target = st.get("object")
        if verb_id not in XAPI_VERBS or not isinstance(target, dict):
            continue
        if target.get("objectType", "Activity") != "Activity" or not isinstance(target.get("id"), str):
            continue
        if not target["id"].strip() or len(target["id"]) > 2000:
            continue
        parents, groupings, cmi5 = _context(st)
        obj = get(target["id"])
        obj.is_object = True
        obj.cmi5_au = obj.cmi5_au or cmi5
        obj.learn(target.get("definition"))
        for key, listed in (("parents", parents), ("groupings", groupings)):
            for ctx_act in listed:
                if len(ctx_act["id"]) > 2000 or ctx_act["id"] == target["id"]:
                    continue
                get(ctx_act["id"]).learn(ctx_act.get("definition"))
                known = getattr(obj, key)
                if ctx_act["id"] not in known and len(known) < 20:
                    known.append(ctx_act["id"])
        scan.used += 1
    return scan


__all__ = [
    "COURSE_TYPES",
    "IGNORED_TYPES",
    "MAX_NAME",
    "MODULE_TYPES",
    "Activity",
    "Scan",
    "name_of",
    "scan_activities",
    "slug",
    "unique",
]
