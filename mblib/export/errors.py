"""Errors of the export package (all :class:`~mblib.errors.MblibError`).

>>> from mblib.errors import Location
>>> print(CodeBlockError("NameError: name 'x' is not defined",
...       location=Location(module_id="m", block_id="calc"), hint="fix the code"))
module 'm': block 'calc': NameError: name 'x' is not defined
  fix: fix the code
"""

from __future__ import annotations

from ..errors import MblibError


class ExportError(MblibError):
    """An export could not be made; the previous export (if any) is left in place."""


class CodeBlockError(ExportError):
    """A code block failed when its lesson was executed."""


class UnsafePackageError(ExportError):
    """A package to import holds a path, link or size that could harm the machine."""


__all__ = ["CodeBlockError", "ExportError", "UnsafePackageError"]
