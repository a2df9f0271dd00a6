"""The translation step of ``mb demo``: French with opus-mt-en-fr when the model can be had, else a clear skip."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace


def run_demo(workspace: Workspace, out: Path, echo: Callable[[str], None] = print, lang: str = "fr") -> bool:
    """Translate a copy of the workspace into ``lang`` and render the French pages; True when it ran.

    The shipped sample is never modified: the copy lives under ``out/<workspace>/translated``.
    """
    import shutil

    from ..content.workspace import Workspace
    from ..errors import MblibError
    from ..render import write_module_page
    from .apply import fallback_count, translate_modules, translated_module, untranslated_fields
    from .models import ModelNotFoundError, hub_reachable, pull_model, resolve_model

    src = workspace.settings.workspace.source_language
    pair = f"{src}-{lang}"
    try:
        resolve_model(workspace, src, lang)
    except ModelNotFoundError:
        if not hub_reachable(3.0):
            echo(f"translation: skipped -- no {pair} model on this machine and huggingface.co is not reachable.")
            echo(
                f"  to enable it: run `mb models pull {pair} -w {workspace.root}` while online, or name a local "
                f'Marian folder in mblib.toml under [translation.models] "{pair}" = "PATH"'
            )
            return False
        try:
            pull_model(workspace, pair)
        except MblibError as e:
            echo(f"translation: skipped -- {e}")
            return False
    t0 = time.perf_counter()
    copy = Path(out) / workspace.root.name / "translated"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(workspace.root, copy, ignore=shutil.ignore_patterns(".mblib"))
    ws = Workspace.open(copy)
    ws.settings.translation.models.setdefault(pair, str(resolve_model(workspace, src, lang)[0]))
    results = translate_modules(ws, sorted(ws.modules), [lang])
    pages = Path(out) / workspace.root.name / "pages" / lang
    fallbacks = 0
    for m in ws.modules.values():
        write_module_page(
            translated_module(ws, m, lang), pages, ws, language=lang, untranslated=untranslated_fields(ws, m, lang)
        )
        fallbacks += fallback_count(ws, m, lang)
    done = sum(r.translated + r.from_memory for r in results)
    echo(
        f"translation: {len(results)} modules into {lang}: {done} segments in {time.perf_counter() - t0:.1f} s, "
        f"{fallbacks} shown in {src}; pages in {pages}/"
    )
    return True


__all__ = ["run_demo"]
