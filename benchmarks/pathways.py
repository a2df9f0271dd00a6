"""Benchmark: next steps for a whole cohort, batched vs one learner at a time.

    .venv/bin/python benchmarks/pathways.py                     # 100,000 learners
    .venv/bin/python benchmarks/pathways.py --learners 10000    # a quick look

A synthetic cohort of the sample workspace (``mblib.analytics.synth``, seed 0) gives each learner's
events. Two steps are measured, each against its naive peer in the same run:

1. learner states from the events: :func:`mblib.analytics.pathways.learner_states` (one pass over
   the events for everyone) vs :func:`~mblib.analytics.pathways.learner_state` called per learner
   (a filter of the events per learner), on ``--naive`` learners and compared per learner;
2. plans toward Data Storytelling: :func:`mblib.content.plan_many` (learners in the same state
   share one plan) for every learner vs :func:`mblib.content.plan_next` per learner, on ``--naive``
   learners and compared per learner.

Both variants are checked to give the same states and plans on the learners both ran.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int, default=100_000)
    ap.add_argument("--naive", type=int, default=300, help="learners run through the naive variants")
    args = ap.parse_args()

    from mblib.analytics.pathways import learner_state, learner_states
    from mblib.analytics.synth import synthesise
    from mblib.cli import SAMPLE_WORKSPACE
    from mblib.content import LearnerState, Workspace, plan_many, plan_next

    ws = Workspace.open(SAMPLE_WORKSPACE)
    t = time.perf_counter()
    events = synthesise(ws, learners=args.learners, seed=0).events
    print(f"cohort: {args.learners:,} learners, {events.height:,} events ({time.perf_counter() - t:.1f} s)")
    lazy = events.lazy()
    ids = sorted(set(events["learner_id"].to_list()))

    t = time.perf_counter()
    states = learner_states(lazy)
    batch_states_s = time.perf_counter() - t
    sample = ids[: args.naive]
    t = time.perf_counter()
    naive_states = {}
    for lid in sample:
        try:
            naive_states[lid] = learner_state(lazy, lid)
        except Exception:  # noqa: BLE001 - a learner with no enrolment: the empty state
            naive_states[lid] = LearnerState()
    naive_states_s = time.perf_counter() - t
    for lid in sample:
        assert states.get(lid, LearnerState()) == naive_states[lid], lid

    everyone = [states.get(lid, LearnerState()) for lid in ids]
    t = time.perf_counter()
    plans = plan_many(ws, everyone, "data-storytelling")
    batch_plan_s = time.perf_counter() - t
    t = time.perf_counter()
    naive_plans = [plan_next(ws, naive_states[lid], "data-storytelling") for lid in sample]
    naive_plan_s = time.perf_counter() - t
    for i, p in enumerate(naive_plans):
        assert p == plans[i], sample[i]

    n, k = len(ids), len(sample)
    distinct = len(set(everyone))
    rows = [
        ("learner states", batch_states_s, naive_states_s),
        (f"plans ({distinct:,} distinct states)", batch_plan_s, naive_plan_s),
    ]
    print(f"\n{n:,} learners; naive variants on {k:,} learners, compared per learner")
    print(f"{'step':<34} {'batched (all)':>14} {'per learner':>12} {'naive per learner':>18} {'ratio':>8}")
    for name, batch, naive in rows:
        per_b, per_n = batch / n * 1e6, naive / k * 1e6
        print(f"{name:<34} {batch:>12.2f} s {per_b:>9.1f} us {per_n:>15.1f} us {per_n / per_b:>7.0f}x")
    total = batch_states_s + batch_plan_s
    print(
        f"\nnext step for all {n:,} learners: {total:.2f} s "
        f"(naive, extrapolated: {(naive_states_s + naive_plan_s) / k * n:.0f} s)"
    )


if __name__ == "__main__":
    main()
