"""Render -> deliverables: lesson notebooks and the ``mblesson`` nbconvert exporter, credential
sites, SCORM 1.2 and cmi5 packages, Open Badges 3.0, safe package import.

Importing this package is light; nbconvert loads only with :mod:`mblib.export.exporter`
(``LessonExporter``), nbformat and nbclient only when a lesson is built or executed.

>>> from mblib.export import import_package, module_to_notebook
>>> callable(import_package) and callable(module_to_notebook)
True
"""

from __future__ import annotations

from .badge_image import badge_svg, extract_baked_credential
from .badge_page import render_credential_page, write_credential_pages
from .badge_publish import PublishedPage, publish_credential_pages
from .badge_view import linkedin_url
from .badges import achievement, export_badges, issue_badges, learner_events
from .cmi5 import cmi5_course_structure, export_cmi5
from .demo import export_everything
from .errors import CodeBlockError, ExportError, UnsafePackageError
from .lesson import execute_module, execute_notebook, module_to_notebook, notebook_to_module
from .lessons import ExportReport, export_lessons
from .packaging import import_package, staged_folder
from .scorm import export_scorm, scorm_manifest
from .site import export_site
from .state import ExportState, executed_modules
from .verify import Check, VerificationReport, verify_credential, verify_jwt

__all__ = [
    "Check",
    "CodeBlockError",
    "ExportError",
    "ExportReport",
    "ExportState",
    "PublishedPage",
    "UnsafePackageError",
    "VerificationReport",
    "achievement",
    "badge_svg",
    "cmi5_course_structure",
    "execute_module",
    "execute_notebook",
    "executed_modules",
    "extract_baked_credential",
    "export_badges",
    "export_cmi5",
    "export_everything",
    "export_lessons",
    "export_scorm",
    "export_site",
    "import_package",
    "issue_badges",
    "module_to_notebook",
    "notebook_to_module",
    "publish_credential_pages",
    "learner_events",
    "linkedin_url",
    "render_credential_page",
    "scorm_manifest",
    "staged_folder",
    "write_credential_pages",
    "verify_credential",
    "verify_jwt",
]
