"""Small-group suppression: hide counts under ``k`` and the complements that would give them away.

:func:`suppress_small_groups` masks (or drops) the rows of a collected table whose count is
below ``k``, then hides enough other rows in each partition (see :data:`PARTITIONS`) that no
hidden count can be worked out from a total shown elsewhere; :func:`suppress_small_series`
leaves out whole time series with too few learners. Re-exported by :mod:`mblib.analytics.privacy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Location
from .privacy_errors import PrivacyError

if TYPE_CHECKING:  # pragma: no cover
    pass


#: Metrics whose rows are the parts of a total shown elsewhere (or derivable from a share):
#: metric -> (columns the frame has, count column, ``partition_by``). The segments of a
#: credential add up to its enrolled/earned counts (credential outcomes); a module's languages to
#: its starters (module outcomes); the stacking rows to every enrolled learner (``share`` gives
#: the total away); the at-risk bins to the at-risk count the report states; a quiz item's
#: choices to the learners who answered it; the orders of module starts, and whether the
#: recommended order was followed, to a credential's starters. ``None``: the rows add up to no
#: total (a learner may pass several elective options).
PARTITIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...] | None]] = {
    "uptake_by_segment": (("credential_id", "segment", "enrolled"), "enrolled", ("credential_id",)),
    "completion_by_language": (("module_id", "language", "started"), "started", ("module_id",)),
    "credential_stacking": (("credentials_held", "learners"), "learners", ()),
    "at_risk_by_inactivity": (("credential_id", "days_from", "days_to", "learners"), "learners", ()),
    "distractor_analysis": (("module_id", "block_id", "choice_id", "chosen"), "chosen", ("module_id", "block_id")),
    "pathway_orders": (("credential_id", "path", "learners"), "learners", ("credential_id",)),
    "recommended_order": (("credential_id", "followed", "learners"), "learners", ("credential_id",)),
    "elective_choices": (("credential_id", "group_id", "module_id", "learners"), "learners", None),
}

PartitionBy = Sequence[str] | Sequence[Sequence[str]] | Literal["auto"] | None


def partition_of(columns: Sequence[str], count_col: str) -> tuple[str, ...] | None:
    """The ``partition_by`` of a table with these columns counted by ``count_col`` (see :data:`PARTITIONS`), or None.

    >>> partition_of(["credential_id", "segment", "enrolled", "earned"], "enrolled")
    ('credential_id',)
    >>> partition_of(["module_id", "started"], "started") is None
    True
    """
    have = set(columns)
    for needs, count, parts in PARTITIONS.values():
        if count == count_col and have.issuperset(needs):
            return parts
    return None


def suppress_metric(frame: Any, metric: str, k: int = 5, *, how: Literal["mask", "drop"] = "mask") -> SuppressedTable:
    """``frame`` (the collected result of ``metric``, one of :data:`PARTITIONS`) with small groups and their complements hidden.

    Its label columns are the metric's own (numeric ones such as ``days_from`` stay visible).
    A frame that already has a ``suppressed`` column has been through suppression and comes back as it is.
    """
    import narwhals.stable.v2 as nw

    needs, count, parts = PARTITIONS[metric]
    df = nw.from_native(frame, eager_only=True)
    if "suppressed" in df.columns:
        return SuppressedTable(frame, k, count, int(df.shape[0]), [], how)
    labels = [c for c in df.columns if c != count and (c in needs or not df.schema[c].is_numeric())]
    return suppress_small_groups(frame, k, count, labels=labels, how=how, partition_by=parts)


def _partitionings(partition_by: Any) -> list[list[str]]:
    """``partition_by`` as a list of partitionings: None -> none, ["a"] -> [["a"]], [] -> [[]], [["a"], ["b"]] as is."""
    if partition_by is None:
        return []
    if isinstance(partition_by, str):
        return [[partition_by]]
    items = list(partition_by)
    if items and all(not isinstance(x, str) for x in items):
        return [list(x) for x in items]
    return [[str(x) for x in items]]


def _complement(
    counts: Sequence[Any], hidden: list[bool], keys: Sequence[tuple[Any, ...]], k: int
) -> tuple[list[bool], set[tuple[Any, ...]]]:
    """Hide more parts of each whole until its hidden parts are >= 2 and add up to >= k; wholes beyond saving."""
    out = list(hidden)
    wholes: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(keys):
        wholes.setdefault(key, []).append(i)
    lost: set[tuple[Any, ...]] = set()
    counts = [c if isinstance(c, (int, float)) and c == c else 0 for c in counts]  # null/NaN: nothing known
    for key, rows in wholes.items():
        if not any(out[i] for i in rows):
            continue
        while True:
            gone = [i for i in rows if out[i]]
            if len(gone) >= 2 and sum(counts[i] for i in gone) >= k:
                break
            shown = sorted((i for i in rows if not out[i]), key=lambda i: (counts[i], i))
            if not shown:  # every part hidden and still too few: the total gives them away
                lost.add(key)
                break
            out[shown[0]] = True
    return out, lost


@dataclass(frozen=True)
class SuppressedTable:
    """A grouped table after small-group suppression, and what was suppressed.

    ``frame`` is the same kind of frame that came in, with a Boolean ``suppressed`` column;
    ``groups`` lists the label columns of each suppressed group; ``note`` says it in words
    (put it under the table). With ``partition_by``, ``complementary`` lists the groups hidden
    as well so that the small ones cannot be worked out from a total, and ``hidden_totals`` the
    wholes (values of the ``partition_by`` columns) whose total must not be shown either.
    """

    frame: Any
    k: int
    count_col: str
    total: int
    groups: list[dict[str, Any]] = field(default_factory=list)
    how: str = "mask"
    complementary: list[dict[str, Any]] = field(default_factory=list)
    hidden_totals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        """Groups hidden for being small (not counting :attr:`complementary` ones)."""
        return len(self.groups)

    @property
    def note(self) -> str:
        if not self.groups and not self.complementary:
            return f"No group has fewer than {self.k} learners; nothing is suppressed."
        n, total = len(self.groups), self.total
        what = "their figures are hidden" if self.how == "mask" else "they are left out"
        text = f"{n} of {total} group{'s' if total != 1 else ''} had fewer than {self.k} learners; {what}."
        if self.complementary:
            m = len(self.complementary)
            text += (
                f" {m} more group{'s are' if m != 1 else ' is'} {'hidden' if self.how == 'mask' else 'left out'} "
                f"so that no hidden figure can be worked out from a total."
            )
        if self.hidden_totals:
            names = ", ".join(" ".join(str(v) for v in t.values()) or "the table" for t in self.hidden_totals)
            text += f" The total of {names} must not be shown either (fewer than {self.k} learners)."
        return text

    def __str__(self) -> str:
        return f"{self.frame}\n{self.note}"


def suppress_small_groups(
    frame: Any,
    k: int = 5,
    count_col: str = "learners",
    *,
    labels: Sequence[str] | None = None,
    how: Literal["mask", "drop"] = "mask",
    partition_by: PartitionBy = "auto",
) -> SuppressedTable:
    """Hide the figures of every group with fewer than ``k`` learners, and say so.

    ``frame`` is a collected grouped table (polars or pandas; a polars LazyFrame is collected);
    ``count_col`` holds each group's number of distinct learners. ``labels`` are the columns that
    name a group and stay visible (default: every non-numeric column). With ``how="mask"`` the
    other columns of a small group become null and ``suppressed`` is true; ``how="drop"`` leaves
    the row out. A null count is treated as suppressed too (it cannot be shown to be safe), and
    so is a row whose ``suppressed`` column is already true.

    ``partition_by`` names the columns of the whole each row is a part of (``[]``: the whole
    table is one), for tables whose totals are shown too: complementary suppression then hides
    the next-smallest parts until each whole's hidden parts are two or more and add up to ``k``
    or more (module docstring). A list of such lists names several ways the rows add up (a
    cross table's rows and columns); all are protected together. ``"auto"`` (default) takes it from :data:`PARTITIONS` when the
    columns are those of such a metric; ``None`` turns it off.

    >>> import polars as pl
    >>> df = pl.DataFrame({"week": [1, 2], "learners": [9, 2]})
    >>> t = suppress_small_groups(df, 5, labels=["week"], how="drop")
    >>> t.frame["week"].to_list(), t.groups, t.suppressed
    ([1], [{'week': 2}], 1)
    >>> suppress_small_groups(df, 5, count_col="n")
    Traceback (most recent call last):
    ...
    mblib.analytics.privacy.PrivacyError: field 'n': the table has no count column 'n' (its columns: week, learners)
      fix: pass count_col= the column holding each group's number of learners
    """
    import narwhals.stable.v2 as nw

    if k < 1:
        raise PrivacyError(
            f"k must be 1 or more, got {k}", hint="use the workspace's [privacy] k_threshold (default 5)"
        )
    native = frame
    if type(frame).__name__ == "LazyFrame" and hasattr(frame, "collect"):
        native = frame.collect()
    df = nw.from_native(native, eager_only=True)
    if count_col not in df.columns:
        raise PrivacyError(
            f"the table has no count column '{count_col}' (its columns: {', '.join(df.columns)})",
            location=Location(field=count_col),
            hint="pass count_col= the column holding each group's number of learners",
        )
    schema = df.schema
    if labels is None:
        labels = [c for c in df.columns if c != count_col and not schema[c].is_numeric() and c != "suppressed"]
    missing = [c for c in labels if c not in df.columns]
    if missing:
        raise PrivacyError(
            f"label column(s) {missing} are not in the table",
            location=Location(field=missing[0]),
            hint=f"the columns are {', '.join(df.columns)}",
        )
    if partition_by == "auto":
        partition_by = partition_of(df.columns, count_col)
    wholes = _partitionings(partition_by)
    outside = [c for parts in wholes for c in parts if c not in df.columns or c not in labels]
    if outside:
        raise PrivacyError(
            f"partition column(s) {outside} are not label columns of the table",
            location=Location(field=outside[0]),
            hint=f"partition_by names label columns; the labels are {', '.join(labels) or '(none)'}",
        )
    small = nw.col(count_col).is_null() | (nw.col(count_col) < k)
    if "suppressed" in df.columns:
        small = small | nw.col("suppressed").fill_null(True)
    flagged = df.with_columns(small.alias("suppressed"))
    primary = flagged.get_column("suppressed").to_list()
    hidden, lost = list(primary), set()
    if wholes:
        counts = flagged.get_column(count_col).to_list()
        changed = True
        while changed:  # linked wholes (rows and columns of a cross table): until no whole needs more
            before = list(hidden)
            for parts in wholes:
                keys = list(flagged.select(parts).iter_rows()) if parts else [()] * len(counts)
                hidden, gone = _complement(counts, hidden, keys, k)
                lost |= {tuple(zip(parts, key)) for key in gone}
            changed = hidden != before
        flagged = flagged.with_columns(
            nw.new_series("suppressed", hidden, nw.Boolean, backend=nw.get_native_namespace(flagged))
        )
    rows = flagged.select(list(labels)).rows(named=True) if labels else [{} for _ in hidden]
    groups = [r for r, p in zip(rows, primary) if p]
    extra = [dict(r) for r, p, h in zip(rows, primary, hidden) if h and not p]
    totals = [dict(key) for key in sorted(lost, key=str)]
    if how == "drop":
        out = flagged.filter(~nw.col("suppressed"))
    elif how == "mask":
        values = [c for c in df.columns if c not in labels and c != "suppressed"]
        out = flagged.with_columns([nw.when(~nw.col("suppressed")).then(nw.col(c)).alias(c) for c in values])
    else:
        raise PrivacyError(f"how must be 'mask' or 'drop', got {how!r}", hint="use how='mask' (default) or how='drop'")
    return SuppressedTable(
        out.to_native(), k, count_col, int(df.shape[0]), [dict(g) for g in groups], how, extra, totals
    )


def suppress_small_series(
    frame: Any, k: int = 5, count_col: str = "cumulative_enrolled", *, by: Sequence[str] = ("credential_id",)
) -> SuppressedTable:
    """Leave out every series (rows sharing ``by``) whose largest ``count_col`` is below ``k``.

    For running totals (``metrics.credential_uptake``): a credential's last cumulative count is
    its total, so a credential with fewer than ``k`` learners must not be drawn at all. The
    series totals go through :func:`suppress_small_groups`; ``groups`` lists the series left out.

    >>> import polars as pl
    >>> df = pl.DataFrame({"credential_id": ["a", "a", "b"], "cumulative_enrolled": [3, 9, 2]})
    >>> t = suppress_small_series(df, 5)
    >>> t.frame["credential_id"].to_list(), t.note
    (['a', 'a'], '1 of 2 series had fewer than 5 learners; they are left out.')
    """
    import narwhals.stable.v2 as nw

    native = frame.collect() if type(frame).__name__ == "LazyFrame" and hasattr(frame, "collect") else frame
    df = nw.from_native(native, eager_only=True)
    missing = [c for c in [*by, count_col] if c not in df.columns]
    if missing:
        raise PrivacyError(
            f"the table has no column(s) {', '.join(missing)} (its columns: {', '.join(df.columns)})",
            location=Location(field=missing[0]),
            hint="pass by= and count_col= columns of the table",
        )
    totals = df.group_by(*by).agg(nw.col(count_col).max().alias("_total"))
    small = suppress_small_groups(totals, k, "_total", labels=list(by), how="drop", partition_by=None)
    kept = nw.from_native(small.frame, eager_only=True).select(*by)
    out = df.join(kept, on=list(by), how="semi") if kept.shape[0] else df.head(0)
    return SeriesTable(out.to_native(), k, count_col, int(totals.shape[0]), small.groups, "drop")


@dataclass(frozen=True)
class SeriesTable(SuppressedTable):
    """:class:`SuppressedTable` of whole series (its note counts series, not groups)."""

    @property
    def note(self) -> str:
        if not self.groups:
            return f"No series has fewer than {self.k} learners; nothing is left out."
        return f"{len(self.groups)} of {self.total} series had fewer than {self.k} learners; they are left out."


__all__ = [
    "PARTITIONS",
    "PartitionBy",
    "SeriesTable",
    "SuppressedTable",
    "partition_of",
    "suppress_metric",
    "suppress_small_groups",
    "suppress_small_series",
]
