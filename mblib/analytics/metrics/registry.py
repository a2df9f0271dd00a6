"""One declaration per metric: ``@metric(keys=..., columns={...})``.

Each metric function is declared once with its key columns and its output columns (name ->
dtype name). From that declaration come its docstring's ``Columns:`` paragraph, the table in
:mod:`mblib.analytics.metrics`, :func:`output_schema`, the final cast and sort (:func:`final`)
and :data:`mblib.analytics.metrics.METRICS`.

>>> from mblib.analytics.metrics import output_schema
>>> list(output_schema("weekly_active_learners"))
['week_start', 'active_learners']
>>> REGISTRY["weekly_active_learners"].keys
('week_start',)
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .frames import Frame, MetricError, nw_module

F = TypeVar("F", bound=Callable[..., Any])

DATETIME_UTC = "Datetime(us, UTC)"


def rates(*prefixes: str) -> dict[str, str]:
    """The columns :func:`~mblib.analytics.metrics.frames.with_wilson` adds for each prefix: ``{p}_rate``, ``{p}_low``, ``{p}_high``."""
    return {f"{p}_{part}": "Float64" for p in prefixes for part in ("rate", "low", "high")}


def dtype(name: str) -> Any:
    """The narwhals dtype of a declared type name (``"String"``, ``"Int64"``, ``"Datetime(us, UTC)"``...)."""
    nw = nw_module()
    if name == DATETIME_UTC:
        return nw.Datetime("us", "UTC")
    return getattr(nw, name)


def _runs(columns: Mapping[str, str], fmt: Callable[[str], str]) -> str:
    """``a, b Int64, c Float64``: consecutive columns of one type share the type's mention."""
    parts: list[str] = []
    names = list(columns)
    for i, n in enumerate(names):
        last = i + 1 == len(names) or columns[names[i + 1]] != columns[n]
        parts.append(f"{n}{fmt(columns[n])}" if last else n)
    return ", ".join(parts)


@dataclass(frozen=True)
class MetricSpec:
    """A metric's declaration: its name, key columns (the output's sort order) and output columns."""

    name: str
    keys: tuple[str, ...]
    columns: dict[str, str] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        """Column -> narwhals dtype."""
        return {n: dtype(t) for n, t in self.columns.items()}

    def columns_text(self) -> str:
        """The docstring's ``Columns:`` paragraph (unwrapped)."""
        return "Columns: " + _runs(self.columns, lambda t: f" {t}") + "."

    def table_text(self) -> str:
        """The columns as the module's table lists them: ``module_id (String), enrolled, started (Int64)``."""
        return _runs(self.columns, lambda t: f" ({t})")

    def document(self, doc: str | None) -> str:
        """``doc`` with the ``Columns:`` paragraph inserted before its examples (or at its end)."""
        lines = (doc or "").rstrip().split("\n")
        para = textwrap.fill(
            self.columns_text(), width=96, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False
        )
        at = next((i for i, line in enumerate(lines) if line.strip().startswith(">>>")), len(lines))
        before = lines[:at]
        while before and not before[-1].strip():
            before.pop()
        tail = lines[at:]
        return "\n".join(before + ["", *para.split("\n"), ""] + tail) + "\n"


REGISTRY: dict[str, MetricSpec] = {}
"""Every declared metric by name, in declaration order."""


def metric(name: str | None = None, *, keys: Sequence[str], columns: Mapping[str, str]) -> Callable[[F], F]:
    """Declare a metric: register its spec and write its ``Columns:`` paragraph into its docstring."""

    def wrap(fn: F) -> F:
        spec = MetricSpec(name or fn.__name__, tuple(keys), dict(columns))
        unknown = [k for k in spec.keys if k not in spec.columns]
        if unknown:
            raise MetricError(
                f"metric '{spec.name}' sorts by {unknown}, which are not among its columns",
                hint="list every key column in columns={...}",
            )
        REGISTRY[spec.name] = spec
        fn.__doc__ = spec.document(fn.__doc__)
        return fn

    return wrap


def output_schema(metric: str) -> dict[str, Any]:
    """The narwhals schema (column -> dtype) a metric of :mod:`mblib.analytics.metrics` returns, by metric name.

    >>> list(output_schema("weekly_active_learners"))
    ['week_start', 'active_learners']
    """
    try:
        return REGISTRY[metric].schema()
    except KeyError:
        raise MetricError(f"no metric named '{metric}'", hint=f"use one of {', '.join(REGISTRY)}") from None


def final(lf: Frame, metric: str | Mapping[str, Any]) -> Frame:
    """Cast to the metric's fixed output types and sort by its key columns.

    ``metric`` is a declared metric's name, or a schema (column -> narwhals dtype) to cast to
    without sorting.
    """
    nw = nw_module()
    schema = output_schema(metric) if isinstance(metric, str) else metric
    out = lf.select(*[nw.col(n).cast(t).alias(n) for n, t in schema.items()])
    keys = REGISTRY[metric].keys if isinstance(metric, str) else None
    return out.sort(*keys, nulls_last=False) if keys else out


def schema_table() -> str:
    """The reST table of every declared metric and its columns (the metrics package docstring holds it)."""
    width = max(len(n) for n in REGISTRY) + 2 if REGISTRY else 26
    rule = "=" * width + "  " + "=" * 74
    rows = [rule, "metric".ljust(width) + "  columns (type)", rule]
    for spec in REGISTRY.values():
        lines = textwrap.wrap(spec.table_text(), width=74, break_on_hyphens=False)
        rows.append(spec.name.ljust(width) + "  " + lines[0])
        rows += [" " * width + "  " + line for line in lines[1:]]
    rows.append(rule)
    return "\n".join(rows)


__all__ = [
    "DATETIME_UTC",
    "REGISTRY",
    "MetricSpec",
    "dtype",
    "final",
    "metric",
    "output_schema",
    "rates",
    "schema_table",
]
