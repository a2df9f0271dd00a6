"""Key findings: the few things a report's reader must know, computed from the metrics with their uncertainty.

Computation and rendering are separate: the ``*_finding(s)`` functions take collected metric
frames (after small-group suppression) and return :class:`Finding` objects, or ``None`` where
nothing can be said; :func:`findings_markdown` writes them as a list, each linking to the
report section that shows the evidence. A group below the privacy threshold ``k`` is never
described (its rows are skipped, whether or not the frame was suppressed before).

- :func:`dropoff_finding`: the pathway step that loses the largest share of those who reached
  the step before it;
- :func:`module_vs_credential_findings`: modules whose completion interval does not overlap the
  credential's completion interval;
- :func:`lowest_discrimination_finding`: the quiz item with the lowest discrimination index;
- :func:`segment_findings`: segments whose earn rate differs from the rest of the credential's
  learners (two-proportion z-test, Holm correction over every segment tested);
- :func:`median_time_findings`: the median time to credential with its 95% band, or why there is none.

>>> import polars as pl
>>> funnel = pl.DataFrame({"credential_id": ["c"] * 3, "step": [0, 1, 2], "module_id": [None, "a", "b"],
...                        "learners": [100, 90, 45], "share": [1.0, 0.9, 0.45]})
>>> print(dropoff_finding(funnel, k=5).text)
The largest drop-off along a pathway is at step 2 (b) of c: 50.0% of the 90 learners who reached step 1 did not reach it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One finding: the sentence, the report section (anchor) that shows it, and its kind."""

    kind: str
    text: str
    anchor: str
    #: a short form for a chart title ("" where the finding has none)
    headline: str = ""

    def markdown(self) -> str:
        """The finding as a Markdown list item linking to its section."""
        return f"- {self.text} [See the details](#{self.anchor})."


def headline_for(findings: Iterable[Finding], kind: str, default: str) -> str:
    """The headline of the first finding of ``kind`` (for a chart title that states it), else ``default``.

    >>> headline_for([Finding("dropoff", "...", "a", "Most stop at step 3")], "dropoff", "Pathway funnel")
    'Most stop at step 3'
    >>> headline_for([], "dropoff", "Pathway funnel")
    'Pathway funnel'
    """
    return next((f.headline for f in findings if f.kind == kind and f.headline), default)


def _ok(n: Any, k: int) -> bool:
    return n is not None and n >= k


def _name(value: Any, names: dict[str, str] | None) -> str:
    return (names or {}).get(str(value), str(value))


def dropoff_finding(
    funnel: Any, *, k: int, anchor: str = "Along-the-pathway", names: dict[str, str] | None = None
) -> Finding | None:
    """The pathway step with the largest relative drop from the step before it (``metrics.pathway_funnel``).

    Steps where either count is below ``k`` (or hidden) are left out.
    """
    best: tuple[float, dict[str, Any], dict[str, Any]] | None = None
    rows = sorted(funnel.to_dicts(), key=lambda r: (str(r["credential_id"]), r["step"]))
    for prev, cur in zip(rows, rows[1:]):
        if prev["credential_id"] != cur["credential_id"] or not (_ok(prev["learners"], k) and _ok(cur["learners"], k)):
            continue
        if 0 < prev["learners"] - cur["learners"] < k:
            continue  # a drop of fewer than k learners is a small group too: not described
        drop = 1 - cur["learners"] / prev["learners"]
        if best is None or drop > best[0]:
            best = (drop, prev, cur)
    if best is None:
        return None
    drop, prev, cur = best
    return Finding(
        "dropoff",
        f"The largest drop-off along a pathway is at step {cur['step']} ({_name(cur['module_id'], names)}) of "
        f"{_name(cur['credential_id'], names)}: {drop:.1%} of the {prev['learners']:,} learners who reached "
        f"step {prev['step']} did not reach it.",
        anchor,
        f"Largest drop-off: {drop:.0%} stop before step {cur['step']} of {_name(cur['credential_id'], names)}",
    )


def module_vs_credential_findings(
    modules: Any,
    credentials: Any,
    module_credentials: dict[str, Sequence[str]],
    *,
    k: int,
    anchor: str = "Starts,-completions-and-passes-per-module",
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """Modules whose completion 95% interval lies wholly above or below their credential's.

    ``modules`` is ``metrics.module_outcomes``, ``credentials`` ``metrics.credential_outcomes``;
    ``module_credentials`` maps a module id to the credentials that require it.
    """
    creds = {r["credential_id"]: r for r in credentials.to_dicts() if _ok(r.get("enrolled"), k)}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for m in modules.to_dicts():
        if not _ok(m.get("started"), k) or m.get("completion_low") is None:
            continue
        for cid in module_credentials.get(m["module_id"], ()):
            c = creds.get(cid)
            if c is None or c.get("completion_low") is None:
                continue
            if m["completion_low"] > c["completion_high"]:
                groups.setdefault((cid, "above"), []).append(m)
            elif m["completion_high"] < c["completion_low"]:
                groups.setdefault((cid, "below"), []).append(m)
    out = []
    for (cid, how), ms in groups.items():
        c = creds[cid]
        ms.sort(key=lambda m: m["completion_rate"], reverse=how == "above")
        listed = "; ".join(
            f"{_name(m['module_id'], names)} {m['completion_rate']:.1%} ({m['completion_low']:.1%}-"
            f"{m['completion_high']:.1%})"
            for m in ms
        )
        out.append(
            Finding(
                "module_completion",
                f"{len(ms)} module(s) of {_name(cid, names)} are completed by their starters at rates whose 95% "
                f"intervals lie wholly {how} the credential's completion of {c['completion_rate']:.1%} "
                f"({c['completion_low']:.1%}-{c['completion_high']:.1%} of enrolled): {listed}.",
                anchor,
            )
        )
    return out


def lowest_discrimination_finding(
    item_stats: Any, *, k: int, anchor: str = "Quiz-items", names: dict[str, str] | None = None
) -> Finding | None:
    """The quiz item with the lowest discrimination index among those with at least ``k`` attempts."""
    rows = [r for r in item_stats.to_dicts() if _ok(r.get("attempts"), k) and r.get("discrimination_index") is not None]
    if not rows:
        return None
    r = min(rows, key=lambda r: r["discrimination_index"])
    verdict = (
        "stronger learners get it wrong more often than weaker ones: check its key and wording"
        if r["discrimination_index"] < 0
        else "it barely separates stronger from weaker learners"
    )
    return Finding(
        "discrimination",
        f"The quiz item that misleads most is {_name(r['block_id'], names)} in {_name(r['module_id'], names)}: "
        f"discrimination index {r['discrimination_index']:.2f} over {r['attempts']:,} attempts; {verdict}.",
        anchor,
        f"Lowest discrimination: {_name(r['block_id'], names)} ({r['discrimination_index']:.2f})",
    )


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test.

    >>> round(two_proportion_p(30, 100, 50, 100), 4)
    0.0039
    """
    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (same order as given).

    >>> holm([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted = [0.0] * len(pvalues)
    running = 0.0
    m = len(pvalues)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = round(running, 12)
    return adjusted


def segment_findings(
    by_segment: Any,
    credentials: Any,
    *,
    k: int,
    alpha: float = 0.05,
    segment_label: str = "segment",
    anchor: str = "Uptake-by-segment",
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """Segments whose earn rate differs from the rest of the credential's learners.

    Each shown segment (``metrics.uptake_by_segment``, at least ``k`` learners in it and in the
    rest) is compared with the rest of its credential (``metrics.credential_outcomes``: enrolled
    and earned) by a two-proportion z-test; the p-values are Holm-corrected over all the tests.
    """
    totals = {r["credential_id"]: r for r in credentials.to_dicts()}
    tests: list[tuple[dict[str, Any], int, int]] = []
    for r in by_segment.to_dicts():
        t = totals.get(r["credential_id"])
        if t is None or not _ok(r.get("enrolled"), k) or r.get("earned") is None:
            continue
        rest_n, rest_x = t["enrolled"] - r["enrolled"], t["earned"] - r["earned"]
        if not _ok(rest_n, k):
            continue
        tests.append((r, rest_x, rest_n))
    if not tests:
        return []
    p = holm([two_proportion_p(r["earned"], r["enrolled"], x, n) for r, x, n in tests])
    out = []
    for (r, x, n), padj in zip(tests, p):
        if padj >= alpha:
            continue
        how = "higher" if r["earned"] / r["enrolled"] > x / n else "lower"
        out.append(
            Finding(
                "segment",
                f"In {_name(r['credential_id'], names)}, {segment_label} {r['segment']} earns the credential at a "
                f"{how} rate ({r['earned'] / r['enrolled']:.1%} of {r['enrolled']:,}) than the other learners "
                f"({x / n:.1%} of {n:,}); two-proportion z-test, Holm-corrected p = {padj:.3g} "
                f"over {len(tests)} segment(s) tested.",
                anchor,
                f"{r['segment']} earns {_name(r['credential_id'], names)} at a {how} rate",
            )
        )
    return out


def median_time_findings(
    summary: Any, *, k: int, anchor: str = "Time-to-credential", names: dict[str, str] | None = None
) -> list[Finding]:
    """The median time to each credential with its 95% band, or why it is not known yet (``survival.time_to_credential_summary``)."""
    out = []
    for r in summary.to_dicts():
        if not _ok(r.get("learners"), k):
            continue
        cid = _name(r["credential_id"], names)
        short = f"{cid}: median time not reached yet"
        if r.get("median_days") is None:
            text = (
                f"The median time to {cid} is not reached: fewer than half of its {r['learners']:,} enrolled "
                f"learners have earned it so far ({r['earned']:,} have)."
            )
        else:
            hi = f"{r['median_high']:.1f}" if r.get("median_high") is not None else "not yet known"
            lo = f"{r['median_low']:.1f}" if r.get("median_low") is not None else "not yet known"
            text = (
                f"Half of the learners enrolled in {cid} earn it within {r['median_days']:.1f} days "
                f"(95% band {lo} to {hi} days)."
            )
            short = f"Half earn {cid} within {r['median_days']:.0f} days"
        out.append(Finding("median_time", text, anchor, short))
    return out


def findings_markdown(findings: Iterable[Finding | None], *, empty: str = "No finding stands out in this data.") -> str:
    """The findings as a Markdown list (each with a link to its section); ``empty`` when there are none."""
    lines = [f.markdown() for f in findings if f is not None]
    return "\n".join(lines) if lines else empty


#: finding kind -> the section of the credential uptake report (notebook 05) that shows it
UPTAKE_SECTIONS: dict[str, str] = {
    "dropoff": "Along-the-pathway",
    "module_completion": "Outcomes-per-credential",
    "segment": "Uptake-by-segment",
    "median_time": "Time-to-credential",
}
#: finding kind -> the section of the completion analytics report (notebook 04)
COMPLETION_SECTIONS: dict[str, str] = {
    "module_completion": "Starts,-completions-and-passes-per-module",
    "discrimination": "Quiz-items",
}


def key_findings(rd: Any, sections: dict[str, str], *, segments: Sequence[str] = ("org_unit", "role")) -> list[Finding]:
    """The findings of the kinds in ``sections`` (kind -> anchor of the report section that shows it), for ``rd``
    (a :class:`~mblib.analytics.report.ReportData`); ids are shown as the workspace's titles.
    """
    import polars as pl

    from . import items, metrics, survival
    from .labels import with_titles

    ws, k = rd.workspace, rd.k
    creds = list(ws.credentials.values())
    names = {c.id: c.title for c in creds} | {m.id: m.title for m in ws.modules.values()}
    outcomes = rd.run(metrics.credential_outcomes, credentials=creds)
    found: list[Finding | None] = []
    if creds and "dropoff" in sections:
        funnel = pl.concat([rd.run(metrics.pathway_funnel, c) for c in creds])
        found.append(dropoff_finding(funnel, k=k, names=names, anchor=sections["dropoff"]))
    if creds and "module_completion" in sections:
        modules = rd.run(metrics.module_outcomes, credentials=creds)
        uses: dict[str, Sequence[str]] = {str(m): [c.id for c in creds if m in c.module_ids()] for m in ws.modules}
        found += module_vs_credential_findings(
            modules, outcomes, uses, k=k, names=names, anchor=sections["module_completion"]
        )
    quiz = [m for m in ws.modules.values() if m.quizzes]
    if quiz and "discrimination" in sections:
        stats = pl.concat([rd.narrowed(module_id=m.id, verbs=["answered"]).run(items.item_statistics, m) for m in quiz])
        stats = with_titles(stats, {"block_id": rd.titles["block_id"]})  # "Q2 · What is…", looked up with the module
        found.append(lowest_discrimination_finding(stats, k=k, names=names, anchor=sections["discrimination"]))
    if rd.learners is not None and "segment" in sections:
        frames = [(by, rd.run(metrics.uptake_by_segment, learners=True, by=by)) for by in segments]
        tested = pl.concat([f.with_columns(pl.lit(by).alias("by")) for by, f in frames])
        found += _segments_all(tested, outcomes, k=k, names=names, anchor=sections["segment"])
    if "median_time" in sections:
        summary = rd.run(survival.time_to_credential_summary)
        found += median_time_findings(summary, k=k, names=names, anchor=sections["median_time"])
    return [f for f in found if f is not None]


def _segments_all(tested: Any, outcomes: Any, *, k: int, names: dict[str, str], anchor: str) -> list[Finding]:
    """Segment findings with one Holm correction over every segmentation tested."""
    from .labels import label

    rows = tested.with_columns(tested["by"].map_elements(lambda b: label(b).lower(), return_dtype=tested["by"].dtype))
    merged = rows.with_columns((rows["by"] + " " + rows["segment"]).alias("segment"))
    return segment_findings(merged, outcomes, k=k, segment_label="the", names=names, anchor=anchor)


__all__ = [
    "COMPLETION_SECTIONS",
    "Finding",
    "UPTAKE_SECTIONS",
    "key_findings",
    "dropoff_finding",
    "findings_markdown",
    "headline_for",
    "holm",
    "lowest_discrimination_finding",
    "median_time_findings",
    "module_vs_credential_findings",
    "segment_findings",
    "two_proportion_p",
]
