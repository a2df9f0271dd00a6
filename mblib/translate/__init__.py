"""Local MarianMT translation: segments, engines, translation memory, glossary, review, XLIFF.

Nothing here imports torch, transformers or ctranslate2 until an engine is made.

>>> from mblib.translate import module_segments
>>> from mblib.content import Module
>>> [s.source for s in module_segments(Module(id="m", title="Hi", summary="One. Two."))]
['Hi', 'One.', 'Two.']
"""

from __future__ import annotations

from .apply import (
    TranslationResult,
    fallback_count,
    review_segment,
    translate_module,
    translate_modules,
    translated_module,
    untranslated_fields,
)
from .engines import CTranslate2Engine, Engine, MarianEngine, make_engine
from .errors import ModelNotFoundError, TranslationError
from .glossary import Glossary, GlossaryError
from .lint import lint_translations, lint_with_translations
from .memory import TranslationMemory
from .models import pull_model, resolve_model
from .segments import Segment, module_segments
from .store import TranslationFile, load_translations, save_translations
from .xliff import export_xliff, import_xliff

__all__ = [
    "CTranslate2Engine",
    "Engine",
    "Glossary",
    "GlossaryError",
    "MarianEngine",
    "ModelNotFoundError",
    "Segment",
    "TranslationError",
    "TranslationFile",
    "TranslationMemory",
    "TranslationResult",
    "export_xliff",
    "fallback_count",
    "import_xliff",
    "lint_translations",
    "lint_with_translations",
    "load_translations",
    "make_engine",
    "module_segments",
    "pull_model",
    "resolve_model",
    "review_segment",
    "save_translations",
    "translate_module",
    "translate_modules",
    "translated_module",
    "untranslated_fields",
]
