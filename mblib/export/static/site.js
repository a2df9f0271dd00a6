/* mblib credential site: keeps each learner's progress in localStorage (when the browser allows it).
   Module pages record the mblib:progress state; the index shows it. Works from file:// and any server. */
(function () {
  "use strict";
  var site = __SITE__;
  var key = "mblib:site:" + site;
  function storage() {
    try { var s = window.localStorage; s.setItem("mblib:probe", "1"); s.removeItem("mblib:probe"); return s; }
    catch (e) { return null; }
  }
  var store = storage();
  function load() {
    if (!store) { return {}; }
    try { return JSON.parse(store.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(all) {
    if (!store) { return; }
    try { store.setItem(key, JSON.stringify(all)); } catch (e) { /* full or refused: keep going */ }
  }
  var page = document.querySelector(".mb-page[data-module-id]");
  if (page) {
    var id = page.getAttribute("data-module-id");
    var record = function (s) {
      var all = load();
      var prev = all[id] || {};
      all[id] = {
        visited: true,
        complete: !!s.complete,
        passed: !!(s.passed || prev.passed),
        scaled: Math.max(s.scaled || 0, prev.scaled || 0),
        answered: s.answered, questions: s.questions
      };
      save(all);
    };
    document.addEventListener("mblib:progress", function (ev) { record(ev.detail); });
    if (window.mblib && window.mblib.state) { record(window.mblib.state()); }
    return;
  }
  var all = load();
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-progress-module]"));
  var passed = 0;
  rows.forEach(function (el) {
    var s = all[el.getAttribute("data-progress-module")];
    var text = "Not started", cls = "is-new";
    if (s && s.passed) { text = "Passed (" + Math.round(100 * s.scaled) + "%)"; cls = "is-passed"; passed += 1; }
    else if (s && s.complete && s.questions) { text = "Not passed yet (" + Math.round(100 * s.scaled) + "%)"; cls = "is-failed"; }
    else if (s && s.complete) { text = "Done"; cls = "is-passed"; passed += 1; }
    else if (s) { text = "Started"; cls = "is-started"; }
    el.textContent = text;
    el.className = "mb-status " + cls;
  });
  var summary = document.querySelector(".mb-site-progress");
  if (summary) {
    summary.textContent = store
      ? passed + " of " + rows.length + " modules done or passed."
      : "This browser does not let the site keep your progress (storage is turned off), but every module still works.";
  }
}());
