"""Refusing YAML that is not part of the workspace format before anything is built from it.

Workspace files never need anchors (``&name``) or aliases (``*name``), and a few
hundred bytes of nested aliases expand to gigabytes ("billion laughs"). Deep
nesting and integers with thousands of digits crash Python's recursion or its
integer conversion. :class:`YamlGuard` looks at the parser's *events* (one at a
time, in order, before any node or object exists) and raises a located
:class:`~mblib.errors.ContentError` for each of these. It works on the events of
ruamel's pure parser (hooked in by :func:`guard_ruamel`, so a file is parsed
once) and on any other YAML event stream with the same event names, e.g.
libyaml's, through :func:`check_yaml_events`.

>>> from ruamel.yaml import YAML
>>> check_yaml_events(YAML(typ="safe", pure=True).parse("a: &x [1]\\nb: *x\\n"), "m.yaml")
Traceback (most recent call last):
...
mblib.errors.ContentError: 1 problem found:
m.yaml:1:4: anchors/aliases are not allowed (found the anchor '&x'); write the value out
  fix: remove '&x' and '*x' and write the value out in full wherever it is used
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import ContentError, Location, Problem

MAX_DEPTH = 64
MAX_INT_DIGITS = 30
_INT_TAGS = {"tag:yaml.org,2002:int", "!!int"}
# Plain scalars a YAML 1.1 or 1.2 resolver reads as integers (decimal, 0x, 0o, 0b, sexagesimal).
_INTEGER = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)")


class YamlGuard:
    """Checks one document's events: no anchor or alias, nesting at most ``max_depth`` deep,
    integers of at most ``max_int_digits`` digits. Call :meth:`check` on every event in order."""

    def __init__(self, file: str, *, max_depth: int = MAX_DEPTH, max_int_digits: int = MAX_INT_DIGITS):
        self.file = file
        self.max_depth = max_depth
        self.max_int_digits = max_int_digits
        self.depth = 0

    def check(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "AliasEvent":
            name = getattr(event, "anchor", None)
            self._refuse(
                event,
                f"anchors/aliases are not allowed (found the alias '*{name}'); write the value out",
                f"replace '*{name}' with the value itself, and remove the anchor '&{name}'",
                "yaml.alias",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None and kind in ("ScalarEvent", "SequenceStartEvent", "MappingStartEvent"):
            self._refuse(
                event,
                f"anchors/aliases are not allowed (found the anchor '&{anchor}'); write the value out",
                f"remove '&{anchor}' and '*{anchor}' and write the value out in full wherever it is used",
                "yaml.alias",
            )
        if kind in ("SequenceStartEvent", "MappingStartEvent"):
            self.depth += 1
            if self.depth > self.max_depth:
                self.refuse_depth(getattr(event, "start_mark", None))
        elif kind in ("SequenceEndEvent", "MappingEndEvent"):
            self.depth -= 1
        elif kind == "ScalarEvent":
            self._check_scalar(event)

    def _check_scalar(self, event: Any) -> None:
        value = getattr(event, "value", "")
        if len(value) <= self.max_int_digits:
            return
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", (True, False))
        plain = getattr(event, "style", None) in (None, "") and tag is None and bool(implicit and implicit[0])
        if (plain or tag in _INT_TAGS) and _INTEGER.fullmatch(value.strip()):
            digits = sum(c.isalnum() for c in value) - (2 if re.match(r"[-+]?0[xXoObB]", value.strip()) else 0)
            if digits > self.max_int_digits:
                self._refuse(
                    event,
                    f"a number with {digits} digits is too long (at most {self.max_int_digits})",
                    "if it is text (an id, a code), put it in quotes; otherwise use a smaller number",
                    "yaml.int",
                )

    def refuse_depth(self, mark: Any) -> None:
        """Raise the "nested too deep" error at ``mark`` (a parser or scanner mark)."""
        self._refuse(
            mark,
            f"lists and mappings are nested more than {self.max_depth} levels deep",
            "flatten the data: workspace files need only a few levels",
            "yaml.depth",
        )

    def _refuse(self, where: Any, message: str, hint: str, code: str) -> None:
        mark = getattr(where, "start_mark", where)
        line = getattr(mark, "line", None)
        col = getattr(mark, "column", None)
        raise ContentError(
            [
                Problem(
                    message,
                    Location(
                        file=self.file, line=None if line is None else line + 1, column=None if col is None else col + 1
                    ),
                    hint,
                    code=code,
                )
            ]
        )


def check_yaml_events(events: Iterable[Any], file: str) -> None:
    """Run :class:`YamlGuard` over an event stream (stops at the first refusal, so a hostile file costs
    only the events up to it). Raises :class:`~mblib.errors.ContentError` naming file, line and column."""
    guard = YamlGuard(file)
    for event in events:
        guard.check(event)


def guard_ruamel(yaml: Any, file: str) -> Any:
    """Hook :class:`YamlGuard` into a ruamel ``YAML`` object that uses the pure parser: every event
    passes the guard as the composer takes it, so a refused file stops before it is composed (nothing
    is expanded or built). The scanner also stops at the first flow collection (``[`` or ``{``) nested
    too deep: it looks ahead for keys, which costs seconds on thousands of open brackets."""
    from ruamel.yaml.scanner import Scanner

    guard = YamlGuard(file)

    class GuardedParser(yaml.Parser):
        def get_event(self) -> Any:
            event = super().get_event()
            guard.check(event)
            return event

    class GuardedScanner(yaml.Scanner or Scanner):  # type: ignore[misc]
        def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
            if self.flow_level >= guard.max_depth:
                guard.refuse_depth(self.reader.get_mark())
            super().fetch_flow_collection_start(TokenClass, to_push)

    yaml.Parser, yaml.Scanner = GuardedParser, GuardedScanner
    return yaml


__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "YamlGuard", "check_yaml_events", "guard_ruamel"]
