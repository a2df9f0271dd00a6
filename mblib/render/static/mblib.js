/* mblib lesson behaviour: quizzes with feedback and a score, flashcards, checklists.
   No network, no globals but window.mblib. Emits "mblib:progress" events that LMS
   adapters (SCORM, cmi5) listen to. window.mblib.init(root) binds the blocks under root
   (the preview calls it on a block it swapped in); each element is bound once. */
(function () {
  "use strict";
  var page = document.querySelector(".mb-page");
  if (!page) { return; }
  var moduleId = page.getAttribute("data-module-id");
  var passMark = parseFloat(page.getAttribute("data-pass-mark") || "0.8");
  var bound = typeof WeakSet === "function" ? new WeakSet() : null;
  var answers = {};   // block id -> {choices: [...], correct: bool, weight: n}
  var listeners = [];

  function storage() {
    try { var s = window.localStorage; s.setItem("mblib:probe", "1"); s.removeItem("mblib:probe"); return s; }
    catch (e) { return null; }
  }

  function quizzes() { return Array.prototype.slice.call(document.querySelectorAll(".mb-quiz-form")); }

  function under(root, selector) {  // root itself (when it matches) and the elements under it
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }

  function once(el) {  // true the first time an element is seen: no element is bound twice
    if (bound) { if (bound.has(el)) { return false; } bound.add(el); return true; }
    if (el.getAttribute("data-mb-bound")) { return false; }
    el.setAttribute("data-mb-bound", "1");
    return true;
  }

  function state() {
    var total = 0, earned = 0, answered = 0, forms = quizzes(), present = {};
    forms.forEach(function (form) {
      var id = form.closest(".mb-block").getAttribute("data-block-id");
      var w = parseFloat(form.getAttribute("data-weight") || "1");
      if (answers[id]) { present[id] = answers[id]; }
      total += w;
      if (answers[id]) { answered += 1; if (answers[id].correct) { earned += w; } }
    });
    var scaled = total > 0 ? earned / total : 1;
    var complete = answered === forms.length;
    return {
      moduleId: moduleId, answered: answered, questions: forms.length, raw: earned, max: total,
      scaled: scaled, complete: complete, passed: complete && scaled >= passMark - 1e-9,
      passMark: passMark, answers: JSON.parse(JSON.stringify(present))
    };
  }

  function announce() {
    var s = state();
    var text = document.querySelector(".mb-score-text");
    if (text) {
      var pct = Math.round(s.scaled * 100);
      if (s.complete) {
        text.textContent = "Score: " + pct + "% (" + fmt(s.raw) + " of " + fmt(s.max) + " points). " +
          (s.passed ? "Passed: you reached the pass mark of " + Math.round(passMark * 100) + "%."
                    : "Not passed yet: the pass mark is " + Math.round(passMark * 100) + "%. Try the questions again.");
        text.classList.toggle("is-passed", s.passed);
      } else {
        text.textContent = s.answered + " of " + s.questions + " questions answered.";
      }
      var bar = document.querySelector(".mb-progress");
      if (bar) {
        bar.setAttribute("aria-valuenow", String(s.answered));
        bar.querySelector(".mb-progress-bar").style.width = (s.questions ? 100 * s.answered / s.questions : 0) + "%";
      }
    }
    listeners.forEach(function (fn) { try { fn(s); } catch (e) { if (window.console) { console.warn(e); } } });
    document.dispatchEvent(new CustomEvent("mblib:progress", {detail: s}));
  }

  function fmt(n) { return Math.round(n * 100) / 100 + ""; }

  function bindQuiz(form) {
    var block = form.closest(".mb-block");
    var id = block.getAttribute("data-block-id");
    delete answers[id];  // a quiz bound now (first load, or swapped in by the preview) starts unanswered
    var correct = (form.getAttribute("data-correct") || "").split(" ").filter(Boolean).sort();
    var feedback = form.querySelector(".mb-feedback");
    var explanation = form.querySelector(".mb-explanation");
    var check = form.querySelector(".mb-check");
    var retry = form.querySelector(".mb-retry");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input"));

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var chosen = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; }).sort();
      if (!chosen.length) {
        feedback.className = "mb-feedback";
        feedback.textContent = "Choose an answer first.";
        return;
      }
      var ok = chosen.join(" ") === correct.join(" ");
      answers[id] = {choices: chosen, correct: ok, weight: parseFloat(form.getAttribute("data-weight") || "1")};
      Array.prototype.forEach.call(form.querySelectorAll(".mb-choice"), function (li) {
        var cid = li.getAttribute("data-choice-id");
        var picked = chosen.indexOf(cid) >= 0;
        var isRight = correct.indexOf(cid) >= 0;
        var mark = li.querySelector(".mb-mark");
        var fb = li.querySelector(".mb-choice-feedback");
        li.classList.toggle("is-correct", picked && isRight);
        li.classList.toggle("is-wrong", picked && !isRight);
        mark.textContent = picked ? (isRight ? "Correct" : "Incorrect") : "";
        if (fb) { fb.hidden = !picked; }
      });
      inputs.forEach(function (i) { i.disabled = true; });
      feedback.className = "mb-feedback " + (ok ? "is-correct" : "is-wrong");
      feedback.textContent = ok ? "Correct!" : (correct.length > 1 ? "Not quite: check which answers apply." : "Not quite.");
      var picks = chosen.map(function (cid) {
        var fb = form.querySelector(".mb-choice[data-choice-id='" + cid + "'] .mb-choice-feedback");
        return fb ? fb.textContent : "";
      }).filter(Boolean);
      if (picks.length) { feedback.textContent += " " + picks.join(" "); }
      if (explanation) { explanation.hidden = false; }
      check.disabled = true;
      retry.hidden = false;
      announce();
    });

    retry.addEventListener("click", function () {
      delete answers[id];
      inputs.forEach(function (i) { i.disabled = false; i.checked = false; });
      Array.prototype.forEach.call(form.querySelectorAll(".mb-choice"), function (li) {
        li.classList.remove("is-correct", "is-wrong");
        li.querySelector(".mb-mark").textContent = "";
        var fb = li.querySelector(".mb-choice-feedback");
        if (fb) { fb.hidden = true; }
      });
      feedback.className = "mb-feedback";
      feedback.textContent = "";
      if (explanation) { explanation.hidden = true; }
      check.disabled = false;
      retry.hidden = true;
      if (inputs[0]) { inputs[0].focus(); }
      announce();
    });
  }

  function bindCard(card) {
    card.addEventListener("click", function () {
      var flipped = card.getAttribute("aria-pressed") !== "true";
      card.setAttribute("aria-pressed", flipped ? "true" : "false");
      card.querySelector(".mb-card-front").hidden = flipped;
      card.querySelector(".mb-card-back").hidden = !flipped;
    });
  }

  var store = storage();
  function bindChecklist(list) {
    var block = list.closest(".mb-block");
    var key = "mblib:" + moduleId + ":" + block.getAttribute("data-block-id");
    var status = block.querySelector(".mb-checklist-status");
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]"));
    var saved = {};
    try { saved = JSON.parse((store && store.getItem(key)) || "{}"); } catch (e) { saved = {}; }
    boxes.forEach(function (b) { b.checked = !!saved[b.getAttribute("data-item-id")]; });
    function update() {
      var done = boxes.filter(function (b) { return b.checked; }).length;
      status.textContent = done + " of " + boxes.length + " done" + (done === boxes.length ? ". Well done!" : "");
      var data = {};
      boxes.forEach(function (b) { data[b.getAttribute("data-item-id")] = b.checked; });
      if (store) { try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full: keep going */ } }
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  function init(root) {
    under(root, ".mb-quiz-form").forEach(function (f) { if (once(f)) { bindQuiz(f); } });
    under(root, ".mb-card").forEach(function (c) { if (once(c)) { bindCard(c); } });
    under(root, ".mb-checklist").forEach(function (l) { if (once(l)) { bindChecklist(l); } });
  }

  init(document);
  window.mblib = {
    state: state,
    onProgress: function (fn) { listeners.push(fn); },
    // Bind the blocks under root (idempotent) and refresh the score: the preview calls it after a swap.
    init: function (root) { init(root || document); if (quizzes().length) { announce(); } },
    version: 1
  };
  if (quizzes().length) { announce(); }
}());
