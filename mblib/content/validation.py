"""Turn pydantic validation errors into :class:`~mblib.errors.Problem` s a designer can act on.

Each problem names the file, line and column, the block id, the field and the fix.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import Location, Problem
from .blocks import BLOCK_TYPES
from .yamlio import LoadedYaml

_KIND = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "url_parsing": "a URL starting with https://",
    "url_scheme": "a URL starting with https://",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in BLOCK_TYPES or str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the last key of ``loc`` (for listing allowed fields)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if isinstance(part, str) and part in BLOCK_TYPES:
            current = BLOCK_TYPES[part]
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        ann = fields[part].annotation
        current = _inner_model(ann)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def problems_from_validation(
    err: ValidationError, loaded: LoadedYaml, model: type[BaseModel], *, prefix: tuple[Any, ...] = ()
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, located in the YAML file ``loaded`` came from."""
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        full = prefix + loc + _duplicate_at(e, loaded.data, prefix + loc)
        line, col = loaded.locate(full)
        block_id = None
        field_loc = full
        data = loaded.data
        if len(full) >= 2 and full[0] == "blocks" and isinstance(full[1], int):
            blocks = data.get("blocks") if isinstance(data, dict) else None
            if isinstance(blocks, list) and full[1] < len(blocks) and isinstance(blocks[full[1]], dict):
                bid = blocks[full[1]].get("id")
                block_id = str(bid) if bid is not None else f"#{full[1] + 1}"
                field_loc = full[2:]
        field = _field_path(field_loc) or None
        message, hint = _explain(e, model, loc)
        problems.append(
            Problem(
                message,
                Location(file=loaded.file, line=line, column=col, block_id=block_id, field=field),
                hint,
                code=f"schema.{e['type']}",
            )
        )
    return problems


def _duplicate_at(e: ErrorDetails, data: Any, path: tuple[Any, ...]) -> tuple[Any, ...]:
    """For a duplicate-id error on a list, the path from the list to the second item with that id."""
    m = re.match(r"duplicate .* id '(.*)':", str((e.get("ctx") or {}).get("error", "")))
    if e["type"] != "value_error" or not m:
        return ()
    for part in path:  # follow the path through the plain data, skipping union tags
        if (
            isinstance(data, dict)
            and part in data
            or isinstance(data, list)
            and isinstance(part, int)
            and 0 <= part < len(data)
        ):
            data = data[part]
    if not isinstance(data, list):
        return ()
    seen = 0
    for i, item in enumerate(data):
        if str(item.get("id") if isinstance(item, dict) else item) == m.group(1):
            seen += 1
            if seen == 2:
                return (i, "id") if isinstance(item, dict) else (i,)
    return ()


def _explain(e: ErrorDetails, model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str | None]:
    typ = e["type"]
    ctx = e.get("ctx") or {}
    name = str(loc[-1]) if loc else ""
    value = e.get("input")
    if typ == "missing":
        return f"'{name}' is missing", f"add a line '{name}: ...' here"
    if typ == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        hint += (
            f"remove '{name}' or rename it; allowed fields here: {', '.join(allowed)}"
            if allowed
            else f"remove '{name}'"
        )
        return f"unknown field '{name}'", hint
    if typ == "union_tag_invalid":
        tag = ctx.get("tag")
        close = difflib.get_close_matches(str(tag), list(BLOCK_TYPES), n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"block types are: {', '.join(BLOCK_TYPES)}"
        return f"unknown block type '{tag}'", hint
    if typ == "union_tag_not_found":
        return "the block has no 'type'", f"add 'type:' with one of: {', '.join(BLOCK_TYPES)}"
    if typ == "string_pattern_mismatch":
        if name == "version":
            return f"'{value}' is not a version number", "use MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. 1.0.0"
        return (
            f"'{value}' is not a valid id",
            "ids use lowercase letters, digits, '-', '_' or '.', start and end with a letter or digit, "
            "and have at most 64 characters, e.g. 'axis-check'",
        )
    if typ == "literal_error":
        return f"'{value}' is not allowed here", f"use one of: {ctx.get('expected')}"
    if typ in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bounds = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[typ]
        limit = next(iter(ctx.values()), None)
        return f"{value!r} is out of range", f"use a value {bounds} {limit}"
    if typ == "value_error":
        msg = str(ctx.get("error", e.get("msg", "invalid value")))
        return msg, "give each one its own id" if "duplicate" in msg else None
    if typ in _KIND:
        if isinstance(loc[-1] if loc else None, int) and typ == "string_type" and isinstance(value, dict):
            return (
                "expected text, got a mapping",
                "a ': ' inside a list item makes YAML read it as a mapping: put the item in double quotes",
            )
        if isinstance(loc[-1] if loc else None, int):
            return f"expected {_KIND[typ]}, got {_show(value)}", f"write this list item as {_KIND[typ]}"
        return f"expected {_KIND[typ]}, got {_show(value)}", f"write '{name}' as {_KIND[typ]}"
    return str(e.get("msg", "invalid value")), None


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."
