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

**Complementary suppression.** When the rows of a table are the parts of a total that is shown
(the segments of one credential, whose enrolled and earned counts the report shows elsewhere),
hiding one small part is not enough: it is the total minus the parts shown. With
``partition_by`` (the columns naming the whole a row is part of; ``[]``: the whole table) every
whole with a hidden part gets at least two hidden parts whose counts add up to ``k`` or more,
the next-smallest parts being hidden until that holds; where even hiding every part is not
enough, the whole's total must be hidden too (``hidden_totals``). Every count, rate and bound of
a hidden row goes with it (a segment's earned count and earn rate are hidden with its enrolled
count), so no hidden figure can be worked out from a shown numerator, denominator or rate.
For the metrics whose rows are such parts (:data:`PARTITIONS`) this is the default.

>>> t = suppress_small_groups(pl.DataFrame({"credential_id": ["c"] * 3, "segment": ["A", "B", "C"],
...                                         "enrolled": [280, 3, 17]}), k=5, count_col="enrolled")
>>> t.frame["suppressed"].to_list(), t.complementary
([False, True, True], [{'credential_id': 'c', 'segment': 'C'}])
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import Location
from .privacy_errors import PrivacyError

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ..content.settings import PrivacySettings
    from ..content.workspace import Workspace

MIN_KEY_LENGTH = 16
PREFIX = "p_"
HEX_LENGTH = 20  # 80 bits: collisions are negligible below billions of learners
_KEY_HINT = (
    'generate one with: python -c "import secrets; print(secrets.token_hex(32))" and export it as '
    "MBLIB_PSEUDONYM_KEY (or the variable named by [privacy] key_env in mblib.toml)"
)


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
            raise PrivacyError(
                f"the pseudonymisation key is {len(key)} characters long; it needs at least {MIN_KEY_LENGTH}",
                hint=_KEY_HINT,
            )
        self._key = key
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return "Pseudonymiser(key=***)"

    @classmethod
    def from_key(cls, key: str | bytes) -> Pseudonymiser:
        """A pseudonymiser for this key (text is encoded as UTF-8)."""
        return cls(key.encode("utf-8") if isinstance(key, str) else bytes(key))

    @classmethod
    def from_settings(
        cls, settings: PrivacySettings, *, environ: Mapping[str, str] | None = None, file: str | None = None
    ) -> Pseudonymiser:
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
            location=Location(file=file, field="privacy.key_env"),
            hint=_KEY_HINT,
        )

    @classmethod
    def for_workspace(cls, workspace: Workspace, *, environ: Mapping[str, str] | None = None) -> Pseudonymiser:
        """The workspace's pseudonymiser (key from its ``mblib.toml`` ``[privacy]`` section)."""
        return cls.from_settings(workspace.settings.privacy, environ=environ, file=str(workspace.root / "mblib.toml"))

    def pseudonym(self, learner_id: str) -> str:
        """The pseudonym of one id."""
        got = self._cache.get(learner_id)
        if got is None:
            digest = hmac.new(self._key, learner_id.encode("utf-8"), hashlib.sha256).hexdigest()
            got = PREFIX + digest[:HEX_LENGTH]
            if len(self._cache) < 2_000_000:
                self._cache[learner_id] = got
        return got

    def series(self, values: pl.Series) -> pl.Series:
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

    def expr(self, column: str = "learner_id") -> pl.Expr:
        """A polars expression that pseudonymises ``column`` batch by batch (works in lazy and streaming)."""
        import polars as pl

        return pl.col(column).map_batches(self.series, return_dtype=pl.String, is_elementwise=True).alias(column)

    def apply(self, frame: pl.LazyFrame | pl.DataFrame, columns: Sequence[str] = ("learner_id",)) -> Any:
        """The frame with each of ``columns`` pseudonymised (same kind of frame back)."""
        present = [c for c in columns if c in frame.collect_schema().names()]
        return frame.with_columns([self.expr(c) for c in present])


from .suppression import (  # noqa: E402  (re-exported: suppression is half of the privacy layer)
    PARTITIONS,
    PartitionBy,
    SeriesTable,
    SuppressedTable,
    partition_of,
    suppress_metric,
    suppress_small_groups,
    suppress_small_series,
)

__all__ = [
    "PARTITIONS",
    "PartitionBy",
    "PrivacyError",
    "Pseudonymiser",
    "SeriesTable",
    "SuppressedTable",
    "partition_of",
    "suppress_metric",
    "suppress_small_groups",
    "suppress_small_series",
]
