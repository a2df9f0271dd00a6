"""OULAD: the Open University Learning Analytics Dataset's seven tables onto the events and learners tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import Location
from ..schema import LEARNER_COLUMNS, VERBS
from ..validation import ReaderError
from .rejects import Echo, ReadResult, default_rejects, finish_rejects, pseudonymiser
from .tabular import csv_tolerant

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ...content.workspace import Workspace


OULAD_TABLES = (
    "courses",
    "assessments",
    "vle",
    "studentInfo",
    "studentRegistration",
    "studentAssessment",
    "studentVle",
)
"""The seven tables of the Open University Learning Analytics Dataset (Kuzilek et al., 2017)."""

_OULAD_INTS = {
    "courses": ["module_presentation_length"],
    "assessments": ["id_assessment", "date", "weight"],
    "vle": ["id_site", "week_from", "week_to"],
    "studentInfo": ["id_student", "num_of_prev_attempts", "studied_credits"],
    "studentRegistration": ["id_student", "date_registration", "date_unregistration"],
    "studentAssessment": ["id_assessment", "id_student", "date_submitted", "is_banked", "score"],
    "studentVle": ["id_student", "id_site", "date", "sum_click"],
}
_OULAD_REQUIRED = {
    "courses": ["code_module", "code_presentation"],
    "assessments": ["code_module", "code_presentation", "id_assessment"],
    "vle": ["id_site", "code_module", "code_presentation"],
    "studentInfo": ["code_module", "code_presentation", "id_student"],
    "studentRegistration": ["code_module", "code_presentation", "id_student"],
    "studentAssessment": ["id_assessment", "id_student"],
    "studentVle": ["code_module", "code_presentation", "id_student", "id_site", "date"],
}


@dataclass
class OuladData:
    """OULAD mapped onto the contract: ``events`` and ``learners`` results plus per-table counts."""

    events: ReadResult
    learners: ReadResult
    tables: dict[str, tuple[int, int]]  # table -> (read, rejected)

    def summary(self) -> str:
        parts = [f"{t}: {r:,} read, {b:,} rejected" for t, (r, b) in self.tables.items()]
        return "OULAD " + "; ".join(parts)


def presentation_start(code_presentation: str) -> datetime:
    """Start date of an OULAD presentation: ``2013B`` starts in February, ``2013J`` in October.

    (Kuzilek, Hlosta & Zdrahal 2017, Scientific Data 4:170171; dates in the tables are days
    relative to this start.)

    >>> presentation_start("2014J").date().isoformat()
    '2014-10-01'
    """
    m = re.fullmatch(r"(\d{4})([BJ])", code_presentation.strip())
    if not m:
        raise ValueError(f"code_presentation {code_presentation!r} is not like 2013B or 2014J")
    return datetime(int(m.group(1)), 2 if m.group(2) == "B" else 10, 1, tzinfo=UTC)


def _oulad_scan(folder: Path, table: str) -> pl.LazyFrame:
    import polars as pl

    path = folder / f"{table}.csv"
    if not path.is_file():
        raise ReaderError(
            f"the OULAD table {table}.csv is missing from {folder}",
            location=Location(file=str(path)),
            hint=f"the folder needs all of: {', '.join(t + '.csv' for t in OULAD_TABLES)}",
        )
    try:
        lf = pl.scan_csv(path, infer_schema=False, null_values=["?", ""], quote_char='"')
        lf.head(1).collect()
        lf.select(pl.len()).collect()
        return lf.with_row_index("_row", offset=1)
    except pl.exceptions.PolarsError:
        df, bad = csv_tolerant(path, path)
        df = df.with_columns([pl.col(c).replace("?", None) for c in df.columns if c not in ("_row", "_file")])
        lf = df.lazy().drop("_file")
        if bad:
            lf = pl.concat(
                [
                    lf,
                    pl.DataFrame(
                        [{"_row": b["_row"], "_bad": b["_reason"]} for b in bad],
                        schema={"_row": pl.UInt32, "_bad": pl.String},
                    ).lazy(),
                ],
                how="diagonal",
            )
        return lf


def _typed(lf: pl.LazyFrame, table: str) -> pl.LazyFrame:
    """Give each row its reject reason (non-numeric ids, dates and scores; missing keys)."""
    import polars as pl

    have = lf.collect_schema().names()
    ints = [c for c in _OULAD_INTS[table] if c in have]
    checks: list[pl.Expr] = []
    for c in ints:
        raw = pl.col(c).str.strip_chars()
        checks.append(
            pl.when(raw.is_not_null() & raw.cast(pl.Float64, strict=False).is_null()).then(
                pl.format(f"{c} '{{}}' is not a number", raw)
            )
        )
    for c in _OULAD_REQUIRED[table]:
        if c not in have:
            raise ReaderError(
                f"OULAD table {table}.csv has no column {c}",
                location=Location(field=c),
                hint="use the published OULAD files (header row with the original column names)",
            )
        checks.append(pl.when(pl.col(c).is_null()).then(pl.lit(f"{c} is missing")))
    if "_bad" in have:
        checks.insert(0, pl.col("_bad"))
    reason = pl.concat_str(checks, separator="; ", ignore_nulls=True).replace("", None)
    return lf.with_columns(reason.alias("_reason"))


def _cleaned(lf: pl.LazyFrame, table: str) -> pl.LazyFrame:
    """The numeric columns of the rows that passed :func:`_typed`, as numbers."""
    import polars as pl

    have = lf.collect_schema().names()
    return lf.with_columns(
        [pl.col(c).str.strip_chars().cast(pl.Float64, strict=False).alias(c) for c in _OULAD_INTS[table] if c in have]
    )


def read_oulad(
    folder: str | Path,
    *,
    pseudonymise: Any = True,
    workspace: Workspace | None = None,
    rejects: str | Path | None = None,
    pass_mark: float = 0.4,
    echo: Echo = print,
) -> OuladData:
    """Read the seven OULAD tables (quoted or unquoted CSV, ``?`` or empty as missing) onto the contract.

    Mapping (dates are days from the presentation start, see :func:`presentation_start`):

    - a course presentation (``code_module`` + ``code_presentation``, e.g. ``AAA-2013J``) is a credential;
    - each assessment is a module ``<course>-assessment-<id_assessment>``; each VLE site a block
      ``site-<id_site>`` of the module ``<course>-vle``;
    - ``studentRegistration`` -> ``enrolled`` (at ``date_registration``);
    - ``studentVle`` -> ``progressed`` on the site (``sum_click`` kept in ``response`` as
      ``clicks=N``; one event per student, site and day);
    - ``studentAssessment`` -> ``completed`` (submitted) plus ``passed``/``failed`` against
      ``pass_mark`` (OU pass mark 40/100) with ``score`` = score/100; a missing score gives only
      ``completed``;
    - ``studentInfo`` -> the learners table (``region`` as org_unit, country ``GB``, language
      ``en``) and ``earned`` at the end of the presentation for Pass or Distinction.

    Rows with a non-numeric id, date or score, or a missing key, go to the rejects file (CSV
    with ``_table``, ``_row`` and ``_reason``; default ``<folder>.rejects.csv``).
    """
    import polars as pl

    src = Path(folder)
    if not src.is_dir():
        raise ReaderError(
            f"{src} is not a folder",
            location=Location(file=str(src)),
            hint="point at the folder holding the seven OULAD .csv files",
        )
    pseud = pseudonymiser(pseudonymise, workspace)
    rejects_path = Path(rejects) if rejects else default_rejects(src)
    t = {name: _typed(_oulad_scan(src, name), name) for name in OULAD_TABLES}
    ok = {name: _cleaned(lf.filter(pl.col("_reason").is_null()), name) for name, lf in t.items()}
    course = pl.concat_str([pl.col("code_module"), pl.col("code_presentation")], separator="-")
    year = pl.col("code_presentation").str.slice(0, 4).cast(pl.Int32, strict=False)
    month = pl.when(pl.col("code_presentation").str.slice(4, 1) == "B").then(2).otherwise(10)
    start = pl.datetime(year, month, 1, time_unit="us", time_zone="UTC")

    def at(days: pl.Expr) -> pl.Expr:
        return start + pl.duration(days=days.cast(pl.Int64))

    bad_pres = ~pl.col("code_presentation").str.contains(r"^\d{4}[BJ]$")
    null_s, null_f = pl.lit(None, pl.String), pl.lit(None, pl.Float64)

    def events(verb: str, *, timestamp: pl.Expr, **cols: pl.Expr) -> list[pl.Expr]:
        base = {
            "timestamp": timestamp,
            "learner_id": pl.col("id_student").cast(pl.Int64).cast(pl.String),
            "verb": pl.lit(verb),
            "credential_id": null_s,
            "module_id": null_s,
            "block_id": null_s,
            "score": null_f,
            "success": pl.lit(None, pl.Boolean),
            "duration_s": null_f,
            "response": null_s,
            "language": pl.lit("en"),
        }
        base.update(cols)
        return [v.alias(k) for k, v in base.items()]

    reg = ok["studentRegistration"].filter(pl.col("date_registration").is_not_null() & ~bad_pres)
    enrolled = reg.select(events("enrolled", timestamp=at(pl.col("date_registration")), credential_id=course))
    vle = (
        ok["studentVle"]
        .filter(~bad_pres)
        .select(
            events(
                "progressed",
                timestamp=at(pl.col("date")),
                credential_id=course,
                module_id=pl.concat_str([course, pl.lit("vle")], separator="-"),
                block_id=pl.format("site-{}", pl.col("id_site").cast(pl.Int64)),
                response=pl.format("clicks={}", pl.col("sum_click").cast(pl.Int64)),
            )
        )
    )
    assess = ok["assessments"].filter(~bad_pres).select("id_assessment", "code_module", "code_presentation")
    sa = ok["studentAssessment"].join(assess, on="id_assessment", how="inner")
    module = pl.format("{}-assessment-{}", course, pl.col("id_assessment").cast(pl.Int64))
    score = (pl.col("score") / 100.0).clip(0.0, 1.0)
    submitted = sa.filter(pl.col("date_submitted").is_not_null())
    completed = submitted.select(
        events("completed", timestamp=at(pl.col("date_submitted")), credential_id=course, module_id=module, score=score)
    )
    graded = submitted.filter(pl.col("score").is_not_null())
    verdict = graded.select(
        events(
            "passed",
            timestamp=at(pl.col("date_submitted")),
            credential_id=course,
            module_id=module,
            score=score,
            success=score >= pass_mark,
        )
    ).with_columns(pl.when(pl.col("success")).then(pl.lit("passed")).otherwise(pl.lit("failed")).alias("verb"))
    info = ok["studentInfo"].filter(~bad_pres)
    courses = ok["courses"].select("code_module", "code_presentation", "module_presentation_length")
    earned = (
        info.filter(pl.col("final_result").is_in(["Pass", "Distinction"]))
        .join(courses, on=["code_module", "code_presentation"], how="left")
        .select(events("earned", timestamp=at(pl.col("module_presentation_length").fill_null(0)), credential_id=course))
    )
    ev = pl.concat([enrolled, vle, completed, verdict, earned], how="vertical_relaxed").with_columns(
        pl.col("verb").cast(pl.Enum(list(VERBS)))
    )
    first_reg = (
        ok["studentRegistration"]
        .filter(~bad_pres & pl.col("date_registration").is_not_null())
        .group_by(pl.col("id_student").cast(pl.Int64).cast(pl.String).alias("learner_id"))
        .agg(at(pl.col("date_registration")).min().alias("enrolled_at"))
    )
    learners = (
        info.group_by(pl.col("id_student").cast(pl.Int64).cast(pl.String).alias("learner_id"))
        .agg(pl.col("region").sort_by("_row").last().alias("org_unit"))
        .with_columns(
            pl.lit(None, pl.String).alias("role"), pl.lit("GB").alias("country"), pl.lit("en").alias("language")
        )
        .join(first_reg, on="learner_id", how="left")
        .select(list(LEARNER_COLUMNS))
    )
    # presentations with a bad code are rejected in every table that has one
    rejected_frames = []
    counts: dict[str, tuple[int, int]] = {}
    for name, lf in t.items():
        reason = pl.col("_reason")
        if "code_presentation" in lf.collect_schema().names():
            reason = pl.concat_str(
                [
                    reason,
                    pl.when(pl.col("code_presentation").is_not_null() & bad_pres).then(
                        pl.format("code_presentation '{}' is not like 2013B or 2014J", pl.col("code_presentation"))
                    ),
                ],
                separator="; ",
                ignore_nulls=True,
            ).replace("", None)
        tagged = lf.with_columns(reason.alias("_reason"))
        c = tagged.select(pl.len().alias("n"), pl.col("_reason").is_not_null().sum().alias("bad")).collect()
        n, nb = int(c["n"][0]), int(c["bad"][0])
        counts[name] = (n, nb)
        if nb:
            bad_rows = tagged.filter(pl.col("_reason").is_not_null()).drop("_bad", strict=False).collect()
            bad_rows = bad_rows.select([pl.col(col).cast(pl.String) for col in bad_rows.columns])
            rejected_frames.append(bad_rows.with_columns(pl.lit(name).alias("_table")))
    if pseud is not None:
        ev = pseud.apply(ev)
        learners = pseud.apply(learners)
        rejected_frames = [
            f.with_columns(pseud.expr("id_student")) if "id_student" in f.columns else f for f in rejected_frames
        ]
    total_bad = sum(b for _, b in counts.values())

    def write(path: Path) -> None:
        rows = pl.concat(rejected_frames, how="diagonal")
        front = ["_table", "_row", "_reason"]
        rows.select(front + [c for c in rows.columns if c not in front]).write_csv(path)

    written = finish_rejects(rejects_path, total_bad, write)
    n_all = sum(n for n, _ in counts.values())
    ev_result = ReadResult(str(src), ev, n_all, total_bad, written, kind="events")
    info_n, info_bad = counts["studentInfo"]
    lr_result = ReadResult(str(src / "studentInfo.csv"), learners, info_n, info_bad, written, kind="learners")
    data = OuladData(ev_result, lr_result, counts)
    if echo is not None:
        echo(data.summary() + (f" (reasons in {written.name})" if written else ""))
    return data


__all__ = ["OULAD_TABLES", "OuladData", "presentation_start", "read_oulad"]
