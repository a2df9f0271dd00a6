"""The one table style of every report and the dashboard (great_tables).

:func:`styled_table_html` turns a collected metric frame (after small-group suppression) into a
table a manager can read: headers from :mod:`mblib.analytics.labels`, a rate and its 95%
interval in one cell ("42.0% (37.3-46.9)"), spanners over columns that belong together, numbers
right-aligned with thousands separators, hidden groups shown as "<5" (or "hidden" where a group
is hidden only to protect a small one) with a footnote, empty values that say why. The table
sits in a box that scrolls sideways when it is wider than the page; it is never cut.

great_tables' HTML needs no network (no web fonts, no scripts); each table gets an id of its
own (a counter and a hash of its content), which great_tables puts before its element ids, so
several tables share a page and a report renders the same on every engine. Its inline
``<style>`` and ``style`` attributes are allowed by hash by the report's Content-Security-Policy
(:func:`mblib.analytics.report_html.apply_csp`).

>>> import polars as pl
>>> frame = pl.DataFrame({"credential_id": ["data-literacy"], "enrolled": [1200], "earn_rate": [0.42],
...                       "earn_low": [0.373], "earn_high": [0.469], "suppressed": [False]})
>>> html = styled_table_html(frame, caption="Outcomes", note="", k=5)
>>> "42.0% (37.3-46.9)" in html and "1,200" in html and "Credential" in html
True
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
import re
from collections.abc import Sequence
from typing import Any

from ..errors import MissingDependencyError
from .labels import label

#: value column -> (lower, upper) bound columns drawn into the same cell, besides ``<x>_rate``
INTERVALS: dict[str, tuple[str, str]] = {
    "median_days": ("median_low", "median_high"),
    "survival": ("ci_low", "ci_high"),
}

#: value column -> (what an empty cell shows, the footnote that says why)
EMPTY_REASONS: dict[str, tuple[str, str]] = {
    "median_days": (
        "not reached",
        "Median not reached: fewer than half of the enrolled learners have earned the credential so far.",
    ),
    "median_high": ("not reached", "Upper bound not reached: the data cannot yet rule out a longer median."),
    "median_low": ("not reached", "Lower bound not reached: too few learners have earned the credential yet."),
    "discrimination_index": ("n/a", "No discrimination index: every attempt scored the same, so there is no spread."),
    "point_biserial": ("n/a", "No correlation: every attempt scored the same, so there is no spread."),
}

_TIME_SUFFIX = "_s"  # columns of seconds, under one spanner
_COUNTER = itertools.count(1)


def interval_columns(columns: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The value columns of ``columns`` that have both interval bounds, mapped to them.

    >>> interval_columns(["earn_rate", "earn_low", "earn_high", "start_rate", "median_low"])
    {'earn_rate': ('earn_low', 'earn_high')}
    """
    cols = set(columns)
    found: dict[str, tuple[str, str]] = {}
    for c in columns:
        if c.endswith("_rate"):
            stem = c[: -len("_rate")]
            bounds = (f"{stem}_low", f"{stem}_high")
        elif c in INTERVALS:
            bounds = INTERVALS[c]
        else:
            continue
        if bounds[0] in cols and bounds[1] in cols:
            found[c] = bounds
    return found


def format_value(value: Any, *, percent: bool = False) -> str:
    """One cell as text: thousands separators, percentages with one decimal, ISO dates.

    >>> format_value(12345), format_value(0.4213, percent=True), format_value(3.14159), format_value(True)
    ('12,345', '42.1%', '3.14', 'yes')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1%}" if percent else f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _interval_text(v: Any, lo: Any, hi: Any, percent: bool, empty: str) -> str:
    if v is None:
        return empty
    if percent:
        parts = [f"{b * 100:.1f}" if b is not None else "?" for b in (lo, hi)]
        return f"{v:.1%} ({parts[0]}-{parts[1]})"
    parts = [format_value(b) if b is not None else "not reached" for b in (lo, hi)]
    return f"{format_value(v)} ({parts[0]}-{parts[1]})"


def styled_table_html(
    frame: Any,
    *,
    caption: str,
    note: str,
    k: int,
    percent: Sequence[str] = (),
    small: Sequence[bool] | None = None,
) -> str:
    """The table as HTML in the report style (see the module docstring).

    ``frame`` is a polars frame, with a Boolean ``suppressed`` column when groups were hidden;
    ``percent`` names the columns shown as percentages; ``small`` says, per row, whether a hidden
    row was below ``k`` (shown "<k") rather than hidden to protect another ("hidden").
    """
    try:
        from great_tables import GT, loc
    except ModuleNotFoundError as e:  # pragma: no cover - the analytics extra is missing
        raise MissingDependencyError.for_extra("great_tables", "analytics", "report tables") from e
    import polars as pl

    cols = [c for c in frame.columns if c != "suppressed"]
    hidden = frame["suppressed"].to_list() if "suppressed" in frame.columns else [False] * frame.height
    small = list(small) if small is not None else [True] * frame.height
    merged = interval_columns(cols)
    bounds = {b for pair in merged.values() for b in pair}
    shown = [c for c in cols if c not in bounds]
    numeric = {c for c in shown if frame.schema[c].is_numeric() and c not in ("step", "position", "week")}
    pct = set(percent)
    rows = frame.to_dicts()
    text: dict[str, list[str]] = {c: [] for c in shown}
    notes: dict[str, dict[str, list[int]]] = {}  # footnote -> column -> rows

    def mark(footnote: str, col: str, i: int) -> None:
        notes.setdefault(footnote, {}).setdefault(col, []).append(i)

    hidden_note = (
        f"Fewer than {k} learners: hidden to protect their privacy."
        if all(s for s, h in zip(small, hidden) if h)
        else f"Hidden: fewer than {k} learners (<{k}), or hidden so that such a group cannot be worked out from a total."
    )
    for i, row in enumerate(rows):
        for c in shown:
            v = row[c]
            if v is None and hidden[i] and c in numeric:
                text[c].append(f"<{k}" if small[i] else "hidden")
                mark(hidden_note, c, i)
                continue
            empty, why = EMPTY_REASONS.get(c, ("–", ""))
            if c in merged:
                lo, hi = merged[c]
                cell = _interval_text(v, row[lo], row[hi], c in pct or c.endswith("_rate"), empty)
                if v is None and why:
                    mark(why, c, i)
                elif v is not None and row[hi] is None and hi in EMPTY_REASONS:
                    mark(EMPTY_REASONS[hi][1], c, i)
            elif v is None:
                cell = empty
                if why:
                    mark(why, c, i)
            else:
                cell = format_value(v, percent=c in pct)
            text[c].append(cell)
    table = pl.DataFrame({c: text[c] for c in shown}, schema=dict.fromkeys(shown, pl.String))
    # ids unique on a page and the same from run to run (reports compare equal across engines)
    digest = hashlib.sha256(repr((caption, note, shown, text)).encode("utf-8")).hexdigest()[:8]
    tid = f"mbt{next(_COUNTER)}-{digest}"
    gt = GT(table, id=tid)
    rates = [c for c in shown if c in merged and c.endswith("_rate")]
    alone = {c for c in merged if not (c in rates and len(rates) >= 2)}  # no spanner says "95% interval"
    heads: dict[str, Any] = {c: label(c) + (" (95% interval)" if c in alone else "") for c in shown}
    gt = gt.cols_label(cases=heads)
    right = [c for c in shown if c in numeric]
    if right:
        gt = gt.cols_align("right", columns=right)
    times = [c for c in shown if c.endswith(_TIME_SUFFIX) and c in numeric]
    counts = [c for c in shown if c in numeric and frame.schema[c].is_integer() and c not in merged and c not in times]
    for name, group in (("Rates, with 95% interval", rates), ("Learners", counts), ("Time (seconds)", times)):
        if len(group) >= 2:
            gt = gt.tab_spanner(name, columns=group)
    for footnote, where in notes.items():
        gt = gt.tab_footnote(footnote, locations=[loc.body(columns=[c], rows=r) for c, r in where.items()])
    if note:
        gt = gt.tab_source_note(note)
    gt = gt.tab_options(table_font_size="0.9rem", container_width="100%")
    html = gt.as_raw_html()  # with an id, great_tables prefixes its element ids with it
    html = re.sub(r"(<table\b[^>]*>)", lambda m: f"{m.group(1)}<caption>{_attr(caption)}</caption>", html, count=1)
    return f'<div class="mb-table" role="region" aria-label="{_attr(caption)}" tabindex="0">{html}</div>'


def _attr(text: str) -> str:
    import html

    return html.escape(text, quote=True)


__all__ = ["EMPTY_REASONS", "INTERVALS", "format_value", "interval_columns", "styled_table_html"]
