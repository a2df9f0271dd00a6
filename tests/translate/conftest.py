"""Fixtures for the translation tests: a tiny real Marian model (built offline, cached) and a small workspace
whose strings are all in the model's training corpus."""

from __future__ import annotations

import pytest

from .tiny_marian import tiny_model

MODULE = {
    "id": "bar-basics",
    "title": "Reading a bar chart",
    "summary": "Check that the **axis** starts at zero.",
    "objectives": ["Compare the bars."],
    "blocks": [
        {
            "id": "intro",
            "type": "text",
            "body": (
                "## What a bar stands for\n\nEach bar stands for one value. Compare the lengths, not the numbers.\n\n"
                "```python\nplot(df)\n```\n\nRun `plot(df)` to draw the chart for {region}. "
                "Read the [guide](https://example.org/guide) first.\n"
            ),
        },
        {"id": "chart", "type": "image", "src": "media/chart.svg", "alt": "A bar chart of sales by region."},
        {
            "id": "q",
            "type": "quiz",
            "question": "Where must the axis start?",
            "choices": [
                {"id": "zero", "text": "At zero.", "correct": True, "feedback": "Right."},
                {"id": "min", "text": "At the smallest value.", "feedback": "Not quite."},
            ],
        },
        {"id": "tip", "type": "callout", "variant": "tip", "title": "Tip", "body": "Sorted bars are faster to read."},
        {
            "id": "terms",
            "type": "accordion",
            "title": "Key terms",
            "items": [{"id": "axis", "title": "Axis", "body": "The line along which values are measured."}],
        },
        {
            "id": "check",
            "type": "checklist",
            "title": "Before you share a chart",
            "items": [{"id": "a", "text": "The axis starts at zero."}, {"id": "b", "text": "Every bar has a label."}],
        },
        {"id": "code", "type": "code", "source": "plot(df)\n", "caption": "Look at the data first."},
    ],
}

FRENCH = {
    "title": "Lire un diagramme en barres",
    "summary": "Vérifiez que l'**axe** commence à zéro.",
    "body": (
        "## Ce que représente une barre\n\nChaque barre représente une valeur. Comparez les longueurs, pas les "
        "nombres.\n\n```python\nplot(df)\n```\n\nLancez `plot(df)` pour tracer le graphique pour {region}. "
        "Lisez d'abord le [guide](https://example.org/guide).\n"
    ),
    "alt": "Un diagramme en barres des ventes par région.",
    "question": "Où l'axe doit-il commencer ?",
    "choices": ["À zéro.", "À la plus petite valeur."],
    "feedback": ["Exact.", "Pas tout à fait."],
    "checklist": ["L'axe commence à zéro.", "Chaque barre a une étiquette."],
    "panel": ("Axe", "La ligne le long de laquelle on mesure les valeurs."),
    "caption": "Regardez d'abord les données.",
}


@pytest.fixture(scope="session")
def tiny_marian():
    """A real en-fr Marian checkpoint (safetensors) that reproduces its training sentences."""
    return tiny_model()


@pytest.fixture
def tws(tmp_path):
    """A workspace with the bar-basics module, target language fr."""
    from mblib.content import Module, Workspace

    ws = Workspace.create(tmp_path / "ws", title="Translate test", target_languages=["fr"])
    ws.add_module(Module.model_validate(MODULE))
    return ws


@pytest.fixture
def mws(tws, tiny_marian):
    """``tws`` with the tiny model named in mblib.toml under [translation.models]."""
    from mblib.content import Workspace

    toml = tws.root / "mblib.toml"
    toml.write_text(
        toml.read_text() + f'\n[translation]\nbatch_size = 8\n[translation.models]\n"en-fr" = "{tiny_marian}"\n'
    )
    return Workspace.open(tws.root)
