"""Small hand-made frames with each metric's documented output columns (charts and report tests)."""

from __future__ import annotations

from datetime import date

import polars as pl


def metric_frames() -> dict[str, pl.DataFrame]:
    """metric name -> a collected frame as the metric documents it."""
    mods = ["reading-bar-charts", "line-charts-over-time"]
    return _pathway_frames() | {
        "module_outcomes": pl.DataFrame(
            {
                "module_id": mods,
                "enrolled": [40, 40],
                "started": [30, 20],
                "completed": [24, 10],
                "passed": [20, 8],
                "completion_rate": [0.8, 0.5],
                "completion_low": [0.63, 0.3],
                "completion_high": [0.9, 0.7],
                "pass_rate": [0.67, 0.4],
                "pass_low": [0.5, 0.22],
                "pass_high": [0.8, 0.61],
            }
        ),
        "credential_outcomes": pl.DataFrame(
            {
                "credential_id": ["data-literacy-foundations"],
                "enrolled": [40],
                "started": [30],
                "completed": [12],
                "earned": [10],
                "start_rate": [0.75],
                "completion_rate": [0.3],
                "completion_low": [0.18],
                "completion_high": [0.45],
                "earn_rate": [0.25],
                "earn_low": [0.14],
                "earn_high": [0.4],
            }
        ),
        "pathway_funnel": pl.DataFrame(
            {
                "credential_id": ["c"] * 3,
                "step": [0, 1, 2],
                "module_id": [None, *mods],
                "learners": [40, 30, 20],
                "share": [1.0, 0.75, 0.5],
            },
            schema_overrides={"module_id": pl.String},
        ),
        "block_dropoff": pl.DataFrame(
            {
                "module_id": ["m"] * 3,
                "block_id": ["intro", "axis-check", "wrap"],
                "position": [1, 2, 3],
                "reached": [30, 25, 20],
                "stopped": [5, 5, 2],
                "reached_share": [1.0, 0.83, 0.67],
                "dropoff_rate": [0.17, 0.2, 0.1],
            }
        ),
        "time_on_task": pl.DataFrame(
            {
                "module_id": mods,
                "learners": [24, 10],
                "estimated_s": [300.0, 420.0],
                "mean_s": [330.0, 500.0],
                "p25_s": [200.0, 300.0],
                "median_s": [290.0, 410.0],
                "p75_s": [380.0, 600.0],
                "p90_s": [500.0, 900.0],
                "median_ratio": [0.97, 0.98],
            }
        ),
        "weekly_active_learners": pl.DataFrame(
            {"week_start": [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)], "active_learners": [12, 30, 21]}
        ),
        "cohort_retention": pl.DataFrame(
            {
                "cohort_week": [date(2026, 3, 2)] * 2 + [date(2026, 3, 9)],
                "week": [0, 1, 0],
                "cohort_size": [12, 12, 18],
                "active": [12, 6, 18],
                "retention": [1.0, 0.5, 1.0],
            }
        ),
        "credential_uptake": pl.DataFrame(
            {
                "credential_id": ["c", "c"],
                "week_start": [date(2026, 3, 2), date(2026, 3, 9)],
                "enrolled": [12, 18],
                "earned": [0, 3],
                "cumulative_enrolled": [12, 30],
                "cumulative_earned": [0, 3],
            }
        ),
        "uptake_by_segment": pl.DataFrame(
            {
                "credential_id": ["c", "c"],
                "segment": ["Finance", "Sales"],
                "enrolled": [20, 12],
                "earned": [6, 2],
                "earn_rate": [0.3, 0.17],
                "earn_low": [0.15, 0.05],
                "earn_high": [0.52, 0.45],
            }
        ),
        "credential_stacking": pl.DataFrame(
            {"credentials_held": [0, 1, 2], "learners": [30, 8, 2], "share": [0.75, 0.2, 0.05]}
        ),
        "completion_by_language": pl.DataFrame(
            {
                "module_id": [mods[0], mods[0]],
                "language": ["en", "fr"],
                "started": [20, 10],
                "completed": [16, 6],
                "completion_rate": [0.8, 0.6],
                "completion_low": [0.58, 0.31],
                "completion_high": [0.92, 0.83],
            }
        ),
        "at_risk_by_inactivity": pl.DataFrame(
            {"credential_id": ["c", "c", "d"], "days_from": [7, 14, 7], "days_to": [14, 21, 14], "learners": [12, 6, 9]}
        ),
        "time_to_credential": pl.DataFrame(
            {
                "credential_id": ["c"] * 3,
                "time_days": [0.0, 10.0, 20.0],
                "at_risk": [40, 40, 30],
                "events": [0, 5, 5],
                "censored": [0, 5, 0],
                "survival": [1.0, 0.875, 0.73],
                "ci_low": [1.0, 0.73, 0.56],
                "ci_high": [1.0, 0.95, 0.85],
            }
        ),
        "item_statistics": pl.DataFrame(
            {
                "module_id": ["m", "m"],
                "block_id": ["q1", "q2"],
                "position": [2, 4],
                "attempts": [30, 30],
                "max_score": [1.0, 1.0],
                "facility": [0.7, 0.4],
                "sd": [0.46, 0.49],
                "discrimination_index": [0.41, -0.05],
                "discriminative_efficiency": [0.6, -0.1],
                "intended_weight": [0.5, 0.5],
                "effective_weight": [0.6, 0.4],
            }
        ),
        "distractor_analysis": pl.DataFrame(
            {
                "module_id": ["m"] * 3,
                "block_id": ["q1"] * 3,
                "choice_id": ["a", "b", "c"],
                "position": [2, 2, 2],
                "choice_position": [1, 2, 3],
                "correct": [True, False, False],
                "chosen": [21, 6, 3],
                "share": [0.7, 0.2, 0.1],
                "point_biserial": [0.4, -0.2, -0.3],
            }
        ),
    }


def _pathway_frames() -> dict[str, pl.DataFrame]:
    """The pathway metrics (orders of module starts, recommended order, electives chosen)."""
    outcome = {
        "learners": [40, 12],
        "earned": [24, 3],
        "earn_rate": [0.6, 0.25],
        "earn_low": [0.45, 0.09],
        "earn_high": [0.73, 0.53],
        "days_mean": [21.5, 30.2],
        "days_low": [18.0, 22.1],
        "days_high": [25.0, 38.3],
    }
    cred = ["data-literacy-foundations"] * 2
    return {
        "pathway_orders": pl.DataFrame(
            {
                "credential_id": cred,
                "path": ["reading-bar-charts > line-charts-over-time", "line-charts-over-time > reading-bar-charts"],
                **outcome,
            }
        ),
        "recommended_order": pl.DataFrame({"credential_id": cred, "followed": [True, False], **outcome}),
        "elective_choices": pl.DataFrame(
            {
                "credential_id": cred,
                "group_id": ["reasoning-with-evidence"] * 2,
                "module_id": ["correlation-is-not-causation", "samples-and-surveys"],
                **outcome,
            }
        ),
    }
