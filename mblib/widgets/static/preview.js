// mblib preview: the rendered page in a sandboxed <iframe srcdoc> (its own strict CSP stays intact).
// After the first load the frame is never reloaded: a new page is sent by postMessage and the script
// inside the page (PREVIEW_SCRIPT in mblib/widgets/preview.py) swaps only the blocks whose HTML
// changed, keeps the scroll position, and scrolls to / highlights the block being edited.
function render({ model, el }) {
  const frame = document.createElement("iframe");
  frame.className = "mblib-preview";
  // allow-forms: without it a sandboxed frame fires no "submit", so a quiz could not be checked; nothing is
  // ever sent (the page's CSP says form-action 'none' and its script cancels the submit). No allow-same-origin.
  frame.setAttribute("sandbox", "allow-scripts allow-forms");
  frame.title = model.get("title");
  frame.style.cssText = "width:100%;border:1px solid #ccc;background:#fff;display:block;height:" +
    model.get("height") + "px";
  let ready = false;
  let loaded = "";  // the page the frame loaded (its blocks' HTML is the base of the first update)
  const post = (msg) => {
    if (ready && frame.contentWindow) { frame.contentWindow.postMessage(msg, "*"); }
  };
  const focusMsg = (flash) => {
    const f = model.get("focus") || {};
    return { mblibPreview: "focus", id: f.id || "", flash: flash && !!f.flash };
  };
  const onMessage = (e) => {
    if (e.source !== frame.contentWindow || !e.data || e.data.mblibPreview !== "ready") { return; }
    ready = true;
    el.setAttribute("data-updates", "0");
    post({ mblibPreview: "base", html: loaded });
    if (model.get("html") !== loaded) {
      post({ mblibPreview: "update", html: model.get("html"), id: "", flash: false });
    }
    post(focusMsg(false));
  };
  window.addEventListener("message", onMessage);
  const load = () => { ready = false; loaded = model.get("html"); frame.srcdoc = loaded; };
  model.on("change:html", () => {
    if (!ready) { load(); return; }
    const f = model.get("focus") || {};
    post({ mblibPreview: "update", html: model.get("html"), id: f.id || "", flash: !!f.flash });
    el.setAttribute("data-updates", String(Number(el.getAttribute("data-updates") || "0") + 1));
  });
  model.on("change:focus", () => post(focusMsg(true)));
  model.on("change:title", () => { frame.title = model.get("title"); });
  model.on("change:height", () => { frame.style.height = model.get("height") + "px"; });
  el.classList.add("mblib-preview-box");
  el.appendChild(frame);
  load();
  return () => window.removeEventListener("message", onMessage);
}
export default { render };
