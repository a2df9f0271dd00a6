"""Synthetic cohorts, the columns: random streams, string codes, the event buffer and its decoding
into the events table (:func:`assemble`). Re-exported by :mod:`mblib.analytics.synth_draw`, which
draws the events into the buffer.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from .schema import VERBS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import polars as pl


def rng_for(seed: int, *key: str) -> np.random.Generator:
    import numpy as np

    return np.random.default_rng([seed, *(zlib.crc32(k.encode("utf-8")) for k in key)])


def pick(rng: np.random.Generator, options: tuple[Any, ...], weights: list[float], n: int) -> np.ndarray:
    import numpy as np

    w = np.asarray(weights, dtype=float)
    return rng.choice(len(options), size=n, p=w / w.sum())


class Codes:
    """Interning of strings into integer codes (decoded once at the end)."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        got = self.index.get(value)
        if got is None:
            got = self.index[value] = len(self.values)
            self.values.append(value)
        return got


class EventBuffer:
    """Column chunks of events as numpy arrays (codes for strings)."""

    def __init__(self) -> None:
        self.chunks: list[dict[str, Any]] = []

    def add(
        self,
        *,
        ts: np.ndarray,
        learner: np.ndarray,
        verb: str,
        cred: int = -1,
        module: int = -1,
        block: np.ndarray | int = -1,
        score: np.ndarray | float = float("nan"),
        success: np.ndarray | int = -1,
        duration: np.ndarray | float = float("nan"),
        response: np.ndarray | int = -1,
    ) -> None:
        import numpy as np

        n = len(ts)
        if n == 0:
            return

        def full(v: Any, dtype: Any) -> np.ndarray:
            return np.asarray(v, dtype=dtype) if np.ndim(v) else np.full(n, v, dtype=dtype)

        self.chunks.append(
            {
                "ts": ts.astype(np.int64),
                "learner": learner.astype(np.int32),
                "verb": np.full(n, VERBS.index(verb), dtype=np.int8),
                "cred": np.full(n, cred, dtype=np.int16),
                "module": np.full(n, module, dtype=np.int16),
                "block": full(block, np.int32),
                "score": full(score, np.float64),
                "success": full(success, np.int8),
                "duration": full(duration, np.float64),
                "response": full(response, np.int32),
            }
        )


def learner_ids(n: int) -> pl.Series:
    import polars as pl

    width = max(6, len(str(n)))
    return (
        pl.select(pl.format("L{}", pl.int_range(1, n + 1, dtype=pl.Int64).cast(pl.String).str.zfill(width)))
        .to_series()
        .alias("learner_id")
    )


def decode(codes: np.ndarray, values: list[str]) -> pl.Series:
    import numpy as np
    import polars as pl

    idx = pl.Series(np.where(codes < 0, 0, codes).astype(np.uint32))
    out = pl.Series(values or [""], dtype=pl.String).gather(idx)
    return out.set(pl.Series(codes < 0), None) if (codes < 0).any() else out


def assemble(
    ev: EventBuffer,
    lang: np.ndarray,
    langs: list[str],
    modules: Codes,
    blocks: Codes,
    responses: Codes,
    creds: Codes,
    end_us: int,
    seed: int,
) -> pl.DataFrame:
    import numpy as np
    import polars as pl

    from .schema import events_schema

    if not ev.chunks:
        from .schema import empty_events

        return empty_events()
    cols = {k: np.concatenate([c[k] for c in ev.chunks]) for k in ev.chunks[0]}
    # censor at the window's end and order by time (stable: chunks come in a fixed order, so
    # the result is deterministic), with one gather per column
    keep = np.flatnonzero(cols["ts"] < end_us)
    idx = keep[np.argsort(cols["ts"][keep], kind="stable")]
    cols = {k: v[idx] for k, v in cols.items()}
    df = pl.DataFrame(
        {
            "timestamp": pl.Series(cols["ts"]).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            "learner_id": learner_ids(len(lang)).gather(cols["learner"].astype(np.uint32)),
            "verb": pl.Series(list(VERBS)).gather(cols["verb"].astype(np.uint32)).cast(pl.Enum(list(VERBS))),
            "credential_id": decode(cols["cred"], creds.values),
            "module_id": decode(cols["module"], modules.values),
            "block_id": decode(cols["block"], blocks.values),
            "score": pl.Series(cols["score"]).fill_nan(None),
            "success": decode_bool(cols["success"]),
            "duration_s": pl.Series(cols["duration"]).fill_nan(None),
            "response": decode(cols["response"], responses.values),
            "language": pl.Series(langs).gather(lang[cols["learner"]]),
        }
    )
    return df.select([pl.col(name).cast(dtype) for name, dtype in events_schema().items()])


def decode_bool(codes: np.ndarray) -> pl.Series:
    import polars as pl

    return pl.Series(codes == 1).set(pl.Series(codes < 0), None)


__all__ = ["Codes", "EventBuffer", "assemble", "decode", "decode_bool", "learner_ids", "pick", "rng_for"]
