"""Key findings on constructed data where the right finding is known."""

import polars as pl
import pytest

from mblib.analytics.findings import (
    dropoff_finding,
    findings_markdown,
    holm,
    lowest_discrimination_finding,
    median_time_findings,
    module_vs_credential_findings,
    segment_findings,
    two_proportion_p,
)


def test_largest_dropoff_is_the_step_losing_the_largest_share():
    funnel = pl.DataFrame(
        {
            "credential_id": ["c"] * 4 + ["d"] * 3,
            "step": [0, 1, 2, 3, 0, 1, 2],
            "module_id": [None, "a", "b", "x", None, "p", "q"],
            "learners": [200, 180, 150, 60, 50, 45, 3],  # d's last step is below k: never described
            "share": [1.0, 0.9, 0.75, 0.3, 1.0, 0.9, 0.06],
        }
    )
    f = dropoff_finding(funnel, k=5, names={"x": "Module X"})
    assert f is not None and "step 3 (Module X) of c" in f.text and "60.0% of the 150 learners" in f.text
    assert "q" not in f.text and f.anchor == "Along-the-pathway"


def test_module_outside_the_credential_interval_is_reported_and_overlapping_one_is_not():
    creds = pl.DataFrame(
        {
            "credential_id": ["c"],
            "enrolled": [100],
            "completion_rate": [0.5],
            "completion_low": [0.4],
            "completion_high": [0.6],
        }
    )
    modules = pl.DataFrame(
        {
            "module_id": ["hi", "same", "lo", "tiny"],
            "started": [80, 80, 80, 3],
            "completion_rate": [0.9, 0.55, 0.2, 0.0],
            "completion_low": [0.82, 0.44, 0.12, 0.0],
            "completion_high": [0.95, 0.65, 0.3, 0.5],
        }
    )
    found = module_vs_credential_findings(modules, creds, dict.fromkeys(["hi", "same", "lo", "tiny"], ["c"]), k=5)
    assert len(found) == 2
    assert "lie wholly above" in next(f.text for f in found if "hi 90.0%" in f.text)
    assert "lie wholly below" in next(f.text for f in found if "lo 20.0%" in f.text)
    assert all("same" not in f.text and "tiny" not in f.text for f in found)


def test_lowest_discrimination_item_among_items_with_enough_attempts():
    stats = pl.DataFrame(
        {
            "module_id": ["m", "m", "m"],
            "block_id": ["good", "bad", "rare"],
            "attempts": [50, 50, 3],
            "discrimination_index": [0.4, -0.2, -0.9],
        }
    )
    f = lowest_discrimination_finding(stats, k=5)
    assert f is not None and "bad in m" in f.text and "-0.20" in f.text and "check its key" in f.text


def test_two_proportion_test_and_holm_correction():
    assert two_proportion_p(50, 100, 50, 100) == pytest.approx(1.0)
    assert two_proportion_p(30, 100, 50, 100) == pytest.approx(0.00389, abs=1e-4)  # z = -2.89
    assert holm([0.01, 0.04, 0.03]) == [0.03, 0.06, 0.06]


def test_segment_differing_significantly_after_holm_is_reported_small_ones_never():
    creds = pl.DataFrame({"credential_id": ["c"], "enrolled": [403], "earned": [201]})
    seg = pl.DataFrame(
        {
            "credential_id": ["c"] * 4,
            "segment": ["Sales", "HR", "IT", "Legal"],
            "enrolled": [200, 100, 100, 3],
            "earned": [140, 30, 30, 1],
        }
    )
    found = segment_findings(seg, creds, k=5)
    text = findings_markdown(found)
    assert "Sales earns the credential at a higher rate" in text and "Holm-corrected" in text
    assert "over 3 segment(s) tested" in text and "Legal" not in text
    # a difference that a single test would call significant does not survive the correction
    weak = pl.DataFrame(
        {"credential_id": ["c"] * 3, "segment": ["A", "B", "C"], "enrolled": [100, 150, 150], "earned": [40, 80, 80]}
    )
    assert segment_findings(weak, pl.DataFrame({"credential_id": ["c"], "enrolled": [400], "earned": [200]}), k=5) == []


def test_median_time_with_band_or_the_reason_it_is_missing():
    summary = pl.DataFrame(
        {
            "credential_id": ["a", "b", "tiny"],
            "learners": [100, 80, 3],
            "earned": [70, 20, 3],
            "median_days": [12.5, None, 1.0],
            "median_low": [10.0, None, 1.0],
            "median_high": [15.25, None, 1.0],
        }
    )
    text = findings_markdown(median_time_findings(summary, k=5))
    assert "within 12.5 days (95% band 10.0 to 15.2 days)" in text
    assert "median time to b is not reached: fewer than half" in text and "tiny" not in text
    assert "(#Time-to-credential)" in text


def test_no_findings_say_so():
    assert findings_markdown([None]) == "No finding stands out in this data."
