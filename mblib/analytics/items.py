"""Item analysis of a module's quiz, as Moodle's quiz statistics report computes it.

Each quiz block of a module is an item. A learner's response to an item is their *first*
``answered`` event for that block (ordered by timestamp); the item score ``x_i`` is ``score``
(``success`` cast to 0/1 where ``score`` is null) times the block's ``weight``, so its maximum
is the weight. The analysis covers learners who answered every quiz block of the module (a
complete attempt, like Moodle's finished attempts); ``T`` is the sum of their item scores.

Definitions (Moodle Docs, "Quiz statistics calculations"; all as fractions, not percent):

- facility ``F_i = mean(x_i) / max_i``; ``sd = SD(x_i) / max_i`` (sample SD);
- discrimination index ``D_i = r(x_i, X_i)``, the correlation of the item with the rest of the
  test ``X_i = T - x_i``;
- discriminative efficiency ``DE_i = C(x_i, X_i) / C_max(x_i, X_i)``, where ``C_max`` pairs the
  sorted item scores with the sorted rest-of-test scores;
- intended weight ``max_i / sum(max)``; effective weight
  ``EW_i = sqrt(C(x_i, T)) / sum_j sqrt(C(x_j, T))`` (null when any covariance is negative);
- Cronbach's alpha (CIC) ``k/(k-1) * (1 - sum V(x_i) / V(T))``; error ratio
  ``ER = sqrt(1 - CIC)``; standard error ``SE = ER * SD(T)`` (in the units of ``T``).

Output schemas:

==================  ======================================================================
function            columns (type)
==================  ======================================================================
item_statistics     module_id, block_id (String), position (Int64), attempts (Int64),
                    max_score, facility, sd, discrimination_index,
                    discriminative_efficiency, intended_weight, effective_weight (Float64)
quiz_statistics     module_id (String), attempts (Int64), items (Int64), max_total, mean,
                    median, sd, cronbach_alpha, error_ratio, standard_error (Float64)
distractor_analysis module_id, block_id, choice_id (String), position (Int64),
                    correct (Boolean), chosen (Int64), share, point_biserial (Float64)
==================  ======================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .item_parts import (
    Frame,
    complete_attempts,
    demo_quiz,
    first_answers,
    item_moments,
    quiz_blocks,
)
from .metrics.frames import MetricError, long_form, lookup, nw_module
from .metrics.registry import final

if TYPE_CHECKING:
    from ..content import Module


def item_statistics(events: Any, module: Module) -> Frame:
    """Per quiz block: facility, SD, discrimination index and efficiency, intended/effective weight.

    Quiz blocks nobody answered completely are left out (no attempts).

    Columns: module_id String, block_id String, position Int64 (1-based among the module's
    blocks), attempts Int64, max_score, facility, sd, discrimination_index,
    discriminative_efficiency, intended_weight, effective_weight Float64.

    >>> from mblib.content import Module
    >>> from mblib.analytics.backends import collect
    >>> from mblib.analytics.items import demo_quiz
    >>> events, module = demo_quiz()
    >>> collect(item_statistics(events, module)).select("block_id", "facility", "discrimination_index").rows()
    [('q1', 0.75, 0.5222...), ('q2', 0.5, 0.7071...), ('q3', 0.25, 0.5222...)]
    """
    nw = nw_module()
    quiz = quiz_blocks(module)
    position = {b.id: i + 1 for i, b in enumerate(module.blocks)}
    weights = {b.id: float(b.weight) for b in quiz}
    total_w = sum(weights.values())
    m = item_moments(events, module)
    w: Any = nw.lit(None, nw.Float64)
    pos: Any = nw.lit(None, nw.Int64)
    for b in quiz:
        w = nw.when(nw.col("block_id") == b.id).then(nw.lit(weights[b.id])).otherwise(w)
        pos = nw.when(nw.col("block_id") == b.id).then(nw.lit(position[b.id])).otherwise(pos)
    none = nw.lit(None, nw.Float64)
    n = nw.col("n").cast(nw.Float64)
    ct = nw.col("c_xt")
    out = (
        m.with_columns(
            nw.lit(1).alias("_all"),
            nw.when(ct > 0).then(ct.sqrt()).otherwise(nw.lit(0.0)).alias("_sqrt"),
            (ct < 0).cast(nw.Int64).alias("_neg"),
        )
        .with_columns(
            nw.col("_sqrt").sum().over("_all").alias("_sum_sqrt"), nw.col("_neg").sum().over("_all").alias("_negative")
        )
        .with_columns(
            nw.lit(module.id).alias("module_id"),
            pos.cast(nw.Int64).alias("position"),
            nw.col("n").alias("attempts"),
            w.alias("max_score"),
        )
    )
    wcol = nw.col("max_score")
    out = out.with_columns(
        nw.when(wcol > 0).then(nw.col("sx") / n / wcol).otherwise(none).alias("facility"),
        nw.when(wcol > 0).then(nw.col("v_x").clip(lower_bound=0.0).sqrt() / wcol).otherwise(none).alias("sd"),
        nw.when((nw.col("v_x") > 0) & (nw.col("v_r") > 0))
        .then(nw.col("c_xr") / (nw.col("v_x") * nw.col("v_r")).sqrt())
        .otherwise(none)
        .alias("discrimination_index"),
        nw.when(nw.col("c_max") > 0)
        .then(nw.col("c_xr") / nw.col("c_max"))
        .otherwise(none)
        .alias("discriminative_efficiency"),
        (wcol / total_w if total_w > 0 else none).alias("intended_weight"),
        nw.when((nw.col("_negative") == 0) & (nw.col("_sum_sqrt") > 0))
        .then(nw.col("_sqrt") / nw.col("_sum_sqrt"))
        .otherwise(none)
        .alias("effective_weight"),
    )
    schema = {
        "module_id": nw.String,
        "block_id": nw.String,
        "position": nw.Int64,
        "attempts": nw.Int64,
        "max_score": nw.Float64,
        "facility": nw.Float64,
        "sd": nw.Float64,
        "discrimination_index": nw.Float64,
        "discriminative_efficiency": nw.Float64,
        "intended_weight": nw.Float64,
        "effective_weight": nw.Float64,
    }
    return final(out, schema).sort("position")


def quiz_statistics(events: Any, module: Module) -> Frame:
    """The whole quiz: attempts, mean, median, SD, Cronbach's alpha, error ratio, standard error.

    ``mean``, ``median``, ``sd`` and ``standard_error`` are in score units of the total
    (``max_total`` = sum of quiz block weights). One row (with ``attempts`` 0 and null
    statistics when nobody answered every item). Alpha needs two items or more.

    Columns: module_id String, attempts Int64, items Int64, max_total, mean, median, sd,
    cronbach_alpha, error_ratio, standard_error Float64.

    >>> from mblib.analytics.backends import collect
    >>> from mblib.analytics.items import demo_quiz
    >>> events, module = demo_quiz()
    >>> row = collect(quiz_statistics(events, module)).row(0, named=True)
    >>> row["attempts"], row["mean"], round(row["cronbach_alpha"], 9)
    (4, 1.5, 0.75)
    """
    nw = nw_module()
    quiz = quiz_blocks(module)
    k = len(quiz)
    rows = complete_attempts(first_answers(events, module), k).with_columns(
        nw.col("x").var(ddof=1).over("block_id").alias("_vx")
    )
    one = nw.col("block_id") == quiz[0].id  # one row per complete attempt
    total = nw.when(one).then(nw.col("total")).otherwise(nw.lit(None, nw.Float64))
    out = rows.select(
        one.cast(nw.Int64).sum().cast(nw.Int64).alias("attempts"),
        total.mean().alias("mean"),
        total.quantile(0.5, interpolation="linear").alias("median"),
        total.std(ddof=1).alias("sd"),
        total.var(ddof=1).alias("_vt"),
        nw.col("_vx").sum().alias("_sumv_all"),
    ).with_columns(
        nw.lit(module.id).alias("module_id"),
        nw.lit(k).cast(nw.Int64).alias("items"),
        nw.lit(float(sum(b.weight for b in quiz))).alias("max_total"),
        nw.col("attempts").fill_null(0),
    )
    none = nw.lit(None, nw.Float64)
    # each item's variance appears once per attempt in _vx: divide by the attempts
    alpha = (
        nw.when((nw.col("_vt") > 0) & (nw.col("attempts") > 1) & (k > 1))
        .then((k / max(k - 1, 1)) * (1.0 - nw.col("_sumv_all") / nw.col("attempts").cast(nw.Float64) / nw.col("_vt")))
        .otherwise(none)
    )
    out = out.with_columns(alpha.alias("cronbach_alpha"))
    er = (
        nw.when(nw.col("cronbach_alpha") <= 1.0)
        .then((1.0 - nw.col("cronbach_alpha")).clip(lower_bound=0.0).sqrt())
        .otherwise(none)
    )
    out = out.with_columns(er.alias("error_ratio")).with_columns(
        (nw.col("error_ratio") * nw.col("sd")).alias("standard_error")
    )
    schema = {
        "module_id": nw.String,
        "attempts": nw.Int64,
        "items": nw.Int64,
        "max_total": nw.Float64,
        "mean": nw.Float64,
        "median": nw.Float64,
        "sd": nw.Float64,
        "cronbach_alpha": nw.Float64,
        "error_ratio": nw.Float64,
        "standard_error": nw.Float64,
    }
    return final(out, schema)


def distractor_analysis(events: Any, module: Module) -> Frame:
    """Per quiz block and choice: how often it was chosen and how choosing it relates to the total.

    Responses are the choice ids in ``response`` (space-separated), from each learner's first
    answer. ``share`` is ``chosen`` over the learners who answered the block; ``point_biserial``
    is the correlation between choosing the choice (0/1) and the learner's total ``T`` over
    complete attempts (null when undefined). A good distractor has a negative point-biserial;
    a correct choice a positive one. Blocks nobody answered are left out.

    Columns: module_id, block_id, choice_id String, position Int64 (the block's place in the
    module), choice_position Int64 (the choice's place in its block, as authored), correct
    Boolean, chosen Int64, share Float64, point_biserial Float64; rows in that order.

    >>> from mblib.analytics.backends import collect
    >>> from mblib.analytics.items import demo_quiz
    >>> events, module = demo_quiz()
    >>> collect(distractor_analysis(events, module)).filter(block_id="q1").select("choice_id", "chosen", "point_biserial").rows()
    [('a', 3, 0.7745...), ('b', 1, -0.7745...)]
    """
    nw = nw_module()
    quiz = quiz_blocks(module)
    position = {b.id: i + 1 for i, b in enumerate(module.blocks)}
    first = first_answers(events, module)
    totals = complete_attempts(first, len(quiz)).select("learner_id", "block_id", "total")
    rows = first.join(totals, on=["learner_id", "block_id"], how="left")
    padded = nw.concat_str([nw.lit(" "), nw.col("response").fill_null(""), nw.lit(" ")])
    pairs = [(b, c) for b in quiz for c in b.choices]
    order = {(b.id, c.id): i + 1 for b in quiz for i, c in enumerate(b.choices)}
    if not pairs:
        raise MetricError(
            f"the quiz blocks of module '{module.id}' have no choices", hint="add choices to the quiz blocks"
        )
    names = {f"_f{j}": (b, c) for j, (b, c) in enumerate(pairs)}
    flags = rows.select(
        nw.col("total").cast(nw.Float64).alias("total"),
        *[
            nw.when(nw.col("block_id") == b.id)
            .then(padded.str.contains(f" {c.id} ", literal=True).fill_null(False).cast(nw.Float64))
            .otherwise(nw.lit(None, nw.Float64))
            .alias(name)
            for name, (b, c) in names.items()
        ],
    )
    long = long_form(flags, list(names), index=["total"]).filter(
        ~nw.col("_var").is_null() & ~nw.col("_value").is_null()
    )
    long = long.select(
        lookup(nw.col("_var"), {n: b.id for n, (b, c) in names.items()}, nw.String).alias("block_id"),
        lookup(nw.col("_var"), {n: c.id for n, (b, c) in names.items()}, nw.String).alias("choice_id"),
        lookup(nw.col("_var"), {n: position[b.id] for n, (b, c) in names.items()}, nw.Int64).alias("position"),
        lookup(nw.col("_var"), {n: order[(b.id, c.id)] for n, (b, c) in names.items()}, nw.Int64).alias(
            "choice_position"
        ),
        lookup(nw.col("_var"), {n: bool(c.correct) for n, (b, c) in names.items()}, nw.Boolean).alias("correct"),
        nw.col("_value").alias("f"),
        "total",
        nw.when(nw.col("total").is_null()).then(nw.lit(None, nw.Float64)).otherwise(nw.col("_value")).alias("fc"),
    )
    agg = long.group_by("block_id", "choice_id", "position", "choice_position", "correct").agg(
        nw.len().cast(nw.Int64).alias("n"),
        nw.col("f").sum().alias("chosen"),
        nw.col("total").count().cast(nw.Float64).alias("m"),
        nw.col("fc").sum().alias("sf"),
        nw.col("total").sum().alias("s_t"),
        (nw.col("total") * nw.col("total")).sum().alias("s_tt"),
        (nw.col("fc") * nw.col("total")).sum().alias("s_ft"),
    )
    m, sf, sT = nw.col("m"), nw.col("sf"), nw.col("s_t")
    vf = m * sf - sf * sf  # f is 0/1, so sum f^2 = sum f
    vT = m * nw.col("s_tt") - sT * sT
    pb = (
        nw.when((vf > 0) & (vT > 1e-12))
        .then((m * nw.col("s_ft") - sf * sT) / (vf * vT).sqrt())
        .otherwise(nw.lit(None, nw.Float64))
    )
    out = agg.with_columns(
        nw.lit(module.id).alias("module_id"),
        nw.col("chosen").cast(nw.Int64),
        (nw.col("chosen") / nw.col("n")).alias("share"),
        pb.alias("point_biserial"),
    )
    schema = {
        "module_id": nw.String,
        "block_id": nw.String,
        "choice_id": nw.String,
        "position": nw.Int64,
        "choice_position": nw.Int64,
        "correct": nw.Boolean,
        "chosen": nw.Int64,
        "share": nw.Float64,
        "point_biserial": nw.Float64,
    }
    return final(out, schema).sort("position", "choice_position")


__all__ = ["demo_quiz", "distractor_analysis", "item_statistics", "quiz_statistics"]
