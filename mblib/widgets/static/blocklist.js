// mblib block list: icon, type and the first words of each block; click or arrow keys select,
// drag and drop or Alt+Arrow keys reorder. Every change goes back to Python as a message.
function render({ model, el }) {
  const list = document.createElement("ul");
  list.className = "mblib-blocklist";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Blocks of the module (Alt+Up / Alt+Down or drag to reorder)");
  el.appendChild(list);
  let dragged = null;

  const items = () => model.get("items") || [];
  const select = (id) => {
    if (id && id !== model.get("value")) { model.set("value", id); model.save_changes(); }
  };
  const move = (id, to) => model.send({ kind: "move", id: id, to: to });

  function draw() {
    const value = model.get("value");
    const hadFocus = list.contains(document.activeElement);
    list.textContent = "";
    items().forEach((it, i) => {
      const li = document.createElement("li");
      li.className = "mblib-blockitem" + (it.id === value ? " is-selected" : "");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", it.id === value ? "true" : "false");
      li.setAttribute("data-block-id", it.id);
      li.tabIndex = it.id === value ? 0 : -1;
      li.draggable = true;
      const icon = document.createElement("span");
      icon.className = "mblib-blockicon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = it.icon;
      const text = document.createElement("span");
      text.className = "mblib-blocktext";
      const head = document.createElement("span");
      head.className = "mblib-blocktype";
      head.textContent = (i + 1) + ". " + it.label;
      const snip = document.createElement("span");
      snip.className = "mblib-blocksnippet";
      snip.textContent = it.snippet;
      text.append(head, snip);
      if (it.note) {
        const note = document.createElement("span");
        note.className = "mblib-blocknote";
        note.textContent = it.note;
        text.append(note);
      }
      li.append(icon, text);
      li.title = it.id;
      li.addEventListener("click", () => select(it.id));
      li.addEventListener("keydown", (e) => {
        if (e.key !== "ArrowUp" && e.key !== "ArrowDown" && e.key !== "Home" && e.key !== "End") { return; }
        e.preventDefault();
        const n = items().length;
        const to = e.key === "Home" ? 0 : e.key === "End" ? n - 1 : i + (e.key === "ArrowUp" ? -1 : 1);
        if (to < 0 || to >= n) { return; }
        if (e.altKey || e.ctrlKey) { move(it.id, to); } else { select(items()[to].id); }
      });
      li.addEventListener("dragstart", (e) => {
        dragged = it.id;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", it.id);
        li.classList.add("is-dragged");
      });
      li.addEventListener("dragend", () => { dragged = null; li.classList.remove("is-dragged"); });
      li.addEventListener("dragover", (e) => {
        if (dragged === null) { return; }
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        li.classList.add("is-drop-target");
      });
      li.addEventListener("dragleave", () => li.classList.remove("is-drop-target"));
      li.addEventListener("drop", (e) => {
        e.preventDefault();
        li.classList.remove("is-drop-target");
        const id = dragged || e.dataTransfer.getData("text/plain");
        if (id && id !== it.id) { move(id, i); }
        dragged = null;
      });
      list.appendChild(li);
    });
    const current = list.querySelector(".is-selected");
    if (current) {
      if (hadFocus) { current.focus(); }
      current.scrollIntoView({ block: "nearest" });
    }
  }
  model.on("change:items", draw);
  model.on("change:value", draw);
  draw();
}
export default { render };
