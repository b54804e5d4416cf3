/* crampwise front end: theme, service worker, offline outbox, cramp routine, timers.
   Plain JS, no build step, no inline handlers (the CSP forbids them). */
"use strict";

/* ---- Theme: the user's choice, else dark at night (20:00–07:00) or when the OS asks. ---- */
(function applyTheme() {
  var choice = "auto";
  try { choice = localStorage.getItem("crampwise-theme") || "auto"; } catch (e) { /* private mode */ }
  var root = document.documentElement;
  var hour = new Date().getHours();
  var osDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var dark = choice === "dark" || (choice === "auto" && (osDark || hour >= 20 || hour < 7));
  root.classList.toggle("dark", dark);
  root.classList.toggle("light", !dark);
  root.dataset.themeChoice = choice;
})();

var crampwise = (function () {
  var DB_NAME = "crampwise";
  var STORE = "outbox";
  var flushing = null;

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  /* Whose page this is ("" when signed out). Queued entries carry it, so a shared device
     never sends one person's entry with the next person's session. */
  function who() {
    var m = document.querySelector('meta[name="crampwise-user"]');
    return m ? m.getAttribute("content") : "";
  }

  /* Entries this page may send: the signed-in person's (untagged ones predate tagging). */
  function mine(items) {
    var me = who();
    return items.filter(function (item) { return me !== "" && (item.user === undefined || item.user === me); });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "client_id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = fn(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  /* Queue an entry on the device first, so nothing is lost if the send fails. */
  function enqueue(url, method, body) {
    var item = { client_id: body.client_id, url: url, method: method, body: body, queued_at: Date.now(), user: who() };
    return tx("readwrite", function (s) { return s.put(item); }).then(function () { return item; });
  }

  function pending() { return tx("readonly", function (s) { return s.getAll(); }); }

  function isPending(id) {
    return pending().then(function (items) {
      return items.some(function (item) { return item.client_id === id; });
    });
  }

  function remove(id) { return tx("readwrite", function (s) { return s.delete(id); }); }

  /* Send queued entries one by one. The server answers a replayed client_id with the record it
     already has, so a retry after a lost response never makes a duplicate. */
  var rejected = {};  // client_id -> the server's reason, for entries it refused
  var sentIds = [];  // client_ids the last flush delivered
  // Other tabs of the app hear what this one sent (their "waiting" notices turn to "sent").
  var channel = window.BroadcastChannel ? new BroadcastChannel("crampwise-outbox") : null;
  if (channel) {
    channel.onmessage = function (ev) {
      if (ev.data && ev.data.sent) {
        document.dispatchEvent(new CustomEvent("crampwise:synced", { detail: { sent: ev.data.sent.length, ids: ev.data.sent } }));
        updateQueueNote();
      }
    };
  }

  function flush() {
    if (flushing) { return flushing; }
    flushing = pending().then(function (items) {
      items = mine(items);
      var sent = 0;
      sentIds = [];
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          return fetch(item.url, {
            method: item.method, credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
            body: JSON.stringify(item.body)
          }).then(function (r) {
            if (r.ok) { sent += 1; sentIds.push(item.client_id); return remove(item.client_id); }
            if (r.status === 401 || r.status === 403 || r.status >= 500) {
              throw new Error("not sent now: " + r.status);  // keep it; try again later
            }
            // 4xx: the entry itself is bad; retrying cannot help. Say why, then drop it.
            return r.json().catch(function () { return {}; }).then(function (body) {
              rejected[item.client_id] = (body && body.detail) || ("refused (" + r.status + ")");
              return remove(item.client_id);
            });
          });
        });
      });
      return chain.then(function () { return sent; });
    }).catch(function () { return 0; }).then(function (sent) {
      flushing = null;
      updateQueueNote();
      if (sent > 0) {
        document.dispatchEvent(new CustomEvent("crampwise:synced", { detail: { sent: sent, ids: sentIds } }));
        if (channel) { channel.postMessage({ sent: sentIds }); }
      }
      return sent;
    });
    return flushing;
  }

  function updateQueueNote() {
    var note = document.getElementById("queue-note");
    if (!note || !window.indexedDB) { return; }
    pending().then(function (items) {
      items = mine(items);
      var was = Number(note.dataset.waiting || 0);
      note.dataset.waiting = String(items.length);
      if (items.length === 0) {
        // Entries that were waiting have reached the server: say so instead of vanishing.
        note.hidden = was === 0 && !note.classList.contains("flash-sent");
        if (was > 0) {
          note.classList.remove("flash-error"); note.classList.add("flash-sent");
          note.textContent = "Sent: what was waiting on this device has reached the server.";
        }
        return;
      }
      note.hidden = false;
      note.classList.add("flash-error"); note.classList.remove("flash-sent");
      note.textContent = items.length === 1 ? "1 entry is waiting on this device to be sent."
        : items.length + " entries are waiting on this device to be sent.";
    }).catch(function () {});
  }

  function showOffline() {
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.hidden = navigator.onLine; }
  }

  function vibrate(pattern) {
    // Browsers refuse vibration before the first tap (and log an error), so ask only after one.
    var active = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && active) { try { navigator.vibrate(pattern); } catch (e) { /* unsupported */ } }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) { s = Math.max(0, Math.round(s)); return Math.floor(s / 60) + ":" + pad(s % 60); }
  function localIso(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function refusal(id) { var why = rejected[id]; delete rejected[id]; return why; }

  /* The Screen Wake Lock keeps the screen on during the routine; the browser drops it when
     the page is hidden, so it is asked for again when the page is shown. */
  function wakeLock() {
    var lock = null, wanted = false;
    function ask() {
      if (!wanted || lock || !("wakeLock" in navigator) || document.visibilityState !== "visible") { return; }
      navigator.wakeLock.request("screen").then(function (l) {
        lock = l;
        l.addEventListener("release", function () { lock = null; });
      }).catch(function () { /* refused (battery saver, no permission): the timer still runs */ });
    }
    document.addEventListener("visibilitychange", ask);
    return {
      acquire: function () { wanted = true; ask(); },
      release: function () { wanted = false; if (lock) { lock.release().catch(function () {}); lock = null; } },
      held: function () { return lock !== null; }
    };
  }

  return { csrf: csrf, uuid: uuid, enqueue: enqueue, pending: pending, flush: flush, refusal: refusal, isPending: isPending,
           updateQueueNote: updateQueueNote, showOffline: showOffline, vibrate: vibrate,
           clock: clock, localIso: localIso, wakeLock: wakeLock };
})();

/* ---- Cramp now: guided routine with a countdown; the log sits on the first screen. ---- */
function setupCrampRoutine(root) {
  var steps = JSON.parse(root.dataset.steps || "[]");
  var opened = new Date();
  var form = document.getElementById("cramp-log");
  var nameEl = root.querySelector(".step-name");
  var howEl = root.querySelector(".step-how");
  var clockEl = root.querySelector(".clock");
  var elapsedEl = root.querySelector(".elapsed");
  var liveEl = document.getElementById("countdown-live");
  var chips = root.querySelectorAll(".steps li");
  var next = document.getElementById("next-step");
  var eased = document.getElementById("eased");
  var startBtn = document.getElementById("start-routine");
  var index = -1, left = 0, timer = null;
  // The routine's own timer: when it started and how long it ran (the cramp's duration
  // when no duration chip is tapped). Null while the routine has not been used.
  var routineStart = null, routineSeconds = null;
  var clock = crampwise.clock;
  var wake = crampwise.wakeLock();

  function say(text) { if (liveEl) { liveEl.textContent = text; } }
  function ran() {
    if (routineSeconds !== null) { return routineSeconds; }
    return routineStart === null ? null : Math.max(1, Math.round((Date.now() - routineStart) / 1000));
  }
  function stopRoutine(words) {
    if (routineStart === null || routineSeconds !== null) { return; }
    routineSeconds = ran();
    clearInterval(timer); timer = null;
    wake.release();
    if (next) { next.hidden = true; }
    if (eased) { eased.hidden = true; }
    if (words) {
      nameEl.textContent = words;
      howEl.textContent = "Log it below: tap how bad it was.";
      clockEl.textContent = clock(routineSeconds);
      say(words + " after " + clock(routineSeconds) + ". Log the cramp below.");
    }
  }

  function go(i) {
    index = i;
    chips.forEach(function (c, k) {
      c.classList.toggle("current", k === i);
      c.classList.toggle("done", k < i);
      if (k === i) { c.setAttribute("aria-current", "step"); } else { c.removeAttribute("aria-current"); }
    });
    if (i >= steps.length) {
      stopRoutine("");
      nameEl.textContent = "Done. How was it?";
      howEl.textContent = "Log it below with a tap on how bad it was.";
      clockEl.textContent = clock(0);
      say("Routine finished. Log the cramp below.");
      crampwise.vibrate([200, 100, 200]);
      return;
    }
    left = steps[i].seconds;
    nameEl.textContent = steps[i].title;
    howEl.textContent = steps[i].how;
    clockEl.textContent = clock(left);
    say(steps[i].title + ": " + left + " seconds. " + steps[i].how);
    crampwise.vibrate(300);
  }

  function tick() {
    left -= 1;
    clockEl.textContent = clock(left);
    elapsedEl.textContent = "Timer running " + clock(ran() || 0);
    if (left > 0 && left % 10 === 0) { say(left + " seconds left"); }
    if (left <= 0) { go(index + 1); }
  }

  function start() {
    if (routineStart !== null || !steps.length) { return; }
    routineStart = Date.now();
    if (startBtn) { startBtn.hidden = true; }
    if (next) { next.hidden = false; }
    if (eased) { eased.hidden = false; }
    root.classList.remove("routine-idle");
    wake.acquire();  // keep the screen on while the countdown guides the stretch
    go(0);
    timer = setInterval(tick, 1000);
  }

  // Opened from the "Log a cramp" shortcut (?log): the cramp is over, so no countdown until
  // asked for; otherwise the routine starts at once.
  if (/[?&]log\b/.test(window.location.search)) {
    root.classList.add("routine-idle");
    if (next) { next.hidden = true; }
    if (eased) { eased.hidden = true; }
    if (startBtn) { startBtn.hidden = false; startBtn.addEventListener("click", start); }
    nameEl.textContent = "Log a cramp";
    howEl.textContent = "Tap which leg and how long, then how bad it was.";
    clockEl.textContent = "";
  } else {
    start();
  }
  if (next) { next.addEventListener("click", function () { go(index + 1); }); }
  if (eased) { eased.addEventListener("click", function () { stopRoutine("Eased"); }); }

  // Over 10 minutes: when to get help goes to the top of the page.
  var help = document.getElementById("help-now");
  form.querySelectorAll('input[name="duration"]').forEach(function (r) {
    r.addEventListener("change", function () {
      var long = r.checked && r.value === "over_10";
      if (help) {
        help.hidden = !long;
        if (long) { help.scrollIntoView({ block: "start" }); }
      }
    });
  });

  form.elements.started_at.value = crampwise.localIso(opened);
  // One id per cramp, made now: a double tap or a retry can never log it twice.
  form.elements.client_id.value = crampwise.uuid();
  var sending = false;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (sending) { return; }
    sending = true;
    var pain = ev.submitter && ev.submitter.name === "pain" ? ev.submitter.value : "";
    var muscle = (form.querySelector('input[name="muscle"]:checked') || {}).value || "calf";
    var side = (form.querySelector('input[name="side"]:checked') || {}).value || null;
    var chip = form.querySelector('input[name="duration"]:checked');
    stopRoutine("");
    var duration = chip ? Number(chip.dataset.seconds) : ran();
    form.elements.routine_s.value = duration === null ? "" : String(duration);
    var body = {
      client_id: form.elements.client_id.value,
      started_at: crampwise.localIso(opened), duration_s: duration, muscle: muscle, side: side,
      pain: pain === "" ? null : Number(pain), woke: true
    };
    var status = document.getElementById("log-status");
    var done = chip && chip.value === "over_10" ? "/?logged=long_cramp" : "/?logged=cramp";
    sendQueued(form, body, status, done, function () { sending = false; }, function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }).catch(function () {
      // No IndexedDB (some private modes): a plain form post, with the tapped pain.
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "pain"; hidden.value = pain;
      form.appendChild(hidden);
      form.submit();
    });
  });
}

/* ---- Queue an entry on the device, try to send it now, and say what happened. ---- */
function sendQueued(form, body, status, doneUrl, onRefused, onWaiting) {
  return crampwise.enqueue(form.dataset.api, "POST", body).then(function () {
    return crampwise.flush();
  }).then(function () {
    return crampwise.isPending(body.client_id);
  }).then(function (waiting) {
    var why = crampwise.refusal(body.client_id);
    status.hidden = false;
    if (why) {
      status.classList.add("flash-error");
      status.textContent = "Not saved: " + why;
      onRefused();
    } else if (!waiting) {
      window.location.assign(doneUrl);
    } else {
      status.textContent = "Saved on this device. It will be sent once, when you are back online.";
      status.classList.add("flash-waiting");
      status.dataset.waitingFor = body.client_id;
      onWaiting();
      crampwise.updateQueueNote();
    }
  });
}

/* A waiting notice turns into "sent" when the server accepts its entry (sent from this page
   or from another tab of the app). */
function markSent(ids) {
  document.querySelectorAll("[data-waiting-for]").forEach(function (status) {
    if (ids.indexOf(status.dataset.waitingFor) < 0) { return; }
    delete status.dataset.waitingFor;
    status.classList.remove("flash-waiting");
    status.textContent = "Sent: the server has it now.";
  });
}

/* ---- Check-in (and Tonight's morning question): queued like a cramp so it survives a dead
   connection. ---- */
function setupCheckin(form) {
  form.elements.client_id.value = crampwise.uuid();
  var sending = false;
  form.addEventListener("submit", function (ev) {
    if (!window.indexedDB || !form.dataset.api) { return; }
    ev.preventDefault();
    if (sending) { return; }
    sending = true;
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "date" || el.name === "client_id") { return; }
      if (el.type === "submit" || el.type === "button") { return; }
      if (el.type === "checkbox") { values[el.name] = el.checked; return; }
      if (el.type === "radio") {
        if (el.checked) {
          values[el.name] = el.value === "" ? null : el.value === "true" ? true : el.value === "false" ? false : el.value;
        }
        return;
      }
      if (el.value === "") { values[el.name] = null; return; }
      values[el.name] = el.type === "number" ? Number(el.value) : el.value;
    });
    if (ev.submitter && ev.submitter.name) { values[ev.submitter.name] = ev.submitter.value; }
    var body = { client_id: form.elements.client_id.value, date: form.elements.date.value, values: values };
    var status = form.querySelector("[role=status]");
    sendQueued(form, body, status, "/?logged=checkin", function () { sending = false; }, function () {})
      .catch(function () { form.submit(); });
  });
}

/* ---- Bedtime and Tonight ticks: saved with fetch, the page stays where it is (a running
   timer keeps going). Without JavaScript the form posts and the page reloads. ---- */
function setupTick(form) {
  form.addEventListener("submit", function (ev) {
    if (!window.fetch) { return; }
    ev.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (ev.submitter && ev.submitter.name) { data.set(ev.submitter.name, ev.submitter.value); }
    var button = ev.submitter || form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "Accept": "application/json", "X-CSRF-Token": crampwise.csrf() }
    }).then(function (r) {
      if (!r.ok) { throw new Error("not saved: " + r.status); }
      return r.json();
    }).then(function (state) {
      var item = form.closest("[data-routine-item]") || form;
      item.classList.toggle("is-done", state.done);
      form.elements.done.value = state.done ? "false" : "true";
      var words = item.querySelector(".tick-words");
      if (words) { words.textContent = state.done ? "Done ✓" : "Not done yet"; }
      button.querySelector(".tick-label").textContent = state.done ? "Undo" : "Mark done";
      button.classList.toggle("btn-secondary", state.done);
      button.setAttribute("aria-pressed", state.done ? "true" : "false");
    }).catch(function () {
      form.submit();  // the page's own answer explains what went wrong
    }).then(function () { button.disabled = false; });
  });
}

/* ---- Countdown timers (bedtime stretch with hold/rest rounds, footbath). ---- */
function setupTimer(box) {
  var total = Number(box.dataset.seconds);
  var hold = Number(box.dataset.hold || 0), rest = Number(box.dataset.rest || 0);
  var left = total, timer = null, lastPhase = "";
  var out = box.querySelector(".clock");
  var phaseEl = box.querySelector(".timer-phase");
  var live = box.querySelector(".timer-live");
  var start = box.querySelector("[data-action=start]");
  var reset = box.querySelector("[data-action=reset]");
  function phase() {
    if (!hold) { return ""; }
    var t = total - left, cycle = hold + rest;
    var round = Math.min(Math.floor(t / cycle) + 1, Math.round(total / cycle));
    var inHold = (t % cycle) < hold;
    var secs = inHold ? hold - (t % cycle) : cycle - (t % cycle);
    return (inHold ? "Hold" : "Rest") + " " + secs + " s · round " + round;
  }
  function show() {
    out.textContent = crampwise.clock(left);
    if (phaseEl) {
      var p = phase();
      phaseEl.textContent = p;
      var word = p.split(" ")[0];
      if (timer && word !== lastPhase) { live.textContent = p; crampwise.vibrate(150); }
      lastPhase = word;
    }
  }
  function stop() { clearInterval(timer); timer = null; start.textContent = "Start"; }
  start.addEventListener("click", function () {
    if (timer) { stop(); live.textContent = "Paused"; return; }
    if (left <= 0) { left = total; }
    start.textContent = "Pause";
    live.textContent = "Started: " + crampwise.clock(left);
    lastPhase = "";
    timer = setInterval(function () {
      left -= 1; show();
      if (!hold && left > 0 && left % 30 === 0) { live.textContent = crampwise.clock(left) + " left"; }
      if (left <= 0) { stop(); live.textContent = "Time is up"; crampwise.vibrate([300, 150, 300]); }
    }, 1000);
    show();
  });
  reset.addEventListener("click", function () { stop(); left = total; show(); live.textContent = "Reset"; });
  show();
}

document.addEventListener("DOMContentLoaded", function () {
  crampwise.showOffline();
  window.addEventListener("online", function () { crampwise.showOffline(); crampwise.flush(); });
  window.addEventListener("offline", crampwise.showOffline);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && navigator.onLine) { crampwise.flush(); }
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    // Signed in: keep the offline pages; signed out: forget them (the offline page: neither).
    var session = document.body.dataset.session;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active && session !== "keep") { reg.active.postMessage(session === "in" ? "warm" : "forget"); }
    });
  }
  if (window.indexedDB && document.querySelector('meta[name="csrf-token"]').content) {
    crampwise.updateQueueNote();
    if (navigator.onLine) { crampwise.flush(); }
  }

  document.addEventListener("crampwise:synced", function (ev) { markSent(ev.detail.ids || []); });
  var routine = document.getElementById("cramp-routine");
  if (routine) { setupCrampRoutine(routine); }
  document.querySelectorAll("form[data-checkin]").forEach(setupCheckin);
  document.querySelectorAll("form[data-tick]").forEach(setupTick);
  document.querySelectorAll("[data-timer]").forEach(setupTimer);

  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.dataset.confirm)) { ev.preventDefault(); }
    });
  });
  document.querySelectorAll("input[name=theme_choice]").forEach(function (r) {
    r.checked = r.value === (document.documentElement.dataset.themeChoice || "auto");
    r.addEventListener("change", function () {
      try { localStorage.setItem("crampwise-theme", r.value); } catch (e) { /* private mode */ }
      window.location.reload();
    });
  });
  /* Auto-submit selects marked for it (e.g. diary range) without inline handlers. */
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
});
