"""Learner analytics: schema, readers, synthetic cohorts, metrics, item analysis, survival,
privacy, charts and reports.

Importing this package is cheap: submodules (and polars, narwhals, duckdb, pyspark) load
when first used. Public names are listed in ``_EXPORTS`` below, one section per submodule.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # schema / readers / privacy / synth (analytics-data) -- add names below this line

    # metrics / items / survival / backends / insights (analytics-metrics) -- add names below this line

    # charts / report / dashboard (analytics-report) -- add names below this line

}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'mblib.analytics' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
