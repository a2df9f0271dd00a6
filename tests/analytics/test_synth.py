"""Synthetic cohorts: deterministic, on the contract, calibrated, partitioned by month; and `mb synth`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from mblib.analytics.readers import read_events
from mblib.analytics.schema import events_schema, learners_schema, validate_events, validate_learners
from mblib.analytics.synth import PRESETS, SynthError, learners_for_events, synthesise, write_cohort
from mblib.cli import main
from mblib.content import Workspace
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(SAMPLE)


@pytest.fixture(scope="module")
def cohort(ws):
    return synthesise(ws, learners=6000, seed=3)


def test_deterministic_by_seed(ws):
    a, b = synthesise(ws, learners=300, seed=11), synthesise(ws, learners=300, seed=11)
    assert a.events.equals(b.events) and a.learners.equals(b.learners)
    assert not synthesise(ws, learners=300, seed=12).events.equals(a.events)


def test_on_the_contract(cohort, ws):
    ev, lr = cohort.events, cohort.learners
    assert ev.schema == events_schema() and lr.schema == learners_schema()
    assert validate_events(ev) == [] and validate_learners(lr) == []
    assert set(ev["credential_id"].drop_nulls().unique()) == set(ws.credentials)
    modules = set(ev["module_id"].drop_nulls().unique())
    assert modules <= set(ws.modules)
    for mid in modules:  # block ids come from the module files
        blocks = set(ev.filter(pl.col("module_id") == mid)["block_id"].drop_nulls().unique())
        assert blocks <= {b.id for b in ws.module(mid).blocks}
    assert set(lr["language"].unique()) == {"en", "fr"}
    assert lr["org_unit"].n_unique() >= 5 and lr["role"].n_unique() >= 4 and lr["country"].n_unique() >= 6
    end = datetime_end(cohort)
    assert ev["timestamp"].max() < end  # censored at the end of the window
    assert ev["timestamp"].min() >= datetime.fromisoformat(cohort.params["start"])
    # a credential is earned after enrolling in it and after the last module passed for it
    t = (
        ev.group_by("learner_id", "credential_id")
        .agg(
            pl.col("timestamp").filter(pl.col("verb") == "enrolled").min().alias("enrolled"),
            pl.col("timestamp").filter(pl.col("verb") == "passed").max().alias("last_pass"),
            pl.col("timestamp").filter(pl.col("verb") == "earned").min().alias("earned"),
        )
        .drop_nulls("earned")
    )
    assert t.height > 100
    assert (t["earned"] > t["last_pass"]).all() and (t["earned"] > t["enrolled"]).all()


def datetime_end(cohort):
    return datetime.fromisoformat(cohort.params["end"])


def test_each_attempt_follows_the_event_grammar(cohort, ws):
    ev = cohort.events
    # answered events carry a response that is one of the quiz's choice ids (sorted, space-separated)
    ans = ev.filter(pl.col("verb") == "answered").select("module_id", "block_id", "response", "success").unique()
    for mid, bid, resp, ok in ans.iter_rows():
        quiz = ws.module(mid).block(bid)
        chosen = resp.split(" ")
        assert chosen == sorted(chosen) and set(chosen) <= {c.id for c in quiz.choices}
        assert ok == (sorted(quiz.correct_ids) == chosen)
    # every passed/failed follows a completed with time on task
    done = ev.filter(pl.col("verb") == "completed")
    assert done["duration_s"].null_count() == 0 and (done["duration_s"] > 0).all()
    verdicts = ev.filter(pl.col("verb").is_in(["passed", "failed"]))
    assert verdicts.height == done.height
    ok = ev.filter(pl.col("verb") == "passed")
    pass_marks = pl.DataFrame({"module_id": list(ws.modules), "pass_mark": [m.pass_mark for m in ws.modules.values()]})
    joined = ok.join(pass_marks, on="module_id")
    assert (joined["score"] >= joined["pass_mark"] - 1e-9).all()
    # progressed visits blocks in module order
    m = ws.module("reading-bar-charts")
    order = {b.id: i for i, b in enumerate(m.blocks)}
    first = ev.filter((pl.col("verb") == "progressed") & (pl.col("module_id") == m.id)).head(40)
    for _, grp in first.group_by("learner_id"):
        pos = [order[b] for b in grp["block_id"]]
        assert pos[0] == 0


def test_drop_off_concentrated_early_and_calibrated(cohort, ws):
    ev = cohort.events
    cred = ws.credential("data-literacy-foundations")
    early = ev.filter(
        (pl.col("verb") == "enrolled")
        & (pl.col("credential_id") == cred.id)
        & (pl.col("timestamp") < pl.datetime(2025, 3, 1, time_zone="UTC"))
    )["learner_id"]
    mine = ev.filter(pl.col("learner_id").is_in(early.implode()) & (pl.col("credential_id") == cred.id))
    launched = mine.filter(pl.col("verb") == "launched").group_by("module_id").agg(pl.col("learner_id").n_unique())
    reached = dict(launched.iter_rows())
    path = [m for m in cred.pathway() if m in cred.required]
    counts = [reached.get(m, 0) for m in path]
    assert counts == sorted(counts, reverse=True)
    losses = [counts[i] - counts[i + 1] for i in range(len(counts) - 1)]
    assert losses[0] > losses[-1]  # more learners leave early than late
    earned = mine.filter(pl.col("verb") == "earned")["learner_id"].n_unique() / early.n_unique()
    assert 0.35 < earned < 0.6  # credit-bearing: ~31 % withdraw, about half pass (OULAD)
    mooc = synthesise(ws, learners=6000, seed=3, preset="mooc").events
    enrolled = mooc.filter(
        (pl.col("verb") == "enrolled")
        & (pl.col("credential_id") == cred.id)
        & (pl.col("timestamp") < pl.datetime(2025, 3, 1, time_zone="UTC"))
    )["learner_id"]
    got = mooc.filter(
        (pl.col("verb") == "earned")
        & (pl.col("credential_id") == cred.id)
        & pl.col("learner_id").is_in(enrolled.implode())
    )["learner_id"].n_unique()
    assert 0.05 <= got / enrolled.n_unique() <= 0.15  # MOOC completion 5-15 %


def test_time_on_task_around_the_estimate_with_a_long_tail(cohort, ws):
    done = cohort.events.filter(pl.col("verb") == "completed")
    for mid in ("reading-bar-charts", "line-charts-over-time"):
        est = ws.module(mid).estimate_duration(ws.settings.duration).seconds
        d = done.filter(pl.col("module_id") == mid)["duration_s"]
        assert 0.7 * est < d.median() < 1.2 * est
        assert d.quantile(0.99) > 2.5 * est  # long tail
        assert d.mean() > d.median()


def test_quiz_responses_follow_2pl(cohort):
    items = cohort.items
    ans = (
        cohort.events.filter(pl.col("verb") == "answered")
        .group_by("module_id", "block_id")
        .agg(pl.col("success").cast(pl.Float64).mean().alias("facility"), pl.len().alias("n"))
    )
    joined = items.join(ans, on=["module_id", "block_id"])
    assert joined.height == items.height and (joined["n"] > 50).all()
    # easier items (lower b) have higher facility
    rho = np.corrcoef(joined["b"].rank().to_numpy(), joined["facility"].rank().to_numpy())[0, 1]
    assert rho < -0.6
    assert 0.7 < joined["facility"].mean() < 0.95


def test_enrolment_waves_segments_and_stacking(cohort, ws):
    lr = cohort.learners
    weekly = lr.group_by(pl.col("enrolled_at").dt.truncate("1w")).len().sort("len", descending=True)
    assert weekly["len"][0] > 4 * weekly["len"].median()  # waves, not a flat trickle
    hours = lr["enrolled_at"].drop_nulls().dt.hour()
    assert ((hours >= 7) & (hours <= 18)).mean() > 0.85
    fr = lr.filter(pl.col("language") == "fr")["country"].unique().to_list()
    assert set(fr) <= {"FR", "BE", "CA", "CH", "LU"}
    ev = cohort.events
    stacked = ev.filter((pl.col("verb") == "enrolled") & (pl.col("credential_id") == "data-storytelling"))
    holders = ev.filter((pl.col("verb") == "earned") & (pl.col("credential_id") == "data-literacy-foundations"))
    both = stacked.join(holders, on="learner_id", suffix="_f")
    assert stacked.height > 0 and both.height == stacked.height  # only holders stack
    assert (both["timestamp"] > both["timestamp_f"]).all()


def test_write_cohort_partitions_by_month(tmp_path, ws):
    c = synthesise(ws, learners=400, seed=5, months=3)
    files = write_cohort(c, tmp_path / "out")
    months = sorted(p.parent.name for p in files if p.parent.name.startswith("month="))
    assert months == ["month=2025-01", "month=2025-02", "month=2025-03", "month=2025-04"][: len(months)]
    assert len(months) >= 3
    back = read_events(tmp_path / "out" / "events", pseudonymise=False, echo=None)
    assert back.rejected == 0
    assert (
        back.collect()
        .sort("timestamp", "learner_id", "verb", maintain_order=True)
        .equals(c.events.sort("timestamp", "learner_id", "verb", maintain_order=True))
    )
    meta = json.loads((tmp_path / "out" / "cohort.json").read_text())
    assert meta["seed"] == 5 and meta["calibration"]["name"] == "credit" and meta["events"] == c.events.height
    with pytest.raises(SynthError, match="already holds a cohort"):
        write_cohort(c, tmp_path / "out")
    write_cohort(c, tmp_path / "out", overwrite=True)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".synth-")]


def test_bad_parameters(ws, tmp_path):
    with pytest.raises(SynthError, match="unknown preset 'nope'"):
        synthesise(ws, preset="nope")
    with pytest.raises(SynthError, match="learners must be 1 or more"):
        synthesise(ws, learners=0)
    empty = Workspace.create(tmp_path / "empty", title="Empty")
    for p in (empty.root / "credentials").glob("*.yaml"):
        p.unlink()
    with pytest.raises(SynthError, match="has no credentials"):
        synthesise(Workspace.open(empty.root), learners=10)
    assert replace(PRESETS["mooc"], start_share=1.0).start_share == 1.0


def test_learners_for_events(ws):
    n = learners_for_events(ws, 200_000, seed=1)
    got = synthesise(ws, learners=n, seed=1).events.height
    assert 0.85 * 200_000 < got < 1.15 * 200_000


def test_mb_synth(tmp_path):
    out = tmp_path / "cohort"
    res = CliRunner().invoke(
        main, ["synth", "-w", str(SAMPLE), "-o", str(out), "--learners", "300", "--seed", "2", "--months", "2"]
    )
    assert res.exit_code == 0, res.output
    assert "300 learners" in res.output and "month partitions" in res.output
    assert (out / "learners.parquet").is_file() and list((out / "events").glob("month=*/*.parquet"))
    again = CliRunner().invoke(main, ["synth", "-w", str(SAMPLE), "-o", str(out), "--learners", "300"])
    assert again.exit_code == 2 and "already holds a cohort" in again.output and "--overwrite" in again.output
    both = CliRunner().invoke(main, ["synth", "-o", str(out), "--learners", "3", "--events", "9"])
    assert both.exit_code == 2 and "give --learners or --events, not both" in both.output
