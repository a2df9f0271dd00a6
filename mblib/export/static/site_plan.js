/* mblib credential site: the learner's next step, computed in the browser.
   The browser twin of mblib.content.planner.plan_next (same rules; tests/export/test_site_plan.py
   checks parity). Reads the graph embedded in the index (#mb-plan-data) and the progress the
   module pages keep in localStorage; nothing leaves the browser. */
(function (root) {
  "use strict";
  var PRIORITY = { "required": 0, "cheapest elective": 1, "do first": 2 };
  function kind(reason) { return reason === "required" ? "required" : reason.split(" ").slice(0, 2).join(" "); }
  function has(obj, k) { return Object.prototype.hasOwnProperty.call(obj, k); }
  function fail(message) { var e = new Error(message); e.name = "PlanError"; throw e; }

  function credited(graph, state) {
    var out = {}, order = [];
    function put(m, r) { if (!has(out, m)) { out[m] = r; order.push(m); } }
    state.modules_passed.slice().sort().forEach(function (m) { put(m, "credited: passed"); });
    (graph.equivalent || []).forEach(function (group) {
      var passed = group.filter(function (m) { return state.modules_passed.indexOf(m) >= 0; });
      if (passed.length) { group.forEach(function (m) { put(m, "credited: equivalent to " + passed[0] + " (passed)"); }); }
    });
    var evidence = {};
    state.skills_evidenced.slice().sort().forEach(function (s) { if (!has(evidence, s)) { evidence[s] = ""; } });
    state.credentials_held.slice().sort().forEach(function (cid) {
      var c = graph.credentials[cid];
      if (!c) { return; }
      c.required.forEach(function (m) { put(m, "credited: part of held credential " + cid); });
      c.skills.slice().sort().forEach(function (s) { if (!has(evidence, s)) { evidence[s] = cid; } });
    });
    Object.keys(graph.modules).sort().forEach(function (m) {
      var skills = graph.modules[m].skills.slice().sort();
      if (has(out, m) || !skills.length) { return; }
      if (!skills.every(function (s) { return has(evidence, s); })) { return; }
      var src = [];
      skills.forEach(function (s) { if (evidence[s] && src.indexOf(evidence[s]) < 0) { src.push(evidence[s]); } });
      src.sort();
      put(m, "credited: skills " + skills.join(", ") + " evidenced" + (src.length ? " by " + src.join(", ") : ""));
    });
    return out;
  }

  function stacked(graph, goals, held) {
    var out = [];
    function visit(cid, path) {
      if (path.indexOf(cid) >= 0) { fail("credentials stack on each other in a cycle: " + path.slice(path.indexOf(cid)).concat([cid]).join(" -> ")); }
      if (out.indexOf(cid) >= 0 || (held.indexOf(cid) >= 0 && path.length)) { return; }
      if (!graph.credentials[cid]) { fail("unknown credential '" + cid + "'"); }
      graph.credentials[cid].requires_credentials.forEach(function (r) { visit(r, path.concat([cid])); });
      out.push(cid);
    }
    goals.forEach(function (g) { visit(g, []); });
    return out;
  }

  function plan(graph, state, goals, prefer) {
    state = {
      modules_passed: state.modules_passed || [], credentials_held: state.credentials_held || [],
      skills_evidenced: state.skills_evidenced || []
    };
    prefer = prefer || [];
    var held = state.credentials_held;
    var heldGoals = goals.filter(function (g) { return held.indexOf(g) >= 0 && graph.credentials[g]; });
    var creds = stacked(graph, goals.filter(function (g) { return heldGoals.indexOf(g) < 0; }), held);
    var credit = credited(graph, state);
    creds.forEach(function (cid) {
      var c = graph.credentials[cid];
      if (c.cycle) { fail("credential '" + cid + "' cannot be completed: prerequisite cycle " + c.cycle.join(" -> ")); }
      c.required.forEach(function (m) {
        if (!graph.modules[m] && !has(credit, m)) { fail("credential '" + cid + "' cannot be completed: required module '" + m + "' is not in the workspace"); }
      });
    });
    var needed = {}, neededOrder = [], usedCredit = {}, usedOrder = [];
    function members(c) { return c.module_ids; }
    function closure(m0, c) {
      var out = [], todo = [m0];
      while (todo.length) {
        var m = todo.pop();
        if (out.indexOf(m) >= 0 || has(needed, m) || has(credit, m)) { continue; }
        out.push(m);
        (c.prerequisites[m] || []).forEach(function (p) { if (members(c).indexOf(p) >= 0 && p !== m) { todo.push(p); } });
      }
      return out;
    }
    function need(m, reason, c) {
      if (has(credit, m)) {
        if (!has(usedCredit, m)) { usedCredit[m] = []; usedOrder.push(m); }
        if (usedCredit[m].indexOf(c.id) < 0) { usedCredit[m].push(c.id); }
        return;
      }
      var e = needed[m];
      if (!e) {
        needed[m] = { reason: reason, credentials: [c.id] };
        neededOrder.push(m);
        (c.prerequisites[m] || []).forEach(function (p) {
          if (members(c).indexOf(p) >= 0 && p !== m) { need(p, "do first for " + m, c); }
        });
        return;
      }
      if (e.credentials.indexOf(c.id) < 0) { e.credentials.push(c.id); }
      if (PRIORITY[kind(reason)] < PRIORITY[kind(e.reason)]) { e.reason = reason; }
    }
    creds.forEach(function (cid) {
      var c = graph.credentials[cid];
      c.required.forEach(function (m) { need(m, "required", c); });
    });
    creds.forEach(function (cid) {
      var c = graph.credentials[cid];
      c.electives.forEach(function (g) {
        var label = "cheapest elective of " + (g.title || g.id);
        var options = [];
        g.modules.forEach(function (m) { if (options.indexOf(m) < 0 && c.required.indexOf(m) < 0) { options.push(m); } });
        var counted = options.filter(function (m) { return has(credit, m) || has(needed, m); });
        counted.forEach(function (m) { need(m, label, c); });
        var left = g.choose - counted.length;
        var pool = options.filter(function (m) { return counted.indexOf(m) < 0 && graph.modules[m]; });
        if (left > pool.length) {
          fail("credential '" + cid + "' cannot be completed: elective group '" + g.id + "' asks for " + g.choose +
               " module(s) but only " + (counted.length + pool.length) + " can be taken");
        }
        var chosen = [];
        for (var k = 0; k < left; k++) {
          var best = null, bestCost = null;
          pool.forEach(function (m) {
            if (chosen.indexOf(m) >= 0) { return; }
            var extra = closure(m, c).reduce(function (a, x) { return a + (graph.modules[x] ? graph.modules[x].minutes : 0); }, 0);
            var wanted = graph.modules[m].skills.filter(function (s) { return prefer.indexOf(s) >= 0; }).length;
            var cost = [Math.round(extra * 1e6) / 1e6, -wanted, options.indexOf(m)];
            if (bestCost === null || cost[0] < bestCost[0] || (cost[0] === bestCost[0] &&
                (cost[1] < bestCost[1] || (cost[1] === bestCost[1] && cost[2] < bestCost[2])))) {
              best = m; bestCost = cost;
            }
          });
          chosen.push(best);
          need(best, label, c);
        }
      });
    });
    var order = topo(graph, creds, neededOrder);
    var steps = order.map(function (m) {
      return { module_id: m, title: graph.modules[m].title, minutes: graph.modules[m].minutes,
               reason: needed[m].reason, credentials: needed[m].credentials };
    });
    var remaining = steps.reduce(function (a, s) { return a + s.minutes; }, 0);
    return {
      goals: goals, credentials: creds, steps: steps,
      credited: usedOrder.map(function (m) { return { module_id: m, reason: credit[m], credentials: usedCredit[m] }; }),
      remaining_minutes: remaining, held: heldGoals
    };
  }

  function topo(graph, creds, modules) {
    var rank = {}, n = 0, deps = {};
    modules.forEach(function (m) { deps[m] = []; });
    creds.forEach(function (cid) {
      var c = graph.credentials[cid];
      c.pathway.forEach(function (m) { if (!has(rank, m)) { rank[m] = n++; } });
      Object.keys(c.prerequisites).forEach(function (m) {
        if (!has(deps, m)) { return; }
        c.prerequisites[m].forEach(function (p) { if (has(deps, p) && p !== m && deps[m].indexOf(p) < 0) { deps[m].push(p); } });
      });
    });
    modules.forEach(function (m) { if (!has(rank, m)) { rank[m] = n++; } });
    var done = [], left = modules.slice();
    while (left.length) {
      var ready = left.filter(function (m) { return deps[m].every(function (p) { return done.indexOf(p) >= 0; }); });
      if (!ready.length) { fail("the credentials " + creds.join(", ") + " together order modules in a cycle"); }
      ready.sort(function (a, b) { return rank[a] - rank[b]; });
      done.push(ready[0]);
      left.splice(left.indexOf(ready[0]), 1);
    }
    return done;
  }

  var api = { plan: plan };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  if (typeof document === "undefined") { return; }
  root.mblibPlan = api;

  var data = document.getElementById("mb-plan-data");
  var out = document.querySelector(".mb-next-step");
  if (!data || !out) { return; }
  var graph = JSON.parse(data.textContent);
  var store = null;
  try { store = root.localStorage; store.getItem("mblib:probe"); } catch (e) { store = null; }
  function passedModules() {
    var passed = [];
    Object.keys(graph.credentials).forEach(function (cid) {
      var all = {};
      try { all = JSON.parse((store && store.getItem("mblib:site:" + cid)) || "{}") || {}; } catch (e) { all = {}; }
      Object.keys(all).forEach(function (m) {
        var s = all[m];
        if (s && (s.passed || (s.complete && !s.questions)) && passed.indexOf(m) < 0) { passed.push(m); }
      });
    });
    return passed;
  }
  var picker = document.getElementById("mb-goal");
  var goalKey = "mblib:goal:" + graph.site;
  if (picker && store) {
    var saved = null;
    try { saved = store.getItem(goalKey); } catch (e) { saved = null; }
    if (saved && graph.credentials[saved]) { picker.value = saved; }
  }
  function show() {
    var goal = picker ? picker.value : graph.site;
    var result;
    try { result = plan(graph, { modules_passed: passedModules() }, [goal], []); }
    catch (e) { out.textContent = "No plan: " + e.message; return; }
    out.textContent = "";
    var next = result.steps[0];
    if (!next) {
      out.textContent = "You have passed every module needed for " + graph.credentials[goal].title + ".";
      return;
    }
    var remaining = Math.round(result.remaining_minutes);
    out.appendChild(document.createTextNode("Next: "));
    var page = graph.pages[next.module_id];
    var name = document.createElement("strong");
    name.className = "mb-next-module";
    name.setAttribute("data-module-id", next.module_id);
    name.textContent = next.title;
    out.appendChild(name);
    var where = page ? "" : " (part of " + graph.credentials[next.credentials[0]].title + ")";
    out.appendChild(document.createTextNode(where + ", " + Math.max(1, Math.round(next.minutes)) + " min: " + next.reason + ". "));
    if (page) {  /* the link names no module: the pathway list below keeps the only link per title */
      var go = document.createElement("a");
      go.className = "mb-next-link";
      go.setAttribute("href", page);
      go.textContent = "Open the next module";
      out.appendChild(go);
      out.appendChild(document.createTextNode(". "));
    }
    var rest = document.createElement("span");
    rest.className = "mb-remaining";
    rest.textContent = result.steps.length + " module" + (result.steps.length === 1 ? "" : "s") + " and about " +
      remaining + " min left for " + graph.credentials[goal].title + ".";
    out.appendChild(rest);
  }
  if (picker) {
    picker.addEventListener("change", function () {
      if (store) { try { store.setItem(goalKey, picker.value); } catch (e) { /* refused: keep going */ } }
      show();
    });
  }
  show();
}(typeof window !== "undefined" ? window : this));
