"""Benchmark: the analytics metric suite with mblib vs the same metrics in pandas and in DuckDB SQL.

    .venv/bin/python benchmarks/analytics.py                      # 10 M events, three variants
    .venv/bin/python benchmarks/analytics.py --events 1000000     # smaller, for a quick look
    .venv/bin/python benchmarks/analytics.py --big 100000000      # + mblib streaming 100 M events

Synthetic events (``mblib.analytics.synth``, sample workspace, seed 0) are written once to
``--data`` (default ``exports/benchmarks/analytics``) as one Parquet file and as a month-partitioned
folder. Each variant then runs in its own subprocess (so peak memory is that process's
high-water resident memory, ``VmHWM``, which counts native memory, unlike tracemalloc), times the
whole suite from the Parquet file to collected results, and saves every result; the parent checks that the three
variants give the same results (keys equal, numbers within 1e-9 relative) and prints times,
peak memory and ratios against the targets of issue 6:

- mblib at most 0.8x DuckDB's time, and at least 3x faster than pandas;
- mblib peak memory under 1 GB on 10 M events;
- mblib on 100 M events streamed from partitioned Parquet: peak under 8 GiB.

The suite (the five typical queries of the issue, and more): per-module outcomes (started,
completed, passed, Wilson intervals), the pathway funnel of each credential, weekly active
learners, time on task against the estimate, credential stacking, and time to credential
(Kaplan-Meier summary) when :mod:`mblib.analytics.survival` is implemented.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

Z = 1.959963984540054
TARGET_VS_DUCKDB = 0.8
TARGET_VS_PANDAS = 3.0
TARGET_PEAK_GB = 1.0
TARGET_BIG_PEAK_GIB = 8.0


# ----------------------------------------------------------------------------------- data


@functools.lru_cache(maxsize=1)
def _workspace() -> Any:
    from mblib.cli import SAMPLE_WORKSPACE
    from mblib.content import Workspace

    return Workspace.open(SAMPLE_WORKSPACE)


def make_data(folder: Path, n_events: int) -> Path:
    """Synthesise about ``n_events`` events once; returns the folder holding events.parquet."""
    from mblib.analytics.synth import learners_for_events, synthesise, write_cohort

    target = folder / f"events-{n_events}"
    if (target / "events.parquet").is_file():
        return target
    ws = _workspace()
    t0 = time.perf_counter()
    n = learners_for_events(ws, n_events, seed=0)
    cohort = synthesise(ws, learners=n, seed=0)
    t1 = time.perf_counter()
    write_cohort(cohort, target, overwrite=True)
    cohort.events.write_parquet(target / "events.parquet", row_group_size=1_000_000)
    size = (target / "events.parquet").stat().st_size / 1e6
    print(
        f"data: {cohort.events.height:,} events, {n:,} learners, synthesised in {t1 - t0:.1f} s, "
        f"events.parquet {size:.0f} MB ({target})"
    )
    del cohort
    return target


def make_big(folder: Path, base: Path, n_events: int) -> Path:
    """A partitioned folder of about ``n_events`` events: the base cohort replicated with new learner ids."""
    import polars as pl

    target = folder / f"big-{n_events}"
    if (target / "done").is_file():
        return target
    src = pl.scan_parquet(base / "events.parquet")
    n_base = src.select(pl.len()).collect().item()
    copies = max(1, math.ceil(n_events / n_base))
    t0 = time.perf_counter()
    for i in range(copies):
        out = target / "events" / f"copy={i:03d}"
        out.mkdir(parents=True, exist_ok=True)
        (
            src.with_columns(
                pl.concat_str([pl.col("learner_id"), pl.lit(f"-{i:03d}")]).alias("learner_id")
            ).sink_parquet(out / "part-0.parquet", row_group_size=1_000_000)
        )
    (target / "done").write_text(str(copies * n_base))
    print(
        f"big data: {copies} x {n_base:,} = {copies * n_base:,} events in {time.perf_counter() - t0:.0f} s ({target})"
    )
    return target


# ------------------------------------------------------------------------------- variants


@functools.lru_cache(maxsize=1)
def _estimates() -> dict[str, float]:
    from mblib.analytics.metrics import estimated_seconds

    return estimated_seconds(_workspace().modules.values())


def _survival_ready() -> bool:
    try:
        import polars as pl

        from mblib.analytics.survival import time_to_credential_summary

        time_to_credential_summary(
            pl.LazyFrame(
                {"timestamp": [], "learner_id": [], "verb": [], "credential_id": []},
                schema={
                    "timestamp": pl.Datetime("us", "UTC"),
                    "learner_id": pl.String,
                    "verb": pl.String,
                    "credential_id": pl.String,
                },
            )
        )
        return True
    except NotImplementedError:
        return False


def run_mblib(path: Path, *, streaming_folder: bool = False) -> dict[str, Any]:
    import polars as pl

    from mblib.analytics import metrics as m
    from mblib.analytics.backends import collect, scan_events

    ws = _workspace()
    creds = list(ws.credentials.values())
    est = _estimates()
    ev = scan_events(path)
    lazy: dict[str, Any] = {
        "module_outcomes": m.module_outcomes(ev, creds),
        "weekly_active_learners": m.weekly_active_learners(ev),
        "time_on_task": m.time_on_task(ev, est),
        "credential_stacking": m.credential_stacking(ev),
    }
    for c in creds:
        lazy[f"pathway_funnel/{c.id}"] = m.pathway_funnel(ev, c)
    if _survival_ready():
        from mblib.analytics.survival import time_to_credential_summary

        lazy["time_to_credential"] = time_to_credential_summary(ev)
    names = list(lazy)
    if os.environ.get("MB_BENCH_TOGETHER"):  # all plans at once: shared scans, every metric's state held together
        frames = pl.collect_all([lazy[n].to_native() for n in names], engine="streaming")
        return dict(zip(names, frames))
    # mblib's own way (reports, dashboard): each metric collected by backends.collect
    return {n: collect(lazy[n]) for n in names}


def _wilson(k: Any, n: Any) -> tuple[Any, Any, Any]:
    import numpy as np

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = Z * Z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = Z * np.sqrt(np.clip(p * (1 - p) / n + z2 / (4 * n * n), 0, None)) / denom
    bad = n <= 0
    return (np.where(bad, np.nan, p), np.where(bad, np.nan, centre - half), np.where(bad, np.nan, centre + half))


def run_pandas(path: Path) -> dict[str, Any]:
    """The suite as a pandas user writes it: read the file, vectorised groupbys."""
    import numpy as np
    import pandas as pd

    ws = _workspace()
    creds = list(ws.credentials.values())
    est = _estimates()
    df = pd.read_parquet(path)
    out: dict[str, Any] = {}

    # per-module outcomes
    mod = df[df["module_id"].notna()]
    counts = {}
    for verb, name in (("launched", "started"), ("completed", "completed"), ("passed", "passed")):
        counts[name] = mod[mod["verb"] == verb].groupby("module_id")["learner_id"].nunique()
    res = pd.DataFrame(index=pd.Index(mod["module_id"].unique(), name="module_id"))
    for name, s in counts.items():
        res[name] = s.reindex(res.index).fillna(0).astype("int64")
    enrolled = df.loc[(df["verb"] == "enrolled") & df["credential_id"].notna(), ["credential_id", "learner_id"]]
    pairs = [(mid, c.id) for c in creds for mid in c.module_ids()]
    listing = pd.DataFrame(pairs, columns=["module_id", "credential_id"])
    en = listing.merge(enrolled.drop_duplicates(), on="credential_id").groupby("module_id")["learner_id"].nunique()
    res["enrolled"] = en.reindex(res.index).fillna(0).astype("int64")
    res["completion_rate"], res["completion_low"], res["completion_high"] = _wilson(res["completed"], res["started"])
    res["pass_rate"], res["pass_low"], res["pass_high"] = _wilson(res["passed"], res["started"])
    out["module_outcomes"] = res.reset_index()

    # weekly active learners (weeks start on Monday, UTC)
    ts = df["timestamp"]
    week = (ts.dt.normalize() - pd.to_timedelta(ts.dt.weekday, unit="D")).dt.date
    wal = (
        pd.DataFrame({"week_start": week, "learner_id": df["learner_id"]})
        .drop_duplicates()
        .groupby("week_start")
        .size()
        .rename("active_learners")
        .reset_index()
    )
    out["weekly_active_learners"] = wal

    # time on task
    done = df[(df["verb"] == "completed") & df["module_id"].notna() & df["duration_s"].notna()]
    g = done.groupby("module_id")
    tot = pd.DataFrame(
        {
            "learners": g["learner_id"].nunique(),
            "mean_s": g["duration_s"].mean(),
            "p25_s": g["duration_s"].quantile(0.25),
            "median_s": g["duration_s"].quantile(0.5),
            "p75_s": g["duration_s"].quantile(0.75),
            "p90_s": g["duration_s"].quantile(0.9),
        }
    )
    tot["estimated_s"] = tot.index.map(est).astype(float)
    tot["median_ratio"] = tot["median_s"] / tot["estimated_s"]
    out["time_on_task"] = tot.reset_index()

    # credential stacking: learners by number of distinct credentials earned (0 for the rest)
    learners = df.loc[df["verb"].isin(["enrolled", "earned"]), "learner_id"].unique()
    held = df[(df["verb"] == "earned") & df["credential_id"].notna()].groupby("learner_id")["credential_id"].nunique()
    held = held.reindex(learners).fillna(0).astype("int64")
    st = held.value_counts().rename_axis("credentials_held").rename("learners").reset_index()
    st["share"] = st["learners"] / len(learners)
    out["credential_stacking"] = st

    # time to credential: Kaplan-Meier per credential, censored at the latest timestamp
    if _survival_ready():
        out["time_to_credential"] = _km_pandas(df)

    # pathway funnel per credential
    launched = mod.loc[mod["verb"] == "launched", ["learner_id", "module_id"]].drop_duplicates()
    for c in creds:
        path = c.pathway()
        pos = {mm: i + 1 for i, mm in enumerate(path)}
        who = enrolled.loc[enrolled["credential_id"] == c.id, "learner_id"].drop_duplicates()
        furthest = (
            launched[launched["module_id"].isin(path)]
            .assign(pos=lambda d, pos=pos: d["module_id"].map(pos))
            .groupby("learner_id")["pos"]
            .max()
        )
        f = furthest.reindex(who).fillna(0).to_numpy()
        rows = [(c.id, 0, None, len(f))] + [(c.id, k, mm, int((f >= k).sum())) for mm, k in pos.items()]
        fun = pd.DataFrame(rows, columns=["credential_id", "step", "module_id", "learners"])
        fun["share"] = fun["learners"] / fun["learners"].max() if fun["learners"].max() > 0 else np.nan
        out[f"pathway_funnel/{c.id}"] = fun
    return out


def _km_pandas(df: Any) -> Any:
    import numpy as np
    import pandas as pd

    as_of = df["timestamp"].max()
    cred = df[df["credential_id"].notna()]
    first = {
        v: cred[cred["verb"] == v].groupby(["credential_id", "learner_id"])["timestamp"].min()
        for v in ("enrolled", "earned")
    }
    d = first["enrolled"].rename("start").to_frame().join(first["earned"].rename("end"), how="left")
    d = d[d["start"] <= as_of]
    got = d["end"].notna() & (d["end"] <= as_of)
    stop = d["end"].where(got, as_of)
    us = (stop - d["start"]).to_numpy().astype("timedelta64[us]").astype(np.int64)
    d = pd.DataFrame(
        {
            "credential_id": d.index.get_level_values(0),
            "time_days": np.clip(us / 86_400_000_000, 0, None),
            "earned": got.to_numpy().astype(np.int64),
        }
    )
    per = d.groupby(["credential_id", "time_days"]).agg(events=("earned", "sum"), n=("earned", "size")).reset_index()
    per = per.sort_values(["credential_id", "time_days"])
    g = per.groupby("credential_id")
    per["at_risk"] = g["n"].transform(lambda x: x[::-1].cumsum()[::-1])
    dd, nn = per["events"].astype(float), per["at_risk"].astype(float)
    per["survival"] = (1 - dd / nn).groupby(per["credential_id"]).cumprod()
    per["v"] = np.where(nn > dd, dd / (nn * (nn - dd)), 0.0)
    per["v"] = per.groupby("credential_id")["v"].cumsum()
    s = per["survival"]
    logs = np.log(s.clip(lower=1e-300))
    spread = np.exp(Z * np.sqrt(per["v"]) / np.abs(logs).clip(lower=1e-300))
    inside = (s > 0) & (s < 1)
    per["ci_low"] = np.where(inside, np.exp(logs * spread), np.where(s >= 1, 1.0, np.nan))
    per["ci_high"] = np.where(inside, np.exp(logs / spread), np.where(s >= 1, 1.0, np.nan))
    res = per.groupby("credential_id").agg(learners=("n", "sum"), earned=("events", "sum"))
    res["censored"] = res["learners"] - res["earned"]
    for col, name in (("survival", "median_days"), ("ci_low", "median_low"), ("ci_high", "median_high")):
        res[name] = per[per[col] <= 0.5].groupby("credential_id")["time_days"].min()
    return res.reset_index()


_KM_SQL = """
    WITH firsts AS (
        SELECT credential_id, learner_id,
               min(timestamp) FILTER (WHERE verb = 'enrolled') AS t_start,
               min(timestamp) FILTER (WHERE verb = 'earned') AS t_end
        FROM ev WHERE credential_id IS NOT NULL AND verb IN ('enrolled', 'earned')
        GROUP BY credential_id, learner_id),
    lim AS (SELECT max(timestamp) AS as_of FROM ev),
    d AS (
        SELECT credential_id,
               (t_end IS NOT NULL AND t_end <= as_of)::BIGINT AS earned,
               greatest((epoch_us(CASE WHEN t_end IS NOT NULL AND t_end <= as_of THEN t_end ELSE as_of END)
                         - epoch_us(t_start))::DOUBLE / 86400000000, 0.0) AS time_days
        FROM firsts, lim WHERE t_start IS NOT NULL AND t_start <= as_of),
    per AS (
        SELECT credential_id, time_days, sum(earned) AS events, count(*) AS n FROM d GROUP BY ALL),
    risk AS (
        SELECT *, sum(n) OVER (PARTITION BY credential_id ORDER BY time_days DESC) AS at_risk FROM per),
    km AS (
        SELECT *,
               product(1 - events::DOUBLE / at_risk) OVER w AS survival,
               sum(CASE WHEN at_risk > events THEN events::DOUBLE / (at_risk * (at_risk - events)) ELSE 0 END) OVER w AS v
        FROM risk WINDOW w AS (PARTITION BY credential_id ORDER BY time_days ROWS UNBOUNDED PRECEDING)),
    band AS (
        SELECT *, ln(greatest(survival, 1e-300)) AS logs,
               exp({z} * sqrt(v) / greatest(abs(ln(greatest(survival, 1e-300))), 1e-300)) AS spread FROM km),
    ci AS (
        SELECT *,
               CASE WHEN survival > 0 AND survival < 1 THEN exp(logs * spread) WHEN survival >= 1 THEN 1.0 END AS ci_low,
               CASE WHEN survival > 0 AND survival < 1 THEN exp(logs / spread) WHEN survival >= 1 THEN 1.0 END AS ci_high
        FROM band)
    SELECT credential_id, sum(n) AS learners, sum(events) AS earned, sum(n) - sum(events) AS censored,
           min(time_days) FILTER (WHERE survival <= 0.5) AS median_days,
           min(time_days) FILTER (WHERE ci_low <= 0.5) AS median_low,
           min(time_days) FILTER (WHERE ci_high <= 0.5) AS median_high
    FROM ci GROUP BY credential_id"""


_SQL_WILSON = """
    {p} AS {x}_rate,
    ({p} + {z2} / (2.0 * {n})) / (1 + {z2} / {n}) - {z} * sqrt(greatest({p} * (1 - {p}) / {n} + {z2} / (4.0 * {n} * {n}), 0)) / (1 + {z2} / {n}) AS {x}_low,
    ({p} + {z2} / (2.0 * {n})) / (1 + {z2} / {n}) + {z} * sqrt(greatest({p} * (1 - {p}) / {n} + {z2} / (4.0 * {n} * {n}), 0)) / (1 + {z2} / {n}) AS {x}_high"""


def _wilson_sql(k: str, n: str, x: str) -> str:
    p = f"(CASE WHEN {n} > 0 THEN {k}::DOUBLE / {n} END)"
    nn = f"(CASE WHEN {n} > 0 THEN {n}::DOUBLE END)"
    return _SQL_WILSON.format(p=p, n=nn, x=x, z=Z, z2=Z * Z)


def run_duckdb(path: Path) -> dict[str, Any]:
    """The suite as DuckDB SQL over the Parquet file (a view; DuckDB streams the scan)."""
    import duckdb

    ws = _workspace()
    creds = list(ws.credentials.values())
    est = _estimates()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet('{path}')")
    pairs = ", ".join(f"('{mid}', '{c.id}')" for c in creds for mid in c.module_ids())
    ests = ", ".join(f"('{k}', {v!r})" for k, v in est.items())
    out: dict[str, Any] = {}
    out["module_outcomes"] = con.sql(f"""
        WITH listing(module_id, credential_id) AS (VALUES {pairs}),
        enrolled AS (
            SELECT l.module_id, count(DISTINCT e.learner_id) AS enrolled
            FROM ev e JOIN listing l USING (credential_id) WHERE e.verb = 'enrolled' GROUP BY l.module_id),
        c AS (
            SELECT module_id,
                   count(DISTINCT learner_id) FILTER (WHERE verb = 'launched') AS started,
                   count(DISTINCT learner_id) FILTER (WHERE verb = 'completed') AS completed,
                   count(DISTINCT learner_id) FILTER (WHERE verb = 'passed') AS passed
            FROM ev WHERE module_id IS NOT NULL GROUP BY module_id)
        SELECT c.module_id, coalesce(enrolled.enrolled, 0) AS enrolled, started, completed, passed,
               {_wilson_sql("completed", "started", "completion")},
               {_wilson_sql("passed", "started", "pass")}
        FROM c LEFT JOIN enrolled USING (module_id)""").pl()
    out["weekly_active_learners"] = con.sql("""
        SELECT date_trunc('week', timestamp)::DATE AS week_start, count(DISTINCT learner_id) AS active_learners
        FROM ev GROUP BY 1""").pl()
    out["time_on_task"] = con.sql(f"""
        WITH est(module_id, estimated_s) AS (VALUES {ests})
        SELECT module_id, count(DISTINCT learner_id) AS learners, any_value(est.estimated_s) AS estimated_s,
               avg(duration_s) AS mean_s,
               quantile_cont(duration_s, 0.25) AS p25_s, quantile_cont(duration_s, 0.5) AS median_s,
               quantile_cont(duration_s, 0.75) AS p75_s, quantile_cont(duration_s, 0.9) AS p90_s,
               quantile_cont(duration_s, 0.5) / any_value(est.estimated_s) AS median_ratio
        FROM ev LEFT JOIN est USING (module_id)
        WHERE verb = 'completed' AND module_id IS NOT NULL AND duration_s IS NOT NULL
        GROUP BY module_id""").pl()
    out["credential_stacking"] = con.sql("""
        WITH held AS (
            SELECT learner_id, count(DISTINCT credential_id) FILTER (WHERE verb = 'earned') AS credentials_held
            FROM ev WHERE verb IN ('enrolled', 'earned') GROUP BY learner_id)
        SELECT credentials_held, count(*) AS learners, count(*) / sum(count(*)) OVER () AS share
        FROM held GROUP BY credentials_held""").pl()
    if _survival_ready():
        out["time_to_credential"] = con.sql(_KM_SQL.format(z=Z)).pl()
    for c in creds:
        path = c.pathway()
        pos = ", ".join(f"('{mm}', {i + 1})" for i, mm in enumerate(path))
        steps = ", ".join(f"({k}, '{mm}')" for k, mm in [(i + 1, mm) for i, mm in enumerate(path)])
        out[f"pathway_funnel/{c.id}"] = con.sql(f"""
            WITH pos(module_id, p) AS (VALUES {pos}),
            steps(step, module_id) AS (VALUES (0, NULL), {steps}),
            who AS (SELECT DISTINCT learner_id FROM ev WHERE verb = 'enrolled' AND credential_id = '{c.id}'),
            furthest AS (
                SELECT e.learner_id, max(pos.p) AS f FROM ev e JOIN pos USING (module_id)
                WHERE e.verb = 'launched' GROUP BY e.learner_id),
            per AS (SELECT who.learner_id, coalesce(furthest.f, 0) AS f FROM who LEFT JOIN furthest USING (learner_id)),
            counts AS (SELECT steps.step, steps.module_id, (SELECT count(*) FROM per WHERE f >= steps.step) AS learners
                       FROM steps)
            SELECT '{c.id}' AS credential_id, step, module_id, learners,
                   learners / nullif(max(learners) OVER (), 0) AS share
            FROM counts""").pl()
    return out


VARIANTS: dict[str, Callable[[Path], dict[str, Any]]] = {"mblib": run_mblib, "pandas": run_pandas, "duckdb": run_duckdb}


def _peak_rss() -> int:
    """Peak resident memory of this process in bytes: VmHWM (Linux), else ru_maxrss.

    ru_maxrss survives execve on Linux, so a child started by a big parent would report the
    parent's peak; VmHWM belongs to the new address space.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(variant: str, path: Path, out: Path) -> None:
    """Run one variant, save its results, print one JSON line with time and peak memory."""
    import polars as pl

    # imports and the workspace are set up before the clock starts: only the suite is timed
    importlib.import_module({"mblib": "mblib.analytics.metrics", "pandas": "pandas", "duckdb": "duckdb"}[variant])
    importlib.import_module("mblib.analytics.backends")
    _workspace(), _estimates(), _survival_ready()
    t0 = time.perf_counter()
    results = VARIANTS[variant](path)
    elapsed = time.perf_counter() - t0
    peak = _peak_rss()
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in results.items():
        if not isinstance(frame, pl.DataFrame):
            frame = pl.from_pandas(frame)
        frame.write_parquet(out / (name.replace("/", "__") + ".parquet"))
    print(json.dumps({"variant": variant, "seconds": elapsed, "peak_bytes": peak, "metrics": sorted(results)}))


def _run_child(variant: str, path: Path, out: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--path", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _normalise(df: Any, name: str) -> Any:
    import polars as pl

    keys = {
        "module_outcomes": ["module_id"],
        "weekly_active_learners": ["week_start"],
        "time_on_task": ["module_id"],
        "credential_stacking": ["credentials_held"],
        "time_to_credential": ["credential_id"],
    }
    key = keys.get(name.split("/")[0], ["step"])
    cols = sorted(df.columns)
    df = df.select(cols)
    casts = []
    for c, t in df.schema.items():
        if t.is_integer():
            casts.append(pl.col(c).cast(pl.Int64))
        elif t.is_float():
            casts.append(pl.col(c).cast(pl.Float64).fill_nan(None))
        elif isinstance(t, pl.Datetime):
            casts.append(pl.col(c).cast(pl.Date))
        else:
            casts.append(pl.col(c))
    return df.select(casts).sort(key)


def compare(dirs: dict[str, Path], reference: str = "mblib") -> list[str]:
    """Differences between each variant's results and the reference's (empty when all agree)."""
    import polars as pl
    from polars.testing import assert_frame_equal

    problems = []
    ref = {p.stem: p for p in dirs[reference].glob("*.parquet")}
    for variant, folder in dirs.items():
        if variant == reference:
            continue
        for stem, p in ref.items():
            mine = folder / p.name
            if not mine.exists():
                problems.append(f"{variant}: no result for {stem}")
                continue
            a = _normalise(pl.read_parquet(p), stem)
            b = _normalise(pl.read_parquet(mine), stem)
            common = [c for c in a.columns if c in b.columns]
            if set(a.columns) != set(b.columns):
                problems.append(f"{variant}/{stem}: columns differ: {sorted(set(a.columns) ^ set(b.columns))}")
            try:
                assert_frame_equal(a.select(common), b.select(common), check_dtypes=False, rel_tol=1e-9, abs_tol=1e-9)
            except AssertionError as e:
                problems.append(f"{variant}/{stem}: {str(e).splitlines()[0]}")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--data", type=Path, default=REPO / "exports" / "benchmarks" / "analytics")
    ap.add_argument("--variants", default="mblib,duckdb,pandas")
    ap.add_argument("--big", type=int, default=0, help="also stream this many events with mblib (e.g. 100000000)")
    ap.add_argument("--big-only", action="store_true", help="skip the three-way run (data must exist)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--path", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.path, args.out)
        return

    folder = make_data(args.data, args.events)
    src = folder / "events.parquet"
    if args.big_only:
        args.variants = ""
    results: dict[str, dict[str, Any]] = {}
    dirs: dict[str, Path] = {}
    for v in filter(None, args.variants.split(",")):
        dirs[v] = folder / "results" / v
        results[v] = _run_child(v, src, dirs[v])
        r = results[v]
        print(f"{v:>7}: {r['seconds']:6.2f} s, peak {r['peak_bytes'] / 1e9:5.2f} GB ({len(r['metrics'])} results)")
    if "mblib" in dirs and len(dirs) > 1:
        problems = compare(dirs)
        print("results equal across variants" if not problems else "RESULTS DIFFER:\n  " + "\n  ".join(problems))
    mb = results.get("mblib")
    if mb:
        if "duckdb" in results:
            ratio = mb["seconds"] / results["duckdb"]["seconds"]
            print(
                f"mblib / DuckDB time: {ratio:.2f}x (target <= {TARGET_VS_DUCKDB}x) "
                f"{'OK' if ratio <= TARGET_VS_DUCKDB else 'MISSED'}"
            )
        if "pandas" in results:
            speed = results["pandas"]["seconds"] / mb["seconds"]
            print(
                f"pandas / mblib time: {speed:.2f}x faster (target >= {TARGET_VS_PANDAS}x) "
                f"{'OK' if speed >= TARGET_VS_PANDAS else 'MISSED'}"
            )
            print(f"pandas / mblib peak memory: {results['pandas']['peak_bytes'] / mb['peak_bytes']:.2f}x")
        gb = mb["peak_bytes"] / 1e9
        print(
            f"mblib peak memory: {gb:.2f} GB (target < {TARGET_PEAK_GB} GB) {'OK' if gb < TARGET_PEAK_GB else 'MISSED'}"
        )
    if args.big:
        big = make_big(args.data, folder, args.big)
        n = int((big / "done").read_text())
        for how in ("one by one (mblib's way)", "together (collect_all)"):
            os.environ.pop("MB_BENCH_TOGETHER", None)
            if how.startswith("together"):
                os.environ["MB_BENCH_TOGETHER"] = "1"
            r = _run_child("mblib", big / "events", big / "results" / "mblib")
            gib = r["peak_bytes"] / 2**30
            print(
                f"mblib on {n:,} events streamed from partitioned Parquet, metrics collected {how}: "
                f"{r['seconds']:.1f} s, peak {gib:.2f} GiB (target < {TARGET_BIG_PEAK_GIB} GiB) "
                f"{'OK' if gib < TARGET_BIG_PEAK_GIB else 'MISSED'}"
            )


if __name__ == "__main__":
    main()
