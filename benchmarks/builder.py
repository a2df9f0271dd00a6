"""Module builder: time from an edit to an updated preview, for a 40-block module.

An edit is a new value typed into a block's form field; it goes through the widget, the
ModuleEditor (validated snapshot, undo history), lint, the duration estimate and the renderer,
and ends when the preview widget holds the new page. The peers, measured in the same run, are a
bare ``render_module`` of the same module (the floor: what any preview must pay), and the same
render with the Markdown cache cleared (every text parsed again, as on a first render).

    .venv/bin/python benchmarks/builder.py [--edits 60]

Target: an edit-to-preview median under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from mblib.content import Module, Workspace
from mblib.render import render_module
from mblib.widgets.builder import ModuleBuilder

TARGET_MS = 100.0


def generated_module(n_blocks: int = 40) -> Module:
    """A module of ``n_blocks`` blocks cycling through text, quiz, callout, checklist, flashcards, accordion."""
    blocks = []
    for i in range(n_blocks):
        kind = ("text", "quiz", "callout", "checklist", "flashcards", "accordion")[i % 6]
        body = f"Paragraph {i} with **bold**, _italic_ and a [link](https://example.org). " * 4
        if kind == "text":
            blocks.append({"id": f"b{i}", "type": "text", "body": body + "\n\n- one\n- two\n"})
        elif kind == "quiz":
            blocks.append(
                {
                    "id": f"b{i}",
                    "type": "quiz",
                    "question": f"Question {i}?",
                    "choices": [
                        {"id": "a", "text": "Right", "correct": True, "feedback": "Yes."},
                        {"id": "b", "text": "Wrong", "feedback": "No."},
                    ],
                }
            )
        elif kind == "callout":
            blocks.append({"id": f"b{i}", "type": "callout", "variant": "tip", "title": f"Tip {i}", "body": body})
        elif kind == "checklist":
            blocks.append(
                {"id": f"b{i}", "type": "checklist", "items": [{"id": f"c{j}", "text": f"Item {j}"} for j in range(4)]}
            )
        elif kind == "flashcards":
            blocks.append(
                {
                    "id": f"b{i}",
                    "type": "flashcards",
                    "cards": [{"id": f"k{j}", "front": f"Front {j}", "back": f"Back {j}"} for j in range(3)],
                }
            )
        else:
            blocks.append(
                {
                    "id": f"b{i}",
                    "type": "accordion",
                    "items": [{"id": f"p{j}", "title": f"Panel {j}", "body": body} for j in range(3)],
                }
            )
    return Module(id="big", title="A 40-block module", objectives=["Measure"], blocks=blocks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=60)
    args = ap.parse_args()
    ws = Workspace.create(Path(tempfile.mkdtemp()) / "ws", title="Bench")
    module = generated_module()
    ws.save_module(module)
    builder = ModuleBuilder(ws, "big")
    builder.blocks.value = "b0"
    field = builder.form.controls["body"]

    from mblib.render.markdown import to_html, to_inline_html

    edit, bare, cold = [], [], []
    for i in range(args.edits):
        before = builder.preview.html
        t = time.perf_counter()
        field.value = f"Edited paragraph number {i}."  # -> editor -> lint, duration -> preview
        edit.append(time.perf_counter() - t)
        assert builder.preview.html != before and f"Edited paragraph number {i}." in builder.preview.html
        assert builder.preview.focus["id"] == "b0"  # the preview follows the edited block
        t = time.perf_counter()
        render_module(builder.editor.current, ws)
        bare.append(time.perf_counter() - t)
        to_html.cache_clear(), to_inline_html.cache_clear()
        t = time.perf_counter()
        render_module(builder.editor.current, ws)  # every Markdown text parsed again
        cold.append(time.perf_counter() - t)
    assert builder.get_errors() == "", builder.get_errors()

    e_ms, b_ms, c_ms = (statistics.median(x) * 1000 for x in (edit, bare, cold))
    p90 = sorted(edit)[int(0.9 * len(edit))] * 1000
    print(f"40-block module, {args.edits} edits")
    print(f"edit -> updated preview (widget + editor + lint + render): median {e_ms:.1f} ms, p90 {p90:.1f} ms")
    print(f"peer: bare render_module of the same module:              median {b_ms:.1f} ms")
    print(f"peer: the same render with the Markdown cache cleared:   median {c_ms:.1f} ms")
    print(f"ratio edit / bare render: {e_ms / b_ms:.2f}x; edit / cold render: {e_ms / c_ms:.2f}x")
    print(
        f"target < {TARGET_MS:.0f} ms: {'met' if e_ms < TARGET_MS else 'MISSED'} ({e_ms / TARGET_MS:.2f} of the budget)"
    )


if __name__ == "__main__":
    main()
