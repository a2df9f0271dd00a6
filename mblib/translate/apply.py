"""Translating modules and applying translations.

:func:`translate_module` runs segments -> memory lookup -> engine for the
misses (in batches, each committed to the memory) -> glossary check ->
``translations/<lang>/<module>.yaml``. :func:`translated_module` gives a copy
of a module in a language, with a visible per-segment fallback to the source.

>>> import tempfile, pathlib
>>> from mblib.content import Workspace, Module
>>> from mblib.translate.engines import Engine
>>> class Shout(Engine):
...     model_id = "shout"
...     def translate_batch(self, texts): return [t.upper() for t in texts]
>>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws")
>>> _ = ws.save_module(Module(id="m", title="Hello", blocks=[{"id": "t", "type": "text", "body": "Be **bold**."}]))
>>> r = translate_module(ws, "m", "xx", engine=Shout())
>>> r.translated, r.from_memory
(2, 0)
>>> translated_module(ws, ws.module("m"), "xx").blocks[0].body
'BE **BOLD**.'
>>> translate_module(ws, "m", "xx", engine=Shout()).kept  # up to date: nothing sent to the engine
2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Location
from .engines import Engine, SegmentTooLongError
from .errors import TranslationError
from .glossary import Glossary
from .memory import TranslationMemory
from .protect import protect
from .segments import MODULE_BLOCK, Segment, module_fields, module_segments, split_field
from .store import TranslationFile, load_translations, save_translations

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.workspace import Workspace

Progress = Callable[[int, int], None]
FALLBACK = '<span lang="{lang}" class="mb-fallback">{text}</span>'


@dataclass
class TranslationResult:
    """What one run did for one module and language."""

    module: str
    language: str
    segments: int = 0
    translated: int = 0  # sent to the engine in this run
    from_memory: int = 0
    kept: int = 0  # already up to date in the translations file (or reviewed)
    copied: int = 0  # nothing to translate (only code, numbers, URLs)
    flagged: list[str] = field(default_factory=list)
    path: str | None = None

    def __str__(self) -> str:
        return (
            f"{self.module} -> {self.language}: {self.segments} segments, {self.translated} translated, "
            f"{self.from_memory} from memory, {self.kept} kept, {self.copied} copied, "
            f"{len(self.flagged)} flagged"
        )


def translate_module(
    workspace: Workspace,
    module_id: str,
    lang: str,
    *,
    engine: Engine | None = None,
    memory: TranslationMemory | None = None,
    glossary: Glossary | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
) -> TranslationResult:
    """Translate one module into ``lang`` and save ``translations/<lang>/<module>.yaml``.

    Only segments that are new or changed are translated; reviewed entries are kept; memory
    hits are reused. Each engine batch is committed to the memory first, so an interrupted
    run resumes where it stopped and translates nothing twice.
    """
    from .engines import make_engine

    module = workspace.module(module_id)
    src = module.language or workspace.settings.workspace.source_language
    glossary = glossary if glossary is not None else Glossary.load(workspace.root)
    own_memory = memory is None
    memory = memory or TranslationMemory.for_workspace(workspace.root)
    own_engine = engine is None
    try:
        tf = load_translations(workspace, module_id, lang)
        tf.source_language = src
        segments = module_segments(module)
        result = TranslationResult(module_id, lang, len(segments))
        todo: list[Segment] = []
        for s in segments:
            e = tf.current(s)
            if e is not None and (e.status == "reviewed" or e.target):
                result.kept += 1
            else:
                todo.append(s)
        # drop entries of segments the module no longer has
        keep = {s.id for s in segments}
        tf.segments = {k: v for k, v in tf.segments.items() if k in keep}
        if not todo:
            result.path = str(save_translations(workspace, tf, segments))
            return result
        terms = glossary.terms_for(lang)
        prot = {s.id: protect(s.source, terms) for s in todo}
        need_engine = [s for s in todo if prot[s.id].translatable]
        for s in todo:
            if not prot[s.id].translatable:
                tf.set(s.id, s.source, s.source, status="machine", model=None)
                result.copied += 1
        model_id = engine.model_id if engine is not None else None
        if model_id is None and need_engine:
            engine = make_engine(workspace, src, lang)
            model_id = engine.model_id
        hits = memory.get_many(src, lang, model_id or "", [s.source for s in need_engine]) if need_engine else {}
        misses: list[Segment] = []
        for s in need_engine:
            hit = hits.get(s.source)
            if hit is None:
                misses.append(s)
                continue
            _record(
                tf,
                s,
                hit.target,
                "reviewed" if hit.origin == "reviewed" else "machine",
                None if hit.origin == "reviewed" else hit.model,
                [],
                glossary,
                lang,
                result,
            )
            result.from_memory += 1
        size = batch_size or getattr(engine, "batch_size", 16) or 16
        unique = list(dict.fromkeys(s.source for s in misses))
        done = 0
        if progress:
            progress(0, len(unique))
        try:
            for i in range(0, len(unique), size):
                batch = unique[i : i + size]
                ptexts = [protect(t, terms) for t in batch]
                try:
                    outs = engine.translate_batch([p.text for p in ptexts])  # type: ignore[union-attr]
                except SegmentTooLongError as e:
                    raise _too_long(e, module_id, [s for s in misses if s.source == batch[e.index]]) from None
                targets = [p.restore(o) for p, o in zip(ptexts, outs)]
                memory.put_many(src, lang, model_id, list(zip(batch, targets)))
                by_source = {t: (tgt, p.lost) for t, tgt, p in zip(batch, targets, ptexts)}
                for s in misses:
                    if s.source in by_source:
                        tgt, lost = by_source[s.source]
                        flags = [f"markup lost: {x}" for x in lost]
                        _record(tf, s, tgt, "machine", model_id, flags, glossary, lang, result)
                result.translated += len(batch)
                done += len(batch)
                if progress:
                    progress(done, len(unique))
        finally:
            result.path = str(save_translations(workspace, tf, segments))  # a partial run keeps what it made
        return result
    finally:
        if own_memory:
            memory.close()
        if own_engine and engine is not None:
            engine.close()


def _too_long(e: SegmentTooLongError, module_id: str, segments: list[Segment]) -> TranslationError:
    """The engine's "too many tokens" as an error that names the module, block and field."""
    s = segments[0]
    where = f"segment '{s.id}'" + (f" (and {len(segments) - 1} more with the same text)" if len(segments) > 1 else "")
    return TranslationError(
        f"{where} is too long to translate: {e.tokens} tokens, but the model {e.model_id} reads at most {e.limit}",
        location=Location(
            file=f"modules/{module_id}.yaml",
            module_id=module_id,
            block_id=None if s.block == MODULE_BLOCK else s.block,
            field=s.field,
        ),
        hint=e.hint,
    )


def _record(
    tf: TranslationFile,
    s: Segment,
    target: str,
    status: str,
    model: str | None,
    flags: list[str],
    glossary: Glossary,
    lang: str,
    result: TranslationResult,
) -> None:
    if status != "reviewed":
        flags = flags + glossary.check(s.source, target, lang)
    tf.set(s.id, s.source, target, status=status, model=model, flags=flags)  # type: ignore[arg-type]
    if flags:
        result.flagged.append(s.id)


def translate_modules(
    workspace: Workspace,
    module_ids: Iterable[str],
    languages: Iterable[str],
    *,
    engine_factory: Callable[[str, str], Engine] | None = None,
    progress: Callable[[str, str, int, int], None] | None = None,
) -> list[TranslationResult]:
    """Translate several modules into several languages, one engine per language pair."""
    from .engines import make_engine

    results = []
    ids = list(module_ids)
    with TranslationMemory.for_workspace(workspace.root) as memory:
        for lang in languages:
            engine = None
            try:
                for mid in ids:
                    src = workspace.module(mid).language
                    if engine is None and _needs_engine(workspace, mid, lang):
                        factory = engine_factory or (lambda s, t: make_engine(workspace, s, t))
                        engine = factory(src, lang)
                    cb = (lambda d, t, mid=mid, lang=lang: progress(mid, lang, d, t)) if progress else None
                    results.append(
                        translate_module(workspace, mid, lang, engine=engine or _NoEngine(), memory=memory, progress=cb)
                    )
            finally:
                if engine is not None:
                    engine.close()
    return results


def _needs_engine(workspace: Workspace, module_id: str, lang: str) -> bool:
    tf = load_translations(workspace, module_id, lang)
    return any(tf.current(s) is None for s in module_segments(workspace.module(module_id)))


class _NoEngine(Engine):
    model_id = ""
    batch_size = 16

    def translate_batch(self, texts: Sequence[str]) -> list[str]:  # pragma: no cover - only when nothing is missing
        raise RuntimeError("no engine was loaded because nothing needed translating")

    def close(self) -> None:
        pass


def review_segment(workspace: Workspace, module_id: str, lang: str, key: str, target: str | None = None) -> None:
    """Approve a segment (optionally with an edited target): it becomes ``reviewed`` in the file and in
    the memory, so no later machine run replaces it."""
    from ..errors import NotFoundError

    module = workspace.module(module_id)
    segs = {s.id: s for s in module_segments(module)}
    if key not in segs:
        raise NotFoundError(
            f"module '{module_id}' has no segment '{key}'",
            hint="segment ids are BLOCK/FIELD/INDEX; list them with module_segments(module)",
        )
    s = segs[key]
    tf = load_translations(workspace, module_id, lang)
    old = tf.segments.get(key)
    text = target if target is not None else (old.target if old is not None else None)
    if text is None:
        raise NotFoundError(f"segment '{key}' has no {lang} translation to approve", hint="pass the target text")
    tf.set(key, s.source, text, status="reviewed", model=None)
    save_translations(workspace, tf)
    with TranslationMemory.for_workspace(workspace.root) as tm:
        tm.put_many(tf.source_language, lang, None, [(s.source, text)], origin="reviewed")


@dataclass(frozen=True)
class ReviewRow:
    """One segment as the review view shows it."""

    key: str
    source: str
    target: str
    state: str  # missing, stale, machine, reviewed
    flags: tuple[str, ...] = ()

    def matches(self, what: str) -> bool:
        """Filter: ``all``, ``stale``, ``unreviewed`` (anything not reviewed) or ``glossary`` (flagged)."""
        return {
            "all": True,
            "stale": self.state == "stale",
            "unreviewed": self.state != "reviewed",
            "glossary": bool(self.flags),
        }.get(what, True)


def review_rows(workspace: Workspace, module_id: str, lang: str, what: str = "all") -> list[ReviewRow]:
    """The segments of a module with their ``lang`` translation and state, filtered by ``what``."""
    tf = load_translations(workspace, module_id, lang)
    rows = []
    for s in module_segments(workspace.module(module_id)):
        e = tf.segments.get(s.id)
        if e is None:
            row = ReviewRow(s.id, s.source, "", "missing")
        else:
            state = "stale" if e.source_hash != s.hash else e.status
            row = ReviewRow(s.id, s.source, e.target, state, tuple(e.flags))
        if row.matches(what):
            rows.append(row)
    return rows


def translated_module(workspace: Workspace, module: Module, lang: str, *, mark_fallback: bool = True) -> Module:
    """A copy of ``module`` with its strings in ``lang``. A segment that is missing or stale falls back to
    the source text; in Markdown fields that text is wrapped in ``<span lang=SRC class="mb-fallback">``
    so pages show it. Plain-text fields (titles, alt text) fall back to the bare source: pass
    :func:`untranslated_fields` to ``render_module(untranslated=...)`` to mark those on the page."""
    from ..content.module import Module

    tf = load_translations(workspace, module.id, lang)
    src = module.language
    data = module.model_dump()
    for ref in module_fields(module):
        ft = split_field(ref.text, ref.kind)
        targets: dict[int, str] = {}
        for i, text in enumerate(ft.segments):
            seg = Segment(module.id, ref.block, ref.field, i, text, ref.kind)
            e = tf.current(seg)
            if e is not None:
                targets[i] = e.target
            elif mark_fallback and ref.kind != "plain":
                targets[i] = FALLBACK.format(lang=src, text=text)
        node = data
        for p in ref.path[:-1]:
            node = node[p]
        node[ref.path[-1]] = ft.join(targets)
    data["language"] = lang
    return Module.model_validate(data)


def untranslated_fields(workspace: Workspace, module: Module, lang: str) -> frozenset[str]:
    """Keys ``block/field`` of the plain-text fields (titles, alt text) that show source text in ``lang``.

    Markdown fields mark their fallback segments themselves; plain-text fields cannot carry markup, so
    pass these keys to :func:`mblib.render.render_module` (``untranslated=``), which marks them on the page.
    """
    tf = load_translations(workspace, module.id, lang)
    out = set()
    for ref in module_fields(module):
        if ref.kind != "plain":
            continue
        ft = split_field(ref.text, ref.kind)
        if any(
            tf.current(Segment(module.id, ref.block, ref.field, i, t, ref.kind)) is None
            for i, t in enumerate(ft.segments)
        ):
            out.add(f"{ref.block}/{ref.field}")
    return frozenset(out)


def fallback_count(workspace: Workspace, module: Module, lang: str) -> int:
    """How many segments of ``module`` would show the source text in ``lang``."""
    tf = load_translations(workspace, module.id, lang)
    return sum(tf.current(s) is None for s in module_segments(module))


__all__ = [
    "FALLBACK",
    "MODULE_BLOCK",
    "ReviewRow",
    "TranslationResult",
    "review_rows",
    "fallback_count",
    "review_segment",
    "translate_module",
    "translate_modules",
    "translated_module",
    "untranslated_fields",
]
