"""Forms derived from the content models: one field spec per pydantic field.

An editor (the ipywidgets builder, or anything else) renders a form from
:func:`form_for` and never needs to know a block type: a new block type added
to :data:`~mblib.content.blocks.BLOCK_TYPES` gets a form with no new code, the
way H5P derives its editor from a content schema. Converting what a form holds
back into model data (:func:`parse_value`) and making a new, valid item
(:func:`new_block_data`, :func:`new_item_data`) live here too.

>>> from mblib.content.blocks import QuizBlock
>>> [(f.name, f.kind, f.required) for f in form_for(QuizBlock)][:3]
[('question', 'markdown', True), ('multiple', 'bool', False), ('choices', 'items', False)]
>>> [f.name for f in form_for(QuizBlock)[2].item_fields]
['id', 'text', 'correct', 'feedback']
>>> new_block_data("quiz", ["quiz-1"])["id"]
'quiz-2'
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..errors import ContentError, Location, Problem
from .blocks import BLOCK_TYPES

Kind = Literal["text", "markdown", "number", "integer", "bool", "choice", "lines", "items", "group"]

#: Fields every block has that a form does not edit (the type is fixed; the id is the block's key).
BLOCK_KEYS = ("id", "type")
#: Plain-text fields that are long enough to need several lines, though their description says nothing.
MULTILINE_NAMES = frozenset(
    {"source", "body", "transcript", "back", "front", "narrative", "quality_assurance", "stackability"}
)

#: Labels that the field name alone would spell badly (acronyms, units).
LABELS = {
    "eqf": "EQF level",
    "ects": "ECTS credits",
    "duration_s": "Duration (s)",
    "src": "File",
    "url": "URL",
    "id": "Internal id",
    "duration_budget_min": "Duration budget (min)",
}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form.

    ``kind`` is one of ``text`` (one line), ``markdown`` (several lines), ``number``,
    ``integer``, ``bool``, ``choice`` (one of ``choices``), ``lines`` (a list of texts,
    one per line), ``items`` (a list of sub-models, each with ``item_fields``) or
    ``group`` (one nested sub-model with ``item_fields``; ``None`` when left empty).
    """

    name: str
    kind: Kind
    required: bool
    description: str = ""
    default: Any = None
    choices: tuple[Any, ...] = ()
    item_fields: tuple[FieldSpec, ...] = ()
    optional: bool = False  # the model accepts None (an empty input means None)
    minimum: float | None = None
    maximum: float | None = None

    @property
    def label(self) -> str:
        """The field name as a form label written for people: ``duration_s`` -> ``Duration (s)``,
        ``eqf`` -> ``EQF level``, ``ects`` -> ``ECTS credits``."""
        return LABELS.get(self.name) or self.name.replace("_", " ").capitalize()


def _unwrap_optional(ann: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1 and len(args) < len(typing.get_args(ann)):
            return args[0], True
    return ann, False


def _bounds(info: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in getattr(info, "metadata", ()):
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = float(getattr(m, attr))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = float(getattr(m, attr))
    return lo, hi


def field_spec(name: str, info: Any) -> FieldSpec | None:
    """The spec of one pydantic field, or ``None`` when a form cannot edit it (a mapping)."""
    ann, optional = _unwrap_optional(info.annotation)
    required = info.is_required()
    default = None if info.default is PydanticUndefined else info.default
    if info.default_factory is not None:
        default = info.default_factory()
    description = info.description or ""
    lo, hi = _bounds(info)
    common = dict(
        name=name,
        required=required,
        description=description,
        default=default,
        optional=optional,
        minimum=lo,
        maximum=hi,
    )
    origin = typing.get_origin(ann)
    if origin is Literal:
        return FieldSpec(kind="choice", choices=typing.get_args(ann), **common)
    if ann is bool:
        return FieldSpec(kind="bool", **common)
    if ann is int:
        return FieldSpec(kind="integer", **common)
    if ann is float:
        return FieldSpec(kind="number", **common)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return FieldSpec(kind="group", item_fields=tuple(form_for(ann, skip=())), **common)
    if origin is list:
        (item,) = typing.get_args(ann) or (str,)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return FieldSpec(kind="items", item_fields=tuple(form_for(item, skip=())), **common)
        return FieldSpec(kind="lines", **common)
    if origin is dict:
        return None
    # str, constrained str (ids), URLs: text
    multiline = ("markdown" in description.lower() and "inline" not in description.lower()) or name in MULTILINE_NAMES
    return FieldSpec(kind="markdown" if multiline else "text", **common)


def form_for(model: type[BaseModel], *, skip: Sequence[str] = BLOCK_KEYS) -> list[FieldSpec]:
    """Field specs of a model, in declaration order; ``skip`` names fields a form leaves out.

    >>> from mblib.content.blocks import ImageBlock
    >>> [(f.name, f.kind) for f in form_for(ImageBlock)]
    [('src', 'text'), ('alt', 'text'), ('decorative', 'bool'), ('caption', 'markdown')]
    """
    out = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        spec = field_spec(name, info)
        if spec is not None:
            out.append(spec)
    return out


def block_form(block_type: str) -> list[FieldSpec]:
    """The form of a block type registered in :data:`BLOCK_TYPES` (``ContentError`` naming the known types otherwise)."""
    try:
        model = BLOCK_TYPES[block_type]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(block_type, list(BLOCK_TYPES), n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"block types are: {', '.join(BLOCK_TYPES)}"
        raise ContentError(
            [Problem(f"unknown block type '{block_type}'", Location(field="type"), hint, code="form.unknown-type")]
        ) from None
    return form_for(model)


# ----------------------------------------------------------------- values
def form_value(spec: FieldSpec, value: Any) -> Any:
    """What a form shows for a model value: ``None`` -> ``""``, lists of texts -> lines, sub-models -> dicts.

    >>> form_value(FieldSpec("objectives", "lines", False), ["a", "b"])
    'a\\nb'
    """
    if spec.kind == "lines":
        if isinstance(value, str):  # already shown as lines (a list inside an item is converted twice)
            return value
        return "\n".join(str(v) for v in (value or []))
    if spec.kind == "items":
        return [{f.name: form_value(f, _get(item, f.name)) for f in spec.item_fields} for item in (value or [])]
    if spec.kind == "group":
        return {f.name: form_value(f, _get(value, f.name)) for f in spec.item_fields}
    if value is None:
        return "" if spec.kind in ("text", "markdown", "number", "integer") else value
    if spec.kind in ("text", "markdown") and not isinstance(value, str):
        return str(value)
    return value


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def parse_value(spec: FieldSpec, raw: Any) -> Any:
    """Model data for what a form holds (the inverse of :func:`form_value`).

    Empty inputs of optional fields become ``None``; numbers typed as text are parsed;
    a value that cannot be parsed raises :class:`ContentError` naming the field.

    >>> parse_value(FieldSpec("caption", "markdown", False, optional=True), "  ")
    >>> parse_value(FieldSpec("weight", "number", False), "2.5")
    2.5
    >>> parse_value(FieldSpec("objectives", "lines", False), "one\\n\\ntwo\\n")
    ['one', 'two']
    """
    kind = spec.kind
    if kind == "lines":
        text = raw if isinstance(raw, str) else "\n".join(str(v) for v in (raw or []))
        return [ln.strip() for ln in text.splitlines() if ln.strip()]
    if kind == "items":
        return [
            {
                f.name: parse_value(f, _get(item, f.name))
                for f in spec.item_fields
                if not (_get(item, f.name) in (None, "") and not f.required)
            }
            for item in (raw or [])
        ]
    if kind == "group":
        data = {f.name: parse_value(f, _get(raw, f.name)) for f in spec.item_fields}
        data = {k: v for k, v in data.items() if v not in (None, "", [])}
        if not data and spec.optional:
            return None
        return data
    if kind in ("number", "integer"):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.optional or not spec.required:
                return None if spec.optional else spec.default
            raise _bad(spec, raw, "a number is required here")
        try:
            return int(raw) if kind == "integer" else float(raw)
        except (TypeError, ValueError):
            raise _bad(spec, raw, "is not a number") from None
    if kind == "bool":
        return bool(raw)
    if kind == "choice":
        if raw in (None, "") and spec.optional:
            return None
        return raw
    # text / markdown
    text = "" if raw is None else str(raw)
    if spec.optional and not text.strip():
        return None
    return text


def _bad(spec: FieldSpec, raw: Any, what: str) -> ContentError:
    return ContentError(
        [
            Problem(
                f"{raw!r} {what}" if raw not in (None, "") else what,
                Location(field=spec.name),
                f"type a number into '{spec.label}'",
                code="form.number",
            )
        ]
    )


def parse_form(specs: Sequence[FieldSpec], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Model data for a whole form (fields missing from ``raw`` are left out)."""
    return {s.name: parse_value(s, raw[s.name]) for s in specs if s.name in raw}


# ----------------------------------------------------------------- new items
def fresh_id(prefix: str, taken: Sequence[str] | set[str]) -> str:
    """``prefix-N`` with the smallest N >= 1 not in ``taken``.

    >>> fresh_id("text", {"text-1", "intro"})
    'text-2'
    """
    prefix = re.sub(r"[^a-z0-9_.-]+", "-", prefix.lower()).strip("-._") or "item"
    used = set(taken)
    n = 1
    while f"{prefix}-{n}" in used:
        n += 1
    return f"{prefix}-{n}"


_PLACEHOLDER = {"markdown": "Write here.", "text": ""}


def _blank(spec: FieldSpec) -> Any:
    if not spec.required:
        return None
    if spec.name == "source":
        return "# Python code: it runs at export and its output is shown\n"
    return {
        "text": "",
        "markdown": _PLACEHOLDER["markdown"],
        "number": 0.0,
        "integer": 1,
        "bool": False,
        "choice": spec.choices[0] if spec.choices else None,
        "lines": [],
        "items": [],
        "group": {},
    }[spec.kind]


def new_item_data(spec: FieldSpec, existing: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Data for a new sub-item of an ``items`` field (a quiz choice, a card...), with a fresh id if it has one.

    >>> from mblib.content.blocks import QuizBlock
    >>> choices = form_for(QuizBlock)[2]
    >>> new_item_data(choices, [{"id": "a"}, {"id": "b"}])
    {'id': 'c', 'text': 'Text c'}
    """
    data: dict[str, Any] = {}
    for f in spec.item_fields:
        if f.name == "id":
            taken = {str(_get(e, "id")) for e in existing}
            letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c not in taken]
            data["id"] = letters[0] if letters else fresh_id("item", taken)
        elif f.required:
            data[f.name] = _blank(f)
            if f.kind in ("text", "markdown") and "id" in data:
                data[f.name] = f"{f.label} {data['id']}"  # distinct texts: lint flags identical choices
    return data


def new_block_data(block_type: str, taken: Sequence[str] | set[str] = ()) -> dict[str, Any]:
    """Data for a new block of any registered type: a fresh id, required fields filled in.

    Lists of items with ids (cards, panels, checklist items) start with one item; lists
    of choices (items with a ``correct`` flag) with two, the first one correct.

    >>> new_block_data("text", ["text-1"])
    {'id': 'text-2', 'type': 'text', 'body': 'Write here.'}
    """
    specs = block_form(block_type)
    data: dict[str, Any] = {"id": fresh_id(block_type, taken), "type": block_type}
    for s in specs:
        if s.required:
            data[s.name] = _blank(s)
    for s in specs:
        if s.kind == "items" and any(f.name == "id" for f in s.item_fields):
            items = [new_item_data(s, [])]
            if any(f.name == "correct" for f in s.item_fields):  # a choice needs company, one of them right
                items.append(new_item_data(s, items))
                items[0]["correct"] = True
            data[s.name] = items
    return data


__all__ = [
    "BLOCK_KEYS",
    "FieldSpec",
    "LABELS",
    "Kind",
    "block_form",
    "field_spec",
    "form_for",
    "form_value",
    "fresh_id",
    "new_block_data",
    "new_item_data",
    "parse_form",
    "parse_value",
]
