"""ipywidgets faces over the library: :class:`ModuleBuilder`, :class:`CredentialBuilder`
and :class:`TranslationReview`.

They hold no logic: every action calls :mod:`mblib.content.editing` (``ModuleEditor``,
``CredentialEditor``), :mod:`mblib.content.forms` and :mod:`mblib.render`, which work
without widgets. Needs the ``widgets`` extra (``pip install 'mblib[widgets]'``).
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_EXPORTS = {
    "ModuleBuilder": "mblib.widgets.builder",
    "CredentialBuilder": "mblib.widgets.credential",
    "FieldForm": "mblib.widgets.forms",
    "pathway_chart": "mblib.widgets.charts",
    "TranslationReview": "mblib.widgets.review",
    "AnalyticsDashboard": "mblib.widgets.dashboard",
    "PagePreview": "mblib.widgets.preview",
    "BlockList": "mblib.widgets.blocklist",
    "PathwayPlanner": "mblib.widgets.planner",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())
