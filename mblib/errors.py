"""The mblib error family.

Every error a designer or analyst can meet is an :class:`MblibError`. Its
message says *what* went wrong, *where* (file, line, column, block id, field)
and *how to fix it*, so the message alone is enough to act on.

>>> from mblib.errors import Location, MblibError
>>> err = MblibError("alt text is empty", location=Location(file="modules/intro.yaml",
...     line=12, column=5, block_id="chart", field="alt"), hint="describe the image in one sentence")
>>> print(err)
modules/intro.yaml:12:5: block 'chart', field 'alt': alt text is empty
  fix: describe the image in one sentence
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Location:
    """Where a problem is: any part may be unknown (``None``)."""

    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    block_id: str | None = None
    field: str | None = None
    module_id: str | None = None
    credential_id: str | None = None

    def __str__(self) -> str:
        head = ""
        if self.file:
            head = self.file
            if self.line is not None:
                head += f":{self.line}"
                if self.column is not None:
                    head += f":{self.column}"
        elif self.module_id:
            head = f"module '{self.module_id}'"
        elif self.credential_id:
            head = f"credential '{self.credential_id}'"
        parts = []
        if self.block_id:
            parts.append(f"block '{self.block_id}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        tail = ", ".join(parts)
        if head and tail:
            return f"{head}: {tail}"
        return head or tail


@dataclass(frozen=True)
class Problem:
    """One finding of validation or lint: severity, rule code, message, location and hint."""

    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None
    severity: Severity = "error"
    code: str = "invalid"

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text

    def format(self) -> str:
        """One finding as the CLI prints it: ``severity[code] location: message`` plus the fix."""
        where = str(self.location)
        text = f"{self.severity}[{self.code}] " + (f"{where}: " if where else "") + self.message
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


class MblibError(Exception):
    """Base of every error mblib raises on purpose."""

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location or Location()
        self.hint = hint
        super().__init__(str(Problem(message, self.location, hint)))

    @property
    def problem(self) -> Problem:
        return Problem(self.message, self.location, self.hint)


class ContentError(MblibError):
    """One or more problems in workspace files; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem], *, summary: str | None = None):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem(summary or "invalid content")
        n = len(self.problems)
        head = summary or (f"{n} problem{'s' if n != 1 else ''} found")
        body = "\n".join(str(p) for p in self.problems)
        Exception.__init__(self, f"{head}:\n{body}" if self.problems else head)
        self.message = first.message
        self.location = first.location
        self.hint = first.hint

    def __str__(self) -> str:  # Exception.__str__ would show args[0] anyway; keep explicit
        return self.args[0]


class NotFoundError(MblibError):
    """A file, module, credential or block that was asked for does not exist."""


class ConflictError(MblibError):
    """A file changed on disk since it was loaded; saving would lose someone's work."""


class UnsafePathError(MblibError):
    """A path the workspace would write (from a file, a setting or an option) leads outside the workspace
    folder: an absolute path, a '..' that climbs out, or a symbolic link that points elsewhere."""


class LanguageTagError(MblibError):
    """A language is not a well-formed BCP 47 tag (RFC 5646), e.g. ``../modules`` or ``en_US``."""


class SettingsError(MblibError):
    """``mblib.toml`` is missing, malformed or has a wrong value."""


class RenderError(MblibError):
    """A module could not be rendered."""


class MissingDependencyError(MblibError):
    """An optional dependency is not installed; the message gives the install command."""

    @classmethod
    def for_extra(cls, package: str, extra: str, purpose: str) -> MissingDependencyError:
        return cls(
            f"{purpose} needs the package '{package}', which is not installed",
            hint=f"pip install 'mblib[{extra}]'  (or: pip install {package})",
        )
