"""Starter content for ``mb new module``: a valid module, ready to edit (lint rule ``content.placeholder``
warns about each starter text until it is replaced).

>>> m = starter_module("my-topic")
>>> m.title, [b.type for b in m.blocks]
('My topic', ['text', 'quiz'])
"""

from __future__ import annotations

from .module import Module

#: Texts of the starter content (here and in a new block, :func:`mblib.content.forms.new_block_data`)
#: that a designer is meant to replace; lint rule ``content.placeholder`` flags any left in a module.
STARTER_TEXTS = (
    "One sentence that tells learners what they will get from this module.",
    "State the one thing learners can do after this module",
    "Start with why this matters to the learner, in two or three sentences.",
    "Replace this with a question about the objective.",
    "The right answer",
    "A tempting wrong answer",
    "Say why it is right.",
    "Say why it is wrong.",
    "Write here.",
)


def starter_module(module_id: str, title: str | None = None, *, language: str = "en") -> Module:
    """A new module with an introduction and one quiz; ids are stable from the start."""
    title = title or module_id.replace("-", " ").replace("_", " ").capitalize()
    return Module(
        id=module_id,
        title=title,
        language=language,
        summary="One sentence that tells learners what they will get from this module.",
        objectives=["State the one thing learners can do after this module"],
        blocks=[
            {
                "id": "intro",
                "type": "text",
                "body": "Start with why this matters to the learner, in two or three sentences.\n",
            },
            {
                "id": "check-1",
                "type": "quiz",
                "question": "Replace this with a question about the objective.",
                "choices": [
                    {"id": "a", "text": "The right answer", "correct": True, "feedback": "Say why it is right."},
                    {"id": "b", "text": "A tempting wrong answer", "feedback": "Say why it is wrong."},
                ],
            },
        ],
    )


__all__ = ["STARTER_TEXTS", "starter_module"]
