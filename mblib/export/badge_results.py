"""Open Badges 3.0, the learner side: events read through the analytics readers, each learner's
best result per module, and whether a learner has earned a credential. Re-exported by
:mod:`mblib.export.badges`, which writes the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location
from .errors import ExportError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.credential import Credential


def learner_events(
    source: str | Path | Iterable[Mapping[str, Any]], *, echo: Callable[[str], Any] | None = None
) -> list[dict[str, Any]]:
    """Events as plain dicts: read through the analytics readers from a CSV or Parquet file (or a
    folder of them), or rows already in memory (kept as given).

    A file is read with :func:`mblib.analytics.readers.read_events` (one events model in the
    package, docs/architecture.md "Learner data"): learner ids as they are (badges go to the real
    learners); rows that do not fit the contract are left out and kept aside with their reason in
    the readers' rejects file beside the source (``<events>.rejects.csv``), and ``echo`` (if
    given) receives the reader's counts. The events file itself is never changed.
    """
    if not isinstance(source, (str, Path)):
        return [dict(r) for r in source]
    path = Path(source)
    if not path.exists():
        raise ExportError(
            f"events file '{path}' does not exist",
            location=Location(file=str(path)),
            hint="generate learner data first (mb synth ...), or pass the path of an events CSV/Parquet",
        )
    try:
        from ..analytics.readers import ReaderError, source_columns
        from ..analytics.readers import read_events as read_event_table
    except ModuleNotFoundError as e:  # pragma: no cover - polars missing
        from ..errors import MissingDependencyError

        raise MissingDependencyError.for_extra(e.name or "polars", "analytics", "Reading learner events") from None
    try:
        have = source_columns(path)
        missing = {"learner_id", "verb", "module_id"} - set(have)
        if missing:
            raise ExportError(
                f"events in '{path}' lack the column(s) {sorted(missing)}",
                location=Location(file=str(path)),
                hint="events need the columns of docs/architecture.md 'Learner data' "
                "(learner_id, verb, module_id, ...)",
            )
        result = read_event_table(path, pseudonymise=False, echo=echo)
        return result.collect().to_dicts()
    except ReaderError as e:
        raise ExportError(
            f"cannot read the learner events: {e.message}",
            location=e.location,
            hint=e.hint or "pass an events CSV/Parquet file (docs/architecture.md 'Learner data')",
        ) from None


def _float(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _bool(v: Any) -> bool | None:
    if isinstance(v, bool) or v is None:
        return v
    s = str(v).strip().lower()
    return True if s in ("true", "1", "yes") else False if s in ("false", "0", "no") else None


def _time(v: Any) -> datetime | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=UTC)
    try:
        t = datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def module_results(events: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per learner and module: best score, whether passed, when first passed. Also ``earned`` credentials.

    A module counts as passed on a ``passed`` event, or a ``completed`` event with ``success`` true.
    Credential ``earned`` events are kept under the key ``"credential:<id>"``.
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for e in events:
        learner, verb = e.get("learner_id"), e.get("verb")
        if not learner or not verb:
            continue
        when = _time(e.get("timestamp"))
        if verb == "earned" and e.get("credential_id"):
            rec = out.setdefault(str(learner), {}).setdefault(
                f"credential:{e['credential_id']}", {"passed": True, "score": None, "when": when}
            )
            continue
        module = e.get("module_id")
        if not module or e.get("block_id") not in (None, ""):
            continue  # block-level rows (answered) do not decide a module
        rec = out.setdefault(str(learner), {}).setdefault(str(module), {"passed": False, "score": None, "when": None})
        score = _float(e.get("score"))
        if verb in ("passed", "failed", "completed") and score is not None:
            rec["score"] = score if rec["score"] is None else max(rec["score"], score)
        if verb == "passed" or (verb == "completed" and _bool(e.get("success")) is True):
            if not rec["passed"] or (when and rec["when"] and when < rec["when"]):
                rec["when"] = when
            rec["passed"] = True
    return out


def eligible(
    credential: Credential, results: Mapping[str, Mapping[str, Any]], earned: Mapping[str, Any] | None = None
) -> tuple[bool, dict[str, Any]]:
    """Whether one learner's module results meet a credential's criteria, with the details.

    ``earned``: credential id -> when, for credentials this one stacks on.
    """
    earned = dict(earned or {})
    passed = {m: r for m, r in results.items() if r.get("passed") and not m.startswith("credential:")}
    counted = list(credential.required)
    ok = all(m in passed for m in credential.required)
    for g in credential.electives:
        got = [m for m in g.modules if m in passed]
        ok = ok and len(got) >= g.choose
        best = sorted(got, key=lambda m: -(passed[m].get("score") or 0))[: g.choose]
        counted.extend(best)
    ok = ok and all(c in earned for c in credential.requires_credentials)
    scores = [passed[m]["score"] for m in counted if m in passed and passed[m].get("score") is not None]
    average = sum(scores) / len(scores) if scores else None
    if credential.criteria and credential.criteria.min_score is not None:
        ok = ok and average is not None and average >= credential.criteria.min_score - 1e-9
    times = [passed[m]["when"] for m in counted if m in passed and passed[m].get("when")]
    times += [earned[c] for c in credential.requires_credentials if earned.get(c)]
    return ok, {"modules": counted, "average": average, "when": max(times) if times else None}


__all__ = ["eligible", "learner_events", "module_results"]
