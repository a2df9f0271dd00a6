"""The errors of the translation layer (docs/architecture.md, "Layers")."""

from __future__ import annotations

from ..errors import MblibError


class TranslationError(MblibError):
    """A translation could not be made, read or written."""


class ModelNotFoundError(TranslationError):
    """No model for a language pair is available locally."""


__all__ = ["ModelNotFoundError", "TranslationError"]
