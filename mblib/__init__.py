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
    # errors
    "MblibError": "mblib.errors",
    "ContentError": "mblib.errors",
    "ConflictError": "mblib.errors",
    "NotFoundError": "mblib.errors",
    "SettingsError": "mblib.errors",
    "RenderError": "mblib.errors",
    "MissingDependencyError": "mblib.errors",
    "Problem": "mblib.errors",
    "Location": "mblib.errors",
    # content
    "Workspace": "mblib.content.workspace",
    "validate_workspace": "mblib.content.workspace",
    "Module": "mblib.content.module",
    "DurationSettings": "mblib.content.module",
    "Credential": "mblib.content.credential",
    "parse_block": "mblib.content.blocks",
    "BLOCK_TYPES": "mblib.content.blocks",
    "lint_workspace": "mblib.content.lint",
    "lint_module": "mblib.content.lint",
    "lint_credential": "mblib.content.lint",
    # render
    "render_module": "mblib.render",
    "write_module_page": "mblib.render",
    "render_workspace": "mblib.render",
    # widgets (issue: authoring widgets) -- add names below this line
    "ModuleBuilder": "mblib.widgets.builder",
    "CredentialBuilder": "mblib.widgets.credential",
    "ModuleEditor": "mblib.content.editing",
    "CredentialEditor": "mblib.content.editing",

    # export (issue: lesson export) -- add names below this line
    "ExportError": "mblib.export.errors",
    "CodeBlockError": "mblib.export.errors",
    "module_to_notebook": "mblib.export.lesson",
    "notebook_to_module": "mblib.export.lesson",
    "export_lessons": "mblib.export.lessons",
    "export_site": "mblib.export.site",
    "export_scorm": "mblib.export.scorm",
    "export_cmi5": "mblib.export.cmi5",
    "issue_badges": "mblib.export.badges",
    "export_badges": "mblib.export.badges",
    "import_package": "mblib.export.packaging",

    # translate (issue: MarianMT translation) -- add names below this line
    "translate_module": "mblib.translate",
    "translated_module": "mblib.translate",
    "TranslationMemory": "mblib.translate",
    "Glossary": "mblib.translate",
    "MarianEngine": "mblib.translate",
    "CTranslate2Engine": "mblib.translate",
    "export_xliff": "mblib.translate",
    "import_xliff": "mblib.translate",
    "TranslationReview": "mblib.widgets.review",

    # analytics (issue: learner analytics) -- add names below this line
    "run_report": "mblib.analytics.report",
    "save_chart": "mblib.analytics.charts",
    "AnalyticsDashboard": "mblib.widgets.dashboard",

}

__all__ = sorted(_EXPORTS) + ["__version__"]


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from .content.blocks import BLOCK_TYPES, parse_block
    from .content.credential import Credential
    from .content.lint import lint_credential, lint_module, lint_workspace
    from .content.module import DurationSettings, Module
    from .content.workspace import Workspace, validate_workspace
    from .errors import (ConflictError, ContentError, Location, MblibError, MissingDependencyError,
                         NotFoundError, Problem, RenderError, SettingsError)
    from .render import render_module, render_workspace, write_module_page
