"""Pathway metrics (orders of module starts, recommended order, elective choices) against a small
hand-computed cohort, on polars, DuckDB and PySpark; and their place in the registry.

Credential C: required m1, m2 (m2 after m1), then one of m3/m4. Everyone enrols on 01-05.

- L1 launches m1, m2, m3 in that order, passes m3 and earns C on 01-15 (10 days).
- L2 launches m1, m3, m2 (m3 before m2: not the recommended order), passes m3, earns on 01-25 (20 days).
- L3 launches m2 then m1 (out of order), passes m4, does not earn.
- L4 enrols and launches nothing (left out of orders, not of elective counts: passed nothing).
"""

from __future__ import annotations

import math

import pytest

from mblib.analytics import metrics as M
from mblib.content import Credential

from .conftest import make_events
from .test_metrics import C  # required m1, m2 (m2 after m1), then one of m3/m4


def _rows() -> list[dict]:
    rows = [
        dict(timestamp="2026-01-05 09:00", learner_id=f"L{i}", verb="enrolled", credential_id="c") for i in range(1, 5)
    ]

    def launch(learner: str, day: str, module: str) -> None:
        rows.append(dict(timestamp=f"2026-01-{day} 10:00", learner_id=learner, verb="launched", module_id=module))

    for day, m in (("06", "m1"), ("07", "m2"), ("08", "m3")):
        launch("L1", day, m)
    for day, m in (("06", "m1"), ("07", "m3"), ("08", "m2")):
        launch("L2", day, m)
    for day, m in (("06", "m2"), ("07", "m1")):
        launch("L3", day, m)
    launch("L1", "09", "m1")  # a relaunch does not change the order of first launches
    for learner, m in (("L1", "m3"), ("L2", "m3"), ("L3", "m4")):
        rows.append(dict(timestamp="2026-01-10 10:00", learner_id=learner, verb="passed", module_id=m))
    rows.append(dict(timestamp="2026-01-15 09:00", learner_id="L1", verb="earned", credential_id="c"))
    rows.append(dict(timestamp="2026-01-25 09:00", learner_id="L2", verb="earned", credential_id="c"))
    return rows


@pytest.fixture
def events():
    return make_events(_rows())


def test_pathway_orders(run, events) -> None:
    out = run(M.pathway_orders, events, credential=C)
    assert out.columns == list(M.output_schema("pathway_orders"))
    got = {r["path"]: r for r in out.iter_rows(named=True)}
    assert sorted(got) == ["m1 > m2 > m3", "m1 > m3 > m2", "m2 > m1"]
    assert [got[p]["learners"] for p in sorted(got)] == [1, 1, 1]
    assert got["m1 > m2 > m3"]["earned"] == 1 and got["m1 > m2 > m3"]["days_mean"] == pytest.approx(10.0)
    assert got["m2 > m1"]["earn_rate"] == 0.0 and got["m2 > m1"]["days_mean"] is None
    short = run(M.pathway_orders, events, credential=C, steps=1)
    assert dict(short.select("path", "learners").rows()) == {"m1": 2, "m2": 1}


def test_recommended_order(run, events) -> None:
    out = run(M.recommended_order, events, credential=C)
    rows = {r["followed"]: r for r in out.iter_rows(named=True)}
    assert rows[True]["learners"] == 1 and rows[True]["earned"] == 1  # L1 (m1, m2, m3 = pathway order)
    assert rows[False]["learners"] == 2 and rows[False]["earned"] == 1  # L2, L3
    assert rows[False]["earn_rate"] == pytest.approx(0.5)
    assert rows[False]["earn_low"] < 0.5 < rows[False]["earn_high"]
    assert rows[False]["days_mean"] == pytest.approx(20.0) and rows[False]["days_low"] is None  # one earner
    # a recommended order that puts m3 before m2 makes L2 a follower
    alt = run(M.recommended_order, events, credential=C, recommended=["m1", "m3", "m4", "m2"])
    assert dict(alt.select("followed", "learners").rows()) == {True: 1, False: 2}


def test_elective_choices_with_days_interval(run, events) -> None:
    out = run(M.elective_choices, events, credential=C)
    rows = {r["module_id"]: r for r in out.iter_rows(named=True)}
    assert sorted(rows) == ["m3", "m4"]
    m3 = rows["m3"]
    assert (m3["group_id"], m3["learners"], m3["earned"]) == ("g", 2, 2)
    assert m3["days_mean"] == pytest.approx(15.0)
    half = 1.959963984540054 * math.sqrt(50.0) / math.sqrt(2)  # sample sd of 10 and 20 days
    assert m3["days_low"] == pytest.approx(15.0 - half) and m3["days_high"] == pytest.approx(15.0 + half)
    assert (rows["m4"]["learners"], rows["m4"]["earned"]) == (1, 0)


def test_elective_choices_of_a_credential_without_electives_is_empty(run, events) -> None:
    out = run(M.elective_choices, events, credential=Credential(id="c", title="c", required=["m1"]))
    assert out.height == 0 and out.columns == list(M.output_schema("elective_choices"))


def test_pathway_metrics_are_registered() -> None:
    for name in ("pathway_orders", "recommended_order", "elective_choices"):
        assert name in M.METRICS
        assert "earn_low" in M.output_schema(name) and "days_high" in M.output_schema(name)
