"""``BlockList``: the blocks of a module as a list worth looking at, and the block library.

Each row shows the block's icon, type and the first words of its content; a click or the
arrow keys select a block; drag and drop, or Alt+Up / Alt+Down, reorder (the builder's
Up/Down buttons too). The JavaScript ships in ``mblib/widgets/static/``.

>>> from mblib.content.blocks import parse_block
>>> block_snippet(parse_block({"id": "q", "type": "quiz", "question": "Which **axis** starts at zero?"}))
'Which axis starts at zero?'
>>> block_library()[0][0]
'¶ Text: paragraphs of Markdown prose'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..content.blocks import BLOCK_TYPES

STATIC = Path(__file__).parent / "static"

#: Icon (a symbol common fonts have: no emoji font needed) and one-line description of each block type. A block type added to
#: :data:`~mblib.content.blocks.BLOCK_TYPES` without an entry here gets "■" and its docstring's first sentence.
LIBRARY: dict[str, tuple[str, str]] = {
    "text": ("¶", "paragraphs of Markdown prose"),
    "image": ("▣", "a picture with alt text and a caption"),
    "video": ("▶", "a video with captions and a transcript"),
    "callout": ("⚠", "a highlighted note, tip or warning"),
    "quiz": ("?", "a question with choices and feedback"),
    "flashcards": ("▤", "cards to flip: a prompt and its answer"),
    "accordion": ("☰", "panels that open and close"),
    "checklist": ("☑", "things to do, ticked off by learners"),
    "code": ("⌨", "Python code run at export, with its output"),
}


def block_icon(block_type: str) -> str:
    return LIBRARY.get(block_type, ("■", ""))[0]


def block_description(block_type: str) -> str:
    """The one-line description of a block type."""
    if block_type in LIBRARY:
        return LIBRARY[block_type][1]
    doc = (BLOCK_TYPES[block_type].__doc__ or "").strip()
    return re.split(r"(?<=\.)\s", doc.replace("``", ""), maxsplit=1)[0].rstrip(".").lower() or block_type


def block_library() -> list[tuple[str, str]]:
    """Options of the "Add block" picker: ``("icon Label: description", type)`` for every block type."""
    return [(f"{block_icon(t)} {m.label}: {block_description(t)}", t) for t, m in BLOCK_TYPES.items()]


def _plain(text: str) -> str:
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"[`*_#>\[\]()!|~]+", "", text)
    return " ".join(text.split())


def block_snippet(block: Any, words: int = 10) -> str:
    """The first words of a block's content (its first non-empty text field, then its items, then its file)."""
    texts = [*block.texts(), str(getattr(block, "src", None) or ""), str(getattr(block, "source", None) or "")]
    text = next((t for t in (_plain(x) for x in texts) if t), "")
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


class BlockList(anywidget.AnyWidget):
    """The list of blocks: :attr:`items` (one dict per block), :attr:`value` (the selected id).
    ``on_move(block_id, index)`` runs when the designer drags a block or presses Alt+Up/Down."""

    _esm = STATIC / "blocklist.js"
    _css = STATIC / "blocklist.css"
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    def __init__(self, on_move: Callable[[str, int], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_move = on_move
        self.on_msg(self._message)

    @property
    def options(self) -> list[tuple[str, str]]:
        """``(label, id)`` of every block, in order (the text a row shows)."""
        return [(f"{i['label']} · {i['snippet']}", i["id"]) for i in self.items]

    @property
    def ids(self) -> list[str]:
        return [i["id"] for i in self.items]

    def set_blocks(self, blocks: list[Any], notes: Mapping[str, str] | None = None) -> None:
        """Show ``blocks`` (content models), with an optional note per block id (e.g. learner analytics)."""
        notes = notes or {}
        items = [
            {
                "id": b.id,
                "type": b.type,
                "icon": block_icon(b.type),
                "label": BLOCK_TYPES[b.type].label if b.type in BLOCK_TYPES else b.type,
                "snippet": block_snippet(b),
                "note": notes.get(b.id, ""),
            }
            for b in blocks
        ]
        if items != self.items:
            self.items = items

    def move(self, block_id: str, index: int) -> None:
        """What a drop or Alt+Arrow does (also for tests and notebooks)."""
        if self._on_move is not None:
            self._on_move(block_id, index)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("kind") == "move":
            block_id, index = content.get("id"), content.get("to")
            if isinstance(block_id, str) and isinstance(index, int) and block_id in self.ids:
                self.move(block_id, max(0, min(index, len(self.items) - 1)))


__all__ = ["LIBRARY", "BlockList", "block_description", "block_icon", "block_library", "block_snippet"]
