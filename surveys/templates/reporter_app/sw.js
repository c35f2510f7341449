{% autoescape off %}/* The reporter app's service worker (served at /app/sw.js, scope /app/).

   It keeps the app shell in a cache named after this release, so /app/ opens offline after the
   first visit, and sends the outbox on Background Sync where the browser has it. A new release
   changes VERSION, so the browser installs this file anew: the new cache is filled, the old one
   deleted. IndexedDB (sites, the outbox, sent visits) is never touched here. */
"use strict";
const VERSION = {{ version_json }};
const CACHE = "fs-app-" + VERSION;
const ASSETS = {{ assets_json }};

importScripts(...{{ imports_json }});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("fs-app-") && name !== CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/app/")) {
    // The shell, cache first: the same page for every /app/ address (the app routes by #hash).
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match("/app/")).then((cached) => cached || fetch(request))
    );
    return;
  }
  if (ASSETS.includes(url.pathname + url.search)) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
  // Everything else (the API above all) goes to the network untouched.
});

self.addEventListener("sync", (event) => {
  if (event.tag === "fs-outbox") {
    // Rejecting while items still wait makes the browser try this sync again later, with its own backoff.
    event.waitUntil(FS.outbox.flush({ from: "background-sync" }).then(notifyClients).then(FS.outbox.nextDue)
      .then((due) => { if (due !== null) throw new Error("the outbox still waits"); }));
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "version") {
    event.source.postMessage({ type: "version", version: VERSION });
  }
  if (event.data && event.data.type === "claim") {
    // A page whose load began while this worker was still installing asks to be taken over.
    event.waitUntil(self.clients.claim());
  }
});

function notifyClients() {
  return self.clients.matchAll({ type: "window" }).then((windows) => {
    windows.forEach((client) => client.postMessage({ type: "outbox-changed" }));
  });
}
{% endautoescape %}
