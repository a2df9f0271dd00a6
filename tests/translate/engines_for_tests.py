"""Deterministic engines for tests."""

from __future__ import annotations

import re

from mblib.translate.engines import Engine
from mblib.translate.protect import TOKEN


def shout(text: str) -> str:
    """Upper-case everything but the ``<n>`` tokens."""
    parts = TOKEN.split(text)
    return "".join(p.upper() if i % 2 == 0 else f"<{p}>" for i, p in enumerate(parts))


class ShoutEngine(Engine):
    """Upper-cases text, counts calls and strings, and can fail after ``fail_after`` batches."""

    model_id = "shout"

    def __init__(self, batch_size: int = 4, fail_after: int | None = None, drop_tokens: bool = False):
        self.batch_size = batch_size
        self.fail_after = fail_after
        self.drop_tokens = drop_tokens
        self.calls = 0
        self.seen: list[str] = []

    def translate_batch(self, texts):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt("interrupted")
        self.calls += 1
        self.seen.extend(texts)
        out = [shout(t) for t in texts]
        if self.drop_tokens:
            out = [TOKEN.sub("", t) for t in out]
        return out


class SpacedReorderEngine(Engine):
    """Puts spaces around every token and moves a leading token to the end (engines do such things)."""

    model_id = "spaced"

    def translate_batch(self, texts):
        return [re.sub(r"(<\d+>)", r" \1 ", t).strip() for t in texts]
