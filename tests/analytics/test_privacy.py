"""Keyed-hash pseudonymisation on read, and small-group suppression."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from mblib.analytics.privacy import PrivacyError, Pseudonymiser, SuppressedTable, suppress_small_groups
from mblib.analytics.readers import read_events
from mblib.content import Workspace
from mblib.content.settings import PrivacySettings, Settings
from tests.conftest import SAMPLE

DATA = Path(__file__).resolve().parent / "data"

KEY = "a-test-key-that-is-long-enough"


def test_pseudonyms_are_keyed_stable_and_opaque():
    p, q = Pseudonymiser.from_key(KEY), Pseudonymiser.from_key(KEY + "!")
    a = p.pseudonym("ann@example.org")
    assert a == p.pseudonym("ann@example.org") and a != p.pseudonym("bob@example.org")
    assert a != q.pseudonym("ann@example.org")
    assert a.startswith("p_") and len(a) == 22 and "ann" not in a
    assert repr(p) == "Pseudonymiser(key=***)" and KEY not in repr(p)


def test_series_and_lazy_expression_agree():
    p = Pseudonymiser.from_key(KEY)
    s = pl.Series(["x", None, "y", "x"])
    out = p.series(s).to_list()
    assert out[1] is None and out[0] == out[3] == p.pseudonym("x")
    lazy = pl.LazyFrame({"learner_id": s, "n": [1, 2, 3, 4]})
    assert p.apply(lazy).collect()["learner_id"].to_list() == out
    assert p.apply(lazy.drop("learner_id")).collect().columns == ["n"]


def test_short_or_missing_key_is_a_clear_error():
    with pytest.raises(PrivacyError, match="at least 16"):
        Pseudonymiser.from_key("short")
    with pytest.raises(PrivacyError) as e:
        Pseudonymiser.from_settings(PrivacySettings(key_env="MY_KEY"), environ={}, file="ws/mblib.toml")
    assert "$MY_KEY is not set and [privacy] pseudonym_key is empty" in str(e.value)
    assert str(e.value).startswith("ws/mblib.toml: field 'privacy.key_env'")
    assert "secrets.token_hex" in e.value.hint


def test_key_from_workspace_settings(tmp_path):
    ws_dir = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws_dir)
    toml = ws_dir / "mblib.toml"
    toml.write_text(toml.read_text() + f'\n[privacy]\nk_threshold = 7\npseudonym_key = "{KEY}"\n')
    ws = Workspace.open(ws_dir)
    assert ws.settings.privacy.k_threshold == 7
    assert KEY not in repr(ws.settings) and KEY not in str(ws.settings.model_dump())
    from_file = Pseudonymiser.for_workspace(ws, environ={})
    assert from_file.pseudonym("a") == Pseudonymiser.from_key(KEY).pseudonym("a")
    # the environment variable wins over the file
    env = Pseudonymiser.for_workspace(ws, environ={"MBLIB_PSEUDONYM_KEY": "another-key-0123456789"})
    assert env.pseudonym("a") != from_file.pseudonym("a")
    assert Settings.from_data({"privacy": {"key_env": "TEAM_KEY"}}, "x").privacy.key_env == "TEAM_KEY"


def test_readers_pseudonymise_and_never_write_the_key(tmp_path, monkeypatch):
    src = tmp_path / "events.csv"
    shutil.copy(DATA / "events_bad.csv", src)
    monkeypatch.setenv("MBLIB_PSEUDONYM_KEY", KEY)
    r = read_events(src, echo=None)
    ids = set(r.collect()["learner_id"].to_list())
    p = Pseudonymiser.from_key(KEY)
    assert ids == {p.pseudonym("ann"), p.pseudonym("cy")}
    rejects = r.rejects_path.read_text()
    assert "bob" not in rejects and p.pseudonym("bob") in rejects
    assert KEY not in rejects
    monkeypatch.delenv("MBLIB_PSEUDONYM_KEY")
    with pytest.raises(PrivacyError, match="no workspace was given"):
        read_events(src, echo=None)


def test_suppression_masks_small_groups_and_says_so():
    df = pl.DataFrame(
        {"country": ["NL", "IS", "BE", "LU"], "learners": [40, 3, 5, None], "completion_rate": [0.4, 1.0, 0.2, 0.5]}
    )
    t = suppress_small_groups(df, k=5)
    assert isinstance(t, SuppressedTable)
    assert t.frame["country"].to_list() == ["NL", "IS", "BE", "LU"]
    assert t.frame["learners"].to_list() == [40, None, 5, None]
    assert t.frame["completion_rate"].to_list() == [0.4, None, 0.2, None]
    assert t.frame["suppressed"].to_list() == [False, True, False, True]
    assert t.groups == [{"country": "IS"}, {"country": "LU"}] and t.suppressed == 2
    assert t.note == "2 of 4 groups had fewer than 5 learners; their figures are hidden."
    assert t.note in str(t)
    assert df["learners"].to_list() == [40, 3, 5, None]  # the input is unchanged


def test_suppression_drop_labels_and_no_op():
    df = pl.DataFrame({"week": [1, 2, 3], "segment": ["a", "b", "c"], "learners": [9, 2, 12]})
    t = suppress_small_groups(df, 5, labels=["week", "segment"], how="drop")
    assert t.frame["week"].to_list() == [1, 3] and t.groups == [{"week": 2, "segment": "b"}]
    assert t.note.endswith("they are left out.")
    none = suppress_small_groups(df, 2)
    assert none.suppressed == 0 and none.note == "No group has fewer than 2 learners; nothing is suppressed."
    assert suppress_small_groups(df.lazy(), 5).suppressed == 1


def test_suppression_works_on_pandas():
    pd = pytest.importorskip("pandas")
    t = suppress_small_groups(pd.DataFrame({"role": ["x", "y"], "learners": [1, 10]}), 5)
    assert isinstance(t.frame, pd.DataFrame)
    assert t.frame["suppressed"].tolist() == [True, False] and t.groups == [{"role": "x"}]


def test_suppression_bad_input():
    df = pl.DataFrame({"g": ["a"], "learners": [3]})
    with pytest.raises(PrivacyError, match="the table has no count column 'n'"):
        suppress_small_groups(df, 5, count_col="n")
    with pytest.raises(PrivacyError, match="k must be 1 or more, got 0"):
        suppress_small_groups(df, 0)
    with pytest.raises(PrivacyError, match=r"label column\(s\) \['x'\] are not in the table"):
        suppress_small_groups(df, 5, labels=["x"])
    with pytest.raises(PrivacyError, match="how must be 'mask' or 'drop'"):
        suppress_small_groups(df, 5, how="blur")
