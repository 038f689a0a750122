import HTTPServer

/// The operator page served at `/admin/` (issue 19): one self-contained HTML document, inline CSS and
/// plain JavaScript, nothing fetched from elsewhere. It carries no data: it asks for the admin token,
/// keeps it in sessionStorage and reads everything from `GET /admin/overview` with it as the Bearer
/// header, so a browser that has not authenticated never receives a member number.
///
/// It runs under `default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline';
/// connect-src 'self'; media-src https: http:`: no eval, no inline event-handler attributes, no images
/// or fonts. Every value reaches the DOM as text (textContent, createTextNode, setAttribute), never as
/// markup. Hooks for the browser test (Tests/Browser/operator_page.py): `#login`, `#token`, `#app`,
/// `#routes`, `section.pool[data-pool]`, `tr.member[data-pool][data-member][data-state]`, and in a
/// member row `input.reason`, `select.until`, `button.pause` / `button.resume`.
package enum OperatorPage {
    /// The document as UTF-8, the response body.
    package static let body: [UInt8] = Array(html.utf8)

    /// What the page needs and nothing more: its own origin for fetches, any http(s) URL for the
    /// voicemail recordings (SignalWire's), inline script and style only.
    package static let contentSecurityPolicy =
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; media-src https: http:"

    /// The answer to `GET /admin/` (and `/admin`): served without the token, since it holds no data.
    package static var response: HTTPResponse {
        HTTPResponse(status: 200, headers: [
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Security-Policy": contentSecurityPolicy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
        ], body: body)
    }

    package static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Switchboard</title>
<style>
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1c2430; --muted: #667085; --line: #dfe3ea;
  --accent: #2457c5; --ok: #1a7f37; --okbg: #dcf5e3; --warn: #9a6700; --warnbg: #fff1c2;
  --bad: #b42318; --badbg: #fde4e1; --off: #4b5563; --offbg: #eceff3;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
[hidden] { display: none !important; }
header { background: #18202c; color: #fff; padding: .6rem 1rem; display: flex; align-items: center;
  gap: .75rem; flex-wrap: wrap; position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 1.05rem; margin: 0; font-weight: 600; letter-spacing: .01em; }
header .spacer { flex: 1; }
#status { font-size: .85rem; color: #c9d1dc; }
#status.error { color: #ffb4a8; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h2 { font-size: 1rem; margin: 1.4rem 0 .5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem;
  margin-bottom: 1rem; }
button, input, select { font: inherit; }
button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 7px;
  padding: .35rem .8rem; cursor: pointer; min-height: 2.2rem; }
button.secondary { background: transparent; color: inherit; border-color: currentColor; }
button.resume { background: var(--ok); border-color: var(--ok); }
button:disabled { opacity: .55; cursor: progress; }
input, select { border: 1px solid var(--line); border-radius: 7px; padding: .35rem .5rem; min-height: 2.2rem;
  background: #fff; color: var(--ink); }
#login { max-width: 24rem; margin: 12vh auto 0; }
#login label { display: block; font-weight: 600; margin-bottom: .4rem; }
#login .row { display: flex; gap: .5rem; }
#login input { flex: 1; min-width: 0; }
#login-error { color: var(--bad); min-height: 1.4em; margin: .5rem 0 0; }
#notice { background: var(--badbg); color: var(--bad); border: 1px solid #f5b8b0; border-radius: 8px;
  padding: .5rem .8rem; margin-bottom: 1rem; }
.routes { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
.routes .summary { color: var(--muted); overflow-wrap: anywhere; }
.routes .error { color: var(--bad); white-space: pre-wrap; overflow-wrap: anywhere; width: 100%;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; margin: 0; }
.badge { display: inline-block; border-radius: 999px; padding: .05rem .55rem; font-size: .8rem;
  font-weight: 600; white-space: nowrap; background: var(--offbg); color: var(--off); }
.badge.ok, .badge.available, .badge.open, .badge.answered, .badge.delivered { background: var(--okbg); color: var(--ok); }
.badge.paused, .badge.voicemail, .badge.next { background: var(--warnbg); color: var(--warn); }
.badge.bad, .badge.missed, .badge.closed-pool, .badge.failed, .badge.undelivered, .badge.unrouted { background: var(--badbg); color: var(--bad); }
.badge.next { margin-left: .35rem; }
.pool-head { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-bottom: .4rem; }
.pool-head h3 { margin: 0; font-size: 1.05rem; }
.pool-head .meta { color: var(--muted); font-size: .9rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .5rem; border-top: 1px solid var(--line); vertical-align: top; }
th { font-size: .78rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  border-top: 0; white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.who .name { font-weight: 600; }
.who .addr, .addr { font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.who .name + .addr { display: block; color: var(--muted); font-size: .88rem; }
.detail { display: block; color: var(--muted); font-size: .85rem; margin-top: .15rem; }
form.pause-form { display: flex; gap: .35rem; flex-wrap: wrap; margin: 0; }
form.pause-form input { width: 9rem; flex: 1 1 7rem; min-width: 0; }
.empty { color: var(--muted); font-style: italic; }
audio { width: 16rem; max-width: 100%; height: 2.2rem; vertical-align: middle; }
.muted { color: var(--muted); }
/* Phones: every table row becomes a card, each cell labelled by its column. */
@media (max-width: 640px) {
  main { padding: .6rem; }
  .card { padding: .6rem .7rem; }
  table.cards thead { display: none; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border-top: 1px solid var(--line); padding: .45rem 0; }
  table.cards tr:first-child { border-top: 0; }
  table.cards td { border: 0; padding: .12rem 0; display: flex; gap: .6rem; }
  table.cards td::before { content: attr(data-label); flex: 0 0 6.2rem; color: var(--muted);
    font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; padding-top: .1rem; }
  table.cards td > * { min-width: 0; }
  table.cards td.actions::before { content: none; }
  /* A member's four numbers for today side by side, each under its label. */
  table.members td.num { display: inline-flex; flex-direction: column; gap: 0; width: 24.5%; padding-top: .3rem; }
  table.members td.num::before { flex: none; font-size: .68rem; padding: 0; }
  table.cards td.actions { display: block; padding-top: .35rem; }
  form.pause-form input { flex: 1 1 auto; }
  audio { width: 100%; }
}
</style>
</head>
<body>
<header>
  <h1>Switchboard</h1>
  <span class="spacer"></span>
  <span id="status" role="status" aria-live="polite"></span>
  <button id="logout" class="secondary" type="button" hidden>Log out</button>
</header>
<main>
  <form id="login" class="card" autocomplete="off" hidden>
    <label for="token">Admin token</label>
    <div class="row">
      <input id="token" name="token" type="password" autocomplete="off" autocapitalize="off" spellcheck="false" required>
      <button id="login-submit" type="submit">Log in</button>
    </div>
    <p id="login-error" role="alert"></p>
  </form>
  <div id="app" hidden>
    <div id="notice" role="alert" hidden></div>
    <section id="routes" class="card" aria-label="Routes file"></section>
    <h2>Ring groups</h2>
    <div id="pools"></div>
    <h2>Recent calls</h2>
    <div class="card scroll" id="calls"></div>
    <h2>Recent texts</h2>
    <div class="card scroll" id="messages"></div>
    <h2>Voicemails</h2>
    <div class="card scroll" id="voicemails"></div>
  </div>
</main>
<script>
(function () {
  "use strict";
  var KEY = "switchboard.adminToken";
  var POLL_MS = 5000;
  var base = location.pathname.replace(/\/+$/, "").replace(/\/admin$/, "") + "/admin";
  var $ = function (id) { return document.getElementById(id); };
  var timer = null, last = null, loggedIn = false, generation = 0, seq = 0, latest = 0, validFrom = 0, rendered = 0;

  function token() { try { return sessionStorage.getItem(KEY); } catch (e) { return null; } }
  function setToken(value) {
    try { if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY); } catch (e) {}
  }

  // Builds an element; strings among the children become text nodes, so data is never parsed as HTML.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) for (var name in attrs) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function badge(text, kind) { return el("span", { className: "badge " + (kind || text || "") }, text); }
  function str(v) { return v === null || v === undefined ? "" : String(v); }

  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    var now = new Date();
    var time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (d.toDateString() === now.toDateString()) return time;
    return d.toLocaleDateString([], { month: "short", day: "numeric" }) + " " + time;
  }
  function timeCell(iso, label) {
    return el("td", { "data-label": label || "Time", className: "num" }, el("time", { datetime: str(iso), title: str(iso) }, when(iso)));
  }
  function seconds(n) {
    if (n === null || n === undefined || n === "") return "";
    n = Math.max(0, Math.round(Number(n)));
    if (!isFinite(n)) return "";
    return Math.floor(n / 60) + ":" + ("0" + (n % 60)).slice(-2);
  }

  // Names by address from every pool, to show "Ann" rather than a bare number where one is known.
  function names(data) {
    var map = {};
    (data.pools || []).forEach(function (p) {
      (p.members || []).forEach(function (m) { if (m && m.name) map[m.address] = m.name; });
    });
    return map;
  }
  function who(address, known) {
    if (!address) return el("span", { className: "muted" }, "—");
    var name = known && known[address];
    return el("span", { className: "who" }, name ? el("span", { className: "name" }, name) : null,
      el("span", { className: "addr" }, address));
  }

  // ----- views -----

  function renderRoutes(r) {
    var box = $("routes");
    clear(box);
    r = r || {};
    var row = el("div", { className: "routes" },
      el("strong", { title: r.path || null }, str(r.path).split("/").pop() || "routes"),
      badge(r.ok ? "loaded" : "error", r.ok ? "ok" : "bad"),
      r.loaded ? el("span", { className: "muted" }, "loaded ", el("time", { datetime: r.loaded, title: r.loaded }, when(r.loaded))) : null,
      r.summary ? el("span", { className: "summary" }, r.summary) : null,
      r.error ? el("pre", { className: "error", id: "routes-error" }, r.error) : null);
    row.setAttribute("data-ok", r.ok ? "true" : "false");
    box.appendChild(row);
  }

  function pausedDetail(p) {
    if (!p) return null;
    var parts = ["by " + str(p.by || "?")];
    if (p.reason) parts.push("“" + p.reason + "”");
    if (p.until) parts.push("until " + when(p.until));
    if (p.since) parts.push("since " + when(p.since));
    return el("span", { className: "detail paused-detail" }, parts.join(" · "));
  }

  function actions(pool, m) {
    var cell = el("td", { className: "actions", "data-label": "" });
    if (m.paused) {
      cell.appendChild(el("button", { type: "button", className: "resume", "data-action": "resume" }, "Resume"));
    } else if (m.state !== "disabled") {
      var form = el("form", { className: "pause-form", "data-action": "pause" },
        el("input", { className: "reason", name: "reason", type: "text", maxlength: 200,
          placeholder: "Reason (optional)", "aria-label": "Reason for pausing " + (m.name || m.address) }),
        el("select", { className: "until", name: "until", "aria-label": "Pause for how long" },
          el("option", { value: "" }, "until resumed"),
          el("option", { value: "30" }, "30 min"),
          el("option", { value: "60" }, "1 hour"),
          el("option", { value: "120" }, "2 hours"),
          el("option", { value: "240" }, "4 hours"),
          el("option", { value: "480" }, "8 hours")),
        el("button", { type: "submit", className: "pause" }, "Pause"));
      cell.appendChild(form);
    } else {
      cell.appendChild(el("span", { className: "muted" }, "off in routes file"));
    }
    return cell;
  }

  function memberRow(pool, m, known) {
    var today = m.today || {};
    var stateLabel = str(m.state).replace(/_/g, " ") || "unknown";
    var row = el("tr", { className: "member", "data-pool": pool.name, "data-member": m.address, "data-state": str(m.state) },
      el("td", { "data-label": "Member" }, el("div", null, who(m.address, known),
        m.address === pool.next ? badge("next", "next") : null)),
      el("td", { "data-label": "State" }, el("div", null, badge(stateLabel, str(m.state)), pausedDetail(m.paused))),
      el("td", { "data-label": "Offered", className: "num offered" }, str(today.offered === undefined ? "" : today.offered)),
      el("td", { "data-label": "Answered", className: "num answered" }, str(today.answered === undefined ? "" : today.answered)),
      el("td", { "data-label": "Missed", className: "num missed" }, str(today.missed === undefined ? "" : today.missed)),
      el("td", { "data-label": "Voicemails", className: "num voicemails" }, str(today.voicemails === undefined ? "" : today.voicemails)),
      actions(pool, m));
    return row;
  }

  function renderPools(pools, known) {
    var box = $("pools");
    clear(box);
    if (!pools || !pools.length) { box.appendChild(el("div", { className: "card empty" }, "No pools in the routes file.")); return; }
    pools.forEach(function (pool) {
      var next = (pool.members || []).filter(function (m) { return m.address === pool.next; })[0];
      var section = el("section", { className: "card pool", "data-pool": pool.name, "data-open": pool.open ? "true" : "false" },
        el("div", { className: "pool-head" },
          el("h3", null, pool.name),
          badge(pool.open ? "open" : "closed", pool.open ? "open" : "closed-pool"),
          el("span", { className: "meta" }, str(pool.strategy).replace(/_/g, " ")),
          pool.next ? el("span", { className: "meta next-up" }, "next: ", next && next.name ? next.name + " (" + pool.next + ")" : pool.next) : null));
      var members = pool.members || [];
      if (!members.length) {
        section.appendChild(el("p", { className: "empty" }, "No members."));
      } else {
        var body = el("tbody");
        members.forEach(function (m) { body.appendChild(memberRow(pool, m, known)); });
        section.appendChild(el("div", { className: "scroll" }, el("table", { className: "cards members" },
          el("thead", null, el("tr", null, ["Member", "State", "Offered", "Answered", "Missed", "Voicemails", ""].map(function (h) {
            return el("th", { scope: "col" }, h);
          }))), body)));
      }
      box.appendChild(section);
    });
  }

  function table(box, headings, rows, emptyText, className) {
    clear(box);
    if (!rows.length) { box.appendChild(el("p", { className: "empty" }, emptyText)); return; }
    box.appendChild(el("table", { className: "cards " + className },
      el("thead", null, el("tr", null, headings.map(function (h) { return el("th", { scope: "col" }, h); }))),
      el("tbody", null, rows)));
  }

  function renderCalls(calls, known) {
    table($("calls"), ["Time", "From", "To", "Pool", "Outcome", "Answered by", "Talk"], (calls || []).map(function (c) {
      var outcome = c.outcome || "in progress";
      return el("tr", { className: "call", "data-id": str(c.id), "data-outcome": str(c.outcome) },
        timeCell(c.time),
        el("td", { "data-label": "From" }, who(c.from)),
        el("td", { "data-label": "To" }, who(c.to)),
        el("td", { "data-label": "Pool" }, str(c.pool) || "—"),
        el("td", { "data-label": "Outcome" }, badge(outcome, c.outcome || "pending")),
        el("td", { "data-label": "Answered by" }, c.answered_by ? who(c.answered_by, known) : el("span", { className: "muted" }, "—")),
        el("td", { "data-label": "Talk", className: "num" }, seconds(c.talk_seconds)));
    }), "No calls yet.", "calls");
  }

  function renderMessages(messages, known) {
    table($("messages"), ["Time", "From", "To", "Pool", "Member", "Status"], (messages || []).map(function (m) {
      return el("tr", { className: "message", "data-id": str(m.id) },
        timeCell(m.time),
        el("td", { "data-label": "From" }, who(m.from)),
        el("td", { "data-label": "To" }, who(m.to)),
        el("td", { "data-label": "Pool" }, str(m.pool) || "—"),
        el("td", { "data-label": "Member" }, m.member ? who(m.member, known) : el("span", { className: "muted" }, "—")),
        el("td", { "data-label": "Status" }, m.status ? badge(m.status) : el("span", { className: "muted" }, "—")));
    }), "No texts yet.", "messages");
  }

  function playable(url) {
    try { var u = new URL(url, location.href); return u.protocol === "https:" || u.protocol === "http:" ? u.href : null; }
    catch (e) { return null; }
  }

  function renderVoicemails(voicemails) {
    table($("voicemails"), ["Time", "From", "To", "Pool", "Length", "Recording"], (voicemails || []).map(function (v) {
      var url = playable(v.recording_url);
      return el("tr", { className: "voicemail", "data-call": str(v.call_id) },
        timeCell(v.time),
        el("td", { "data-label": "From" }, who(v.from)),
        el("td", { "data-label": "To" }, who(v.to)),
        el("td", { "data-label": "Pool" }, str(v.pool) || "—"),
        el("td", { "data-label": "Length", className: "num" }, seconds(v.duration)),
        el("td", { "data-label": "Recording" }, url
          ? el("audio", { controls: true, preload: "none", src: url })
          : el("span", { className: "muted" }, "no recording")));
    }), "No voicemails.", "voicemails");
  }

  // A re-render must not eat what someone is typing in a reason box: keep values and focus.
  function keepInputs(render) {
    var saved = {}, focus = null;
    document.querySelectorAll("tr.member").forEach(function (row) {
      var key = row.getAttribute("data-pool") + "\n" + row.getAttribute("data-member");
      var reason = row.querySelector("input.reason"), until = row.querySelector("select.until");
      if (reason || until) saved[key] = { reason: reason ? reason.value : "", until: until ? until.value : "" };
      if (row.contains(document.activeElement)) {
        focus = { key: key, cls: document.activeElement.className,
          start: document.activeElement.selectionStart, end: document.activeElement.selectionEnd };
      }
    });
    render();
    document.querySelectorAll("tr.member").forEach(function (row) {
      var key = row.getAttribute("data-pool") + "\n" + row.getAttribute("data-member");
      var s = saved[key];
      var reason = row.querySelector("input.reason"), until = row.querySelector("select.until");
      if (s && reason) reason.value = s.reason;
      if (s && until) until.value = s.until;
      if (focus && focus.key === key && focus.cls) {
        var target = row.querySelector("." + focus.cls.split(/\s+/)[0]);
        if (target) {
          target.focus();
          try { if (focus.start !== null && focus.start !== undefined) target.setSelectionRange(focus.start, focus.end); } catch (e) {}
        }
      }
    });
  }

  function render(data) {
    last = data;
    var known = names(data);
    keepInputs(function () { renderPools(data.pools, known); });
    renderRoutes(data.routes);
    renderCalls(data.calls, known);
    renderMessages(data.messages, known);
    renderVoicemails(data.voicemails);
  }

  // ----- state: logged out / in -----

  function status(text, isError) {
    var s = $("status");
    s.textContent = text || "";
    s.className = isError ? "error" : "";
  }
  function notice(text) {
    var n = $("notice");
    n.textContent = text || "";
    n.hidden = !text;
  }

  function showLogin(message) {
    stopPolling();
    generation++;
    loggedIn = false;
    setToken(null);
    last = null;
    // Nothing learned with the old token stays in the page.
    ["routes", "pools", "calls", "messages", "voicemails"].forEach(function (id) { clear($(id)); });
    notice("");
    $("app").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    status("");
    $("token").value = "";
    $("token").focus();
  }

  function showApp() {
    loggedIn = true;
    $("login").hidden = true;
    $("login-error").textContent = "";
    $("app").hidden = false;
    $("logout").hidden = false;
  }

  function api(method, path, body) {
    var headers = { "Authorization": "Bearer " + token(), "Accept": "application/json" };
    var options = { method: method, headers: headers, cache: "no-store", credentials: "same-origin" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    if (controller) { options.signal = controller.signal; setTimeout(function () { controller.abort(); }, 10000); }
    var mine = generation;
    return fetch(base + path, options).then(function (response) {
      if (mine !== generation) throw { stale: true };
      if (response.status === 401) {
        showLogin(loggedIn ? "The token is no longer accepted. Log in again." : "That token was refused.");
        throw { handled: true };
      }
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error((text || "").trim() || ("HTTP " + response.status));
        });
      }
      return response.json();
    });
  }

  // Overview requests are numbered: an answer older than one already shown, or asked for before a
  // pause/resume took effect, is dropped (no flicker back), and only the newest schedules the next poll.
  function refresh() {
    stopPolling();
    if (!token()) return;
    var mine = generation, n = ++seq;
    latest = n;
    api("GET", "/overview").then(function (data) {
      if (mine !== generation || n < validFrom || n < rendered) return;
      rendered = n;
      showApp();
      render(data);
      status("updated " + new Date().toLocaleTimeString());
    }, function (error) {
      if (!error || error.handled || error.stale || mine !== generation || n !== latest) return;
      status("can't reach the daemon: " + (error.message || error), true);
    }).then(function () {
      if (n === latest && mine === generation && token() && !document.hidden) timer = setTimeout(refresh, POLL_MS);
    });
  }

  function stopPolling() { if (timer) { clearTimeout(timer); timer = null; } }

  // Replaces one member in the last overview with the object a pause/resume answered.
  function replaceMember(poolName, member) {
    if (!last || !member) return;
    (last.pools || []).forEach(function (p) {
      if (p.name !== poolName) return;
      p.members = (p.members || []).map(function (m) { return m.address === member.address ? member : m; });
    });
    render(last);
  }

  function change(row, action, body) {
    var pool = row.getAttribute("data-pool"), member = row.getAttribute("data-member");
    var path = "/pools/" + encodeURIComponent(pool) + "/members/" + encodeURIComponent(member) + "/" + action;
    row.querySelectorAll("button, input, select").forEach(function (c) { c.disabled = true; });
    notice("");
    api("POST", path, body).then(function (updated) {
      validFrom = seq + 1;
      replaceMember(pool, updated);
      refresh();
    }, function (error) {
      if (!error || error.handled || error.stale) return;
      notice("Could not " + action + " " + member + " in " + pool + ": " + (error.message || error));
      row.querySelectorAll("button, input, select").forEach(function (c) { c.disabled = false; });
    });
  }

  // ----- events (no inline handlers: the CSP forbids them) -----

  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token").value.trim();
    if (!value) return;
    generation++;
    setToken(value);
    $("login-error").textContent = "";
    status("checking…");
    refresh();
  });

  $("logout").addEventListener("click", function () { showLogin(""); });

  $("pools").addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("pause-form")) return;
    event.preventDefault();
    var row = form.closest("tr.member");
    if (!row) return;
    var reason = form.querySelector("input.reason").value.trim();
    var minutes = Number(form.querySelector("select.until").value);
    var body = {};
    if (reason) body.reason = reason;
    if (minutes > 0) body.until = new Date(Date.now() + minutes * 60000).toISOString().replace(/\.\d{3}Z$/, "Z");
    change(row, "pause", body);
  });

  $("pools").addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.resume") : null;
    if (!button) return;
    var row = button.closest("tr.member");
    if (row) change(row, "resume");
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stopPolling();
    else if (token()) refresh();
  });

  if (token()) { status("loading…"); refresh(); } else showLogin("");
})();
</script>
</body>
</html>
"""#
}
