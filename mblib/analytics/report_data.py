"""The data a report runs on: the workspace, validated events (and learners) on one engine, and k."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import Location
from .backends import Engine
from .report_errors import ReportError

if TYPE_CHECKING:
    from ..content import Workspace


@dataclass
class ReportData:
    """What a report notebook works on: the workspace, events (and learners) lazily on one engine, and k.

    :meth:`run` runs a metric on the engine and returns the small collected polars frame.
    """

    workspace: Any
    events: Any
    learners: Any | None
    engine: Engine
    k: int
    source: str

    def run(self, metric: Callable[..., Any], *args: Any, learners: bool = False, **kwargs: Any) -> Any:
        """``metric(events[, learners], *args, **kwargs)`` on this engine, collected (a polars DataFrame)."""
        from .backends import collect

        frames = [self.events]
        if learners:
            if self.learners is None:
                raise ReportError(
                    f"{getattr(metric, '__name__', 'this metric')} needs the learners table, and "
                    f"{self.source} has none",
                    location=Location(file=self.source),
                    hint="put learners.parquet beside the events folder (mb synth writes one)",
                )
            frames.append(self.learners)
        call = metric
        if args:  # positional extras (a module, a credential) go after the frames

            def call(*frames_: Any, **kw: Any) -> Any:
                return metric(*frames_, *args, **kw)

        return collect(call, *frames, engine=self.engine, **kwargs)

    @property
    def titles(self) -> dict[str, dict[str, str]]:
        """The workspace's titles per id column (:func:`mblib.analytics.labels.workspace_titles`)."""
        from .labels import workspace_titles

        return workspace_titles(self.workspace)

    def titled(self, frame: Any) -> Any:
        """``frame`` as a chart shows it: module and credential ids replaced by the workspace's titles,
        quiz items by their numbered question and choices by their text.

        >>> from mblib.analytics import metrics
        >>> from mblib.cli import SAMPLE_WORKSPACE
        >>> rd = open_report_data(SAMPLE_WORKSPACE, learners=60)
        >>> creds = list(rd.workspace.credentials.values())
        >>> shown = rd.titled(rd.run(metrics.credential_outcomes, credentials=creds))
        >>> sorted(shown["credential_id"]) == sorted(c.title for c in creds)
        True
        """
        from .labels import with_titles

        return with_titles(frame, self.titles)

    def narrowed(self, *, module_id: str | None = None, verbs: Sequence[str] | None = None) -> ReportData:
        """This data narrowed to one module's events and/or some verbs, read once and held in memory.

        Metrics that read the events several times over (item analysis joins a module's answers
        with themselves) then scan this small subset instead of the whole data set:

        >>> from mblib.analytics import items
        >>> from mblib.cli import SAMPLE_WORKSPACE
        >>> rd = open_report_data(SAMPLE_WORKSPACE, learners=60)
        >>> module = rd.workspace.module("reading-bar-charts")
        >>> answers = rd.narrowed(module_id=module.id, verbs=["answered"])
        >>> answers.run(items.item_statistics, module).equals(rd.run(items.item_statistics, module))
        True
        """
        import narwhals.stable.v2 as nw

        from .backends import collect, to_engine
        from .metrics import lazy

        ev = lazy(self.events)
        if module_id is not None:
            ev = ev.filter(nw.col("module_id") == module_id)
        if verbs is not None:
            ev = ev.filter(nw.col("verb").is_in(list(verbs)))
        small = collect(ev)
        return replace(self, events=to_engine(small.lazy(), self.engine))


def open_report_data(
    workspace: str | Path | Any,
    data: str | Path | None = None,
    *,
    engine: Engine = "polars",
    k: int | None = None,
    learners: int = 400,
    seed: int = 7,
    rejects: str | Path | None = None,
    echo: Callable[[str], Any] | None = None,
) -> ReportData:
    """Open learner data for a report: a folder as ``mb synth`` writes it (``events/`` partitioned by
    month, ``learners.parquet``) or one Parquet file of events.

    The events go through the readers' checks (:mod:`mblib.analytics.datacheck`): rows with an
    empty learner id or timestamp, an unknown verb, a NaN or out-of-range score or duration, ...
    are left out by a lazy filter (the data stays a streaming scan). A file that is not readable
    Parquet, or a column of the wrong type (a list of learner ids, text scores), is refused with
    the file, the column and the fix. With ``rejects`` (a CSV path) one counting pass is made
    first: the rejected rows go there with their reason and ``echo`` gets the counts.

    With ``data=None`` a small deterministic cohort (``learners`` learners) is synthesised over the
    workspace into a temporary folder first, so a report notebook runs anywhere. ``k`` defaults to
    the workspace's ``[privacy] k_threshold``.
    """
    import tempfile

    import polars as pl

    from ..content import Workspace
    from .backends import scan_events, to_engine
    from .datacheck import check_events_data, data_paths, parquet_files, type_problems, valid_events
    from .schema import EVENT_COLUMNS, LEARNER_COLUMNS
    from .validation import REPLACEMENT, parquet_schema

    ws = cast("Workspace", workspace) if hasattr(workspace, "modules") else Workspace.open(workspace)
    if data is None:
        from .synth import synthesise, write_cohort

        folder = Path(tempfile.mkdtemp(prefix="mblib-cohort-"))
        write_cohort(synthesise(ws, learners=learners, seed=seed), folder, overwrite=True)
        data = folder
    path = Path(data)
    if not path.exists():
        raise ReportError(
            f"learner data '{path}' does not exist",
            location=Location(file=str(path)),
            hint="run `mb synth` to make a cohort, or point at a Parquet file or folder of events",
        )
    events_path, learners_path = data_paths(path)
    for f in parquet_files(events_path):  # footers only: readable, plain columns of the contract's types
        type_problems(parquet_schema(f, EVENT_COLUMNS), str(f))
    if rejects is not None:
        check = check_events_data(events_path, rejects=rejects)
        if echo is not None:
            echo(check.summary())
    events = valid_events(scan_events(events_path, engine=engine))
    from .refresh import register_source

    register_source(events, path)  # the dashboard's cube is cached next to the data
    people = None
    if learners_path.is_file():
        scan = pl.scan_parquet(learners_path)
        if "learner_id" in parquet_schema(learners_path, LEARNER_COLUMNS, "learners"):
            lid = pl.col("learner_id").cast(pl.String)
            scan = scan.filter(lid.is_not_null() & ~lid.str.contains(REPLACEMENT, literal=True))
        people = to_engine(scan, engine)
    return ReportData(
        ws, events, people, engine, int(k if k is not None else ws.settings.privacy.k_threshold), str(path)
    )


__all__ = ["Engine", "ReportData", "open_report_data"]
