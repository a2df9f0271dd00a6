"""Translation results: ``translations/<lang>/<module>.yaml`` with per-segment provenance.

Each entry keeps the source it was made from (text and hash), the target,
whether a machine or a reviewer made it, the model, and flags (glossary or
markup problems). An entry whose source hash no longer matches the module's
segment is *stale*; a segment with no entry is *missing*.

>>> import tempfile, pathlib
>>> from mblib.content import Module
>>> m = Module(id="m", title="Hello")
>>> tf = TranslationFile(module="m", language="fr")
>>> tf.set("_module/title/0", "Hello", "Bonjour", status="machine", model="opus")
>>> [s.id for s in stale_segments(m, tf)], [s.id for s in missing_segments(m, tf)]
([], [])
>>> m.title = "Hello there"
>>> [s.id for s in stale_segments(m, tf)]
['_module/title/0']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, PrivateAttr, ValidationError

from ..content.blocks import Model
from ..errors import ContentError, Location
from .errors import TranslationError
from .segments import Segment, module_segments, source_hash

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.workspace import Workspace

Status = Literal["machine", "reviewed"]


class Entry(Model):
    """One translated segment and where it came from."""

    source: str
    target: str
    status: Status = "machine"
    model: str | None = None
    source_hash: str
    flags: list[str] = Field(default_factory=list)


class TranslationFile(Model):
    """The translations of one module into one language, keyed by segment id (``block/field/index``)."""

    module: str
    language: str
    source_language: str = "en"
    segments: dict[str, Entry] = Field(default_factory=dict)
    #: What the file on disk held when it was loaded (``file_digest``; ``""``: no file yet); a save
    #: refuses to overwrite a file that changed since. None for a file built in memory.
    _disk: str | None = PrivateAttr(default=None)

    def set(
        self,
        key: str,
        source: str,
        target: str,
        *,
        status: Status = "machine",
        model: str | None = None,
        flags: list[str] | None = None,
    ) -> None:
        self.segments[key] = Entry(
            source=source,
            target=target,
            status=status,
            model=model,
            source_hash=source_hash(source),
            flags=list(flags or []),
        )

    def current(self, segment: Segment) -> Entry | None:
        """The entry for ``segment`` when it is up to date with its source, else None."""
        e = self.segments.get(segment.id)
        return e if e is not None and e.source_hash == segment.hash else None


def translation_path(root: str | Path, lang: str, module_id: str) -> Path:
    """``<root>/translations/<lang>/<module>.yaml``; refuses a language that is not a BCP 47 tag
    (:class:`~mblib.errors.LanguageTagError`) and a path that leads outside the workspace
    (:class:`~mblib.errors.UnsafePathError`, e.g. a symbolic link to another folder)."""
    from ..content.language import check_language
    from ..content.safewrite import workspace_path

    check_language(lang)
    return workspace_path(root, f"translations/{lang}/{module_id}.yaml")


def load_translations(workspace: Workspace, module_id: str, lang: str) -> TranslationFile:
    """The translations file of a module and language (an empty one when there is none yet)."""
    import hashlib

    from ..content.yamlio import load_plain, load_yaml_text

    path = translation_path(workspace.root, lang, module_id)
    src = workspace.settings.workspace.source_language
    if not path.is_file():
        tf = TranslationFile(module=module_id, language=lang, source_language=src)
        tf._disk = ""
        return tf
    rel = f"translations/{lang}/{module_id}.yaml"
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    try:  # fast path: the safe loader; positions are only needed to report a problem
        tf = TranslationFile.model_validate(load_plain(text, rel))
        tf._disk = digest
        return tf
    except ContentError:
        raise  # refused before anything was built (anchors, aliases, deep nesting, huge numbers)
    except Exception:
        pass
    loaded = load_yaml_text(text, rel)
    try:
        tf = TranslationFile.model_validate(loaded.data)
        tf._disk = digest
        return tf
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        line, col = loaded.locate(tuple(e["loc"]))
        raise TranslationError(
            f"{e['msg']} at {'.'.join(map(str, e['loc']))}",
            location=Location(file=rel, line=line, column=col),
            hint="fix the entry by hand, or delete the file and translate the module again",
        ) from None


def dump_translations(tf: TranslationFile, order: Mapping[str, int] | None = None) -> str:
    """The YAML text of a translations file: one mapping per segment, strings double-quoted
    (JSON escapes are valid YAML), keys in reading order. Written directly: a 200-segment module
    takes a millisecond, where a general YAML emitter takes a good part of a second.

    >>> tf = TranslationFile(module="m", language="fr")
    >>> tf.set("_module/title/0", "Hi", "Salut", model="opus")
    >>> print(dump_translations(tf), end="")
    module: "m"
    language: "fr"
    source_language: "en"
    segments:
      "_module/title/0":
        source: "Hi"
        target: "Salut"
        status: machine
        model: "opus"
        source_hash: 3639efcd08abb273
    """
    import json

    def q(v: str) -> str:
        return json.dumps(v, ensure_ascii=False)

    order = order or {}
    keys = sorted(tf.segments, key=lambda k: (order.get(k, len(order)), k))
    lines = [
        f"module: {q(tf.module)}",
        f"language: {q(tf.language)}",
        f"source_language: {q(tf.source_language)}",
        "segments:" + ("" if keys else " {}"),
    ]
    for k in keys:
        e = tf.segments[k]
        lines += [f"  {q(k)}:", f"    source: {q(e.source)}", f"    target: {q(e.target)}", f"    status: {e.status}"]
        if e.model is not None:
            lines.append(f"    model: {q(e.model)}")
        lines.append(f"    source_hash: {e.source_hash}")
        if e.flags:
            lines.append("    flags: [" + ", ".join(q(f) for f in e.flags) + "]")
    return "\n".join(lines) + "\n"


def save_translations(workspace: Workspace, tf: TranslationFile, segments: list[Segment] | None = None) -> Path:
    """Write a translations file atomically (keys in the module's reading order when known);
    an unchanged file is not touched. A file loaded with :func:`load_translations` that changed on
    disk since (a reviewer's edit, an XLIFF import, another translation run) is not overwritten:
    :class:`~mblib.errors.ConflictError`."""
    import hashlib

    from ..content.safewrite import write_workspace_file

    if segments is None and tf.module in workspace.modules:
        segments = module_segments(workspace.modules[tf.module])
    order = {s.id: i for i, s in enumerate(segments or [])}
    data = dump_translations(tf, order).encode("utf-8")
    path = translation_path(workspace.root, tf.language, tf.module)  # checks the language and the path
    written = write_workspace_file(
        workspace.root,
        path.relative_to(workspace.root),
        data,
        expected=tf._disk,
        again="load the translations again and repeat your change (mb translate finds what it already "
        "translated in the translation memory, so a new run is quick)",
    )[0]
    tf._disk = hashlib.sha256(data).hexdigest()
    return written


def stale_segments(module: Module, tf: TranslationFile) -> list[Segment]:
    """Segments translated from a source that has changed since."""
    return [s for s in module_segments(module) if s.id in tf.segments and tf.segments[s.id].source_hash != s.hash]


def missing_segments(module: Module, tf: TranslationFile) -> list[Segment]:
    """Segments with no translation at all."""
    return [s for s in module_segments(module) if s.id not in tf.segments]


def translation_languages(workspace: Workspace) -> list[str]:
    """Languages that have a folder under ``translations/``."""
    folder = workspace.root / "translations"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


__all__ = [
    "Entry",
    "TranslationError",
    "TranslationFile",
    "dump_translations",
    "load_translations",
    "missing_segments",
    "save_translations",
    "stale_segments",
    "translation_languages",
    "translation_path",
]
