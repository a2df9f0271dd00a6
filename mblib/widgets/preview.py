"""``PagePreview``: the rendered page in a sandboxed frame that follows the designer.

The page keeps its strict CSP: what runs inside is the page's own script and
:data:`PREVIEW_SCRIPT`, both allowed by hash. After the first load the frame is
never reloaded: a new snapshot goes in by ``postMessage`` and only the blocks whose
HTML changed are swapped (and bound by the page script's ``window.mblib.init``, so a
swapped quiz, flashcard or checklist works at once), so the scroll position survives every edit; selecting
or editing a block scrolls to it and highlights it briefly. The JavaScript ships
in ``mblib/widgets/static/`` (no network, no build step).

>>> p = PagePreview()
>>> p.show("<p>page</p>", block_id="intro", flash=True)
>>> p.html, p.focus["id"], p.focus["flash"]
('<p>page</p>', 'intro', True)
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"

#: Runs inside the previewed page (allowed by its hash in the page's CSP): applies updates in place,
#: scrolls to and highlights a block. Messages come from the widget (preview.js) only.
PREVIEW_SCRIPT = r"""
(function () {
  "use strict";
  var timer = null, source = new WeakMap();
  function main() { return document.querySelector("main.mb-main"); }
  function remember(html) {  // the HTML each block was made from (the page script may have changed the DOM since)
    var m = main(), fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main.mb-main");
    if (!m || !fresh) { return; }
    Array.prototype.forEach.call(fresh.children, function (n) {
      var el = block(n.getAttribute("data-block-id"));
      if (el) { source.set(el, n.outerHTML); }
    });
  }
  function block(id) {
    var m = main();
    if (!m || !id) { return null; }
    return Array.prototype.find.call(m.children, function (c) { return c.getAttribute("data-block-id") === id; }) || null;
  }
  function focus(id, flash) {
    var el = block(id);
    Array.prototype.forEach.call(document.querySelectorAll(".mb-preview-focus"), function (e) {
      e.classList.remove("mb-preview-focus", "mb-preview-flash");
    });
    if (!el) { return; }
    el.classList.add("mb-preview-focus");
    el.scrollIntoView({block: "start"});
    if (flash) {
      el.classList.add("mb-preview-flash");
      clearTimeout(timer);
      timer = setTimeout(function () { el.classList.remove("mb-preview-flash"); }, 1600);
    }
  }
  function bind(roots) {  // the page script binds swapped-in blocks (quiz, flashcards, checklist) once each
    var lib = window.mblib;
    if (!lib || typeof lib.init !== "function") { return; }
    roots.forEach(function (r) { try { lib.init(r); } catch (err) { if (window.console) { console.warn(err); } } });
  }
  function update(html) {
    var doc = new DOMParser().parseFromString(html, "text/html"), made = [];
    var fresh = doc.querySelector("main.mb-main"), m = main(), y = window.scrollY;
    if (!fresh || !m) { document.body.innerHTML = doc.body.innerHTML; bind([document.body]); window.scrollTo(0, y); return; }
    document.title = doc.title;
    var pa = document.querySelector(".mb-page"), pb = doc.querySelector(".mb-page");
    var notMain = function (c) { return c.tagName !== "MAIN"; };
    if (pa && pb) {
      var ka = Array.prototype.filter.call(pa.children, notMain), kb = Array.prototype.filter.call(pb.children, notMain);
      if (ka.length === kb.length) {
        ka.forEach(function (a, i) {
          if (a.outerHTML !== kb[i].outerHTML) { var n = document.importNode(kb[i], true); a.replaceWith(n); made.push(n); }
        });
      }
    }
    var old = {};
    Array.prototype.slice.call(m.children).forEach(function (c) {
      var id = c.getAttribute("data-block-id");
      if (id) { old[id] = c; } else { c.remove(); }
    });
    var prev = null, kept = new Set();
    Array.prototype.forEach.call(fresh.children, function (n) {
      var id = n.getAttribute("data-block-id"), el = id ? old[id] : null;
      if (!el || source.get(el) !== n.outerHTML) {
        var swapped = document.importNode(n, true);
        source.set(swapped, n.outerHTML);
        if (el) { el.replaceWith(swapped); }
        el = swapped;
        made.push(el);
      }
      kept.add(el);
      var want = prev ? prev.nextSibling : m.firstChild;
      if (want !== el) { m.insertBefore(el, want); }
      prev = el;
    });
    Object.keys(old).forEach(function (id) { if (!kept.has(old[id])) { old[id].remove(); } });
    bind(made);
    window.scrollTo(0, y);
  }
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== window.parent || !d || typeof d.mblibPreview !== "string") { return; }
    if (d.mblibPreview === "base" && typeof d.html === "string") { remember(d.html); return; }
    if (d.mblibPreview === "update" && typeof d.html === "string") { update(d.html); }
    if (d.mblibPreview === "update" || d.mblibPreview === "focus") { focus(String(d.id || ""), !!d.flash); }
  });
  window.parent.postMessage({mblibPreview: "ready"}, "*");
})();
"""

#: The highlight of the block being edited (allowed by hash like the page's own CSS).
PREVIEW_CSS = """
.mb-preview-focus { outline: 2px solid #1f5fa8; outline-offset: 4px; scroll-margin-top: 12px; }
.mb-preview-flash { animation: mb-preview-flash 1.6s ease-out; }
@keyframes mb-preview-flash { from { background: #fff3bf; } to { background: transparent; } }
"""


class PagePreview(anywidget.AnyWidget):
    """A page preview that updates in place: set :attr:`html` (a page rendered with
    ``scripts=[PREVIEW_SCRIPT], styles=[PREVIEW_CSS]``) and :attr:`focus` with :meth:`show`."""

    _esm = STATIC / "preview.js"
    html = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("Preview").tag(sync=True)
    height = traitlets.Int(620).tag(sync=True)
    focus = traitlets.Dict({"id": "", "flash": False, "n": 0}).tag(sync=True)

    def show(self, page_html: str, *, block_id: str | None = None, flash: bool = False) -> None:
        """Show a new snapshot; with ``block_id``, scroll to that block (and highlight it with ``flash``)."""
        with self.hold_sync():
            self.html = page_html
            self.point_at(block_id, flash=flash)

    def point_at(self, block_id: str | None, *, flash: bool = True) -> None:
        """Scroll the preview to a block (and highlight it briefly with ``flash``), even if it already is there."""
        self._focus_n = getattr(self, "_focus_n", 0) + 1
        self.focus = {"id": block_id or "", "flash": flash, "n": self._focus_n}


__all__ = ["PREVIEW_CSS", "PREVIEW_SCRIPT", "PagePreview"]
