"""Learner data flowing back into authoring: a short insight beside each block of a module.

``block_insights(events, module)`` returns, for every block id of the module, a
:class:`BlockInsight` with a one-line ``summary`` the module builder shows beside the block
(e.g. "38% of learners who reached this block stopped here"; for a quiz also
"facility 0.62, discrimination 0.41") and the numbers behind it in ``stats``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..content import Module
    from .backends import Engine


@dataclass(frozen=True)
class BlockInsight:
    """What the learner data says about one block."""

    block_id: str
    summary: str
    stats: dict[str, Any] = field(default_factory=dict)


def block_insights(events: Any, module: Module, *, engine: Engine = "polars") -> dict[str, BlockInsight]:
    """One :class:`BlockInsight` per block of ``module`` (in block order), from the events table.

    ``stats`` holds ``reached``, ``stopped``, ``reached_share``, ``dropoff_rate`` for every block
    and, for quiz blocks, ``attempts``, ``facility``, ``discrimination_index``,
    ``discriminative_efficiency`` and the choice shares.
    """
    raise NotImplementedError


__all__ = ["BlockInsight", "block_insights"]
