"""Item analysis against worked examples with known answers.

1. A hand-computed example (four learners, three one-mark items answered in a staircase):
   facilities 0.75 / 0.5 / 0.25; Cronbach's alpha = 3/2 * (1 - (1/4 + 1/3 + 1/4) / (5/3)) = 0.75.
2. A larger example (twelve learners, four items with weights 1, 1, 2, 1 and partial credit)
   whose expected values are computed here independently with numpy, straight from the
   formulas of Moodle Docs "Quiz statistics calculations" (facility, SD, discrimination index =
   r(x_i, X_i) with the rest of the test, discriminative efficiency C(x_i, X_i) / C_max with
   sorted pairs, effective weight sqrt(C(x_i, T)) / sum sqrt(C(x_j, T)), CIC, ER, SE).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mblib.analytics import items as I
from mblib.content import Module

from .conftest import make_events

WEIGHTS = [1.0, 1.0, 2.0, 1.0]
# rows: learners; columns: scaled scores 0..1 on q1..q4
SCORES = np.array(
    [
        [1, 1, 1.0, 1],
        [1, 1, 0.5, 1],
        [1, 0, 1.0, 1],
        [1, 1, 0.5, 0],
        [0, 1, 1.0, 1],
        [1, 0, 0.0, 1],
        [1, 1, 0.0, 0],
        [0, 0, 0.5, 1],
        [1, 0, 0.5, 0],
        [0, 1, 0.0, 0],
        [0, 0, 0.0, 1],
        [0, 0, 0.0, 0],
    ]
)
CHOICES = ["a", "b", "c"]


def _module() -> Module:
    return Module(
        id="quiz",
        title="Quiz",
        blocks=[
            {"id": "intro", "type": "text", "body": "Before the quiz."},
            *[
                {
                    "id": f"q{i + 1}",
                    "type": "quiz",
                    "question": f"Q{i + 1}?",
                    "weight": w,
                    "multiple": i == 2,
                    "choices": [
                        {"id": c, "text": c.upper(), "correct": c == "a" or (i == 2 and c == "b")} for c in CHOICES
                    ],
                }
                for i, w in enumerate(WEIGHTS)
            ],
        ],
    )


def _response(i: int, s: float, learner: int) -> str:
    if i == 2:  # multiple choice: a and b correct; half credit picks a only
        return {1.0: "a b", 0.5: "a", 0.0: "c"}[s]
    return "a" if s == 1 else ("b" if learner % 2 else "c")


def worked_events():
    rows = []
    for n, scores in enumerate(SCORES):
        who = f"L{n:02d}"
        for i, s in enumerate(scores):
            ts = f"2026-02-02 09:{10 + i:02d}"
            rows.append(
                dict(
                    timestamp=ts,
                    learner_id=who,
                    verb="answered",
                    module_id="quiz",
                    block_id=f"q{i + 1}",
                    score=float(s),
                    success=s == 1,
                    response=_response(i, s, n),
                )
            )
            # a later second try never counts: Moodle analyses the first attempt
            rows.append(
                dict(
                    timestamp="2026-02-03 09:00",
                    learner_id=who,
                    verb="answered",
                    module_id="quiz",
                    block_id=f"q{i + 1}",
                    score=1.0,
                    success=True,
                    response="a b",
                )
            )
    # score missing: success decides (1 mark); this learner skipped q4, so only the choice counts
    rows.append(
        dict(
            timestamp="2026-02-02 10:00",
            learner_id="Lx",
            verb="answered",
            module_id="quiz",
            block_id="q1",
            score=None,
            success=True,
            response="a",
        )
    )
    rows.append(
        dict(
            timestamp="2026-02-02 10:00",
            learner_id="Lx",
            verb="answered",
            module_id="other",
            block_id="q1",
            score=0.0,
            success=False,
            response="c",
        )
    )
    return make_events(rows).collect()


def moodle_reference():
    X = SCORES * np.array(WEIGHTS)
    T = X.sum(axis=1)
    k = X.shape[1]
    items = []
    cov_t = [np.cov(X[:, i], T, ddof=1)[0, 1] for i in range(k)]
    for i in range(k):
        x, rest = X[:, i], T - X[:, i]
        c = np.cov(x, rest, ddof=1)[0, 1]
        cmax = np.cov(np.sort(x), np.sort(rest), ddof=1)[0, 1]
        items.append(
            {
                "facility": x.mean() / WEIGHTS[i],
                "sd": x.std(ddof=1) / WEIGHTS[i],
                "discrimination_index": np.corrcoef(x, rest)[0, 1],
                "discriminative_efficiency": c / cmax,
                "intended_weight": WEIGHTS[i] / sum(WEIGHTS),
                "effective_weight": math.sqrt(cov_t[i]) / sum(math.sqrt(v) for v in cov_t),
            }
        )
    alpha = k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / T.var(ddof=1))
    er = math.sqrt(1 - alpha)
    quiz = {
        "attempts": len(T),
        "mean": T.mean(),
        "median": float(np.median(T)),
        "sd": T.std(ddof=1),
        "cronbach_alpha": alpha,
        "error_ratio": er,
        "standard_error": er * T.std(ddof=1),
        "max_total": sum(WEIGHTS),
    }
    return items, quiz, T


@pytest.fixture(scope="module")
def events():
    return worked_events()


def test_hand_computed_staircase(run):
    events, module = I.demo_quiz()
    items = run(I.item_statistics, events, module=module)
    assert items["facility"].to_list() == pytest.approx([0.75, 0.5, 0.25])
    # q2: x = (1,1,0,0), rest = (2,1,1,0): C = 1/3, V(x) = 1/3, V(rest) = 2/3 -> r = 1/sqrt(2)
    assert items["discrimination_index"][1] == pytest.approx(1 / math.sqrt(2))
    quiz = run(I.quiz_statistics, events, module=module).row(0, named=True)
    assert quiz["cronbach_alpha"] == pytest.approx(0.75)
    assert quiz["error_ratio"] == pytest.approx(0.5)
    assert quiz["standard_error"] == pytest.approx(0.5 * math.sqrt(5 / 3))


def test_item_statistics_match_moodle_formulas(run, events):
    ref, _, _ = moodle_reference()
    df = run(I.item_statistics, events, module=_module())
    assert df["block_id"].to_list() == ["q1", "q2", "q3", "q4"]
    assert df["position"].to_list() == [2, 3, 4, 5]
    assert df["attempts"].to_list() == [12] * 4
    assert df["max_score"].to_list() == WEIGHTS
    for got, want in zip(df.iter_rows(named=True), ref):
        for key, value in want.items():
            assert got[key] == pytest.approx(value, rel=1e-9), (got["block_id"], key)
    assert sum(df["effective_weight"]) == pytest.approx(1.0)


def test_quiz_statistics_match_moodle_formulas(run, events):
    _, ref, _ = moodle_reference()
    row = run(I.quiz_statistics, events, module=_module()).row(0, named=True)
    assert row["module_id"] == "quiz" and row["items"] == 4
    for key, value in ref.items():
        assert row[key] == pytest.approx(value, rel=1e-9), key


def test_distractor_analysis(run, events):
    _, _, T = moodle_reference()
    df = run(I.distractor_analysis, events, module=_module())
    q1 = df.filter(block_id="q1")
    # q1 respondents: the 12 complete attempts plus Lx (who answered 'a' with no score, success true)
    right = SCORES[:, 0] == 1
    assert q1["choice_id"].to_list() == CHOICES and q1["correct"].to_list() == [True, False, False]
    assert q1["choice_position"].to_list() == [1, 2, 3]  # as authored, rows in that order
    assert q1["chosen"].to_list() == [int(right.sum()) + 1, 3, 2]
    assert q1["share"].to_list() == pytest.approx([8 / 13, 3 / 13, 2 / 13])
    assert q1["point_biserial"][0] == pytest.approx(np.corrcoef(right.astype(float), T)[0, 1])
    picked_b = np.array([s == 0 and n % 2 == 1 for n, s in enumerate(SCORES[:, 0])], dtype=float)
    assert q1["point_biserial"][1] == pytest.approx(np.corrcoef(picked_b, T)[0, 1])
    q3 = df.filter(block_id="q3")  # multiple choice: 'a b' counts for both a and b
    a = np.isin(SCORES[:, 2], [1.0, 0.5]).astype(float)
    assert q3["chosen"].to_list() == [int(a.sum()), int((SCORES[:, 2] == 1).sum()), int((SCORES[:, 2] == 0).sum())]
    assert q3["point_biserial"][0] == pytest.approx(np.corrcoef(a, T)[0, 1])


def test_effective_weight_is_null_when_a_covariance_is_negative(run):
    module = Module(
        id="m",
        title="M",
        blocks=[
            {"id": f"q{i}", "type": "quiz", "question": "?", "choices": [{"id": "a", "text": "A", "correct": True}]}
            for i in (1, 2, 3)
        ],
    )
    answers = [(1, 1, 0), (1, 1, 0), (1, 0, 0), (0, 0, 1), (0, 0, 1)]  # q3 pulls against the test
    X = np.array(answers, dtype=float)
    assert np.cov(X[:, 2], X.sum(1))[0, 1] < 0
    rows = [
        dict(
            timestamp=f"2026-02-02 09:0{i}",
            learner_id=f"L{n}",
            verb="answered",
            module_id="m",
            block_id=f"q{i}",
            score=float(v),
            response="a",
        )
        for n, triple in enumerate(answers)
        for i, v in zip((1, 2, 3), triple)
    ]
    df = run(I.item_statistics, make_events(rows).collect(), module=module)
    assert df["effective_weight"].to_list() == [None, None, None]
    assert df["discrimination_index"][2] < 0 and df["facility"].to_list() == pytest.approx([0.6, 0.4, 0.4])


def test_module_without_quiz_is_refused():
    events, _ = I.demo_quiz()
    with pytest.raises(I.MetricError, match="module 'plain' has no quiz blocks") as e:
        I.item_statistics(events, Module(id="plain", title="P", blocks=[{"id": "t", "type": "text", "body": "x"}]))
    assert "at least one quiz block" in str(e.value)


def test_nobody_complete_gives_empty_statistics(run):
    events, module = I.demo_quiz()
    import narwhals.stable.v2 as nw

    from mblib.analytics.metrics import lazy

    only_q1 = lazy(events).filter(nw.col("block_id") == "q1").to_native()
    assert run(I.item_statistics, only_q1, module=module).height == 0
    row = run(I.quiz_statistics, only_q1, module=module).row(0, named=True)
    assert row["attempts"] == 0 and row["cronbach_alpha"] is None and row["mean"] is None
