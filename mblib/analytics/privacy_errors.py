"""The error of the privacy layer (pseudonymisation and suppression), in a module of its own so
that :mod:`mblib.analytics.privacy` and :mod:`mblib.analytics.suppression` both raise it."""

from __future__ import annotations

from ..errors import MblibError


class PrivacyError(MblibError):
    """Pseudonymisation or suppression cannot be done as asked (missing key, bad k, bad column)."""

    __module__ = "mblib.analytics.privacy"  # where it is documented and imported from


__all__ = ["PrivacyError"]
