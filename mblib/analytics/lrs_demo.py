"""The LRS step of ``mb demo``: a synthetic cohort through a real LRS and back.

Ralph starts on a free port of 127.0.0.1 (in ``OUT/lrs/``), the cohort's events are posted to it
as xAPI statements, read back over the statements API into ``OUT/ingested/`` and Ralph is stopped,
also when a step fails. The report is then built from what was ingested.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace
    from .synth import Cohort


def lrs_round_trip(
    workspace: Workspace, cohort: Cohort, out: str | Path, *, echo: Callable[[str], Any] = print
) -> Path:
    """Replay ``cohort`` into a fresh Ralph, ingest it back into ``out/ingested/`` (with the cohort's
    learners table, ids as the statements carry them); returns that folder."""
    import polars as pl

    from .ingest import ingest_lrs
    from .lrs_client import LrsClient
    from .lrs_server import running_lrs
    from .replay import replay_cohort, replay_learner_id

    out = Path(out)
    folder, target = out / "lrs", out / "ingested"
    for old in (folder / "data", target / "statements"):  # a fresh LRS each run (its port changes)
        shutil.rmtree(old, ignore_errors=True)
    t0 = time.perf_counter()
    with running_lrs(folder) as server:
        client = LrsClient(server.endpoint, server.username, server.password)
        t1 = time.perf_counter()
        sent = replay_cohort(cohort.events, client, batch=1000, echo=None)
        t2 = time.perf_counter()
        result = ingest_lrs(server.endpoint, workspace, target, client=client, pseudonymise=False, echo=None)
    t3 = time.perf_counter()
    learners = cohort.learners.with_columns(
        pl.col("learner_id").map_elements(replay_learner_id, return_dtype=pl.String)
    )
    learners.write_parquet(target / "learners.parquet")
    echo(
        f"lrs: Ralph started in {t1 - t0:.1f} s; replayed {sent:,} xAPI statements in {t2 - t1:.1f} s; "
        f"ingested {result.events:,} events ({result.rejected} rejected) into {target}/ in {t3 - t2:.1f} s; stopped"
    )
    return target


__all__ = ["lrs_round_trip"]
