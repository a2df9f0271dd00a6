"""Report tables: grouped tables with small groups suppressed, a caption and a note (see :mod:`mblib.analytics.report`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from .suppression import PartitionBy


@dataclass
class ReportTable:
    """A grouped table as a report shows it: small groups suppressed, a caption and a note.

    ``frame`` is the suppressed polars frame (with a Boolean ``suppressed`` column), ``note``
    says what was suppressed. Displays as an HTML table in notebooks and exported reports.
    """

    frame: Any
    caption: str
    note: str
    k: int
    percent: tuple[str, ...] = ()
    #: wholes (``partition_by`` values) whose total must not be shown anywhere either
    hidden_totals: tuple[dict[str, Any], ...] = ()

    #: per row: whether a hidden row was below ``k`` (not only hidden to protect another)
    small: tuple[bool, ...] | None = None
    #: per id column, id -> title: what the rendered table shows instead of ids (``frame`` keeps the ids)
    titles: dict[str, dict[str, str]] | None = None

    def _repr_html_(self) -> str:
        from .labels import with_titles
        from .table_style import styled_table_html

        return styled_table_html(
            with_titles(self.frame, self.titles),
            caption=self.caption,
            note=self.note,
            k=self.k,
            percent=self.percent,
            small=self.small,
        )

    def __str__(self) -> str:
        return f"{self.caption}\n{self.frame}\n{self.note}"


def report_table(
    frame: Any,
    *,
    caption: str,
    k: int = 5,
    count_col: str = "learners",
    labels: Sequence[str] | None = None,
    percent: Sequence[str] | None = None,
    how: Literal["mask", "drop"] = "mask",
    partition_by: PartitionBy = "auto",
    titles: dict[str, dict[str, str]] | None = None,
) -> ReportTable:
    """A grouped table for a report: groups with fewer than ``k`` learners suppressed, and said so.

    ``frame`` is a collected metric (polars); ``count_col`` is its column of distinct learners per
    group; ``labels`` the columns that name a group (default: the non-numeric ones).
    ``partition_by`` names the columns of the whole each row is a part of, when that whole's
    total is shown too (``[]``: the whole table): complementary groups are then hidden so that
    the small ones cannot be recovered by differencing (default: known from the metric's
    columns, :data:`mblib.analytics.privacy.PARTITIONS`). Columns in
    ``percent`` (default: those ending in ``rate``, ``share`` or ``retention``, and the ``_low``
    and ``_high`` bounds of a ``_rate`` column) are shown as percentages. ``titles`` (per id
    column, id -> title; ``ReportData.titles``) makes the rendered table show module and
    credential titles, quiz items and choices by their words, instead of ids; ``frame`` keeps the ids.
    """
    from .privacy import suppress_small_groups

    table = suppress_small_groups(frame, k, count_col, labels=labels, how=how, partition_by=partition_by)
    if percent is None:  # shares, and the bounds of a rate (completion_low with completion_rate; not median_low)
        cols = list(frame.columns)
        percent = [
            c
            for c in cols
            if c.endswith(("rate", "share", "retention"))
            or (c.endswith(("_low", "_high")) and f"{c.rsplit('_', 1)[0]}_rate" in cols)
        ]
    small = _small_rows(table.frame, table.complementary)
    return ReportTable(table.frame, caption, table.note, k, tuple(percent), tuple(table.hidden_totals), small, titles)


def _small_rows(frame: Any, complementary: Sequence[dict[str, Any]]) -> tuple[bool, ...]:
    """Per row: hidden because it is small (True), or only to protect a small one (False)."""
    if not complementary:
        return tuple([True] * frame.height)
    keys = {tuple(sorted(g.items())) for g in complementary}
    out = []
    for row in frame.to_dicts():
        out.append(not any(all(row.get(c) == v for c, v in key) for key in keys))
    return tuple(out)


__all__ = ["ReportTable", "report_table"]
