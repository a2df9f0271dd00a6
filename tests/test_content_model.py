"""The content model: every block type, credentials, canonical YAML, duration and pathways."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mblib.content import BLOCK_TYPES, Credential, DurationSettings, Module, Workspace, parse_block, to_data, to_yaml
from mblib.content.blocks import count_words
from mblib.content.yamlio import load_yaml_text

ALL_BLOCKS = [
    {"id": "intro", "type": "text", "body": "A bar's **length** encodes its value.\n\nSecond paragraph.\n"},
    {
        "id": "chart",
        "type": "image",
        "src": "media/chart.svg",
        "alt": "Two bar charts side by side",
        "caption": "Left: axis from 0. Right: axis from 40.",
    },
    {"id": "deco", "type": "image", "src": "media/line.svg", "decorative": True},
    {
        "id": "clip",
        "type": "video",
        "src": "media/clip.webm",
        "title": "Axis tricks",
        "duration_s": 42.5,
        "captions": [
            {"src": "media/clip.en.vtt"},
            {"src": "media/clip.fr.vtt", "language": "fr", "label": "Français", "kind": "subtitles"},
        ],
        "poster": "media/clip.png",
        "transcript": "Look at the axis.\nThen at the bars.\n",
    },
    {"id": "tip", "type": "callout", "variant": "warning", "title": "Careful", "body": "Axes *lie*."},
    {
        "id": "axis-check",
        "type": "quiz",
        "question": "Which chart exaggerates the difference?",
        "multiple": False,
        "choices": [
            {
                "id": "a",
                "text": "The one whose axis starts at 40",
                "correct": True,
                "feedback": "Truncated axes stretch small gaps.",
            },
            {"id": "b", "text": "The one whose axis starts at 0"},
        ],
        "weight": 2.0,
        "explanation": "Bars must start at zero.",
    },
    {
        "id": "cards",
        "type": "flashcards",
        "title": "Terms",
        "cards": [{"id": "c1", "front": "Axis", "back": "Axe"}, {"id": "c2", "front": "Bar", "back": "Barre"}],
    },
    {
        "id": "more",
        "type": "accordion",
        "title": "Details",
        "items": [{"id": "p1", "title": "Why zero?", "body": "Length encodes value.\nSo start at zero.\n"}],
    },
    {
        "id": "todo",
        "type": "checklist",
        "title": "Before you publish",
        "items": [{"id": "i1", "text": "Axis starts at 0"}, {"id": "i2", "text": "Bars are sorted"}],
    },
    {
        "id": "demo",
        "type": "code",
        "source": "import math\n\nprint(math.pi)\n",
        "caption": "Pi",
        "outputs": [{"mime": "text/plain", "data": "3.14159\n"}],
    },
]


def full_module() -> Module:
    return Module(
        id="reading-bar-charts",
        title="Reading a bar chart",
        summary="Spot the three things.",
        objectives=["Check that the value axis starts at zero"],
        audience="analysts",
        language="en",
        skills=["data-literacy.visualisation"],
        pass_mark=0.7,
        version="1.2.0",
        duration_budget_min=6,
        blocks=ALL_BLOCKS,
    )


def full_credential() -> Credential:
    return Credential(
        id="data-viz",
        title="Data visualisation basics",
        summary="Charts that tell the truth.",
        version="2.0",
        issuer={"name": "Acme Academy", "url": "https://academy.example.org/", "country": "DE"},
        required=["reading-bar-charts", "axes"],
        electives=[{"id": "extra", "title": "Pick one", "choose": 1, "modules": ["maps", "colour"]}],
        prerequisites={"axes": ["reading-bar-charts"], "maps": ["axes"]},
        requires_credentials=["data-basics"],
        criteria={"narrative": "Pass every module with 80 %", "min_score": 0.8},
        skills=[{"name": "visualise data", "framework": "ESCO", "code": "S1.2", "url": "https://esco.example.org/s1"}],
        european={
            "learning_outcomes": ["Read a bar chart critically"],
            "workload": {"hours": 2.5, "ects": 0.1},
            "level": {"eqf": 5, "description": "short cycle"},
            "assessment": {"type": "online quizzes", "supervised": False, "identity_verified": True},
            "participation": "online",
            "quality_assurance": "internal review",
            "stackability": "stacks into data-literacy",
        },
    )


def test_block_types_are_all_covered():
    assert {b["type"] for b in ALL_BLOCKS} == set(BLOCK_TYPES)
    m = full_module()
    assert [type(b).__name__ for b in m.blocks] == [
        "TextBlock",
        "ImageBlock",
        "ImageBlock",
        "VideoBlock",
        "CalloutBlock",
        "QuizBlock",
        "FlashcardsBlock",
        "AccordionBlock",
        "ChecklistBlock",
        "CodeBlock",
    ]
    assert m.block("axis-check").correct_ids == ["a"]
    assert m.block("clip").media_paths() == [
        "media/clip.webm",
        "media/clip.en.vtt",
        "media/clip.fr.vtt",
        "media/clip.png",
    ]
    assert [b.id for b in m.quizzes] == ["axis-check"]
    with pytest.raises(KeyError, match=r"module 'reading-bar-charts' has no block 'nope'"):
        m.block("nope")


def test_module_and_credential_roundtrip_through_files(tmp_path):
    ws = Workspace.create(tmp_path / "ws", title="Round trip", target_languages=["fr", "de"], issuer_name='A "Q" B')
    m, c = full_module(), full_credential()
    assert ws.save_module(m) is True
    assert ws.save_credential(c) is True
    assert ws.save_module(m) is False  # unchanged: nothing written
    again = Workspace.open(tmp_path / "ws")
    assert again.module(m.id) == m
    assert again.credential(c.id) == c
    assert again.settings.workspace.target_languages == ["fr", "de"]
    assert again.settings.issuer.name == 'A "Q" B'
    # the model survives text -> data -> model too
    assert Module.model_validate(load_yaml_text(to_yaml(m), "x").data) == m
    assert Credential.model_validate(load_yaml_text(to_yaml(c), "x").data) == c


def test_to_yaml_is_canonical():
    m = Module(
        id="demo",
        title="Demo",
        blocks=[
            {"id": "t", "type": "text", "body": "line one\nline two\n"},
            {
                "id": "q",
                "type": "quiz",
                "question": "Pick",
                "choices": [
                    {"id": "a", "text": "A", "correct": True},
                    {"id": "b", "text": "B: no # really", "correct": False},
                ],
            },
            {"id": "s", "type": "text", "body": "no newline\nat end"},
        ],
        objectives=["One"],
        summary="Sum",
    )
    assert to_yaml(m) == (
        "id: demo\n"
        "title: Demo\n"
        "summary: Sum\n"
        "objectives:\n"
        "  - One\n"
        "blocks:\n"
        "  - id: t\n"
        "    type: text\n"
        "    body: |\n"
        "      line one\n"
        "      line two\n"
        "  - id: q\n"
        "    type: quiz\n"
        "    question: Pick\n"
        "    choices:\n"
        "      - id: a\n"
        "        text: A\n"
        "        correct: true\n"
        "      - id: b\n"
        "        text: 'B: no # really'\n"
        "  - id: s\n"
        "    type: text\n"
        "    body: |-\n"
        "      no newline\n"
        "      at end\n"
    )
    # defaults are left out, the discriminator 'type' never is
    assert "correct: false" not in to_yaml(m)
    assert to_data(m)["blocks"][0] == {"id": "t", "type": "text", "body": "line one\nline two\n"}


def test_key_order_follows_the_model_not_the_input():
    m = Module.model_validate({"blocks": [], "title": "T", "summary": "S", "id": "k", "pass_mark": 0.5})
    assert list(to_data(m)) == ["id", "title", "summary", "pass_mark"]
    c = Credential.model_validate({"required": ["a"], "title": "T", "id": "c"})
    assert to_yaml(c) == "id: c\ntitle: T\nrequired:\n  - a\n"


def test_word_counting():
    assert count_words("A bar's **length** [see](https://x.org/a b) `code` <b>x</b> data-literacy") == 6
    assert count_words(None) == 0 and count_words("") == 0
    assert parse_block({"id": "c", "type": "code", "source": "a = 1\n\n  \nprint(a)\n"}).word_count() == 8
    # the transcript is an alternative to watching, so it is not counted
    v = parse_block(
        {
            "id": "v",
            "type": "video",
            "src": "m.mp4",
            "title": "Two words",
            "duration_s": 1,
            "transcript": "many many many words",
        }
    )
    assert v.word_count() == 2


def _tiny_module() -> Module:
    return Module(
        id="tiny",
        title="Tiny module",
        objectives=["Learn things"],
        blocks=[
            {"id": "t", "type": "text", "body": "one two three four five six seven eight nine ten"},  # 10
            {
                "id": "v",
                "type": "video",
                "src": "media/v.mp4",
                "title": "Intro clip",
                "duration_s": 60,  # 2
                "transcript": "not counted at all",
            },
            {
                "id": "q",
                "type": "quiz",
                "question": "Pick one",
                "choices": [  # 2 + 1 + 1 + 1
                    {"id": "y", "text": "Yes", "correct": True, "feedback": "Right"},
                    {"id": "n", "text": "No"},
                ],
            },
            {
                "id": "f",
                "type": "flashcards",
                "cards": [  # 4 words, 2 cards
                    {"id": "a", "front": "Cat", "back": "Chat"},
                    {"id": "b", "front": "Dog", "back": "Chien"},
                ],
            },
            {
                "id": "c",
                "type": "checklist",
                "title": "Do",
                "items": [  # 1 + 3 * 2 words, 3 items
                    {"id": "i1", "text": "Check axis"},
                    {"id": "i2", "text": "Check bars"},
                    {"id": "i3", "text": "Check labels"},
                ],
            },
            {"id": "k", "type": "code", "source": "x = 1\n\nprint(x)\n"},  # 2 lines x 4
        ],
    )


def test_duration_estimate_by_hand():
    m = _tiny_module()
    words = 2 + 2 + 10 + 2 + 5 + 4 + 7 + 8
    assert m.word_count() == words == 40
    d = m.estimate_duration()  # defaults: 200 wpm, 45 s/quiz, 15 s/card, 10 s/item, media x1.1
    assert d.words == 40
    assert d.reading_s == pytest.approx(40 / 200 * 60)  # 12 s
    assert d.media_s == pytest.approx(66.0)
    assert d.interaction_s == pytest.approx(45 + 2 * 15 + 3 * 10)  # 105 s
    assert d.seconds == pytest.approx(183.0)
    assert d.minutes == pytest.approx(3.05)
    assert str(d) == "3.0 min (40 words, 66 s media, 105 s activities)"

    s = DurationSettings(
        reading_wpm=100, seconds_per_quiz=60, seconds_per_card=5, seconds_per_checklist_item=20, media_factor=1.5
    )
    d2 = m.estimate_duration(s)
    assert d2.reading_s == pytest.approx(24.0)
    assert d2.media_s == pytest.approx(90.0)
    assert d2.interaction_s == pytest.approx(60 + 10 + 60)
    assert d2.minutes == pytest.approx((24 + 90 + 130) / 60)


def test_duration_settings_come_from_mblib_toml(tmp_path):
    root = tmp_path / "ws"
    Workspace.create(root)
    (root / "mblib.toml").write_text("[workspace]\ntitle = 'x'\n[duration]\nreading_wpm = 120\nmedia_factor = 1.0\n")
    ws = Workspace.open(root)
    d = _tiny_module().estimate_duration(ws.settings.duration)
    assert d.reading_s == pytest.approx(20.0) and d.media_s == pytest.approx(60.0)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"reading_wpm": 0}, "greater than 0"),
        ({"media_factor": 0.5}, "greater than or equal to 1"),
        ({"seconds_per_quiz": -1}, "greater than or equal to 0"),
    ],
)
def test_duration_settings_are_validated(bad, message):
    with pytest.raises(ValidationError, match=message):
        DurationSettings(**bad)


def test_pathway_respects_prerequisites_and_keeps_listed_order_for_ties():
    c = Credential(
        id="c",
        title="C",
        required=["c", "a", "b"],
        electives=[{"id": "g", "choose": 1, "modules": ["e", "d", "a"]}],
        prerequisites={"a": ["b", "outside"], "d": ["c", "e"]},
    )
    assert c.module_ids() == ["c", "a", "b", "e", "d"]
    assert c.pathway() == ["c", "b", "a", "e", "d"]
    assert c.prerequisite_cycle() is None
    # no prerequisites: exactly the listed order
    assert Credential(id="x", title="X", required=["z", "y", "x"]).pathway() == ["z", "y", "x"]


def test_prerequisite_cycle():
    c = Credential(id="c", title="C", required=["a", "b", "c"], prerequisites={"a": ["c"], "b": ["a"], "c": ["b"]})
    cycle = c.prerequisite_cycle()
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"} and len(cycle) == 4
    with pytest.raises(ValueError, match=r"credential 'c' has a prerequisite cycle: \w -> \w -> \w -> \w"):
        c.pathway()
    self_loop = Credential(id="s", title="S", required=["a"], prerequisites={"a": ["a"]})
    assert self_loop.prerequisite_cycle() == ["a", "a"]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {
                "id": "m",
                "title": "M",
                "blocks": [{"id": "x", "type": "text", "body": "a"}, {"id": "x", "type": "text", "body": "b"}],
            },
            "duplicate block id 'x'",
        ),
        (
            {
                "id": "m",
                "title": "M",
                "blocks": [
                    {
                        "id": "q",
                        "type": "quiz",
                        "question": "?",
                        "choices": [{"id": "a", "text": "A"}, {"id": "a", "text": "B"}],
                    }
                ],
            },
            "duplicate choice id 'a'",
        ),
        (
            {
                "id": "m",
                "title": "M",
                "blocks": [
                    {
                        "id": "f",
                        "type": "flashcards",
                        "cards": [{"id": "a", "front": "A", "back": "B"}, {"id": "a", "front": "C", "back": "D"}],
                    }
                ],
            },
            "duplicate card id 'a'",
        ),
        ({"id": "Bad Id", "title": "M"}, "should match pattern"),
        ({"id": "m", "title": "M", "version": "v1"}, "should match pattern"),
        ({"id": "m", "title": "M", "pass_mark": 1.5}, "less than or equal to 1"),
        ({"id": "m", "title": "M", "colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_modules_are_rejected(data, message):
    with pytest.raises(ValidationError, match=message):
        Module.model_validate(data)


def test_models_validate_assignment():
    m = Module(id="m", title="M")
    with pytest.raises(ValidationError, match="valid number"):
        m.pass_mark = "lots"
    with pytest.raises(ValidationError, match="duplicate required module id 'a'"):
        Credential(id="c", title="C", required=["a", "a"])
