"""Synthetic cohorts: the behaviour calibrations (with their sources) and the population's shares.

Re-exported by :mod:`mblib.analytics.synth`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import MblibError

if TYPE_CHECKING:  # pragma: no cover
    pass


class SynthError(MblibError):
    """Synthetic data cannot be generated as asked (no credentials, bad parameters, bad output folder)."""

    __module__ = "mblib.analytics.synth"  # where it is documented and imported from


@dataclass(frozen=True)
class Calibration:
    """Behaviour parameters of a synthetic cohort (see the module docstring for their sources)."""

    name: str
    start_share: float  # enrolled learners who launch their first module
    hazard_first: float  # chance of leaving before the 2nd module ...
    hazard_last: float  # ... falling geometrically towards this for later modules
    hazard_decay: float  # geometric factor per module
    block_stop: float  # chance of stopping at each block inside a module
    retry_share: float  # failed learners who try the module again
    max_attempts: int
    retry_gain: float  # ability gained per retry (theta units)
    stack_share: float  # earners of a credential who enrol in one that stacks on it
    gap_days: float  # mean days between modules
    difficulty_mean: float = -2.5
    difficulty_sd: float = 0.8
    discrimination_sigma: float = 0.3
    time_sigma: float = 0.45  # log-normal spread of time on task around the estimate
    tail_share: float = 0.06  # sessions with a long tail (left open, interrupted)
    tail_alpha: float = 1.6  # Pareto shape of the tail multiplier
    wave_share: float = 0.8  # learners who enrol in a wave (the rest trickle in)
    second_language_penalty: float = 1.15  # hazard multiplier for learners not in the source language (illustrative)
    sources: tuple[str, ...] = ()


PRESETS: dict[str, Calibration] = {
    "credit": Calibration(
        "credit",
        start_share=0.93,
        hazard_first=0.13,
        hazard_last=0.03,
        hazard_decay=0.55,
        block_stop=0.004,
        retry_share=0.9,
        max_attempts=3,
        retry_gain=1.0,
        stack_share=0.45,
        gap_days=4.0,
        sources=(
            "Kuzilek, Hlosta & Zdrahal 2017, Open University Learning Analytics dataset, Scientific Data 4:170171 "
            "(31% withdrawn, 22% fail, 38% pass, 9% distinction)",
        ),
    ),
    "mooc": Calibration(
        "mooc",
        start_share=0.6,
        hazard_first=0.3,
        hazard_last=0.08,
        hazard_decay=0.6,
        block_stop=0.01,
        retry_share=0.7,
        max_attempts=3,
        retry_gain=0.8,
        stack_share=0.25,
        gap_days=6.0,
        sources=(
            "Jordan 2014, Initial trends in enrolment and completion of MOOCs, IRRODL 15(1) (median 12.6%)",
            "Reich & Ruiperez-Valiente 2019, The MOOC pivot, Science 363(6423) (3-6%)",
        ),
    ),
}
"""Named calibrations: ``credit`` (credit-bearing courses, the default) and ``mooc`` (open courses)."""

ORG_UNITS = (
    ("Operations", 0.24),
    ("Sales", 0.18),
    ("Finance", 0.12),
    ("Customer Service", 0.14),
    ("Marketing", 0.09),
    ("IT", 0.1),
    ("HR", 0.07),
    ("Legal", 0.03),
    ("Research", 0.03),
)
ROLES = (
    ("individual contributor", 0.55, 0.0),
    ("analyst", 0.12, 0.35),
    ("team lead", 0.16, 0.1),
    ("manager", 0.13, 0.05),
    ("executive", 0.04, -0.05),
)  # (role, share, ability shift)
COUNTRIES = {
    "en": (
        ("GB", 0.3),
        ("US", 0.25),
        ("IE", 0.08),
        ("NL", 0.15),
        ("IN", 0.12),
        ("ZA", 0.05),
        ("IS", 0.005),
        ("SE", 0.045),
    ),
    "fr": (("FR", 0.55), ("BE", 0.2), ("CA", 0.15), ("CH", 0.08), ("LU", 0.02)),
    "de": (("DE", 0.7), ("AT", 0.15), ("CH", 0.15)),
    "es": (("ES", 0.5), ("MX", 0.3), ("AR", 0.2)),
    "nl": (("NL", 0.75), ("BE", 0.25)),
}
SOURCE_LANGUAGE_SHARE = 0.7


__all__ = ["COUNTRIES", "Calibration", "ORG_UNITS", "PRESETS", "ROLES", "SOURCE_LANGUAGE_SHARE", "SynthError"]
