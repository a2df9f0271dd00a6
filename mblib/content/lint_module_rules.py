"""Lint rules of a module: accessibility (alt text, captions), microlearning length, quiz sanity
and media files. Importing this module registers them in :data:`mblib.content.lint_core.RULES`.
"""

from __future__ import annotations

from pathlib import Path

from .blocks import ImageBlock, QuizBlock, VideoBlock
from .lint_core import LintContext, rule
from .module import Module


@rule("a11y.alt-missing", "error", "module", "images need alt text unless marked decorative")
def _alt_missing(m: Module, ctx: LintContext):
    for i, b in enumerate(m.blocks):
        if isinstance(b, ImageBlock) and not b.decorative and not b.alt.strip():
            yield (
                "image has no alt text",
                ("blocks", i),
                b.id,
                "alt",
                "add 'alt:' describing what the image shows, or set 'decorative: true' if it adds nothing",
            )


@rule("a11y.alt-quality", "warning", "module", "alt text should be a short description, not a file name")
def _alt_quality(m: Module, ctx: LintContext):
    limit = ctx.settings.authoring.max_alt_length
    for i, b in enumerate(m.blocks):
        if not isinstance(b, ImageBlock) or b.decorative or not b.alt.strip():
            continue
        alt = b.alt.strip()
        if alt.lower() in {Path(b.src).name.lower(), Path(b.src).stem.lower()} or alt.lower() in {
            "image",
            "picture",
            "photo",
            "graphic",
        }:
            yield (
                f"alt text '{alt}' does not describe the image",
                ("blocks", i, "alt"),
                b.id,
                "alt",
                "say what the image shows and why it matters here",
            )
        elif len(alt) > limit:
            yield (
                f"alt text is {len(alt)} characters (more than {limit})",
                ("blocks", i, "alt"),
                b.id,
                "alt",
                "keep alt short and put the long description in 'caption'",
            )


@rule("a11y.captions-missing", "error", "module", "videos need a captions track")
def _captions(m: Module, ctx: LintContext):
    for i, b in enumerate(m.blocks):
        if isinstance(b, VideoBlock) and not any(t.kind == "captions" for t in b.captions):
            yield (
                "video has no captions track",
                ("blocks", i),
                b.id,
                "captions",
                "add 'captions: [{src: media/NAME.vtt, language: en, label: English}]' (WebVTT)",
            )


@rule("length.duration", "warning", "module", "a module should fit the microlearning duration budget")
def _duration(m: Module, ctx: LintContext):
    budget = m.duration_budget_min or ctx.settings.authoring.duration_budget_min
    est = m.estimate_duration(ctx.settings.duration)
    if est.minutes > budget:
        yield (
            f"estimated {est.minutes:.1f} min is over the {budget:g} min budget ({est})",
            (),
            None,
            None,
            "split the module in two, or cut text and media; set 'duration_budget_min' to change the budget",
        )


@rule("length.objectives", "warning", "module", "microlearning modules have few objectives")
def _objectives(m: Module, ctx: LintContext):
    limit = ctx.settings.authoring.max_objectives
    if len(m.objectives) > limit:
        yield (
            f"{len(m.objectives)} objectives (more than {limit})",
            ("objectives",),
            None,
            "objectives",
            "keep one to three objectives per module; move the others to a new module",
        )


@rule("quiz.no-correct", "error", "module", "a quiz needs at least one correct choice")
def _no_correct(m: Module, ctx: LintContext):
    for i, b in enumerate(m.blocks):
        if isinstance(b, QuizBlock) and b.choices and not b.correct_ids:
            yield (
                "quiz has no correct choice",
                ("blocks", i, "choices"),
                b.id,
                "choices",
                "mark the right answer with 'correct: true'",
            )


@rule("quiz.single-many-correct", "error", "module", "a single-answer quiz has exactly one correct choice")
def _single(m: Module, ctx: LintContext):
    for i, b in enumerate(m.blocks):
        if isinstance(b, QuizBlock) and not b.multiple and len(b.correct_ids) > 1:
            yield (
                f"single-answer quiz has {len(b.correct_ids)} correct choices ({', '.join(b.correct_ids)})",
                ("blocks", i, "choices"),
                b.id,
                "choices",
                "set 'multiple: true' to let learners pick several, or keep one correct choice",
            )


@rule("quiz.too-few-choices", "error", "module", "a quiz needs at least two choices")
def _few(m: Module, ctx: LintContext):
    for i, b in enumerate(m.blocks):
        if isinstance(b, QuizBlock) and len(b.choices) < 2:
            yield (f"quiz has {len(b.choices)} choice(s)", ("blocks", i), b.id, "choices", "add at least two choices")


@rule("quiz.duplicate-choices", "error", "module", "choices of a quiz must differ")
def _dupe_choices(m: Module, ctx: LintContext):
    for i, b in enumerate(m.blocks):
        if not isinstance(b, QuizBlock):
            continue
        seen: dict[str, str] = {}
        for j, c in enumerate(b.choices):
            key = " ".join(c.text.lower().split())
            if key in seen:
                yield (
                    f"choices '{seen[key]}' and '{c.id}' have the same text",
                    ("blocks", i, "choices", j, "text"),
                    b.id,
                    f"choices[{j}].text",
                    "reword or remove one of them",
                )
            else:
                seen[key] = c.id


@rule("media.missing", "error", "module", "media files a block uses must exist in the workspace")
def _media(m: Module, ctx: LintContext):
    if not ctx.check_media or ctx.workspace is None:
        return
    for i, b in enumerate(m.blocks):
        for src in b.media_paths():
            if src.startswith(("http://", "https://", "data:")):
                yield (
                    f"'{src}' is a remote file; exported pages work offline and cannot load it",
                    ("blocks", i),
                    b.id,
                    "src",
                    "download it into media/ and point to the local copy",
                )
                continue
            p = ctx.workspace.media_path(src)
            if not p.is_file():
                yield (
                    f"media file '{src}' does not exist",
                    ("blocks", i),
                    b.id,
                    "src",
                    f"put the file at {ctx.workspace.root.name}/{src} or fix the path",
                )


@rule("content.placeholder", "warning", "module", "starter text must be replaced before learners see it")
def _placeholder(m: Module, ctx: LintContext):
    from .starter import STARTER_TEXTS

    starters = {" ".join(t.split()) for t in STARTER_TEXTS}

    def left(text: object) -> bool:
        return isinstance(text, str) and " ".join(text.split()) in starters

    fix = "replace the starter text with your own words"
    if left(m.summary):
        yield (f"summary is still the starter text '{m.summary}'", ("summary",), None, "summary", fix)
    for j, o in enumerate(m.objectives):
        if left(o):
            yield (f"objective {j + 1} is still the starter text '{o}'", ("objectives", j), None, "objectives", fix)
    for i, b in enumerate(m.blocks):
        for f in b.text_fields:
            if left(getattr(b, f, None)):
                text = " ".join(str(getattr(b, f)).split())
                yield (f"{f} is still the starter text '{text}'", ("blocks", i, f), b.id, f, fix)
        if b.item_fields:
            name, fields = b.item_fields
            for j, item in enumerate(getattr(b, name)):
                for f in fields:
                    if left(getattr(item, f, None)):
                        text = " ".join(str(getattr(item, f)).split())
                        yield (
                            f"{name}[{j}].{f} is still the starter text '{text}'",
                            ("blocks", i, name, j, f),
                            b.id,
                            f"{name}[{j}].{f}",
                            fix,
                        )
