/* mblib SCORM 1.2 adapter: finds the LMS API (window.API in a parent or opener), reports
   cmi.core.lesson_status, cmi.core.score.raw/min/max and cmi.core.session_time, commits and
   finishes. Without an LMS it does nothing and the page works on its own. */
(function () {
  "use strict";
  function find(win) {
    var hops = 0;
    try {
      while (win && hops < 12) {
        if (win.API && typeof win.API.LMSInitialize === "function") { return win.API; }
        if (!win.parent || win.parent === win) { break; }
        win = win.parent; hops += 1;
      }
    } catch (e) { /* a cross-origin frame: no API there */ }
    return null;
  }
  var api = find(window);
  if (!api && window.opener) { api = find(window.opener); }
  if (!api) { return; }
  if (String(api.LMSInitialize("")) !== "true") { return; }
  var started = Date.now();
  var finished = false;
  var best = {passed: false, scaled: -1};
  var status = String(api.LMSGetValue("cmi.core.lesson_status") || "");
  if (status === "passed") { best.passed = true; }
  if (status === "" || status === "not attempted") { api.LMSSetValue("cmi.core.lesson_status", "incomplete"); }

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function timespan(ms) {  /* CMITimespan: HHHH:MM:SS.SS */
    var cs = Math.round(ms / 10), h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60,
        s = Math.floor(cs / 100) % 60, c = cs % 100;
    var hh = String(h); while (hh.length < 4) { hh = "0" + hh; }
    return hh + ":" + two(m) + ":" + two(s) + "." + two(c);
  }
  function report(s) {
    if (finished) { return; }
    var lesson;
    if (!s.questions) {
      lesson = "completed";
    } else {
      if (s.complete && s.scaled > best.scaled) {
        best.scaled = s.scaled;
        api.LMSSetValue("cmi.core.score.min", "0");
        api.LMSSetValue("cmi.core.score.max", "100");
        api.LMSSetValue("cmi.core.score.raw", String(Math.round(s.scaled * 100)));
      }
      if (s.complete && s.passed) { best.passed = true; }
      lesson = best.passed ? "passed" : (s.complete ? "failed" : "incomplete");
    }
    api.LMSSetValue("cmi.core.lesson_status", lesson);
    api.LMSCommit("");
  }
  function finish() {
    if (finished) { return; }
    api.LMSSetValue("cmi.core.session_time", timespan(Date.now() - started));
    api.LMSCommit("");
    finished = true;
    api.LMSFinish("");
  }
  document.addEventListener("mblib:progress", function (ev) { report(ev.detail); });
  if (window.mblib && !window.mblib.state().questions) { report(window.mblib.state()); }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  window.mblibScorm = {finish: finish, api: api};
}());
