"""The readers' one rejects mechanism: the result of a read, and where rejected rows go.

Every reader (tabular, xAPI, OULAD) and the report data check (:mod:`mblib.analytics.datacheck`)
returns its counts through :class:`ReadResult` (or says them the same way), writes its rejected
rows with :func:`finish_rejects` (atomically; a stale rejects file is removed when nothing was
rejected) to :func:`default_rejects` unless told otherwise, and pseudonymises learner ids through
:func:`pseudonymiser`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ...content.workspace import Workspace
    from ..privacy import Pseudonymiser

Echo = Callable[[str], Any] | None


@dataclass
class ReadResult:
    """What a reader produced: ``table`` (lazy, on the contract), counts and the rejects file.

    ``read`` counts the source rows (statements for xAPI); ``rejected`` those that went to
    ``rejects_path`` (``None`` when nothing was rejected); ``notes`` holds anything else worth
    saying (voided statements removed, LRS pages not followed); ``aside`` counts, per verb IRI,
    the xAPI statements that are valid but not learning events (commented, logged in, ...).
    """

    source: str
    table: pl.LazyFrame
    read: int
    rejected: int
    rejects_path: Path | None = None
    kind: str = "events"
    notes: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.read - self.rejected - self.removed - sum(self.aside.values())

    removed: int = 0  # rows removed on purpose (voided xAPI statements and their voiding statements)
    aside: dict[str, int] = field(default_factory=dict)  # not learning events, per verb IRI (xAPI)

    def summary(self) -> str:
        """One line: source, rows read, kept and rejected, and where the reasons are."""
        unit = "statements" if self.kind == "xapi" else "rows"
        text = f"{Path(self.source).name}: read {self.read:,} {unit}, kept {self.kept:,}, rejected {self.rejected:,}"
        if self.removed:
            text += f", removed {self.removed:,} voided"
        if self.aside:
            top = sorted(self.aside.items(), key=lambda kv: (-kv[1], kv[0]))
            verbs = ", ".join(f"{iri.rstrip('/').rsplit('/', 1)[-1]} {n:,}" for iri, n in top[:5])
            more = f" and {len(top) - 5} more" if len(top) > 5 else ""
            text += f", set aside {sum(self.aside.values()):,} not learning events ({verbs}{more})"
        if self.rejects_path is not None:
            text += f" (reasons in {self.rejects_path.name})"
        for note in self.notes:
            text += f"; {note}"
        return text

    def collect(self) -> pl.DataFrame:
        """The mapped table, collected."""
        return self.table.collect()


def pseudonymiser(pseudonymise: Any, workspace: Workspace | None) -> Pseudonymiser | None:
    from ..privacy import PrivacyError, Pseudonymiser

    if pseudonymise is False or pseudonymise is None:
        return None
    if isinstance(pseudonymise, Pseudonymiser):
        return pseudonymise
    if workspace is not None:
        return Pseudonymiser.for_workspace(workspace)
    from ...content.settings import PrivacySettings

    try:
        return Pseudonymiser.from_settings(PrivacySettings())
    except PrivacyError as e:
        raise PrivacyError(
            e.message + " (and no workspace was given)",
            location=e.location,
            hint=(e.hint or "") + "; or pass workspace=..., a Pseudonymiser, "
            "or pseudonymise=False for data that is already pseudonymous",
        ) from None


def default_rejects(source: Path, suffix: str = ".rejects.csv") -> Path:
    if source.is_dir():
        return source.parent / (source.name + suffix)
    name = source.name
    for ext in (".csv.gz", ".jsonl", ".ndjson", ".parquet", ".csv", ".json", ".txt"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    return source.with_name(name + suffix)


def finish_rejects(path: Path, count: int, write: Callable[[Path], None]) -> Path | None:
    """Write the rejects (atomically) when there are any; remove a stale rejects file otherwise."""
    from ...content.yamlio import atomic_write

    if count == 0:
        if path.exists():
            path.unlink()
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = path.with_name(path.name + ".part")
    write(buf)
    atomic_write(path, buf.read_bytes())
    buf.unlink()
    return path


def echo_result(echo: Echo, result: ReadResult) -> ReadResult:
    if echo is not None:
        echo(result.summary())
    return result


__all__ = ["Echo", "ReadResult", "default_rejects", "echo_result", "finish_rejects", "pseudonymiser"]
