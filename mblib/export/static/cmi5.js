/* mblib cmi5 AU adapter. Reads the launch parameters (endpoint, fetch, actor, registration,
   activityId), POSTs to the fetch URL for the auth token, GETs the LMS.LaunchData state, then
   sends cmi5 statements in the order the specification requires: initialized; completed and
   passed/failed (Normal launch mode only, once each, with the moveOn category); answered per
   question (cmi5 "allowed" statements, no cmi5 category); terminated last. Without launch
   parameters it does nothing and the page works on its own. */
(function () {
  "use strict";
  var q = new URLSearchParams(window.location.search);
  var endpoint = q.get("endpoint"), fetchUrl = q.get("fetch"), actorText = q.get("actor"),
      registration = q.get("registration"), activityId = q.get("activityId");
  if (!endpoint || !fetchUrl || !actorText || !registration || !activityId) { return; }
  var actor;
  try { actor = JSON.parse(actorText); } catch (e) { return; }
  if (endpoint.charAt(endpoint.length - 1) !== "/") { endpoint += "/"; }
  var CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var VERB = {
    initialized: "http://adlnet.gov/expapi/verbs/initialized",
    completed: "http://adlnet.gov/expapi/verbs/completed",
    passed: "http://adlnet.gov/expapi/verbs/passed",
    failed: "http://adlnet.gov/expapi/verbs/failed",
    answered: "http://adlnet.gov/expapi/verbs/answered",
    terminated: "http://adlnet.gov/expapi/verbs/terminated"
  };
  var started = Date.now();
  var auth = null, launch = null, chain = null;
  var sent = {completed: false, passed: false, failed: false, terminated: false};
  var answeredSeen = {};
  var statusBox = null;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16); window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function duration(ms) { return "PT" + Math.round(ms / 10) / 100 + "S"; }
  function headers() {
    return {"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json"};
  }
  function context(categories, extra) {
    var c = JSON.parse(JSON.stringify((launch && launch.contextTemplate) || {}));
    c.registration = registration;
    c.contextActivities = c.contextActivities || {};
    if (categories.length) {
      c.contextActivities.category = (c.contextActivities.category || []).concat(
        categories.map(function (id) { return {id: id, objectType: "Activity"}; }));
    }
    if (extra) { Object.keys(extra).forEach(function (k) { c[k] = extra[k]; }); }
    return c;
  }
  function statement(verb, categories, result, object) {
    var s = {id: uuid(), timestamp: new Date().toISOString(), actor: actor,
             verb: {id: VERB[verb], display: {"en-US": verb}},
             object: object || {id: activityId, objectType: "Activity"},
             context: context(categories)};
    if (result) { s.result = result; }
    return s;
  }
  function send(s, keepalive) {
    var go = function () {
      return fetch(endpoint + "statements", {method: "POST", headers: headers(), body: JSON.stringify(s),
                                              keepalive: !!keepalive})
        .then(function (r) { if (!r.ok) { throw new Error("LRS refused a statement: " + r.status); } return r; });
    };
    chain = (chain || Promise.resolve()).then(go).catch(function (e) { show("Your progress could not be sent: " + e.message); });
    return chain;
  }
  function show(text) {
    if (!statusBox) {
      statusBox = document.createElement("p");
      statusBox.className = "mb-lms-status";
      statusBox.setAttribute("role", "status");
      var footer = document.querySelector(".mb-footer");
      if (footer) { footer.appendChild(statusBox); }
    }
    statusBox.textContent = text;
  }
  function normal() { return !launch || !launch.launchMode || launch.launchMode === "Normal"; }
  function mastery(s) {
    return (launch && typeof launch.masteryScore === "number") ? launch.masteryScore : s.passMark;
  }
  function progress(s) {
    if (!launch || sent.terminated) { return; }
    Object.keys(s.answers || {}).forEach(function (blockId) {
      var a = s.answers[blockId], key = blockId + ":" + a.choices.join(",");
      if (answeredSeen[key]) { return; }
      answeredSeen[key] = true;
      send(statement("answered", [], {success: a.correct, response: a.choices.join("[,]")},
        {id: activityId + "/blocks/" + encodeURIComponent(blockId), objectType: "Activity",
         definition: {type: "http://adlnet.gov/expapi/activities/cmi.interaction",
                      interactionType: "choice"}}));
    });
    if (!normal() || !s.complete) { return; }
    var elapsed = duration(Date.now() - started);
    if (!sent.completed) {
      sent.completed = true;
      send(statement("completed", [CMI5, MOVEON], {completion: true, duration: elapsed}));
    }
    if (!s.questions) { return; }
    var ok = s.scaled >= mastery(s) - 1e-9;
    var judged = function (verb, success) {
      var st = statement(verb, [CMI5, MOVEON], {score: {scaled: s.scaled, raw: s.raw, min: 0, max: s.max},
                                                success: success, duration: elapsed});
      if (launch && typeof launch.masteryScore === "number") {  /* cmi5 9.6.3: echo the mastery score used */
        st.context.extensions = st.context.extensions || {};
        st.context.extensions[MASTERY] = launch.masteryScore;
      }
      return st;
    };
    if (ok && !sent.passed) {
      sent.passed = true;
      send(judged("passed", true));
    } else if (!ok && !sent.failed && !sent.passed) {
      sent.failed = true;
      send(judged("failed", false));
    }
  }
  function terminate(leaving) {
    if (!launch || sent.terminated) { return chain || Promise.resolve(); }
    sent.terminated = true;
    return send(statement("terminated", [CMI5], {duration: duration(Date.now() - started)}), leaving);
  }
  function exitButton() {
    var footer = document.querySelector(".mb-footer");
    if (!footer) { return; }
    var b = document.createElement("button");
    b.type = "button"; b.className = "mb-button mb-exit"; b.textContent = "Finish and exit";
    b.addEventListener("click", function () {
      b.disabled = true;
      terminate(false).then(function () {
        show("Your results have been sent. You can close this page.");
        if (launch && launch.returnURL) { window.location.assign(launch.returnURL); }
      });
    });
    footer.appendChild(b);
  }

  fetch(fetchUrl, {method: "POST"})
    .then(function (r) { return r.json(); })
    .then(function (body) {
      if (!body || !body["auth-token"]) { throw new Error((body && body["error-text"]) || "no auth token"); }
      auth = body["auth-token"];
      var url = endpoint + "activities/state?stateId=LMS.LaunchData&activityId=" + encodeURIComponent(activityId) +
        "&agent=" + encodeURIComponent(JSON.stringify(actor)) + "&registration=" + encodeURIComponent(registration);
      return fetch(url, {headers: headers()});
    })
    .then(function (r) { if (!r.ok) { throw new Error("no launch data (" + r.status + ")"); } return r.json(); })
    .then(function (data) {
      launch = data;
      send(statement("initialized", [CMI5]));
      exitButton();
      document.addEventListener("mblib:progress", function (ev) { progress(ev.detail); });
      if (window.mblib) { progress(window.mblib.state()); }
      window.addEventListener("pagehide", function () { terminate(true); });
    })
    .catch(function (e) { show("This lesson could not connect to the learning platform: " + e.message); });
  window.mblibCmi5 = {terminate: terminate, launchData: function () { return launch; }};
}());
