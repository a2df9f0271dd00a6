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

if TYPE_CHECKING:
    import narwhals.stable.v2 as nw

    from ..content import Module

    Frame = nw.LazyFrame[Any]
else:
    Frame = Any


def item_statistics(events: Any, module: Module) -> Frame:
    """Per quiz block: facility, SD, discrimination index and efficiency, intended/effective weight.

    Columns: module_id String, block_id String, position Int64 (1-based among the module's
    blocks), attempts Int64, max_score, facility, sd, discrimination_index,
    discriminative_efficiency, intended_weight, effective_weight Float64.
    """
    raise NotImplementedError


def quiz_statistics(events: Any, module: Module) -> Frame:
    """The whole quiz: attempts, mean, median, SD, Cronbach's alpha, error ratio, standard error.

    ``mean``, ``median``, ``sd`` and ``standard_error`` are in score units of the total
    (``max_total`` = sum of quiz block weights). One row.

    Columns: module_id String, attempts Int64, items Int64, max_total, mean, median, sd,
    cronbach_alpha, error_ratio, standard_error Float64.
    """
    raise NotImplementedError


def distractor_analysis(events: Any, module: Module) -> Frame:
    """Per quiz block and choice: how often it was chosen and how choosing it relates to the total.

    Responses are the choice ids in ``response`` (space-separated). ``share`` is ``chosen`` over
    the learners who answered the block; ``point_biserial`` is the correlation between choosing
    the choice (0/1) and the learner's total ``T`` over complete attempts (null when undefined).
    A good distractor has a negative point-biserial; a correct choice a positive one.

    Columns: module_id, block_id, choice_id String, position Int64, correct Boolean,
    chosen Int64, share Float64, point_biserial Float64.
    """
    raise NotImplementedError


__all__ = ["distractor_analysis", "item_statistics", "quiz_statistics"]
