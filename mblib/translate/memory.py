"""Translation memory: SQLite (WAL) under ``<workspace>/.mblib/``.

Keyed by source text, language pair and model. A reviewer's edit (stored for
the pair, whatever the model) always wins over machine output. Each call to
:meth:`TranslationMemory.put_many` is one transaction, so a run that commits
after every batch resumes where it stopped.

>>> import tempfile, pathlib
>>> tm = TranslationMemory(pathlib.Path(tempfile.mkdtemp()) / "tm.sqlite")
>>> tm.put_many("en", "fr", "opus", [("Hello", "Bonjour")])
>>> tm.get("en", "fr", "opus", "Hello").target
'Bonjour'
>>> tm.put_many("en", "fr", None, [("Hello", "Salut")], origin="reviewed")
>>> hit = tm.get("en", "fr", "opus", "Hello"); (hit.target, hit.origin)
('Salut', 'reviewed')
>>> tm.close()
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .segments import source_hash

Origin = Literal["machine", "reviewed"]
MEMORY_FILE = "translation-memory.sqlite"
_REVIEWED_MODEL = "*"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS memory (
    src_lang TEXT NOT NULL,
    tgt_lang TEXT NOT NULL,
    model TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('machine', 'reviewed')),
    updated REAL NOT NULL,
    PRIMARY KEY (src_lang, tgt_lang, model, source_hash, source)
);
"""


@dataclass(frozen=True)
class Hit:
    """A memory entry: the stored target, whether a machine or a reviewer made it, and the model."""

    target: str
    origin: Origin
    model: str


class TranslationMemory:
    """A SQLite translation memory (WAL mode, one transaction per batch)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def for_workspace(cls, root: str | Path) -> TranslationMemory:
        """The memory of a workspace: ``<root>/.mblib/translation-memory.sqlite`` (never outside the workspace)."""
        from ..content.safewrite import workspace_path

        return cls(workspace_path(root, f".mblib/{MEMORY_FILE}", what="the translation memory"))

    def get(self, src: str, tgt: str, model: str, source: str) -> Hit | None:
        """The reviewed entry for this source and pair if any, else the machine entry of ``model``."""
        return self.get_many(src, tgt, model, [source]).get(source)

    def get_many(self, src: str, tgt: str, model: str, sources: Iterable[str]) -> dict[str, Hit]:
        """Look up many sources at once; reviewed entries win over machine ones."""
        wanted = list(dict.fromkeys(sources))
        out: dict[str, Hit] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT source, target, origin, model FROM memory WHERE src_lang=? AND tgt_lang=? "
                f"AND model IN (?, ?) AND source_hash IN ({marks})",
                (src, tgt, model, _REVIEWED_MODEL, *[source_hash(s) for s in chunk]),
            ).fetchall()
            for source, target, origin, row_model in rows:
                if source not in chunk:
                    continue
                if origin == "reviewed" or source not in out:
                    out[source] = Hit(target, origin, row_model)
        return out

    def put_many(
        self, src: str, tgt: str, model: str | None, pairs: Iterable[tuple[str, str]], origin: Origin = "machine"
    ) -> None:
        """Store ``(source, target)`` pairs in one transaction. Reviewed entries are stored for the pair,
        whatever the model (pass ``model=None``)."""
        key_model = _REVIEWED_MODEL if origin == "reviewed" else (model or "")
        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO memory VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(src, tgt, key_model, source_hash(s), s, t, origin, now) for s, t in pairs],
            )

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM memory").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Hit", "MEMORY_FILE", "TranslationMemory"]
