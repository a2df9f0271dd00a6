"""Pre-aggregated learner facts that answer every dashboard filter exactly and fast (the "cube").

Events are folded once per data load into **facts**: one row per (learner, UTC day, credential,
module, language) with the first ``enrolled`` and ``earned`` times, whether the learner
``launched``, ``completed`` or ``passed`` there, and the last event's time. ~10 M events give
about a million facts. Every dashboard filter is a filter on these rows, and exact:

- dates: a filter keeps whole UTC days, and every fact lies within one day;
- segment: learners whose learners-table value matches (the same rule as ``filter_events``);
- language: learners with a fact of that language among the date- and segment-filtered facts;
- credential: learners with an enrolment fact of it; facts of it or (no credential) of its modules.

Distinct-learner counts then merge exactly (a learner is a key of the facts), first times are
minima of per-day minima, and :mod:`mblib.analytics.cube_views` computes each view from the
filtered facts. Facts of different Parquet files simply stack (:mod:`mblib.analytics.refresh`
keeps one small facts file per events file, so a new day of events touches one file).

>>> import polars as pl
>>> from mblib.analytics.metrics import demo_events
>>> from mblib.analytics.filters import EventFilter
>>> cube = Cube.from_events(demo_events())
>>> cube.facts.height < demo_events().collect().height
True
>>> cube.slice(EventFilter(language="fr")).learners()
1
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .event_filter import SEGMENTS, EventFilter, check_filter

#: the facts' key columns, then their values
FACT_KEYS: tuple[str, ...] = ("learner_id", "day", "credential_id", "module_id", "language")
#: answers (view frames) a cube remembers
KEEP_ANSWERS = 512
FACT_VALUES: tuple[str, ...] = ("enrolled_ts", "earned_ts", "launched", "completed", "passed", "ts_max")


def fold_events(events: Any) -> Any:
    """The facts of ``events`` (any engine's lazy frame), collected as a polars DataFrame.

    Columns: learner_id String, day Date, credential_id, module_id, language String,
    enrolled_ts, earned_ts, ts_max Datetime(us, UTC), launched, completed, passed Boolean.
    """
    import narwhals.stable.v2 as nw
    import polars as pl

    from .backends import collect
    from .metrics.frames import events_frame

    ev = events_frame(events, ["credential_id", "module_id", "language"])
    ts = nw.col("timestamp")
    none = nw.lit(None, nw.Datetime("us", "UTC"))

    def is_verb(v: str) -> Any:
        return (nw.col("verb") == v).fill_null(False)

    marked = ev.select(
        "learner_id",
        "credential_id",
        "module_id",
        "language",
        ts.dt.truncate("1d").alias("day"),
        nw.when(is_verb("enrolled")).then(ts).otherwise(none).alias("_enr"),
        nw.when(is_verb("earned")).then(ts).otherwise(none).alias("_ear"),
        *[is_verb(v).cast(nw.Int8).alias(f"_{v}") for v in ("launched", "completed", "passed")],
        ts.alias("_ts"),
    )
    folded = marked.group_by(*FACT_KEYS).agg(
        nw.col("_enr").min().alias("enrolled_ts"),
        nw.col("_ear").min().alias("earned_ts"),
        *[nw.col(f"_{v}").max().alias(v) for v in ("launched", "completed", "passed")],
        nw.col("_ts").max().alias("ts_max"),
    )
    out = collect(folded)
    utc = pl.Datetime("us", "UTC")
    return out.select(
        pl.col("learner_id").cast(pl.String),
        pl.col("day").cast(utc).dt.date().alias("day"),
        *[pl.col(c).cast(pl.String) for c in ("credential_id", "module_id", "language")],
        pl.col("enrolled_ts").cast(utc),
        pl.col("earned_ts").cast(utc),
        *[(pl.col(v) > 0).fill_null(False).alias(v) for v in ("launched", "completed", "passed")],
        pl.col("ts_max").cast(utc),
    )


@dataclass
class Slice:
    """The facts a filter keeps (a polars DataFrame) and the filter itself."""

    facts: Any
    flt: EventFilter
    cube: Cube

    def is_in(self, column: str, values: Any) -> Any:
        """``column`` is one of ``values`` (an expression; values the data never has are left out)."""
        return self.cube.is_in(column, values)

    def learners(self) -> int:
        """Distinct learners among the kept facts (the dashboard's caption)."""
        return int(self.facts.get_column("learner_id").n_unique()) if self.facts.height else 0


@dataclass
class Cube:
    """Facts of one data load in memory, and the learners table (for segments), both polars."""

    facts: Any
    people: Any | None = None
    _options: dict[str, Any] | None = field(default=None, repr=False)
    _answers: dict[Any, Any] = field(default_factory=dict, repr=False)
    _kept: dict[Any, Any] = field(default_factory=dict, repr=False)

    def answer(self, key: Any, compute: Callable[[], Any], *, keep: bool = False) -> Any:
        """``compute()``, remembered under ``key`` (the last :data:`KEEP_ANSWERS` answers are kept):
        a filter the user comes back to, and the other segment values a segment view hides
        groups across, are answered without recomputing. With ``keep``, a structure every later
        answer builds on (the learner level over all dates, the date-range runs...) is kept for
        the cube's life: hundreds of clicks must not push it out and make a click rebuild it."""
        if key in self._kept:
            return self._kept[key]
        if keep:
            got = self._answers.pop(key) if key in self._answers else compute()
            self._kept[key] = got
            return got
        if key in self._answers:
            got = self._answers.pop(key)
        else:
            got = compute()
            while len(self._answers) >= KEEP_ANSWERS:
                self._answers.pop(next(iter(self._answers)))
        self._answers[key] = got
        return got

    def __contains__(self, key: Any) -> bool:
        """Whether an answer is remembered under ``key``."""
        return key in self._answers or key in self._kept

    @classmethod
    def from_events(cls, events: Any, learners: Any | None = None) -> Cube:
        """Fold ``events`` (any engine) into a cube held in memory."""
        return cls.from_facts(fold_events(events), learners)

    @classmethod
    def from_facts(cls, facts: Any, learners: Any | None = None) -> Cube:
        """A cube over facts already folded (e.g. read back from :mod:`mblib.analytics.refresh`'s cache).

        The text keys become Enums of their values (learner ids too), so that every distinct
        count and group-by runs on small integers; results are cast back to String.
        """
        import polars as pl

        cats = {
            c: pl.Enum(sorted({*facts.get_column(c).drop_nulls().unique().to_list(), *extra}))
            for c, extra in (("learner_id", ()), ("credential_id", ()), ("module_id", ()), ("language", ("unknown",)))
        }
        coded = facts.with_columns([pl.col(c).cast(t) for c, t in cats.items()])
        people = None
        if learners is not None:
            from .backends import to_polars_lazy

            lf = to_polars_lazy(learners)
            cols = [c for c in ("learner_id", *SEGMENTS) if c in lf.collect_schema().names()]
            people = lf.select([pl.col(c).cast(pl.String) for c in cols]).collect()
        return cls(coded, people)

    def members(self) -> Any:
        """The learners table with learner ids coded like the facts' (learners without facts left out)."""
        import polars as pl

        def make() -> Any:
            if self.people is None:
                return None
            ids = pl.col("learner_id").cast(self.facts.schema["learner_id"], strict=False)
            return self.people.with_columns(ids).filter(pl.col("learner_id").is_not_null())

        return self.answer(("members",), make, keep=True)

    def known(self, column: str, values: Any) -> list[str]:
        """Those of ``values`` that occur in the facts' ``column`` (an Enum compares only with its own values)."""
        import polars as pl

        dtype = self.facts.schema[column]
        cats = set(dtype.categories.to_list()) if isinstance(dtype, pl.Enum) else None
        return [v for v in values if cats is None or v in cats]

    def is_in(self, column: str, values: Any) -> Any:
        """An expression: ``column`` is one of ``values`` (those the facts never hold are left out)."""
        import polars as pl

        return pl.col(column).is_in(self.known(column, values))

    def options(self) -> dict[str, Any]:
        """What :func:`~mblib.analytics.filters.filter_options` returns, from the facts."""
        import polars as pl

        if self._options is None:
            f = self.facts

            def values(frame: Any, col: str) -> list[str]:
                return sorted(str(v) for v in frame.get_column(col).drop_nulls().unique().to_list())

            segments: dict[str, list[str]] = {}
            if self.people is not None:
                segments = {s: values(self.people, s) for s in SEGMENTS if s in self.people.columns}
            span = f.select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
            self._options = {
                "credentials": values(f, "credential_id"),
                "languages": values(f, "language"),
                "segments": segments,
                "first": span.item(0, "first") if f.height else None,
                "last": span.item(0, "last") if f.height else None,
            }
        return self._options

    def slice(self, flt: EventFilter) -> Slice:
        """The facts ``flt`` keeps: the same rows of learners and days as ``filter_events`` keeps events."""
        import polars as pl

        self.check(flt)
        f = self.facts
        if flt.start:
            f = f.filter(pl.col("day") >= _day(flt.start))
        if flt.end:
            f = f.filter(pl.col("day") <= _day(flt.end))
        if flt.segment and flt.segment_value is not None and self.people is not None:
            who = self.members().filter(pl.col(flt.segment) == flt.segment_value).get_column("learner_id")
            f = f.filter(pl.col("learner_id").is_in(who.implode()))
        if flt.language:
            who = f.filter(self.is_in("language", [flt.language])).get_column("learner_id").unique()
            f = f.filter(pl.col("learner_id").is_in(who.implode()))
        if flt.credential_id:
            cred = self.is_in("credential_id", [flt.credential_id])
            who = f.filter(cred & pl.col("enrolled_ts").is_not_null()).get_column("learner_id").unique()
            mine = cred.fill_null(False)
            if flt.module_ids:
                mine = mine | (pl.col("credential_id").is_null() & self.is_in("module_id", flt.module_ids))
            f = f.filter(mine & pl.col("learner_id").is_in(who.implode()))
        return Slice(f, flt, self)

    def check(self, flt: EventFilter) -> None:
        """Raise the :class:`FilterError` that ``filter_events`` raises for ``flt``, if any."""
        has = self.people is not None and (not flt.segment or flt.segment in self.people.columns)
        check_filter(flt, has_learners=has)


def _day(d: date) -> date:
    return d if type(d) is date else date(d.year, d.month, d.day)


__all__ = ["FACT_KEYS", "FACT_VALUES", "Cube", "Slice", "fold_events"]
