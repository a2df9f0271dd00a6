"""Report tables: grouped tables with small groups suppressed, a caption and a note (see :mod:`mblib.analytics.report`)."""

from __future__ import annotations

import html as _html
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

    def _repr_html_(self) -> str:
        cols = [c for c in self.frame.columns if c != "suppressed"]
        flags = self.frame["suppressed"].to_list() if "suppressed" in self.frame.columns else [False] * len(self.frame)
        esc = _html.escape
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in cols)
        rows = []
        for row, hidden in zip(self.frame.select(cols).iter_rows(), flags):
            cells = []
            for c, v in zip(cols, row):
                if v is None:  # every hidden cell looks the same: a reader cannot tell the small ones
                    text = '<abbr title="hidden to protect small groups">hidden</abbr>' if hidden else "&ndash;"
                else:
                    text = esc(_format(v, c in self.percent))
                cells.append(f"<td>{text}</td>")
            cls = ' class="mb-suppressed"' if hidden else ""
            rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
        return (
            f'<div class="mb-table"><table><caption>{esc(self.caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table><p class="mb-note">{esc(self.note)}</p></div>'
        )

    def __str__(self) -> str:
        return f"{self.caption}\n{self.frame}\n{self.note}"


def _format(v: Any, percent: bool) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1%}" if percent else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


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
) -> ReportTable:
    """A grouped table for a report: groups with fewer than ``k`` learners suppressed, and said so.

    ``frame`` is a collected metric (polars); ``count_col`` is its column of distinct learners per
    group; ``labels`` the columns that name a group (default: the non-numeric ones).
    ``partition_by`` names the columns of the whole each row is a part of, when that whole's
    total is shown too (``[]``: the whole table): complementary groups are then hidden so that
    the small ones cannot be recovered by differencing (default: known from the metric's
    columns, :data:`mblib.analytics.privacy.PARTITIONS`). Columns in
    ``percent`` (default: those ending in ``rate``, ``share`` or ``retention``, and the ``_low``
    and ``_high`` bounds of a ``_rate`` column) are shown as percentages.
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
    return ReportTable(table.frame, caption, table.note, k, tuple(percent), tuple(table.hidden_totals))


__all__ = ["ReportTable", "report_table"]
