"""A credential as a static site: an index with the pathway, one page per module.

Module pages link previous/next in pathway order and back to the index;
progress is kept in the browser's localStorage (guarded: where storage is
refused, e.g. some ``file://`` settings, every page still works). When the
workspace has ``translations/<lang>/<module-id>.yaml`` and the translate
package is installed, each language gets its own folder and every page a
language switcher. The site opens from the file system and from any static
web server: links are relative, nothing loads from the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.yamlio import atomic_write
from ..render.palette import palette_css
from .packaging import staged_folder

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module
    from ..content.workspace import Workspace

STATIC = Path(__file__).parent / "static"
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "nl": "Nederlands",
    "it": "Italiano",
    "pt": "Português",
    "pl": "Polski",
    "sv": "Svenska",
    "da": "Dansk",
    "fi": "Suomi",
    "cs": "Čeština",
    "el": "Ελληνικά",
    "ro": "Română",
    "hu": "Magyar",
}


def static_text(name: str) -> str:
    """An export script or stylesheet from ``mblib/export/static``."""
    return (STATIC / name).read_text(encoding="utf-8")


def site_script(site_id: str) -> str:
    """The progress script of a site (its localStorage key is the site id)."""
    return static_text("site.js").replace("__SITE__", json.dumps(site_id), 1)


def translations(workspace: Workspace, module_ids: list[str]) -> dict[str, list[str]]:
    """Languages with translated modules (``translations/<lang>/<id>.yaml``): lang -> module ids.

    Empty when the translate package is not installed.
    """
    try:
        from ..translate import translated_module  # noqa: F401
    except ImportError:
        return {}
    root = workspace.root / "translations"
    out: dict[str, list[str]] = {}
    source = workspace.settings.workspace.source_language
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if folder.name == source:
            continue
        have = [m for m in module_ids if (folder / f"{m}.yaml").is_file()]
        if have:
            out[folder.name] = have
    return out


def _translated(workspace: Workspace, module: Module, lang: str, executed: Module) -> Module:
    from ..translate import translated_module

    tm = translated_module(workspace, module, lang)
    outputs = {b.id: b.outputs for b in executed.blocks if b.type == "code"}
    blocks = []
    for b in tm.blocks:
        if b.type == "code" and b.id in outputs:
            b = b.model_copy(update={"outputs": outputs[b.id]})
        blocks.append(b)
    return tm.model_copy(update={"blocks": blocks})


def export_site(
    workspace: Workspace,
    credential_id: str,
    out_dir: str | Path,
    *,
    execute: bool = True,
    workers: int | None = None,
    echo: Callable[[str], None] | None = None,
) -> Path:
    """Write the static site of a credential to ``out_dir`` (built aside, moved into place whole)."""
    from ..render.page import content_security_policy, environment, render_module
    from ..render.page import static_text as render_static
    from .state import executed_modules

    cred = workspace.credential(credential_id)
    try:
        order = cred.pathway()
    except ValueError:
        order = cred.module_ids()
    order = [m for m in order if m in workspace.modules]
    modules, _hashes, _ran = executed_modules(workspace, order, execute=execute, workers=workers, echo=echo)
    source_lang = cred.language or workspace.settings.workspace.source_language
    langs = translations(workspace, order)
    css, site_css = render_static("mblib.css"), static_text("site.css") + "\n" + palette_css()
    script = site_script(cred.id)
    plan_js = static_text("site_plan.js")  # the learner's next step (export/site_plan.py)
    titles = {m: workspace.module(m).title for m in order}
    required = set(cred.required)
    group_of = {m: g for g in cred.electives for m in g.modules}
    out = Path(out_dir)
    with staged_folder(out) as tmp:
        for lang in [None, *langs]:
            folder = tmp / lang if lang else tmp
            present = order if lang is None else [m for m in order if m in langs[lang]]
            up = "../" if lang else ""

            def href(mid: str, in_lang: str | None, _lang: str | None = lang, _up: str = up) -> str:
                # link from a page in folder _lang to module mid in language in_lang
                if in_lang == _lang:
                    return f"{mid}.html"
                return f"{_up}{in_lang + '/' if in_lang else ''}{mid}.html"

            def switcher(mid: str | None, _lang: str | None = lang) -> list[dict[str, Any]]:
                if not langs:
                    return []
                items = [{"lang": source_lang, "label": LANGUAGE_NAMES.get(source_lang, source_lang), "code": None}]
                items += [{"lang": code, "label": LANGUAGE_NAMES.get(code, code), "code": code} for code in langs]
                out_items = []
                for it in items:
                    if mid is not None and it["code"] is not None and mid not in langs[it["code"]]:
                        continue
                    target = href(mid, it["code"]) if mid else href("index", it["code"])
                    out_items.append(
                        {"href": target, "lang": it["lang"], "label": it["label"], "current": it["code"] == _lang}
                    )
                return out_items

            for i, mid in enumerate(order):
                if mid not in present:
                    continue
                module = (
                    modules[mid] if lang is None else _translated(workspace, workspace.module(mid), lang, modules[mid])
                )
                nav: dict[str, Any] = {"index": {"href": "index.html", "title": cred.title}}
                if i > 0:
                    prev = order[i - 1]
                    nav["previous"] = {"href": href(prev, lang if prev in present else None), "title": titles[prev]}
                if i + 1 < len(order):
                    nxt = order[i + 1]
                    nav["next"] = {"href": href(nxt, lang if nxt in present else None), "title": titles[nxt]}
                if langs:
                    nav["languages"] = switcher(mid)
                untranslated: frozenset[str] = frozenset()
                if lang:
                    from ..translate import untranslated_fields

                    untranslated = untranslated_fields(workspace, workspace.module(mid), lang)
                page = render_module(
                    module,
                    workspace,
                    language=lang or None,
                    nav=nav,
                    scripts=[script],
                    styles=[site_css],
                    untranslated=untranslated,
                )
                for rel, data in page.assets.items():
                    atomic_write(tmp / rel, data)  # media shared by every language, at the site root
                html = page.html
                if lang:  # large media live once, at the site root
                    html = re.sub(r'(src|poster)="media/', r'\1="../media/', html)
                atomic_write(folder / f"{mid}.html", html.encode("utf-8"))
            minutes = {
                m: max(1, round(workspace.module(m).estimate_duration(workspace.settings.duration).minutes))
                for m in order
            }
            entries = []
            for mid in order:
                role = "required" if mid in required else "elective" if mid in group_of else "optional"
                if mid in required:
                    kind = "Required"
                elif mid in group_of:
                    g = group_of[mid]
                    kind = f"Elective: choose {g.choose} of {len(g.modules)}" + (f" ({g.title})" if g.title else "")
                else:
                    kind = "Optional"
                entries.append(
                    {
                        "module": workspace.module(mid),
                        "minutes": minutes[mid],
                        "kind": kind,
                        "role": role,
                        "href": href(mid, lang if mid in present else None),
                        "prerequisites": [titles[p] for p in cred.prerequisites.get(mid, []) if p in titles],
                    }
                )
            index = (
                environment()
                .get_template("site_index.html.j2")
                .render(
                    credential=cred,
                    entries=entries,
                    css=css,
                    site_css=site_css,
                    js=script,
                    lang=lang or source_lang,
                    issuer=cred.issuer or workspace.settings.issuer,
                    languages=switcher(None),
                    csp=content_security_policy([script, plan_js], [css, site_css]),
                )
            )
            index = _with_next_step(
                index, workspace, cred.id, {m: href(m, lang if m in present else None) for m in order}, plan_js
            )
            atomic_write(folder / "index.html", index.encode("utf-8"))
    return out


def _with_next_step(index: str, workspace: Workspace, credential_id: str, pages: dict[str, str], plan_js: str) -> str:
    """The index with the "Your next step" section, its planning data and its script."""
    from ..render.page import environment
    from .site_plan import plan_graph, plan_graph_json, stack_family

    goals = [workspace.credentials[c] for c in stack_family(workspace, credential_id)]
    section = (
        environment()
        .get_template("site_next_step.html.j2")
        .render(goals=goals, current=credential_id, data=plan_graph_json(plan_graph(workspace, credential_id, pages)))
    )
    index = index.replace("<!-- mb:next-step -->", section, 1)
    return index.replace("</body>", f"<script>{plan_js}</script>\n</body>", 1)


__all__ = ["LANGUAGE_NAMES", "export_site", "site_script", "static_text", "translations"]
