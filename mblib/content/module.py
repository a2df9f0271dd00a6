"""A microlearning module: metadata plus an ordered list of blocks.

>>> from mblib.content import Module
>>> m = Module(id="demo", title="Demo", blocks=[
...     {"id": "intro", "type": "text", "body": " ".join(["word"] * 400)},
...     {"id": "q1", "type": "quiz", "question": "Pick a", "choices": [
...         {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}])
>>> d = m.estimate_duration()
>>> round(d.reading_s), round(d.interaction_s), round(d.minutes, 1)
(122, 45, 2.8)
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator

from .blocks import Block, Id, Model
from .unique import check_unique


class DurationSettings(Model):
    """How the estimated duration is computed (``[duration]`` in ``mblib.toml``)."""

    reading_wpm: float = Field(200.0, gt=0, description="reading speed, words per minute")
    seconds_per_quiz: float = Field(45.0, ge=0)
    seconds_per_card: float = Field(15.0, ge=0)
    seconds_per_checklist_item: float = Field(10.0, ge=0)
    media_factor: float = Field(1.1, ge=1.0, description="media time x this (pauses, replays)")


@dataclass(frozen=True)
class DurationEstimate:
    """An estimate of a module's learning time, with its parts in seconds."""

    words: int
    reading_s: float
    media_s: float
    interaction_s: float

    @property
    def seconds(self) -> float:
        return self.reading_s + self.media_s + self.interaction_s

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0

    def __str__(self) -> str:
        return f"{self.minutes:.1f} min ({self.words} words, {self.media_s:.0f} s media, {self.interaction_s:.0f} s activities)"


class Module(Model):
    """One module: id, title, summary, objectives, audience, language, skills, blocks, pass mark, version."""

    id: Id
    title: str
    summary: str = ""
    objectives: list[str] = Field(default_factory=list)
    audience: str = ""
    language: str = Field("en", description="BCP 47 language tag of the source text")
    skills: list[str] = Field(default_factory=list, description="skill ids, e.g. data-literacy.visualisation")
    pass_mark: float = Field(0.8, ge=0, le=1, description="share of the quiz score needed to pass, 0..1")
    version: str = Field("1.0.0", pattern=r"^\d+\.\d+(\.\d+)?$")
    duration_budget_min: float | None = Field(None, gt=0, description="overrides the workspace budget")
    blocks: list[Block] = Field(default_factory=list)

    @field_validator("blocks")
    @classmethod
    def _unique_block_ids(cls, blocks: list[Block]) -> list[Block]:
        check_unique([b.id for b in blocks], "block")
        return blocks

    def block(self, block_id: str) -> Block:
        """The block with this id (``KeyError`` naming the known ids otherwise)."""
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(f"module '{self.id}' has no block '{block_id}'; its blocks are {[b.id for b in self.blocks]}")

    def word_count(self) -> int:
        from .blocks import count_words

        head = count_words(self.title) + count_words(self.summary) + sum(count_words(o) for o in self.objectives)
        return head + sum(b.word_count() for b in self.blocks)

    def estimate_duration(self, settings: DurationSettings | None = None) -> DurationEstimate:
        """Reading time from word counts, media lengths, and time per quiz, card and checklist item."""
        s = settings or DurationSettings()
        words = self.word_count()
        counts: dict[str, int] = {}
        media = 0.0
        for b in self.blocks:
            media += b.media_seconds()
            for k, v in b.interactions().items():
                counts[k] = counts.get(k, 0) + v
        interaction = (
            counts.get("quiz", 0) * s.seconds_per_quiz
            + counts.get("card", 0) * s.seconds_per_card
            + counts.get("checklist_item", 0) * s.seconds_per_checklist_item
        )
        return DurationEstimate(
            words=words,
            reading_s=words / s.reading_wpm * 60.0,
            media_s=media * s.media_factor,
            interaction_s=interaction,
        )

    @property
    def quizzes(self) -> list[Block]:
        return [b for b in self.blocks if b.type == "quiz"]


__all__ = ["DurationEstimate", "DurationSettings", "Module"]
