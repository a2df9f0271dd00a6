"""The xAPI verb table: each verb IRI that LMSs and LRSs send, its vocabulary, and the event it becomes.

One row per verb IRI (:data:`VERB_RULES`). A row names the contract verb it stands for (see
:data:`mblib.analytics.schema.VERBS`), or ``None`` for a verb with no meaning for completion
analytics (commented, shared, logged in, ...): :func:`~mblib.analytics.readers.read_xapi` counts
those statements apart as "not learning events" instead of rejecting them. The event also depends
on what the statement is about (:func:`event_for`): ``completed`` on a credential (a course, a
badge) means the credential was earned, on a module it is a module completion, on a block it is
progress through the module. ``docs/xapi-vocabularies.md`` holds the same table for people
(a test checks that it matches :func:`verb_table_markdown`).

>>> event_for("https://w3id.org/xapi/tla/verbs/achieved", "credential"), event_for(ADL + "completed", "block")
('earned', 'progressed')
>>> event_for("http://adlnet.gov/expapi/verbs/commented", "module") is None, rule_for("urn:x:liked") is None
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["credential", "module", "block"]
LEVELS: tuple[Level, ...] = ("credential", "module", "block")

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
AS1 = "http://activitystrea.ms/schema/1.0/"
TINCAN = "http://id.tincanapi.com/verb/"
TLA = "https://w3id.org/xapi/tla/verbs/"
ACROSSX = "https://w3id.org/xapi/acrossx/verbs/"
DODISD = "https://w3id.org/xapi/dod-isd/verbs/"
VIDEO = "https://w3id.org/xapi/video/verbs/"
EDLM = "https://xapi.edlm/profiles/edlm-lms/concepts/verbs/"


@dataclass(frozen=True)
class Vocabulary:
    """A published verb vocabulary: its name, the IRI its verbs start with, and where it is defined."""

    key: str
    name: str
    base: str
    source: str


VOCABULARIES: dict[str, Vocabulary] = {
    v.key: v
    for v in (
        Vocabulary("adl", "ADL vocabulary", ADL, "https://github.com/adlnet/xapi-authored-profiles/tree/master/adl"),
        Vocabulary("cmi5", "cmi5 defined verbs", ADL, "https://github.com/AICC/CMI-5_Spec_Current (section 9.3)"),
        Vocabulary("activitystreams", "Activity Streams 1.0", AS1, "http://activitystrea.ms/registry/verbs/"),
        Vocabulary("tincan", "Tin Can registry", TINCAN, "https://registry.tincanapi.com/"),
        Vocabulary("tla", "TLA (Total Learning Architecture)", TLA, "https://w3id.org/xapi/tla"),
        Vocabulary("acrossx", "acrossx profile (Open edX)", ACROSSX, "https://w3id.org/xapi/acrossx"),
        Vocabulary("dod-isd", "DoD ISD profile (Open edX)", DODISD, "https://w3id.org/xapi/dod-isd"),
        Vocabulary("video", "xAPI video profile (Open edX)", VIDEO, "https://w3id.org/xapi/video"),
        Vocabulary(
            "edlm", "EDLM LMS profile (Moodle logstore_xapi)", EDLM, "https://github.com/xAPI-vle/moodle-logstore_xapi"
        ),
    )
}
"""The vocabularies of the table, by key."""

# (on a credential, on a module, on a block) for each contract verb a row stands for; None: not a
# learning event at that level (counted apart)
NATURAL: dict[str, tuple[str | None, str | None, str | None]] = {
    "enrolled": ("enrolled", "enrolled", "enrolled"),
    "launched": (None, "launched", "launched"),
    "progressed": (None, "launched", "progressed"),
    "answered": (None, "launched", "answered"),
    "completed": ("earned", "completed", "progressed"),
    "passed": ("earned", "passed", "answered"),
    "failed": (None, "failed", "answered"),
    "earned": ("earned", "earned", "earned"),
}
"""How a row's event reads on each level: a block-level event on a module is a launch of it (the
learner was there), a module verdict on a credential is the credential earned, a completion of a
block is progress through its module."""


@dataclass(frozen=True)
class VerbRule:
    """One verb IRI: the vocabularies that define it, the event it stands for (``None``: not a
    learning event), why, and optionally its own (credential, module, block) events."""

    iri: str
    vocabularies: tuple[str, ...]
    event: str | None
    note: str = ""
    levels: tuple[str | None, str | None, str | None] | None = None

    def on(self, level: Level) -> str | None:
        """The contract verb of this verb about an activity of ``level`` (``None``: not a learning event)."""
        if self.event is None:
            return None
        table = self.levels or NATURAL[self.event]
        return table[LEVELS.index(level)]

    @property
    def name(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


def _rules(base: str, vocab: tuple[str, ...], rows: list[tuple[str, str | None, str]]) -> list[VerbRule]:
    return [VerbRule(base + name, vocab, event, note) for name, event, note in rows]


_SESSION = "a session event: the learner had the activity open"
_SOCIAL = "social or administrative: no meaning for completion"
_ADL = ("adl",)
_ADL_CMI5 = ("adl", "cmi5")

VERB_RULES: tuple[VerbRule, ...] = (
    *_rules(
        ADL,
        _ADL,
        [
            ("answered", "answered", ""),
            ("asked", None, _SOCIAL),
            ("attempted", "launched", ""),
            ("attended", "launched", "attended a session of the activity"),
            ("commented", None, _SOCIAL),
        ],
    ),
    VerbRule(ADL + "completed", _ADL_CMI5, "completed", "a block completed is progress through its module"),
    *_rules(ADL, _ADL, [("exited", "launched", _SESSION), ("experienced", "progressed", "")]),
    VerbRule(ADL + "failed", _ADL_CMI5, "failed", "a failed credential has no event of its own"),
    VerbRule(ADL + "imported", _ADL, None, "content imported: an authoring event"),
    VerbRule(ADL + "initialized", _ADL_CMI5, "launched"),
    VerbRule(ADL + "interacted", _ADL, "progressed"),
    VerbRule(ADL + "launched", _ADL_CMI5, "launched"),
    VerbRule(ADL + "mastered", _ADL, "passed"),
    VerbRule(ADL + "passed", _ADL_CMI5, "passed", "a passed course or badge is the credential earned"),
    VerbRule(ADL + "preferred", _ADL, None, "a preference, not a learning event"),
    VerbRule(ADL + "progressed", _ADL, "progressed"),
    VerbRule(ADL + "registered", _ADL, "enrolled"),
    VerbRule(ADL + "responded", _ADL, "answered"),
    VerbRule(ADL + "resumed", _ADL, "launched", _SESSION),
    VerbRule(ADL + "satisfied", _ADL, "completed", "the form some LMSs (ILIAS, ...) send for cmi5's w3id satisfied"),
    VerbRule(ADL + "scored", _ADL, "answered", "a score on a module keeps its score on a launch"),
    VerbRule(ADL + "shared", _ADL, None, _SOCIAL),
    VerbRule(ADL + "suspended", _ADL, "launched", _SESSION),
    VerbRule(ADL + "terminated", _ADL_CMI5, "launched", _SESSION + " (cmi5: not a completion)"),
    VerbRule(ADL + "voided", _ADL, None, "never mapped: removes the statement it names (voiding)"),
    VerbRule(ADL + "waived", _ADL_CMI5, None, "credit given without the learning: not a learning event"),
    VerbRule(ADL_W3ID + "abandoned", _ADL_CMI5, "launched", _SESSION + " (cmi5: the LMS closed it)"),
    VerbRule(ADL_W3ID + "satisfied", _ADL_CMI5, "completed", "cmi5: the LMS says the course or block is satisfied"),
    VerbRule(ADL_W3ID + "logged-in", _ADL, None, _SOCIAL),
    VerbRule(ADL_W3ID + "logged-out", _ADL, None, _SOCIAL),
    *_rules(
        AS1,
        ("activitystreams",),
        [
            ("access", "launched", ""),
            ("attend", "launched", ""),
            ("complete", "completed", ""),
            ("consume", "progressed", ""),
            ("experience", "progressed", ""),
            ("interact", "progressed", ""),
            ("join", "enrolled", ""),
            ("open", "launched", ""),
            ("play", "progressed", ""),
            ("read", "progressed", ""),
            ("start", "launched", "Moodle: started a quiz attempt"),
            ("watch", "progressed", ""),
            ("satisfy", "completed", ""),
            ("terminate", "launched", _SESSION),
            ("create", None, "authored something (a post, a page)"),
            ("delete", None, _SOCIAL),
            ("update", None, _SOCIAL),
            ("share", None, _SOCIAL),
            ("like", None, _SOCIAL),
            ("follow", None, _SOCIAL),
            ("search", None, _SOCIAL),
            ("receive", None, "Moodle: received a message or feedback"),
            ("send", None, _SOCIAL),
            ("leave", None, "left a group or course: the contract has no unenrolled event"),
            ("cancel", None, _SOCIAL),
            ("save", None, _SOCIAL),
            ("tag", None, _SOCIAL),
        ],
    ),
    VerbRule(
        AS1 + "submit",
        ("activitystreams",),
        "completed",
        "Moodle: an assignment or quiz submitted completes that module",
        levels=(None, "completed", "answered"),
    ),
    *_rules(
        TINCAN,
        ("tincan",),
        [
            ("viewed", "progressed", "Moodle: viewed a page or module"),
            ("enrolled", "enrolled", ""),
            ("earned", "earned", ""),
            ("unregistered", None, "unenrolled (Open edX): the contract has no unenrolled event"),
            ("downloaded", "progressed", ""),
            ("liked", None, _SOCIAL),
            ("replied", None, _SOCIAL),
            ("voted-up", None, _SOCIAL),
        ],
    ),
    VerbRule(
        TLA + "achieved",
        ("tla",),
        "completed",
        "earned when the object is a credential (Moodle: a badge awarded); a module achieved is a completion",
    ),
    *_rules(
        TLA,
        ("tla",),
        [
            ("registered", "enrolled", ""),
            ("scored", "answered", "Moodle: an assignment graded"),
            ("explored", "progressed", ""),
            ("assigned", None, "an instructor's assignment, not the learner's action"),
            ("forfeited", None, "gave up an activity: no completion meaning"),
            ("socialized", None, _SOCIAL),
        ],
    ),
    *_rules(
        ACROSSX,
        ("acrossx",),
        [
            ("evaluated", "answered", "Open edX: a problem checked and graded"),
            ("searched", None, _SOCIAL),
            ("posted", None, "Open edX: a forum post"),
            ("edited", None, "Open edX: a forum post edited"),
            ("reported", None, "Open edX: a forum post reported"),
            ("unreported", None, "Open edX: a forum report withdrawn"),
        ],
    ),
    *_rules(
        DODISD,
        ("dod-isd",),
        [
            ("navigated", "progressed", "Open edX: moved to the next or previous unit"),
            ("selected", "progressed", ""),
            ("accessed", "launched", ""),
            ("chose", "answered", ""),
            ("stated", None, _SOCIAL),
            ("proposed", None, _SOCIAL),
            ("connected", None, _SOCIAL),
            ("disconnected", None, _SOCIAL),
        ],
    ),
    *_rules(
        VIDEO,
        ("video",),
        [
            ("played", "progressed", "Open edX: a video played (video completed is ADL completed)"),
            ("paused", "progressed", ""),
            ("seeked", "progressed", ""),
        ],
    ),
    *_rules(
        EDLM,
        ("edlm",),
        [
            ("enrolled", "enrolled", "Moodle: enrolled in a course"),
            ("restarted", "launched", "Moodle: a new attempt of an activity"),
            ("login", None, _SOCIAL),
            ("logout", None, _SOCIAL),
            ("toured", None, "Moodle: a user tour of the interface"),
            ("locked", None, "Moodle: a teacher locked a submission"),
        ],
    ),
)
"""Every verb IRI the readers know. Extend or override with ``read_xapi(..., verbs={IRI: verb})``."""

_BY_IRI: dict[str, VerbRule] = {r.iri: r for r in VERB_RULES}

XAPI_VERBS: dict[str, str] = {r.iri: r.event for r in VERB_RULES if r.event is not None}
"""Verb IRI -> the contract verb it stands for (on its own level; :func:`event_for` per level)."""

NOT_LEARNING: frozenset[str] = frozenset(r.iri for r in VERB_RULES if r.event is None)
"""Verb IRIs that are not learning events: counted apart, never rejected."""


def rule_for(iri: str) -> VerbRule | None:
    """The table's row for a verb IRI, or ``None`` when the IRI is not in the table."""
    return _BY_IRI.get(iri)


def event_for(iri: str, level: Level) -> str | None:
    """The contract verb of ``iri`` about an activity of ``level``; ``None``: not a learning event there.

    Raises :class:`KeyError` for an IRI that is not in the table (see :func:`rule_for`).
    """
    return _BY_IRI[iri].on(level)


def verb_table_markdown() -> str:
    """The table as Markdown, one row per IRI: vocabularies, IRI, event on a credential / module / block, note.

    *set aside* marks a level where the verb is not a learning event (counted apart, not rejected).
    """

    def cell(value: str | None) -> str:
        return value if value else "*set aside*"

    lines = [
        "| verb | vocabulary | IRI | on a credential | on a module | on a block | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in VERB_RULES:
        vocab = ", ".join(VOCABULARIES[v].name for v in r.vocabularies)
        events = [cell(r.on(level)) for level in LEVELS]
        note = f"not a learning event: {r.note}" if r.event is None else r.note
        lines.append(f"| {r.name} | {vocab} | `{r.iri}` | {' | '.join(events)} | {note} |")
    return "\n".join(lines) + "\n"


def vocabularies_markdown() -> str:
    """The vocabularies as a Markdown list: name, the IRI their verbs start with, and the source."""
    seen: list[str] = []
    for v in VOCABULARIES.values():
        seen.append(f"- **{v.name}**: `{v.base}...`, defined at <{v.source}>")
    return "\n".join(seen) + "\n"


__all__ = [
    "LEVELS",
    "NATURAL",
    "NOT_LEARNING",
    "VERB_RULES",
    "VOCABULARIES",
    "XAPI_VERBS",
    "Level",
    "VerbRule",
    "Vocabulary",
    "event_for",
    "rule_for",
    "verb_table_markdown",
    "vocabularies_markdown",
]
