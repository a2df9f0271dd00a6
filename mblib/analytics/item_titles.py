"""Quiz items and their choices named by their words, for :func:`mblib.analytics.labels.workspace_titles`.

A block id is unique within its module only, and a choice id within its block only, so the
names are keyed by the ids that pin them down (:func:`item_key`): ``"module/block"`` and
``"module/block/choice"`` always, and ``"block"`` and ``"block/choice"`` too where no other
module has a block with that id (ids never hold ``/``). :func:`mblib.analytics.labels.with_titles`
builds the longest key a frame's columns allow.

>>> from types import SimpleNamespace as S
>>> from mblib.content.blocks import parse_block
>>> q = parse_block({"id": "q-median-1", "type": "quiz", "question": "What is the **median** of 1, 2 and 9?",
...                  "choices": [{"id": "c1", "text": "2", "correct": True}, {"id": "c2", "text": "4"}]})
>>> blocks, choices = quiz_item_titles(S(modules={"m": S(id="m", blocks=[q])}))
>>> blocks["m/q-median-1"], blocks["q-median-1"], choices["q-median-1/c2"]
('Q1 · What is the median of 1, 2 and 9?', 'Q1 · What is the median of 1, 2 and 9?', '4')
"""

from __future__ import annotations

from collections import Counter
from typing import Any

#: how many characters of a question, and of a choice, a name keeps (an ellipsis marks the cut)
QUESTION_CHARS = 60
CHOICE_CHARS = 40
SEPARATOR = "/"


def item_key(*ids: str) -> str:
    """The key of a block or choice in the title maps: its ids from the outside in.

    >>> item_key("mean-median", "why-higher", "tail")
    'mean-median/why-higher/tail'
    """
    return SEPARATOR.join(ids)


def short_text(text: str | None, limit: int) -> str:
    """``text`` (Markdown) as plain words, cut at a word boundary to at most ``limit`` characters with "…".

    >>> short_text("Which chart shows *change over time* best for monthly visits?", 30)
    'Which chart shows change over…'
    >>> short_text("A short one", 30)
    'A short one'
    """
    from ..render.markdown import to_plain_text

    words = to_plain_text(text)
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    space = cut.rfind(" ")
    if not words[limit - 1].isspace() and space > limit // 2:  # whole words when one ends late enough
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def _apart(pairs: list[tuple[str, str]], tags: dict[str, str]) -> dict[str, str]:
    """key -> name, where two keys with one name keep apart by their tag (``"Name (tag)"``)."""
    seen = Counter(name for _, name in pairs)
    return {key: (name if seen[name] == 1 else f"{name} ({tags[key]})") for key, name in pairs}


def quiz_item_titles(workspace: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(block key -> quiz item name, choice key -> choice text) for every quiz block of ``workspace``.

    An item is named ``"Q<n> · <question>"`` (``n`` counts the quizzes of its module, the question
    is plain text cut to :data:`QUESTION_CHARS`); a choice by its text cut to :data:`CHOICE_CHARS`.
    Two items of the workspace with one name, or two choices of one item, keep apart by their id;
    an empty question or choice text reads as ``"Q<n>"`` or the choice id.
    """
    modules = list(workspace.modules.values())
    quizzes = [(str(m.id), b) for m in modules for b in getattr(m, "blocks", []) if getattr(b, "type", "") == "quiz"]
    owners = Counter(str(b.id) for m in modules for b in getattr(m, "blocks", []))
    numbers: Counter[str] = Counter()
    items: list[tuple[str, str]] = []
    tags: dict[str, str] = {}
    for mid, block in quizzes:
        numbers[mid] += 1
        question = short_text(getattr(block, "question", ""), QUESTION_CHARS)
        key = item_key(mid, str(block.id))
        items.append((key, f"Q{numbers[mid]} · {question}" if question else f"Q{numbers[mid]}"))
        tags[key] = str(block.id) if owners[str(block.id)] == 1 else key
    names = _apart(items, tags)
    blocks = dict(names)
    choices: dict[str, str] = {}
    for mid, block in quizzes:
        pairs = [(str(c.id), short_text(c.text, CHOICE_CHARS) or str(c.id)) for c in block.choices]
        texts = _apart(pairs, {cid: cid for cid, _ in pairs})
        for cid, text in texts.items():
            choices[item_key(mid, str(block.id), cid)] = text
            if owners[str(block.id)] == 1:  # the block id alone names it: frames without a module column
                choices[item_key(str(block.id), cid)] = text
        if owners[str(block.id)] == 1:
            blocks[str(block.id)] = names[item_key(mid, str(block.id))]
    return blocks, choices


__all__ = ["CHOICE_CHARS", "QUESTION_CHARS", "SEPARATOR", "item_key", "quiz_item_titles", "short_text"]
