"""Reading and writing workspace YAML: positions for error messages, canonical output, atomic saves.

Output is canonical (fixed key order, block style, multi-line text as literal
blocks, no line wrapping) so files diff cleanly in git.

>>> text = dump_yaml({"id": "m", "body": "line one\\nline two\\n", "tags": ["a", "b"]})
>>> print(text, end="")
id: m
body: |
  line one
  line two
tags:
  - a
  - b
>>> load_yaml_text(text, "m.yaml").data == {"id": "m", "body": "line one\\nline two\\n", "tags": ["a", "b"]}
True
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, Location, Problem

# Line breaks YAML folds away (NEL, LS, PS) and characters it may not hold raw: only escapes keep them.
_NEEDS_ESCAPES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_UNSAFE_LITERAL = re.compile(r"[ \t]\n|[ \t]$|\t|^[ \t\n]|\r|[^\S\n ]|[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]")


@dataclass
class LoadedYaml:
    """A YAML document as plain Python data plus the node tree that knows line/column positions.

    The fast reader leaves ``tree`` empty and keeps the ``text``: the positions are made from it
    the first time something is located (:func:`mblib.content.yamlfast.positions`)."""

    data: Any
    tree: Any
    file: str
    text: str | None = None

    def locate(self, path: tuple[Any, ...]) -> tuple[int | None, int | None]:
        """1-based (line, column) of the deepest node ``path`` reaches (keys and list indexes)."""
        if self.tree is None and self.text is not None:
            from .yamlfast import positions

            self.tree = positions(self.text)
        return locate(self.tree, path)


def _yaml(typ: str = "rt", *, file: str | None = None) -> Any:
    """A ruamel YAML object; with ``file``, its parser refuses what :class:`~mblib.content.yamlguard.YamlGuard`
    refuses (anchors, aliases, deep nesting, huge integers) as the events stream by, before anything is built."""
    from ruamel.yaml import YAML

    y = YAML(typ=typ, pure=True)
    y.allow_duplicate_keys = False
    if file is not None:
        from .yamlguard import guard_ruamel

        guard_ruamel(y, file)
    return y


def load_plain(text: str, file: str) -> Any:
    """Plain data (dicts, lists, scalars) of a YAML document, with the same refusals as
    :func:`load_yaml_text` but no positions (libyaml; ruamel's safe loader where it must)."""
    from .yamlfast import Fallback, load_fast

    try:
        return load_fast(text, file)
    except Fallback:
        return _yaml("safe", file=file).load(text)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def load_yaml_text(text: str, file: str) -> LoadedYaml:
    """Parse YAML text; a syntax error becomes a :class:`ContentError` naming file, line and column.

    libyaml reads it (:mod:`mblib.content.yamlfast`: YAML 1.2 scalars, the guard's refusals,
    positions made when first needed); what only ruamel reads exactly goes to
    :func:`load_yaml_ruamel`, which also words every syntax error."""
    from .yamlfast import Fallback, load_fast

    try:
        return LoadedYaml(data=load_fast(text, file), tree=None, file=file, text=text)
    except Fallback:
        return load_yaml_ruamel(text, file)


def load_yaml_ruamel(text: str, file: str) -> LoadedYaml:
    """The reference reader: ruamel's round-trip loader (pure Python, YAML 1.2), positions included."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        tree = _yaml(file=file).load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = (e.problem or e.context or "not valid YAML").strip()
        hint = "check the indentation, and put quotes around text that contains ': ' or starts with a symbol"
        if "duplicate key" in what or "found duplicate key" in str(e):
            key = re.search(r'duplicate key "([^"]*)"', str(e))
            what = (
                f"the key '{key.group(1)}' appears twice in the same mapping"
                if key
                else "a key appears twice in the same mapping"
            )
            hint = "remove or rename one of the two keys"
        raise ContentError(
            [Problem(f"YAML syntax error: {what}", Location(file=file, line=line, column=col), hint, code="yaml")]
        ) from None
    except YAMLError as e:  # pragma: no cover - unmarked errors are rare
        raise ContentError(
            [Problem(f"YAML error: {e}", Location(file=file), "fix the YAML syntax", code="yaml")]
        ) from None
    return LoadedYaml(data=_plain(tree), tree=tree, file=file)


def locate(tree: Any, path: tuple[Any, ...]) -> tuple[int | None, int | None]:
    node = tree
    pos: tuple[int | None, int | None] = _start(node)
    for part in path:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            if lc is not None:
                try:
                    ln, col = lc.key(part)
                    pos = (ln + 1, col + 1)
                except (KeyError, TypeError):
                    pass
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                try:
                    ln, col = lc.item(part)
                    pos = (ln + 1, col + 1)
                except (KeyError, TypeError):
                    pass
            node = node[part]
        else:
            continue  # a union tag or validator name in pydantic's path: not a YAML node
    return pos


def _start(node: Any) -> tuple[int | None, int | None]:
    lc = getattr(node, "lc", None)
    if lc is None or getattr(lc, "line", None) is None:
        return (None, None)
    return (lc.line + 1, lc.col + 1)


def _styled(data: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(data, dict):
        m = CommentedMap()
        for k, v in data.items():
            m[DoubleQuotedScalarString(k) if isinstance(k, str) and _NEEDS_ESCAPES.search(k) else k] = _styled(v)
        return m
    if isinstance(data, list):
        s = CommentedSeq()
        for v in data:
            s.append(_styled(v))
        return s
    if isinstance(data, str) and _NEEDS_ESCAPES.search(data):
        return DoubleQuotedScalarString(data)
    if isinstance(data, str) and "\n" in data and not _UNSAFE_LITERAL.search(data) and not data.endswith("\n\n"):
        return LiteralScalarString(data)
    return data


def dump_yaml(data: Any) -> str:
    """Canonical YAML for plain data (dicts keep their order)."""
    y = _yaml()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 1_000_000
    y.default_flow_style = False
    buf = io.StringIO()
    y.dump(_styled(data), buf)
    return buf.getvalue()


def _temp_name(name: str) -> re.Pattern[str]:
    """The names :func:`atomic_write` gives its temporaries for a file called ``name``."""
    return re.compile(rf"\.{re.escape(name)}\.[A-Za-z0-9_]{{1,32}}\.tmp")


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete the temporaries of ``path`` (``.<name>.<random>.tmp`` beside it) that a killed save left.

    Only safe while holding the file's lock (:func:`mblib.content.safewrite.file_lock`): another
    process's save in progress has its temporary there too. Returns what was removed."""
    path = Path(path)
    pattern = _temp_name(path.name)
    removed: list[Path] = []
    try:
        names = os.listdir(path.parent)
    except OSError:  # no folder yet: nothing to clean
        return removed
    for name in names:
        if pattern.fullmatch(name):
            stale = path.parent / name
            try:
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
                    removed.append(stale)
            except OSError:  # pragma: no cover - gone meanwhile, or not ours to delete
                pass
    return removed


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
