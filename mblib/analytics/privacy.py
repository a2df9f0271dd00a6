"""Privacy: keyed-hash pseudonyms for learner ids, and small-group suppression for reports.

**Pseudonymisation on read.** Readers replace every learner id with an HMAC-SHA256 of it under
a secret key, so the same learner gets the same pseudonym in every file read with that key
(joins keep working) while the real id cannot be recovered without the key. The key comes from
the workspace settings: the environment variable named by ``[privacy] key_env`` (default
``MBLIB_PSEUDONYM_KEY``), else ``[privacy] pseudonym_key`` in ``mblib.toml``. The key is never
written into any output, and its ``repr`` is masked.

>>> p = Pseudonymiser.from_key("a key of at least sixteen characters")
>>> p.pseudonym("learner-42")
'p_c041a0c314fc583a76e5'
>>> p
Pseudonymiser(key=***)

**Small groups.** Every grouped table in a report goes through :func:`suppress_small_groups`:
groups of fewer than *k* learners (default 5, ``[privacy] k_threshold``) keep their label but
lose their numbers, and the result says what it suppressed.

>>> import polars as pl
>>> t = suppress_small_groups(pl.DataFrame({"country": ["NL", "IS"], "learners": [40, 3],
...                                         "completion": [0.4, 1.0]}), k=5)
>>> t.frame.to_dicts()[1]
{'country': 'IS', 'learners': None, 'completion': None, 'suppressed': True}
>>> t.note
'1 of 2 groups had fewer than 5 learners; their figures are hidden.'
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

from ..errors import Location, MblibError

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ..content.settings import PrivacySettings
    from ..content.workspace import Workspace

MIN_KEY_LENGTH = 16
PREFIX = "p_"
HEX_LENGTH = 20  # 80 bits: collisions are negligible below billions of learners
_KEY_HINT = ("generate one with: python -c \"import secrets; print(secrets.token_hex(32))\" and export it as "
             "MBLIB_PSEUDONYM_KEY (or the variable named by [privacy] key_env in mblib.toml)")


class PrivacyError(MblibError):
    """Pseudonymisation or suppression cannot be done as asked (missing key, bad k, bad column)."""


class Pseudonymiser:
    """Keyed-hash pseudonyms: ``p_`` + 20 hex digits of HMAC-SHA256(key, learner id).

    Deterministic for a key, different across keys; nulls stay null.

    >>> a, b = Pseudonymiser.from_key("k" * 16), Pseudonymiser.from_key("j" * 16)
    >>> a.pseudonym("x") == a.pseudonym("x"), a.pseudonym("x") == b.pseudonym("x")
    (True, False)
    """

    __slots__ = ("_key", "_cache")

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_LENGTH:
            raise PrivacyError(f"the pseudonymisation key is {len(key)} characters long; it needs at least "
                               f"{MIN_KEY_LENGTH}", hint=_KEY_HINT)
        self._key = key
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return "Pseudonymiser(key=***)"

    @classmethod
    def from_key(cls, key: str | bytes) -> "Pseudonymiser":
        """A pseudonymiser for this key (text is encoded as UTF-8)."""
        return cls(key.encode("utf-8") if isinstance(key, str) else bytes(key))

    @classmethod
    def from_settings(cls, settings: "PrivacySettings", *, environ: Mapping[str, str] | None = None,
                      file: str | None = None) -> "Pseudonymiser":
        """The key from ``$<key_env>`` (preferred) or ``pseudonym_key``; a clear error if neither is set.

        >>> from mblib.content.settings import PrivacySettings
        >>> Pseudonymiser.from_settings(PrivacySettings(), environ={"MBLIB_PSEUDONYM_KEY": "s" * 32})
        Pseudonymiser(key=***)
        >>> Pseudonymiser.from_settings(PrivacySettings(), environ={})
        Traceback (most recent call last):
        ...
        mblib.analytics.privacy.PrivacyError: field 'privacy.key_env': no pseudonymisation key: $MBLIB_PSEUDONYM_KEY is not set and [privacy] pseudonym_key is empty
          fix: generate one with: ...
        """
        env = os.environ if environ is None else environ
        value = env.get(settings.key_env)
        if value:
            return cls.from_key(value)
        if settings.pseudonym_key is not None and settings.pseudonym_key.get_secret_value():
            return cls.from_key(settings.pseudonym_key.get_secret_value())
        raise PrivacyError(
            f"no pseudonymisation key: ${settings.key_env} is not set and [privacy] pseudonym_key is empty",
            location=Location(file=file, field="privacy.key_env"), hint=_KEY_HINT)

    @classmethod
    def for_workspace(cls, workspace: "Workspace", *, environ: Mapping[str, str] | None = None) -> "Pseudonymiser":
        """The workspace's pseudonymiser (key from its ``mblib.toml`` ``[privacy]`` section)."""
        return cls.from_settings(workspace.settings.privacy, environ=environ,
                                 file=str(workspace.root / "mblib.toml"))

    def pseudonym(self, learner_id: str) -> str:
        """The pseudonym of one id."""
        got = self._cache.get(learner_id)
        if got is None:
            digest = hmac.new(self._key, learner_id.encode("utf-8"), hashlib.sha256).hexdigest()
            got = PREFIX + digest[:HEX_LENGTH]
            if len(self._cache) < 2_000_000:
                self._cache[learner_id] = got
        return got

    def series(self, values: "pl.Series") -> "pl.Series":
        """Pseudonyms of a polars String series; each distinct id is hashed once.

        >>> import polars as pl
        >>> Pseudonymiser.from_key("k" * 16).series(pl.Series(["a", None, "a"])).to_list()
        ['p_86cb5568859b9c9cfef9', None, 'p_86cb5568859b9c9cfef9']
        """
        import polars as pl

        values = values.cast(pl.String)
        uniq = values.drop_nulls().unique()
        mapping = [self.pseudonym(v) for v in uniq.to_list()]
        return values.replace_strict(uniq, pl.Series(mapping, dtype=pl.String), default=None, return_dtype=pl.String)

    def expr(self, column: str = "learner_id") -> "pl.Expr":
        """A polars expression that pseudonymises ``column`` batch by batch (works in lazy and streaming)."""
        import polars as pl

        return pl.col(column).map_batches(self.series, return_dtype=pl.String, is_elementwise=True).alias(column)

    def apply(self, frame: "pl.LazyFrame | pl.DataFrame", columns: Sequence[str] = ("learner_id",)) -> Any:
        """The frame with each of ``columns`` pseudonymised (same kind of frame back)."""
        present = [c for c in columns if c in frame.collect_schema().names()]
        return frame.with_columns([self.expr(c) for c in present])


@dataclass(frozen=True)
class SuppressedTable:
    """A grouped table after small-group suppression, and what was suppressed.

    ``frame`` is the same kind of frame that came in, with a Boolean ``suppressed`` column;
    ``groups`` lists the label columns of each suppressed group; ``note`` says it in words
    (put it under the table).
    """

    frame: Any
    k: int
    count_col: str
    total: int
    groups: list[dict[str, Any]] = field(default_factory=list)
    how: str = "mask"

    @property
    def suppressed(self) -> int:
        return len(self.groups)

    @property
    def note(self) -> str:
        if not self.groups:
            return f"No group has fewer than {self.k} learners; nothing is suppressed."
        n, total = len(self.groups), self.total
        what = "their figures are hidden" if self.how == "mask" else "they are left out"
        return (f"{n} of {total} group{'s' if total != 1 else ''} had fewer than {self.k} learners; {what}.")

    def __str__(self) -> str:
        return f"{self.frame}\n{self.note}"


def suppress_small_groups(frame: Any, k: int = 5, count_col: str = "learners", *,
                          labels: Sequence[str] | None = None,
                          how: Literal["mask", "drop"] = "mask") -> SuppressedTable:
    """Hide the figures of every group with fewer than ``k`` learners, and say so.

    ``frame`` is a collected grouped table (polars or pandas; a polars LazyFrame is collected);
    ``count_col`` holds each group's number of distinct learners. ``labels`` are the columns that
    name a group and stay visible (default: every non-numeric column). With ``how="mask"`` the
    other columns of a small group become null and ``suppressed`` is true; ``how="drop"`` leaves
    the row out. A null count is treated as suppressed too (it cannot be shown to be safe).

    >>> import polars as pl
    >>> df = pl.DataFrame({"week": [1, 2], "learners": [9, 2]})
    >>> t = suppress_small_groups(df, 5, labels=["week"], how="drop")
    >>> t.frame["week"].to_list(), t.groups, t.suppressed
    ([1], [{'week': 2}], 1)
    >>> suppress_small_groups(df, 5, count_col="n")
    Traceback (most recent call last):
    ...
    mblib.analytics.privacy.PrivacyError: field 'n': the table has no count column 'n' (its columns: week, learners)
      fix: pass count_col= the column holding each group's number of learners
    """
    import narwhals.stable.v2 as nw

    if k < 1:
        raise PrivacyError(f"k must be 1 or more, got {k}", hint="use the workspace's [privacy] k_threshold (default 5)")
    native = frame
    if type(frame).__name__ == "LazyFrame" and hasattr(frame, "collect"):
        native = frame.collect()
    df = nw.from_native(native, eager_only=True)
    if count_col not in df.columns:
        raise PrivacyError(f"the table has no count column '{count_col}' (its columns: {', '.join(df.columns)})",
                           location=Location(field=count_col),
                           hint="pass count_col= the column holding each group's number of learners")
    schema = df.schema
    if labels is None:
        labels = [c for c in df.columns if c != count_col and not schema[c].is_numeric() and c != "suppressed"]
    missing = [c for c in labels if c not in df.columns]
    if missing:
        raise PrivacyError(f"label column(s) {missing} are not in the table", location=Location(field=missing[0]),
                           hint=f"the columns are {', '.join(df.columns)}")
    small = nw.col(count_col).is_null() | (nw.col(count_col) < k)
    flagged = df.with_columns(small.alias("suppressed"))
    groups = flagged.filter(nw.col("suppressed")).select(list(labels)).rows(named=True) if labels else \
        [{} for _ in range(int(flagged.filter(nw.col("suppressed")).shape[0]))]
    if how == "drop":
        out = flagged.filter(~nw.col("suppressed"))
    elif how == "mask":
        values = [c for c in df.columns if c not in labels]
        out = flagged.with_columns([nw.when(~nw.col("suppressed")).then(nw.col(c)).alias(c) for c in values])
    else:
        raise PrivacyError(f"how must be 'mask' or 'drop', got {how!r}", hint="use how='mask' (default) or how='drop'")
    return SuppressedTable(out.to_native(), k, count_col, int(df.shape[0]), [dict(g) for g in groups], how)


__all__ = ["PrivacyError", "Pseudonymiser", "SuppressedTable", "suppress_small_groups"]
