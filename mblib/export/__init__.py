"""Render -> deliverables: lesson notebooks and the ``mblesson`` nbconvert exporter, credential
sites, SCORM 1.2 and cmi5 packages, Open Badges 3.0, safe package import.

Importing this package is light; nbconvert and nbclient load only when a lesson is exported.

>>> from mblib.export import import_package, module_to_notebook
>>> callable(import_package) and callable(module_to_notebook)
True
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "ExportError": "errors", "CodeBlockError": "errors", "UnsafePackageError": "errors",
    "module_to_notebook": "lesson", "notebook_to_module": "lesson", "execute_notebook": "lesson",
    "execute_module": "lesson",
    "LessonExporter": "exporter",
    "ExportReport": "lessons", "export_lessons": "lessons",
    "export_site": "site",
    "export_scorm": "scorm", "scorm_manifest": "scorm",
    "export_cmi5": "cmi5", "cmi5_course_structure": "cmi5",
    "achievement": "badges", "issue_badges": "badges", "export_badges": "badges", "read_events": "badges",
    "import_package": "packaging", "staged_folder": "packaging",
    "ExportState": "state", "executed_modules": "state",
    "export_everything": "demo",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    try:
        module = _NAMES[name]
    except KeyError:
        raise AttributeError(f"module 'mblib.export' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
