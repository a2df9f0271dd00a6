"""Skills that mean the same thing elsewhere: a credential's skill alignment carries a label, a
framework and a URI, and covers module skill ids (credit for prior learning); the credential
builder and the Open Badges alignment show it; lint warns about skill ids used in one place only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mblib.content import Credential, LearnerState, Module, Workspace, lint_workspace, plan_next
from mblib.content.credit import credential_skills, credited_modules

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample-workspace"
URI = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"  # placeholder of the ESCO form


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(shutil.copytree(SAMPLE, tmp_path / "ws", ignore=shutil.ignore_patterns(".mblib")))


def test_alignment_covers_module_skills_and_credits_them(ws: Workspace) -> None:
    dlf = ws.credential("data-literacy-foundations")
    assert dlf.skills[0].covers == ["data-literacy.charts", "data-literacy.trends", "data-literacy.numeracy"]
    extra = Module(id="reading-tables", title="Reading tables", skills=["data-literacy.numeracy"])
    other = Credential(
        id="numbers",
        title="Numbers",
        required=["reading-tables"],
        skills=[{"name": "use numbers", "framework": "ESCO", "url": URI, "covers": ["data-literacy.numeracy"]}],
    )
    ws.save_module(extra)
    ws.save_credential(other)
    ws = Workspace.open(ws.root)
    assert "data-literacy.numeracy" in credential_skills(ws.credential("numbers"), ws.modules)
    credit = credited_modules(ws, LearnerState.of(credentials_held=["numbers"]))
    assert credit["percentages-and-percentage-points"] == "credited: skills data-literacy.numeracy evidenced by numbers"
    plan = plan_next(ws, LearnerState.of(credentials_held=["numbers"]), "data-literacy-foundations")
    assert "percentages-and-percentage-points" not in [s.module_id for s in plan.steps]


def test_alignment_covers_only_skill_ids(ws: Workspace) -> None:
    with pytest.raises(ValueError, match="covers"):
        Credential(id="c", title="C", required=["a"], skills=[{"name": "x", "covers": ["Not An Id"]}])


def test_lint_warns_about_a_skill_used_in_one_place_only(ws: Workspace) -> None:
    assert [p for p in lint_workspace(ws) if p.code == "skill.single-use"] == []  # the sample shares every skill
    ws.save_module(Module(id="lonely", title="Lonely", skills=["data-literacy.charts", "only.here"]))
    found = [p for p in lint_workspace(Workspace.open(ws.root)) if p.code == "skill.single-use"]
    assert len(found) == 1
    p = found[0]
    assert p.severity == "warning" and p.location.field == "skills[1]" and p.location.file.endswith("lonely.yaml")
    assert p.message.startswith("skill 'only.here' is used by this module only")
    assert "covers:" in (p.hint or "")


def test_open_badges_alignment_uses_the_skill_uri_and_framework(ws: Workspace) -> None:
    from mblib.export.badges import achievement

    c = ws.credential("data-literacy-foundations")
    skills = [s.model_copy(update={"url": URI}) if s.framework == "ESCO" else s for s in c.skills]
    ach = achievement(ws, c.model_copy(update={"skills": skills}))
    names = {a["targetName"]: a for a in ach["alignment"]}
    esco = names["interpret current data"]
    assert esco["targetUrl"] == URI and esco["targetFramework"] == "ESCO"
    assert all("covers" not in a for a in ach["alignment"])  # workspace-internal, not part of the badge


def test_credential_builder_shows_label_framework_uri_and_covered_skills(ws: Workspace) -> None:
    pytest.importorskip("ipywidgets")
    from mblib.widgets.credential import CredentialBuilder, skills_html

    b = CredentialBuilder(ws, "data-literacy-foundations", chart=False)
    view = b.skills_view.value
    assert "interpret current data (ESCO) covers <code>data-literacy.charts" in view
    c = Credential(id="c", title="C", required=["a"], skills=[{"name": "<b>x</b>", "framework": "ESCO", "url": URI}])
    out = skills_html(c)
    assert f"<a href='{URI}'" in out and "&lt;b&gt;x&lt;/b&gt;" in out


def test_builder_edits_keep_the_covered_skills(ws: Workspace) -> None:
    pytest.importorskip("ipywidgets")
    import yaml

    from mblib.widgets.credential import CredentialBuilder

    b = CredentialBuilder(ws, "data-storytelling", chart=False)
    b.details.groups["criteria"].controls["min_score"].value = "0.6"
    assert b.get_errors() == ""
    b.save_button.click()
    disk = yaml.safe_load(ws.path_of("credential", "data-storytelling").read_text())
    assert disk["skills"][0]["covers"] == ["data-storytelling.visualisation"]
    assert disk["criteria"]["min_score"] == 0.6
