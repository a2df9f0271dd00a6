"""Content blocks: one discriminated union on ``type``.

Every block has a stable ``id`` (the key that translation, export and
analytics share) and a ``type``. New block types are added here and nowhere
else: forms, rendering and segmenting read the models.

>>> from mblib.content.blocks import parse_block
>>> b = parse_block({"id": "intro", "type": "text", "body": "Hello **world**"})
>>> b.type, b.word_count()
('text', 2)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from .unique import check_unique

ID_PATTERN = r"^[a-z0-9](?:[a-z0-9_.-]{0,62}[a-z0-9])?$"
Id = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="stable id: lowercase letters, digits, '-', '_' or '.', e.g. 'axis-check'"),
]

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_MD_NOISE = re.compile(r"`[^`]*`|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|https?://\S+")


@lru_cache(maxsize=16384)  # pure: live lint in the builders re-counts only the text that changed
def count_words(text: str | None) -> int:
    """Words a learner reads in ``text`` (Markdown link targets, tags and inline code ignored)."""
    if not text:
        return 0
    return len(_WORD.findall(_MD_NOISE.sub(" ", text)))


def unique_ids(what: str) -> AfterValidator:
    """Validator for a list of items with ``id``: every id must be unique (``what`` names the items)."""

    def check(items: list[Any]) -> list[Any]:
        check_unique([i.id for i in items], what)
        return items

    return AfterValidator(check)


class Model(BaseModel):
    """Base of all content models: unknown fields are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)


class _Block(Model):
    id: Id
    type: str
    # Fields whose text a learner reads; word counts and translation segments use them.
    text_fields: ClassVar[tuple[str, ...]] = ()
    # A list of sub-items and the text fields of each item (choices, cards, panels, checklist items).
    item_fields: ClassVar[tuple[str, tuple[str, ...]] | None] = None
    label: ClassVar[str] = "block"

    def texts(self) -> list[str]:
        """The texts a learner reads (Markdown), in reading order: the block's text fields, then each
        item's (choices, cards, panels, checklist items); empty ones left out.

        >>> parse_block({"id": "c", "type": "callout", "body": "Check the **axis**."}).texts()
        ['Check the **axis**.']
        """
        texts = [getattr(self, f, None) for f in self.text_fields]
        if self.item_fields:
            name, fields = self.item_fields
            texts += [getattr(i, f, None) for i in getattr(self, name) for f in fields]
        return [str(t) for t in texts if t]

    def word_count(self) -> int:
        return sum(count_words(t) for t in self.texts())

    def media_seconds(self) -> float:
        return 0.0

    def interactions(self) -> dict[str, int]:
        """Counts used by the duration estimate: quizzes, cards, checklist items."""
        return {}

    def media_paths(self) -> list[str]:
        """Workspace-relative media files this block needs."""
        return []


class TextBlock(_Block):
    """Markdown prose."""

    type: Literal["text"]
    body: str = Field(description="Markdown")
    text_fields: ClassVar[tuple[str, ...]] = ("body",)
    label: ClassVar[str] = "Text"


class ImageBlock(_Block):
    """A picture. ``alt`` is required unless ``decorative`` is true (lint checks it)."""

    type: Literal["image"]
    src: str = Field(description="path under media/, e.g. media/axis.svg")
    alt: str = Field("", description="what the image shows, for screen readers")
    decorative: bool = Field(False, description="purely decorative: screen readers skip it")
    caption: str | None = Field(None, description="visible caption (Markdown)")
    text_fields: ClassVar[tuple[str, ...]] = ("alt", "caption")
    label: ClassVar[str] = "Image"

    def media_paths(self) -> list[str]:
        return [self.src]


class CaptionTrack(Model):
    src: str = Field(description="WebVTT file under media/")
    language: str = Field("en", description="BCP 47 language tag, e.g. en, fr")
    label: str = Field("English", description="name shown in the player's menu")
    kind: Literal["captions", "subtitles", "descriptions"] = "captions"


class VideoBlock(_Block):
    """A video with caption tracks and its length in seconds (for the duration estimate)."""

    type: Literal["video"]
    src: str = Field(description="video file under media/ (WebM or MP4)")
    title: str = Field(description="accessible name of the video")
    duration_s: float = Field(ge=0, description="length of the video in seconds")
    captions: list[CaptionTrack] = Field(default_factory=list)
    poster: str | None = None
    transcript: str | None = Field(None, description="full transcript (Markdown)")
    text_fields: ClassVar[tuple[str, ...]] = ("title", "transcript")
    label: ClassVar[str] = "Video"

    def media_seconds(self) -> float:
        return self.duration_s

    def word_count(self) -> int:  # the transcript is an alternative to watching, not extra reading
        return count_words(self.title)

    def media_paths(self) -> list[str]:
        return [self.src, *(t.src for t in self.captions), *([self.poster] if self.poster else [])]


class CalloutBlock(_Block):
    """A highlighted note, tip or warning."""

    type: Literal["callout"]
    variant: Literal["note", "tip", "warning"] = "note"
    title: str | None = None
    body: str = Field(description="Markdown")
    text_fields: ClassVar[tuple[str, ...]] = ("title", "body")
    label: ClassVar[str] = "Callout"


class Choice(Model):
    id: Id
    text: str = Field(description="the answer option (inline Markdown)")
    correct: bool = False
    feedback: str | None = Field(None, description="shown when the learner picks this choice")


class QuizBlock(_Block):
    """A question with single or multiple correct choices, per-choice feedback and a weight."""

    type: Literal["quiz"]
    question: str = Field(description="the question (Markdown)")
    multiple: bool = Field(False, description="learners may pick several choices")
    choices: Annotated[list[Choice], unique_ids("choice")] = Field(default_factory=list)
    weight: float = Field(1.0, ge=0, description="share of the module score")
    explanation: str | None = Field(None, description="shown after any answer (Markdown)")
    text_fields: ClassVar[tuple[str, ...]] = ("question", "explanation")
    item_fields: ClassVar[tuple[str, tuple[str, ...]] | None] = ("choices", ("text", "feedback"))
    label: ClassVar[str] = "Quiz"

    def interactions(self) -> dict[str, int]:
        return {"quiz": 1}

    @property
    def correct_ids(self) -> list[str]:
        return [c.id for c in self.choices if c.correct]


class Card(Model):
    id: Id
    front: str
    back: str


class FlashcardsBlock(_Block):
    """Cards the learner flips: a prompt on the front, the answer on the back."""

    type: Literal["flashcards"]
    title: str | None = None
    cards: Annotated[list[Card], unique_ids("card")] = Field(default_factory=list)
    text_fields: ClassVar[tuple[str, ...]] = ("title",)
    item_fields: ClassVar[tuple[str, tuple[str, ...]] | None] = ("cards", ("front", "back"))
    label: ClassVar[str] = "Flashcards"

    def interactions(self) -> dict[str, int]:
        return {"card": len(self.cards)}


class Panel(Model):
    id: Id
    title: str
    body: str = Field(description="Markdown")


class AccordionBlock(_Block):
    """Panels that open and close; each has a title and a Markdown body."""

    type: Literal["accordion"]
    title: str | None = None
    items: Annotated[list[Panel], unique_ids("panel")] = Field(default_factory=list)
    text_fields: ClassVar[tuple[str, ...]] = ("title",)
    item_fields: ClassVar[tuple[str, tuple[str, ...]] | None] = ("items", ("title", "body"))
    label: ClassVar[str] = "Accordion"


class ChecklistItem(Model):
    id: Id
    text: str = Field(description="inline Markdown")


class ChecklistBlock(_Block):
    """Things to do or check; learners tick them off (kept in the browser)."""

    type: Literal["checklist"]
    title: str | None = None
    items: Annotated[list[ChecklistItem], unique_ids("checklist item")] = Field(default_factory=list)
    text_fields: ClassVar[tuple[str, ...]] = ("title",)
    item_fields: ClassVar[tuple[str, tuple[str, ...]] | None] = ("items", ("text",))
    label: ClassVar[str] = "Checklist"

    def interactions(self) -> dict[str, int]:
        return {"checklist_item": len(self.items)}


class CodeOutput(Model):
    """An output captured when the code block was executed at export."""

    mime: str = "text/plain"
    data: str = ""


class CodeBlock(_Block):
    """Python code, executed at export; its outputs are embedded in the page."""

    type: Literal["code"]
    language: Literal["python"] = "python"
    source: str
    caption: str | None = Field(None, description="what the code shows (Markdown)")
    outputs: list[CodeOutput] = Field(default_factory=list, description="filled in at export")
    text_fields: ClassVar[tuple[str, ...]] = ("caption",)
    label: ClassVar[str] = "Code"

    def word_count(self) -> int:
        # Code is read slowly: count each source line as four words.
        return super().word_count() + 4 * len([ln for ln in self.source.splitlines() if ln.strip()])


# One static union, so type checkers see the block classes and their fields.
Block = Annotated[
    TextBlock
    | ImageBlock
    | VideoBlock
    | CalloutBlock
    | QuizBlock
    | FlashcardsBlock
    | AccordionBlock
    | ChecklistBlock
    | CodeBlock,
    Field(discriminator="type"),
]
BLOCK_CLASSES: tuple[type[_Block], ...] = get_args(get_args(Block)[0])

BLOCK_TYPES: dict[str, type[_Block]] = {get_args(cls.model_fields["type"].annotation)[0]: cls for cls in BLOCK_CLASSES}

_BLOCK_ADAPTER: TypeAdapter[Any] = TypeAdapter(Block)


def parse_block(data: dict[str, Any]) -> _Block:
    """Validate one block from plain data (as read from YAML)."""
    return _BLOCK_ADAPTER.validate_python(data)


__all__ = [
    "AccordionBlock",
    "BLOCK_TYPES",
    "Block",
    "CalloutBlock",
    "CaptionTrack",
    "Card",
    "ChecklistBlock",
    "ChecklistItem",
    "Choice",
    "CodeBlock",
    "CodeOutput",
    "FlashcardsBlock",
    "ID_PATTERN",
    "ImageBlock",
    "Panel",
    "QuizBlock",
    "TextBlock",
    "VideoBlock",
    "count_words",
    "parse_block",
]
