"""Synthetic cohorts, the drawing: per-module plans, enrolment times and attempts, into the event buffer
(:mod:`mblib.analytics.synth_columns`, whose names are re-exported here).

:func:`mblib.analytics.synth.synthesise` drives these; everything is vectorised with numpy and
decoded once at the end (:func:`assemble`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..content.blocks import QuizBlock
from .synth_calibration import Calibration
from .synth_columns import Codes, EventBuffer, assemble, decode, decode_bool, learner_ids, pick, rng_for

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..content.workspace import Workspace


@dataclass
class Quiz:
    block_index: int  # position in the module
    block_code: int
    a: float
    b: float
    weight: float
    responses: list[int]  # response codes: [correct, distractor responses...]
    distractor_p: np.ndarray


@dataclass
class ModulePlan:
    module_id: str
    code: int
    block_codes: list[int]
    seconds: float
    pass_mark: float
    quizzes: list[Quiz]


def module_plan(
    workspace: Workspace, module_id: str, seed: int, cal: Calibration, blocks: Codes, responses: Codes, modules: Codes
) -> ModulePlan:
    import numpy as np

    module = workspace.module(module_id)
    quizzes: list[Quiz] = []
    codes: list[int] = []
    for i, b in enumerate(module.blocks):
        codes.append(blocks(b.id))
        if not isinstance(b, QuizBlock):
            continue
        rng = rng_for(seed, "item", module_id, b.id)
        a = float(np.exp(rng.normal(0.0, cal.discrimination_sigma)))
        diff = float(rng.normal(cal.difficulty_mean, cal.difficulty_sd))
        correct = sorted(b.correct_ids)
        wrong = [c.id for c in b.choices if not c.correct]
        options = [" ".join(correct)]
        if b.multiple:
            # partial or over-inclusive selections
            for c in correct:
                rest = [x for x in correct if x != c]
                if rest:
                    options.append(" ".join(sorted(rest)))
            for w in wrong:
                options.append(" ".join(sorted(correct + [w])))
            if not options[1:]:
                options += [" ".join(sorted(wrong)) or "none"]
        else:
            options += wrong or ["none"]
        attraction = rng.permutation(np.arange(len(options) - 1, 0, -1, dtype=float)) ** 1.5
        quizzes.append(
            Quiz(i, codes[-1], a, diff, float(b.weight), [responses(o) for o in options], attraction / attraction.sum())
        )
    seconds = module.estimate_duration(workspace.settings.duration).seconds
    return ModulePlan(module_id, modules(module_id), codes, max(seconds, 30.0), module.pass_mark, quizzes)


def credential_order(workspace: Workspace) -> list[str]:
    from graphlib import TopologicalSorter

    graph = {
        cid: [r for r in c.requires_credentials if r in workspace.credentials]
        for cid, c in workspace.credentials.items()
    }
    return list(TopologicalSorter(graph).static_order())


def enrolment_times(rng: np.random.Generator, n: int, start_us: int, span_us: int, cal: Calibration) -> np.ndarray:
    """Microsecond timestamps: waves (bursts decaying over days) plus a trickle, in working hours."""
    import numpy as np

    day = 86_400_000_000
    span_days = span_us / day
    n_waves = max(1, int(round(span_days / 45)))
    wave_starts = np.linspace(0, span_days * 0.7, n_waves)
    wave_size = 0.6 ** np.arange(n_waves)  # later waves are smaller
    in_wave = rng.random(n) < cal.wave_share
    wave = rng.choice(n_waves, size=n, p=wave_size / wave_size.sum())
    offset_days = np.where(in_wave, wave_starts[wave] + rng.exponential(4.0, n), rng.uniform(0, span_days, n))
    offset_days = np.minimum(offset_days, span_days * 0.98)
    return start_us + working_hours(rng, (np.floor(offset_days) * day).astype(np.int64))


def working_hours(rng: np.random.Generator, midnight_us: np.ndarray) -> np.ndarray:
    """Move day starts to a working-hours time; most weekend activity moves to Monday."""
    import numpy as np

    day = 86_400_000_000
    weekday = ((midnight_us // day) + 3) % 7  # 1970-01-01 was a Thursday (3)
    shift = np.where((weekday >= 5) & (rng.random(len(midnight_us)) < 0.75), 7 - weekday, 0)
    hour = rng.normal(11.5, 2.8, len(midnight_us))
    hour = np.where((hour < 6.0) | (hour > 22.0), rng.uniform(8.0, 18.0, len(midnight_us)), hour)
    return midnight_us + shift * day + (hour * 3_600_000_000).astype(np.int64)


def credential_run(
    ev: EventBuffer,
    rng: np.random.Generator,
    cred: Any,
    plans: dict[str, ModulePlan],
    who: np.ndarray,
    when: np.ndarray,
    ability: np.ndarray,
    hazard_mult: np.ndarray,
    cal: Calibration,
    c_code: int,
    end_us: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Walk the enrolled learners along the pathway; returns (learners who earned, when)."""
    import numpy as np

    pathway = [m for m in cred.pathway() if m in plans]
    m = len(who)
    # electives: each learner keeps `choose` modules of each group
    include = np.ones((m, len(pathway)), dtype=bool)
    for g in cred.electives:
        opts = [pathway.index(x) for x in g.modules if x in pathway]
        if not opts:
            continue
        scores = rng.random((m, len(opts)))
        ranks = scores.argsort(axis=1).argsort(axis=1)
        include[:, opts] = ranks < min(g.choose, len(opts))
    theta = ability[who].copy()
    alive = rng.random(m) < cal.start_share
    clock = when + (rng.exponential(2.0, m) * 86_400_000_000).astype(np.int64)
    score_sum = np.zeros(m)
    passed_n = np.zeros(m, dtype=np.int64)
    step = np.zeros(m, dtype=np.int64)
    finished = clock.copy()  # when each learner's latest module attempt ended
    for col, mid in enumerate(pathway):
        plan = plans[mid]
        here = alive & include[:, col]
        if col > 0:
            h = cal.hazard_last + (cal.hazard_first - cal.hazard_last) * cal.hazard_decay ** (step - 1)
            leave = rng.random(m) < np.clip(h * hazard_mult[who], 0, 0.95)
            alive &= ~(here & leave & (step > 0))
            here &= alive
        idx = np.flatnonzero(here)
        ok, t_end, sc = module_attempts(ev, rng, plan, who[idx], clock[idx], theta[idx], cal, c_code)
        alive[idx[~ok]] = False
        clock[idx] = t_end
        finished[idx] = t_end
        score_sum[idx[ok]] += sc[ok]
        passed_n[idx[ok]] += 1
        step[idx] += 1
        gap = (rng.exponential(cal.gap_days, m) * 86_400_000_000).astype(np.int64)
        clock[idx] = clock[idx] + gap[idx]
    needed = include.sum(axis=1)
    min_score = cred.criteria.min_score if cred.criteria and cred.criteria.min_score is not None else 0.0
    earned = alive & (passed_n == needed) & (score_sum / np.maximum(passed_n, 1) >= min_score)
    idx = np.flatnonzero(earned)
    t_earn = finished[idx] + 60_000_000  # awarded a minute after the last module is passed
    ev.add(ts=t_earn, learner=who[idx], verb="earned", cred=c_code)
    return who[idx][t_earn < end_us], t_earn[t_earn < end_us]


def module_attempts(
    ev: EventBuffer,
    rng: np.random.Generator,
    plan: ModulePlan,
    learner: np.ndarray,
    t: np.ndarray,
    theta: np.ndarray,
    cal: Calibration,
    c_code: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Attempts of one module by these learners: (passed, time after the last attempt, module score)."""
    import numpy as np

    k = len(learner)
    passed = np.zeros(k, dtype=bool)
    score_out = np.zeros(k)
    t_out = t.copy()
    active = np.ones(k, dtype=bool)
    for attempt in range(cal.max_attempts):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        ok, t_end, sc, finished = one_attempt(
            ev, rng, plan, learner[idx], t_out[idx], theta[idx] + attempt * cal.retry_gain, cal, c_code
        )
        t_out[idx] = t_end
        passed[idx[ok]] = True
        score_out[idx[ok]] = sc[ok]
        retry = finished & ~ok & (rng.random(len(idx)) < cal.retry_share)
        active[:] = False
        active[idx[retry]] = True
        t_out[idx[retry]] += (rng.exponential(1.5, retry.sum()) * 86_400_000_000).astype(np.int64)
    return passed, t_out, score_out


def one_attempt(
    ev: EventBuffer,
    rng: np.random.Generator,
    plan: ModulePlan,
    learner: np.ndarray,
    t: np.ndarray,
    theta: np.ndarray,
    cal: Calibration,
    c_code: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    k = len(learner)
    nb = len(plan.block_codes)
    # time on task: estimate x log-normal, with a Pareto tail
    factor = np.exp(rng.normal(-(cal.time_sigma**2) / 2, cal.time_sigma, k))
    tail = rng.random(k) < cal.tail_share
    factor[tail] *= 1.0 + rng.pareto(cal.tail_alpha, tail.sum()) * 2.0
    duration = plan.seconds * factor
    dur_us = (duration * 1_000_000).astype(np.int64)
    ev.add(ts=t, learner=learner, verb="launched", cred=c_code, module=plan.code)
    # the block where a learner stops (nb = finishes)
    stop = np.minimum(rng.geometric(cal.block_stop, k) - 1, nb) if cal.block_stop > 0 else np.full(k, nb)
    reached_all = stop >= nb
    for j, bcode in enumerate(plan.block_codes):
        sel = stop >= j
        if not sel.any():
            continue
        tb = t[sel] + (dur_us[sel] * (j / max(nb, 1))).astype(np.int64) + 1
        ev.add(ts=tb, learner=learner[sel], verb="progressed", cred=c_code, module=plan.code, block=bcode)
    total_w = sum(q.weight for q in plan.quizzes)
    score = np.zeros(k)
    for q in plan.quizzes:
        sel = stop > q.block_index  # answered before moving on
        p = 1.0 / (1.0 + np.exp(-q.a * (theta - q.b)))
        correct = rng.random(k) < p
        wrong_pick = rng.choice(len(q.distractor_p), size=k, p=q.distractor_p) + 1
        resp = np.where(correct, q.responses[0], np.asarray(q.responses)[wrong_pick])
        score += np.where(correct, q.weight, 0.0)
        tq = t + (dur_us * ((q.block_index + 0.8) / max(nb, 1))).astype(np.int64)
        ev.add(
            ts=tq[sel],
            learner=learner[sel],
            verb="answered",
            cred=c_code,
            module=plan.code,
            block=q.block_code,
            score=correct[sel].astype(float),
            success=correct[sel].astype(np.int8),
            response=resp[sel],
        )
    score = score / total_w if total_w > 0 else np.ones(k)
    ok = reached_all & (score >= plan.pass_mark - 1e-9)
    t_done = t + dur_us
    f = np.flatnonzero(reached_all)
    ev.add(ts=t_done[f], learner=learner[f], verb="completed", cred=c_code, module=plan.code, duration=duration[f])
    pv, fv = np.flatnonzero(reached_all & ok), np.flatnonzero(reached_all & ~ok)
    ev.add(
        ts=t_done[pv] + 1_000_000,
        learner=learner[pv],
        verb="passed",
        cred=c_code,
        module=plan.code,
        score=score[pv],
        success=1,
    )
    ev.add(
        ts=t_done[fv] + 1_000_000,
        learner=learner[fv],
        verb="failed",
        cred=c_code,
        module=plan.code,
        score=score[fv],
        success=0,
    )
    t_after = np.where(
        reached_all, t_done + 1_000_000, t + (dur_us * (np.minimum(stop, nb) / max(nb, 1))).astype(np.int64)
    )
    return ok, t_after, score, reached_all


__all__ = [
    "Codes",
    "EventBuffer",
    "ModulePlan",
    "Quiz",
    "assemble",
    "credential_order",
    "credential_run",
    "decode",
    "decode_bool",
    "enrolment_times",
    "learner_ids",
    "module_attempts",
    "module_plan",
    "one_attempt",
    "pick",
    "rng_for",
    "working_hours",
]
