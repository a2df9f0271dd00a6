"""Blocks (quiz items first of all) and quiz choices named by their words, for
:func:`mblib.analytics.labels.workspace_titles`.

A block id is unique within its module only, and a choice id within its block only, so the
names are keyed by the ids that pin them down (:func:`item_key`): ``"module/block"`` and
``"module/block/choice"`` always, and ``"block"`` and ``"block/choice"`` too where no other
module has a block with that id (ids never hold ``/``). :func:`mblib.analytics.labels.with_titles`
builds the longest key a frame's columns allow.

>>> from types import SimpleNamespace as S
>>> from mblib.content.blocks import parse_block
>>> q = parse_block({"id": "q-median-1", "type": "quiz", "question": "What is the **median** of 1, 2 and 9?",
...                  "choices": [{"id": "c1", "text": "2", "correct": True}, {"id": "c2", "text": "4"}]})
>>> blocks, choices = block_titles(S(modules={"m": S(id="m", blocks=[q])}))
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


def block_titles(workspace: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(block key -> block name, choice key -> choice text) for every block of ``workspace``.

    A quiz item is named ``"Q<n> · <question>"`` (``n`` counts the quizzes of its module, the
    question is plain text cut to :data:`QUESTION_CHARS`); any other block by its kind and its first
    words (``"Text · When a few values are far…"``, ``"Video · Reading a bar chart"``); a choice by
    its text cut to :data:`CHOICE_CHARS`. Two blocks of the workspace with one name, or two choices
    of one item, keep apart by their id; a block without words reads as its kind (``"Q<n>"`` for a
    quiz), a choice without text as its id.
    """
    modules = list(workspace.modules.values())
    every = [(str(m.id), b) for m in modules for b in getattr(m, "blocks", [])]
    owners = Counter(str(b.id) for _, b in every)
    numbers: Counter[str] = Counter()
    items: list[tuple[str, str]] = []
    tags: dict[str, str] = {}
    for mid, block in every:
        key = item_key(mid, str(block.id))
        if getattr(block, "type", "") == "quiz":
            numbers[mid] += 1
            question = short_text(getattr(block, "question", ""), QUESTION_CHARS)
            items.append((key, f"Q{numbers[mid]} · {question}" if question else f"Q{numbers[mid]}"))
        else:
            kind = str(getattr(block, "label", "") or getattr(block, "type", "Block"))
            texts = block.texts() if hasattr(block, "texts") else []
            words = next((w for w in (short_text(t, QUESTION_CHARS) for t in texts) if w), "")
            items.append((key, f"{kind} · {words}" if words else kind))
        tags[key] = str(block.id) if owners[str(block.id)] == 1 else key
    names = _apart(items, tags)
    blocks = dict(names)
    choices: dict[str, str] = {}
    for mid, block in every:
        if owners[str(block.id)] == 1:  # the block id alone names it: frames without a module column
            blocks[str(block.id)] = names[item_key(mid, str(block.id))]
        if getattr(block, "type", "") != "quiz":
            continue
        pairs = [(str(c.id), short_text(c.text, CHOICE_CHARS) or str(c.id)) for c in block.choices]
        texts = _apart(pairs, {cid: cid for cid, _ in pairs})
        for cid, text in texts.items():
            choices[item_key(mid, str(block.id), cid)] = text
            if owners[str(block.id)] == 1:
                choices[item_key(str(block.id), cid)] = text
    return blocks, choices


__all__ = ["CHOICE_CHARS", "QUESTION_CHARS", "SEPARATOR", "block_titles", "item_key", "short_text"]
