"""block_insights: one line per block for the module builder, from the learner data."""

from __future__ import annotations

import pytest

from mblib.analytics.insights import BlockInsight, block_insights
from mblib.content import Module

from .conftest import make_events
from .test_items import _module, worked_events
from .test_metrics import M1, cohort_rows


def test_every_block_gets_an_insight_with_dropoff(engine):
    got = block_insights(make_events(cohort_rows()), M1, engine=engine)
    assert list(got) == ["b1", "b2", "b3"]
    assert all(isinstance(v, BlockInsight) for v in got.values())
    b2 = got["b2"]
    assert b2.summary == "20% of the 5 learners who reached this block stopped here"
    assert (b2.stats["reached"], b2.stats["stopped"]) == (5, 1)
    assert got["b1"].summary == ""  # nobody stopped there: nothing to say
    # b3 is a quiz nobody answered
    assert got["b3"].summary == "no complete quiz attempts yet"
    assert got["b3"].stats["choices"] == {}


def test_quiz_blocks_show_item_statistics():
    got = block_insights(worked_events(), _module())
    q2 = got["q2"]
    assert q2.summary.startswith("facility 0.50, discrimination 0.13")
    assert q2.summary.endswith("(12 complete attempts)")
    assert q2.stats["attempts"] == 12 and q2.stats["facility"] == pytest.approx(6 / 12)
    assert set(q2.stats["choices"]) == {"a", "b", "c"}
    assert got["intro"].summary == "no learner has reached this block yet"


def test_module_nobody_opened():
    empty = Module(id="fresh", title="F", blocks=[{"id": "t", "type": "text", "body": "x"}])
    got = block_insights(make_events(cohort_rows()), empty)
    assert got["t"].summary == "no learner has reached this block yet" and got["t"].stats["reached"] == 0
