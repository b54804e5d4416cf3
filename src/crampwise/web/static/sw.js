/* crampwise service worker: the app shell works offline; pages fall back to the last copy. */
"use strict";
var VERSION = "crampwise-v1";
var SHELL = VERSION + "-shell";
var PAGES = VERSION + "-pages";
var SHELL_URLS = [
  "/offline", "/static/app.css", "/static/app.js", "/manifest.webmanifest",
  "/static/icons/icon.svg", "/static/icons/icon-192.png", "/static/icons/icon-512.png"
];
// Pages someone may need half-asleep without a connection; kept as last seen.
var OFFLINE_PAGES = ["/", "/cramp", "/checkin", "/bedtime"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(SHELL_URLS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(VERSION) !== 0; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

/* A signed-in page asks for the offline pages to be kept, so "Cramp now" and the check-in open
   without a connection even if they were never visited online. Pages already kept are left. */
function warm() {
  return caches.open(PAGES).then(function (c) {
    return Promise.all(OFFLINE_PAGES.map(function (u) {
      return c.match(u).then(function (hit) {
        if (hit) { return; }
        return fetch(u, { credentials: "same-origin" }).then(function (r) {
          if (r.ok && !r.redirected) { return c.put(u, r); }
        });
      });
    }));
  }).catch(function () {});
}

self.addEventListener("message", function (event) {
  if (event.data === "warm") { event.waitUntil(warm()); }
  if (event.data === "forget") { event.waitUntil(caches.delete(PAGES)); }
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }

  if (req.mode === "navigate") {
    event.respondWith(fetch(req).then(function (resp) {
      if (resp.redirected && new URL(resp.url).pathname === "/login") {
        caches.delete(PAGES);  // signed out: forget the pages that held someone's diary
      } else if (resp.ok && !url.search && OFFLINE_PAGES.indexOf(url.pathname) >= 0) {
        // Only plain visits are kept: "/?logged=cramp" would replay its message offline.
        var copy = resp.clone();
        caches.open(PAGES).then(function (c) { c.put(url.pathname, copy); });
      }
      return resp;
    }).catch(function () {
      return caches.match(url.pathname, { cacheName: PAGES }).then(function (hit) {
        return hit || caches.match("/offline");
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    // Network first keeps assets fresh; the cache answers when offline.
    event.respondWith(fetch(req).then(function (resp) {
      if (resp.ok) { var copy = resp.clone(); caches.open(SHELL).then(function (c) { c.put(req, copy); }); }
      return resp;
    }).catch(function () { return caches.match(req); }));
  }
});
