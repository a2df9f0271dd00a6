"""ipywidgets faces over the library: :class:`ModuleBuilder`, :class:`CredentialBuilder`
and :class:`TranslationReview`.

They hold no logic: every action calls :mod:`mblib.content.editing` (``ModuleEditor``,
``CredentialEditor``), :mod:`mblib.content.forms` and :mod:`mblib.render`, which work
without widgets. Needs the ``widgets`` extra (``pip install 'mblib[widgets]'``).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ModuleBuilder": "mblib.widgets.builder",
    "CredentialBuilder": "mblib.widgets.credential",
    "FieldForm": "mblib.widgets.forms",
    "pathway_chart": "mblib.widgets.charts",
    "TranslationReview": "mblib.widgets.review",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'mblib.widgets' has no attribute '{name}'") from None
    return getattr(importlib.import_module(module), name)
