"""The one check that ids in a list are unique (blocks, choices, elective groups, required modules).

>>> check_unique(["a", "b"], "block")
>>> check_unique(["a", "a"], "block")
Traceback (most recent call last):
...
ValueError: duplicate block id 'a': every block needs its own id
"""

from __future__ import annotations

from collections.abc import Iterable


def check_unique(ids: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` (a pydantic validator error) naming the first id that appears twice."""
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"duplicate {what} id '{i}': every {what} needs its own id")
        seen.add(i)


__all__ = ["check_unique"]
