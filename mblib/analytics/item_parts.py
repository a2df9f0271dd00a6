"""The shared steps of item analysis (:mod:`mblib.analytics.items`): a module's quiz blocks, each
learner's first answers, complete attempts with their totals, the per-item moments, and a small
worked example (:func:`demo_quiz`) for the docstrings and tests.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from ..content.blocks import QuizBlock
from .metrics.frames import MetricError, events_frame, nw_module

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw

    from ..content import Module

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any


def quiz_blocks(module: Module) -> list[QuizBlock]:
    """The quiz blocks of ``module`` (the items), in order; a module without any is a :class:`MetricError`."""
    quiz = [b for b in module.blocks if isinstance(b, QuizBlock)]
    if not quiz:
        raise MetricError(
            f"module '{module.id}' has no quiz blocks", hint="item analysis needs at least one quiz block"
        )
    return quiz


def first_answers(events: Any, module: Module) -> Frame:
    """Each learner's first answer to each quiz block: learner_id, block_id, x (item score in
    marks), response. Ties at the first timestamp keep the best score."""
    nw = nw_module()
    quiz = quiz_blocks(module)
    ids = [b.id for b in quiz]
    ev = events_frame(events, ["module_id", "block_id", "score", "success", "response"])
    ans = ev.filter((nw.col("verb") == "answered") & (nw.col("module_id") == module.id) & nw.col("block_id").is_in(ids))
    first = ans.group_by("learner_id", "block_id").agg(nw.col("timestamp").min().alias("_t0"))
    weight: Any = nw.lit(None, nw.Float64)
    for b in quiz:
        weight = nw.when(nw.col("block_id") == b.id).then(nw.lit(float(b.weight))).otherwise(weight)
    score = (
        nw.when(nw.col("score").is_null())
        .then(nw.col("success").cast(nw.Float64))
        .otherwise(nw.col("score").cast(nw.Float64))
    )
    return (
        ans.join(first, on=["learner_id", "block_id"], how="inner")
        .filter(nw.col("timestamp") == nw.col("_t0"))
        .with_columns((score.fill_null(0.0) * weight).alias("_x"))
        .group_by("learner_id", "block_id")
        .agg(nw.col("_x").max().alias("x"), nw.col("response").min().alias("response"))
    )


def complete_attempts(first: Frame, k: int) -> Frame:
    """Rows of learners who answered all k items, with their total T and rest score X = T - x."""
    nw = nw_module()
    totals = (
        first.group_by("learner_id")
        .agg(nw.len().alias("_k"), nw.col("x").sum().alias("total"))
        .filter(nw.col("_k") == k)
    )
    return first.join(totals.select("learner_id", "total"), on="learner_id", how="inner").with_columns(
        (nw.col("total") - nw.col("x")).alias("rest")
    )


def covariance(sxy: str, sx: str, sy: str) -> Any:
    """The sample covariance from the sums ``sxy``, ``sx``, ``sy`` over ``n`` rows (null when ``n`` < 2)."""
    nw = nw_module()
    n = nw.col("n").cast(nw.Float64)
    return (
        nw.when(n > 1).then((nw.col(sxy) - nw.col(sx) * nw.col(sy) / n) / (n - 1.0)).otherwise(nw.lit(None, nw.Float64))
    )


def item_moments(events: Any, module: Module) -> Frame:
    """Per item: n, and the covariances Moodle's statistics need (Vx, VX, C(x,X), Cmax, C(x,T))."""
    nw = nw_module()
    quiz = quiz_blocks(module)
    rows = complete_attempts(first_answers(events, module), len(quiz))
    sums = rows.group_by("block_id").agg(
        nw.len().cast(nw.Int64).alias("n"),
        nw.col("x").sum().alias("sx"),
        (nw.col("x") * nw.col("x")).sum().alias("sxx"),
        nw.col("rest").sum().alias("s_r"),
        (nw.col("rest") * nw.col("rest")).sum().alias("s_rr"),
        (nw.col("x") * nw.col("rest")).sum().alias("s_xr"),
        nw.col("total").sum().alias("s_t"),
        (nw.col("x") * nw.col("total")).sum().alias("s_xt"),
    )
    # C_max pairs the i-th smallest item score with the i-th smallest rest-of-test score
    xs = rows.select("block_id", nw.col("x").rank("ordinal").over("block_id").alias("_r"), "x")
    rs = rows.select("block_id", nw.col("rest").rank("ordinal").over("block_id").alias("_r"), "rest")
    sorted_ = (
        xs.join(rs, on=["block_id", "_r"], how="inner")
        .group_by("block_id")
        .agg((nw.col("x") * nw.col("rest")).sum().alias("s_sorted"))
    )
    return sums.join(sorted_, on="block_id", how="left").with_columns(
        covariance("sxx", "sx", "sx").alias("v_x"),
        covariance("s_rr", "s_r", "s_r").alias("v_r"),
        covariance("s_xr", "sx", "s_r").alias("c_xr"),
        covariance("s_sorted", "sx", "s_r").alias("c_max"),
        covariance("s_xt", "sx", "s_t").alias("c_xt"),
    )


def demo_quiz() -> tuple[Any, Module]:
    """Four learners, three one-mark items (for the docstring examples): responses
    L1 right/right/right, L2 right/right/wrong, L3 right/wrong/wrong, L4 wrong/wrong/wrong."""
    from datetime import datetime

    import polars as pl

    from ..content import Module
    from .schema import events_schema

    module = Module(
        id="quiz",
        title="Quiz",
        blocks=[
            {
                "id": f"q{i}",
                "type": "quiz",
                "question": f"Q{i}?",
                "choices": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
            }
            for i in (1, 2, 3)
        ],
    )
    right = {"L1": 3, "L2": 2, "L3": 1, "L4": 0}
    rows = []
    for who, k in right.items():
        for i in (1, 2, 3):
            ok = i <= k
            rows.append(
                (
                    datetime(2026, 3, 2, 9, i, tzinfo=UTC),
                    who,
                    "answered",
                    None,
                    "quiz",
                    f"q{i}",
                    1.0 if ok else 0.0,
                    ok,
                    None,
                    "a" if ok else "b",
                    "en",
                )
            )
    return pl.LazyFrame(rows, schema=events_schema(), orient="row"), module


__all__ = ["Frame", "complete_attempts", "covariance", "demo_quiz", "first_answers", "item_moments", "quiz_blocks"]
