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
    and, for quiz blocks, ``attempts``, ``facility``, ``sd``, ``discrimination_index``,
    ``discriminative_efficiency`` and ``choices`` (choice id -> share of learners who chose it).
    Runs :func:`~mblib.analytics.metrics.block_dropoff` and the item analysis on ``engine`` and
    collects the (small) results.

    >>> from mblib.analytics.items import demo_quiz
    >>> events, module = demo_quiz()
    >>> print(block_insights(events, module)["q1"].summary)
    facility 0.75, discrimination 0.52 (4 complete attempts)
    >>> from mblib.analytics.metrics import demo_events
    >>> from mblib.content import Module
    >>> m = Module(id="m1", title="M1", blocks=[{"id": "b1", "type": "text", "body": "x"},
    ...     {"id": "b2", "type": "text", "body": "y"}])
    >>> print(block_insights(demo_events(), m)["b1"].summary)
    33% of the 3 learners who reached this block stopped here
    """
    from .backends import collect
    from .items import distractor_analysis, item_statistics
    from .metrics import block_dropoff

    drop = {
        r["block_id"]: r for r in collect(block_dropoff, events, engine=engine, module=module).iter_rows(named=True)
    }
    quiz: dict[str, dict[str, Any]] = {}
    choices: dict[str, dict[str, float]] = {}
    if any(b.type == "quiz" for b in module.blocks):
        for r in collect(item_statistics, events, engine=engine, module=module).iter_rows(named=True):
            quiz[r["block_id"]] = r
        for r in collect(distractor_analysis, events, engine=engine, module=module).iter_rows(named=True):
            choices.setdefault(r["block_id"], {})[r["choice_id"]] = r["share"]
    out: dict[str, BlockInsight] = {}
    for b in module.blocks:
        d = drop.get(b.id, {})
        stats: dict[str, Any] = {k: d.get(k) for k in ("reached", "stopped", "reached_share", "dropoff_rate")}
        parts = [_dropoff_text(stats)]
        if b.type == "quiz":
            q = quiz.get(b.id)
            if q:
                stats.update(
                    {
                        k: q[k]
                        for k in ("attempts", "facility", "sd", "discrimination_index", "discriminative_efficiency")
                    }
                )
                if not stats["reached"]:  # answers without progress events: the item text says enough
                    parts = []
            stats["choices"] = choices.get(b.id, {})
            parts.insert(0, _item_text(q))
        out[b.id] = BlockInsight(block_id=b.id, summary="; ".join(p for p in parts if p), stats=stats)
    return out


def _dropoff_text(stats: dict[str, Any]) -> str:
    reached, rate = stats.get("reached") or 0, stats.get("dropoff_rate")
    if not reached or rate is None:
        return "no learner has reached this block yet"
    if stats.get("stopped"):
        return f"{rate:.0%} of the {reached} learners who reached this block stopped here"
    return ""


def _item_text(q: dict[str, Any] | None) -> str:
    if not q or not q.get("attempts"):
        return "no complete quiz attempts yet"
    disc = q.get("discrimination_index")
    d = f"{disc:.2f}" if disc is not None else "n/a"
    return f"facility {q['facility']:.2f}, discrimination {d} ({q['attempts']} complete attempts)"


__all__ = ["BlockInsight", "block_insights"]
