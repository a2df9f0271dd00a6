"""Tabular readers, the rows: how each column of a CSV or Parquet table maps onto the events and
learners contract, and the reason a row is rejected (:mod:`mblib.analytics.readers.tabular` reads
the files).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..schema import VERBS
from ..validation import (
    DURATION_NAN,
    MAX_DURATION_S,
    REPLACEMENT,
    SCORE_NAN,
    TOO_LONG,
    VERB_NEEDS,
    text_problem,
)

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl


_TRUE = ["true", "1", "yes", "y", "t"]
_FALSE = ["false", "0", "no", "n", "f"]


def as_string(name: str, dtype: Any) -> pl.Expr:
    """Column ``name`` of type ``dtype`` as text (datetimes as ISO 8601 in UTC), for the row checks."""
    import polars as pl

    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            col = col.dt.replace_time_zone("UTC")
        return col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
    return col.cast(pl.String)


def _parse_timestamp(raw: pl.Expr) -> pl.Expr:
    """ISO 8601 text (``Z``, an offset, or none meaning UTC; date only allowed) to Datetime(us, UTC)."""
    import polars as pl

    s = raw.str.strip_chars().str.replace(" ", "T", literal=True)
    with_offset = s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC", strict=False)
    naive = s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False).dt.replace_time_zone("UTC")
    minutes = s.str.to_datetime("%Y-%m-%dT%H:%M", time_unit="us", strict=False).dt.replace_time_zone("UTC")
    date = s.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    zulu = s.str.replace(r"[zZ]$", "+00:00")
    with_z = zulu.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us", time_zone="UTC", strict=False)
    return pl.coalesce(with_z, with_offset, naive, minutes, date)


def _raw_columns(have: list[str]) -> Callable[[str], pl.Expr]:
    """``raw(name)``: a text column stripped, empty as null (null when the source lacks it)."""
    import polars as pl

    def raw(name: str) -> pl.Expr:
        if name in have:
            return pl.col(name).str.strip_chars().replace("", None)
        return pl.lit(None, pl.String)

    return raw


def _reason(checks: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The messages of the failed checks joined with '; ', or null when every check passes."""
    import polars as pl

    return pl.concat_str(
        [pl.when(c.fill_null(False)).then(msg) for c, msg in checks], separator="; ", ignore_nulls=True
    ).replace("", None)


def _not_utf8(learner: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A learner id with U+FFFD: undecodable bytes (the file is read with replacement); learners would merge."""
    import polars as pl

    return learner.str.contains(REPLACEMENT, literal=True), pl.lit(text_problem(REPLACEMENT, "learner_id"))


def events_mapping(have: list[str]) -> tuple[list[pl.Expr], pl.Expr]:
    """(expressions for the contract columns, expression giving the reject reason or null)."""
    import polars as pl

    raw = _raw_columns(have)
    ts = _parse_timestamp(raw("timestamp"))
    score = raw("score").cast(pl.Float64, strict=False)
    duration = raw("duration_s").cast(pl.Float64, strict=False)
    succ_raw = raw("success").str.to_lowercase()
    success = pl.when(succ_raw.is_in(_TRUE)).then(True).when(succ_raw.is_in(_FALSE)).then(False)
    verb_raw = raw("verb").str.to_lowercase()
    response = raw("response")
    response = response.str.split(" ").list.eval(pl.element().filter(pl.element() != "")).list.sort().list.join(" ")
    cols = {
        "timestamp": ts,
        "learner_id": raw("learner_id"),
        "verb": verb_raw.cast(pl.Enum(list(VERBS)), strict=False),
        "credential_id": raw("credential_id"),
        "module_id": raw("module_id"),
        "block_id": raw("block_id"),
        "score": score,
        "success": success.otherwise(None).cast(pl.Boolean),
        "duration_s": duration,
        "response": response,
        "language": raw("language"),
    }
    v = verb_raw
    checks: list[tuple[pl.Expr, pl.Expr]] = [
        (raw("timestamp").is_null(), pl.lit("timestamp is empty")),
        (
            raw("timestamp").is_not_null() & ts.is_null(),
            pl.format("timestamp '{}' is not an ISO 8601 date-time", raw("timestamp")),
        ),
        (raw("learner_id").is_null(), pl.lit("learner_id is empty")),
        _not_utf8(raw("learner_id")),
        (v.is_null(), pl.lit("verb is empty")),
        (v.is_not_null() & ~v.is_in(list(VERBS)), pl.format("unknown verb '{}'", raw("verb"))),
        (raw("score").is_not_null() & score.is_null(), pl.format("score '{}' is not a number", raw("score"))),
        (score.is_nan(), pl.lit(SCORE_NAN)),
        (~score.is_nan() & ((score < 0) | (score > 1)), pl.format("score {} is outside 0..1", score)),
        (
            raw("duration_s").is_not_null() & duration.is_null(),
            pl.format("duration_s '{}' is not a number", raw("duration_s")),
        ),
        (duration.is_nan(), pl.lit(DURATION_NAN)),
        (duration < 0, pl.format("duration_s {} is negative", duration)),
        (~duration.is_nan() & (duration > MAX_DURATION_S), pl.format(f"duration_s {{}} {TOO_LONG}", duration)),
        (
            succ_raw.is_not_null() & ~succ_raw.is_in(_TRUE + _FALSE),
            pl.format("success '{}' is not true or false", raw("success")),
        ),
    ]
    checks += [
        (v.is_in(list(verbs)) & raw(column).is_null(), pl.format(f"event '{{}}' has no {column}", v))
        for column, verbs in VERB_NEEDS
    ]
    return [e.alias(n) for n, e in cols.items()], _reason(checks)


def learners_mapping(have: list[str]) -> tuple[list[pl.Expr], pl.Expr]:
    """(expressions for the learners columns, expression giving the reject reason or null)."""
    import polars as pl

    raw = _raw_columns(have)
    enrolled = _parse_timestamp(raw("enrolled_at"))
    cols = [raw(c).alias(c) for c in ("learner_id", "org_unit", "role", "country", "language")]
    cols.append(enrolled.alias("enrolled_at"))
    checks = [
        (raw("learner_id").is_null(), pl.lit("learner_id is empty")),
        _not_utf8(raw("learner_id")),
        (
            raw("enrolled_at").is_not_null() & enrolled.is_null(),
            pl.format("enrolled_at '{}' is not an ISO 8601 date-time", raw("enrolled_at")),
        ),
    ]
    return cols, _reason(checks)


__all__ = ["as_string", "events_mapping", "learners_mapping"]
