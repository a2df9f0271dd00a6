"""XLIFF 2.1 (and 1.2) export and import of module translations.

One ``<file>`` per module (``original`` = the module file), one ``<unit>`` /
``<trans-unit>`` per segment whose ``id`` is unique in the document
(``block:field:index``; XML ids cannot hold ``/``) and whose ``name`` /
``resname`` is the segment key. Source text is the segment's Markdown as is.
Imported targets land as *reviewed*; a unit whose source no longer matches the
module is imported against the source it was translated from (so it shows as
stale, nothing is lost).

>>> unit_id("intro/body/0")
'intro:body:0'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from xml.etree import ElementTree as ET

from ..content.language import check_language
from ..errors import Location
from .errors import TranslationError
from .segments import module_segments, source_hash
from .store import load_translations, save_translations

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace

Version = Literal["2.1", "1.2"]
NS2 = "urn:oasis:names:tc:xliff:document:2.0"
NS12 = "urn:oasis:names:tc:xliff:document:1.2"


def unit_id(key: str) -> str:
    return key.replace("/", ":")


def export_xliff(workspace: Workspace, module_ids: Iterable[str], lang: str, *, version: Version = "2.1") -> bytes:
    """An XLIFF document with every segment of the modules: current targets included, stale and
    missing ones left for the translator (``state="initial"`` / ``needs-translation``)."""
    src = workspace.settings.workspace.source_language
    check_language(lang, what="target language")
    if version == "2.1":
        ET.register_namespace("", NS2)
        root = ET.Element(f"{{{NS2}}}xliff", {"version": "2.1", "srcLang": src, "trgLang": lang})
    elif version == "1.2":
        ET.register_namespace("", NS12)
        root = ET.Element(f"{{{NS12}}}xliff", {"version": "1.2"})
    else:
        raise TranslationError(f"XLIFF version '{version}' is not supported", hint="use 2.1 or 1.2")
    for mid in module_ids:
        module = workspace.module(mid)
        tf = load_translations(workspace, mid, lang)
        original = f"modules/{mid}.yaml"
        if version == "2.1":
            f = ET.SubElement(root, f"{{{NS2}}}file", {"id": mid, "original": original})
        else:
            f = ET.SubElement(
                root,
                f"{{{NS12}}}file",
                {"original": original, "source-language": src, "target-language": lang, "datatype": "plaintext"},
            )
            f = ET.SubElement(f, f"{{{NS12}}}body")
        for s in module_segments(module):
            e = tf.current(s)
            if version == "2.1":
                u = ET.SubElement(f, f"{{{NS2}}}unit", {"id": unit_id(s.id), "name": s.id})
                state = "initial" if e is None else ("reviewed" if e.status == "reviewed" else "translated")
                seg = ET.SubElement(u, f"{{{NS2}}}segment", {"id": "s1", "state": state})
                ET.SubElement(seg, f"{{{NS2}}}source").text = s.source
                if e is not None:
                    ET.SubElement(seg, f"{{{NS2}}}target").text = e.target
            else:
                attrs = {"id": f"{mid}:{unit_id(s.id)}", "resname": s.id}
                if e is not None and e.status == "reviewed":
                    attrs["approved"] = "yes"
                u = ET.SubElement(f, f"{{{NS12}}}trans-unit", attrs)
                ET.SubElement(u, f"{{{NS12}}}source").text = s.source
                if e is not None:
                    ET.SubElement(
                        u, f"{{{NS12}}}target", {"state": "signed-off" if e.status == "reviewed" else "translated"}
                    ).text = e.target
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_xliff(
    workspace: Workspace, module_ids: Iterable[str], lang: str, path: str | Path, *, version: Version = "2.1"
) -> Path:
    from ..content.yamlio import atomic_write

    atomic_write(Path(path), export_xliff(workspace, module_ids, lang, version=version))
    return Path(path)


def import_xliff(workspace: Workspace, path: str | Path) -> dict[str, int]:
    """Read an XLIFF 2.x or 1.2 file back; every unit with a target lands as ``reviewed``.
    Returns ``{module id: targets imported}``."""
    from .memory import TranslationMemory

    path = Path(path)
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError) as e:
        raise TranslationError(
            f"cannot read XLIFF: {e}",
            location=Location(file=str(path)),
            hint="export a fresh file with: mb xliff export MODULE --to LANG",
        ) from None
    root = tree.getroot()
    if root.tag == f"{{{NS2}}}xliff":
        ns, lang = NS2, root.get("trgLang")
        files = [
            (f.get("original") or f.get("id") or "", f.iter(f"{{{NS2}}}unit")) for f in root.iter(f"{{{NS2}}}file")
        ]
    elif root.tag == f"{{{NS12}}}xliff":
        ns, lang = NS12, None
        files = []
        for f in root.iter(f"{{{NS12}}}file"):
            lang = lang or f.get("target-language")
            files.append((f.get("original") or "", f.iter(f"{{{NS12}}}trans-unit")))
    else:
        raise TranslationError(
            f"{path.name} is not XLIFF 2.x or 1.2 (root element {root.tag})",
            location=Location(file=str(path)),
            hint="export with: mb xliff export",
        )
    if not lang:
        raise TranslationError(
            "the XLIFF file names no target language",
            location=Location(file=str(path)),
            hint="set trgLang (2.x) or target-language (1.2)",
        )
    check_language(lang, what="trgLang" if ns == NS2 else "target-language", location=Location(file=str(path)))
    counts: dict[str, int] = {}
    reviewed: list[tuple[str, str]] = []
    for original, units in files:
        mid = Path(original).stem
        module = workspace.module(mid)
        known = {s.id: s for s in module_segments(module)}
        tf = load_translations(workspace, mid, lang)
        n = 0
        for u in units:
            key = u.get("name") if ns == NS2 else u.get("resname")
            src_el = u.find(f".//{{{ns}}}source")
            tgt_el = u.find(f".//{{{ns}}}target")
            if key is None or src_el is None or tgt_el is None or tgt_el.text is None:
                continue
            if key not in known:
                raise TranslationError(
                    f"unit '{key}' is not a segment of module '{mid}'",
                    location=Location(file=str(path), module_id=mid),
                    hint="the module changed since the export: export again and merge",
                )
            source = src_el.text or ""
            tf.set(key, source, tgt_el.text, status="reviewed")
            if source_hash(source) == known[key].hash:
                reviewed.append((source, tgt_el.text))
            n += 1
        save_translations(workspace, tf)
        counts[mid] = n
    with TranslationMemory.for_workspace(workspace.root) as tm:
        tm.put_many(workspace.settings.workspace.source_language, lang, None, reviewed, origin="reviewed")
    return counts


__all__ = ["NS12", "NS2", "export_xliff", "import_xliff", "unit_id", "write_xliff"]
