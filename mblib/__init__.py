"""mblib: author, translate, export and analyse microlearning modules and microcredentials.

The public API is imported lazily, so ``import mblib`` is fast and never pulls in
torch, transformers or nbconvert:

>>> import mblib
>>> mblib.Module(id="m", title="M").title
'M'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_getattr

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # The most used names, at most 30 with __version__ (tests/test_layers.py); everything else is
    # imported from its subpackage: mblib.content, mblib.render, mblib.translate, mblib.export,
    # mblib.analytics, mblib.widgets.
    # errors
    "MblibError": "mblib.errors",
    "ContentError": "mblib.errors",
    "ConflictError": "mblib.errors",
    "Problem": "mblib.errors",
    "Location": "mblib.errors",
    # content
    "Workspace": "mblib.content.workspace",
    "Module": "mblib.content.module",
    "Credential": "mblib.content.credential",
    "ModuleEditor": "mblib.content.editing",
    "CredentialEditor": "mblib.content.editing",
    "lint_workspace": "mblib.content.lint",
    "lint_module": "mblib.content.lint",
    # render
    "render_module": "mblib.render",
    # translate
    "translate_module": "mblib.translate",
    "TranslationMemory": "mblib.translate",
    "export_xliff": "mblib.translate",
    "import_xliff": "mblib.translate",
    # analytics
    "run_report": "mblib.analytics.report",
    "save_chart": "mblib.analytics.charts",
    # export
    "export_lessons": "mblib.export.lessons",
    "export_site": "mblib.export.site",
    "export_scorm": "mblib.export.scorm",
    "export_cmi5": "mblib.export.cmi5",
    "export_badges": "mblib.export.badges",
    "import_package": "mblib.export.packaging",
    # widgets (faces over the library)
    "ModuleBuilder": "mblib.widgets.builder",
    "CredentialBuilder": "mblib.widgets.credential",
    "TranslationReview": "mblib.widgets.review",
    "AnalyticsDashboard": "mblib.widgets.dashboard",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from .content.credential import Credential
    from .content.editing import CredentialEditor, ModuleEditor
    from .content.lint import lint_module, lint_workspace
    from .content.module import Module
    from .content.workspace import Workspace
    from .errors import ConflictError, ContentError, Location, MblibError, Problem
    from .render import render_module
