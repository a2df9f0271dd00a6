"""The error of the reports (:mod:`mblib.analytics.report` and its sibling modules)."""

from __future__ import annotations

from ..errors import MblibError


class ReportError(MblibError):
    """A report could not be run or exported."""

    __module__ = "mblib.analytics.report"  # where it is documented and imported from


__all__ = ["ReportError"]
