"""The fast reader of workspace YAML: libyaml's C parser (PyYAML's ``CParser``), YAML 1.2 scalars.

Opening a workspace reads every module and credential file; ruamel's pure-Python round-trip
loader took most of that time. Here libyaml parses, and one pass over its events builds the
plain data (dicts, lists, scalars) while :class:`~mblib.content.yamlguard.YamlGuard`'s checks
run on the same events (anchors and aliases refused, nesting and integer sizes bounded).
Plain scalars resolve as ruamel resolves them under YAML 1.2 (``yes``/``no``/``on``/``off``
stay text, ``1e3`` is a float, ``012`` is twelve, ``1:20`` is text).

Positions (line and column of every key and item, for error messages) are not built while
reading: :func:`positions` makes them from a second pass over the events, only for a file
that has a problem to report.

Whatever this reader does not handle exactly like ruamel -- a syntax error, a duplicate or
non-text key, an explicit tag, a merge key, a timestamp, a ``%YAML`` directive, the line
breaks YAML 1.1 and 1.2 read differently -- raises :class:`Fallback`, and the caller reads
that file with ruamel (:func:`mblib.content.yamlio.load_yaml_ruamel`), whose messages and
results stay the reference (docs/architecture.md, "Content files").

>>> load_fast("id: m\\nflag: yes\\nn: 012\\nx: 1e3\\nt: ~\\n", "m.yaml")
{'id': 'm', 'flag': 'yes', 'n': 12, 'x': 1000.0, 't': None}
>>> positions("id: m\\nblocks:\\n  - id: a\\n").lc.key("blocks")
(1, 0)
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml._yaml import CParser

from .yamlguard import MAX_DEPTH, MAX_INT_DIGITS, YamlGuard

#: YAML 1.2 implicit resolvers of ruamel (``ruamel.yaml.resolver``): (first characters, regex, tag).
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_FLOAT = re.compile(
    r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)
_INT = re.compile(r"(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)\Z")
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_TIMESTAMP = re.compile(
    r"""(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?
    :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\Z""",
    re.X,
)
_RESOLVABLE = frozenset("-+0123456789.tTfF~nN<=")


class Fallback(Exception):
    """This file needs the reference reader (ruamel): see the module docstring for when."""


def resolve_plain(value: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar under ruamel's YAML 1.2 rules.

    >>> [resolve_plain(v) for v in ["yes", "True", "0x1F", "0o17", "1_000", ".inf", "", "1:20", "0.5"]]
    ['yes', True, 31, 15, 1000, inf, None, '1:20', 0.5]
    """
    if not value:
        return None
    first = value[0]
    if first not in _RESOLVABLE:
        return value
    if first in "tTfF":
        return (first in "tT") if _BOOL.match(value) else value
    if first in "~nN":
        return None if _NULL.match(value) else value
    if first in "<=":
        if value in ("<<", "="):
            raise Fallback(f"merge key or value tag '{value}'")
        return value
    if _FLOAT.match(value):
        return _float(value)
    if first != "." and _INT.match(value):
        return _int(value)
    if first in "0123456789" and _TIMESTAMP.match(value):
        raise Fallback("timestamp")
    return value


def _int(value: str) -> int:
    digits = value.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-")
    if not digits:
        raise Fallback("an integer without digits")
    base = {"0b": 2, "0x": 16, "0o": 8}.get(digits[:2], 10)
    return sign * int(digits[2:] if base != 10 else digits, base)


def _float(value: str) -> float:
    text = value.replace("_", "").lower()
    sign = -1.0 if text[:1] == "-" else 1.0
    text = text.lstrip("+-")
    if text == ".inf":
        return sign * float("inf")
    if text == ".nan":
        return float("nan")
    return sign * float(text)


def _parser(text: str) -> Any:
    """libyaml's parser over ``text``; :class:`Fallback` for line breaks only ruamel reads exactly."""
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        raise Fallback("NEL/LS/PS line breaks")
    return CParser(text)


def _events(text: str) -> Any:
    """libyaml's events of ``text``; a syntax error is a :class:`Fallback` (ruamel words and locates it)."""
    parser = _parser(text)
    try:
        while True:
            try:
                event = parser.get_event()
            except yaml.YAMLError as e:
                raise Fallback(str(e)) from None
            if event is None:
                return
            yield event
    finally:
        parser.dispose()


def load_fast(text: str, file: str) -> Any:
    """Plain data of one YAML document, refusing what the guard refuses (a located
    :class:`~mblib.errors.ContentError`); :class:`Fallback` when ruamel must read it."""
    parser = _parser(text)
    try:
        return _build(parser.get_event, YamlGuard(file))
    except yaml.YAMLError as e:  # syntax errors: ruamel words and locates them
        raise Fallback(str(e)) from None
    finally:
        parser.dispose()


def _build(get: Any, guard: YamlGuard) -> Any:
    """One pass over the events (``get`` returns the next one, None at the end) building the data."""
    scalar, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    resolvable, no_key, resolve = _RESOLVABLE, _NO_KEY, resolve_plain
    stack: list[Any] = []  # open containers
    keys: list[Any] = []  # per open container: the key waiting for its value (no_key: expecting a key)
    top: Any = None  # the innermost open container
    root: Any = None
    done = False
    while (event := get()) is not None:
        kind = type(event)
        if kind is scalar:
            value = event.value
            if event.anchor is not None or event.tag is not None:
                guard.check(event)  # refuses an anchor
                if event.tag != "!":
                    raise Fallback(f"explicit tag {event.tag}")
            elif not event.style:
                if not value:
                    value = None
                elif value[0] in resolvable:
                    if len(value) > MAX_INT_DIGITS:
                        guard.check(event)  # refuses a huge integer
                    value = resolve(value)
            container = False
        elif kind is map_start or kind is seq_start:
            if event.anchor is not None or event.tag is not None:
                guard.check(event)  # refuses an anchor
                raise Fallback(f"explicit tag {event.tag}")
            if len(stack) >= MAX_DEPTH:
                guard.refuse_depth(event.start_mark)
            value = {} if kind is map_start else []
            container = True
        elif kind is map_end or kind is seq_end:
            stack.pop()
            keys.pop()
            top = stack[-1] if stack else None
            done = not stack
            continue
        elif kind is yaml.AliasEvent:
            guard.check(event)  # raises
            continue  # pragma: no cover
        elif kind is yaml.DocumentStartEvent:
            if event.version is not None or event.tags or done:
                raise Fallback("a %YAML/%TAG directive or a second document")
            continue
        else:  # stream start/end, document end
            continue
        if top is None:
            root = value
            done = not container
        elif type(top) is list:
            top.append(value)
        elif keys[-1] is no_key:
            if type(value) is not str:
                raise Fallback("a key that is not text")
            if value in top:
                raise Fallback("duplicate key")
            keys[-1] = value
        else:
            top[keys[-1]] = value
            keys[-1] = no_key
        if container:
            stack.append(value)
            keys.append(no_key)
            top = value
    return root


_NO_KEY = object()


class _LC:
    """Positions of one mapping or list, with the part of ruamel's ``lc`` API that locating uses."""

    __slots__ = ("line", "col", "data")

    def __init__(self, line: int, col: int):
        self.line, self.col = line, col
        self.data: dict[Any, tuple[int, int]] = {}

    def key(self, key: Any) -> tuple[int, int]:
        return self.data[key]

    def item(self, index: Any) -> tuple[int, int]:
        return self.data[index]


class PosMap(dict[Any, Any]):
    """A mapping's children (keys as in the data) with their positions in ``lc``."""

    lc: _LC


class PosSeq(list[Any]):
    """A list's children with their positions in ``lc``."""

    lc: _LC


def positions(text: str) -> Any:
    """The position tree of a document the fast reader read (0-based lines and columns, like ruamel's):
    :class:`PosMap`/:class:`PosSeq` nodes whose ``lc`` gives each key's and item's position."""
    stack: list[Any] = []
    pending: list[Any] = []
    root: Any = None
    for event in _events(text):
        kind = type(event)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            node: Any = PosMap() if kind is yaml.MappingStartEvent else PosSeq()
            node.lc = _LC(event.start_mark.line, event.start_mark.column)
        elif kind is yaml.ScalarEvent:
            node = resolve_plain(event.value) if not event.style and event.tag is None else event.value
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            pending.pop()
            continue
        else:
            continue
        mark = (event.start_mark.line, event.start_mark.column)
        if not stack:
            root = node
        else:
            top = stack[-1]
            if type(top) is PosSeq:
                top.lc.data[len(top)] = mark
                top.append(node)
            elif pending[-1] is _NO_KEY:
                top.lc.data[node] = mark
                pending[-1] = node
            else:
                top[pending[-1]] = node
                pending[-1] = _NO_KEY
        if type(node) in (PosMap, PosSeq):
            stack.append(node)
            pending.append(_NO_KEY)
    return root


__all__ = ["Fallback", "PosMap", "PosSeq", "load_fast", "positions", "resolve_plain"]
