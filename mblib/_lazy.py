"""Lazy package exports: names are imported from their submodule on first use (fast ``import mblib``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, exports: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` that imports ``exports[name]`` (a module path) on first access
    and caches the value in ``namespace`` (the package's ``globals()``)."""

    def __getattr__(name: str) -> Any:
        try:
            module = exports[name]
        except KeyError:
            raise AttributeError(f"module '{package}' has no attribute '{name}'") from None
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
