// The gate page's service worker: it keeps the page and its scripts, so that a phone whose
// browser reloads the page with no network still has the gate (keys, revocations and queued
// scans are in localStorage already).
const CACHE = "gate-v2";
const KEPT = [
  "/gate",
  "/static/gate.js",
  "/static/gate.css",
  "/static/vendor/jsQR.js",
  "/static/site.css",
];

async function keep(path) {
  // Only a real copy of the page: never the sign-in page it redirects to when signed out.
  const response = await fetch(path, { credentials: "same-origin", redirect: "manual" });
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(path, response);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.allSettled(KEPT.map(keep)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Copies kept by an earlier version of this worker are of no use any more.
  const stale = caches.keys().then((names) =>
    Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))),
  );
  event.waitUntil(stale.then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!KEPT.includes(url.pathname)) return;
  // Network first, so the gate is always current when online; the kept copy otherwise.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((kept) => kept || Response.error())),
  );
});
