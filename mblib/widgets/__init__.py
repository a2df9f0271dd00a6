"""ipywidgets faces over the library (imported lazily: ipywidgets loads only when a widget is used)."""

from __future__ import annotations

import importlib
from typing import Any

_WIDGETS = {"TranslationReview": "mblib.widgets.review"}


def __getattr__(name: str) -> Any:
    if name not in _WIDGETS:
        raise AttributeError(f"module 'mblib.widgets' has no attribute '{name}'")
    return getattr(importlib.import_module(_WIDGETS[name]), name)


__all__ = sorted(_WIDGETS)
