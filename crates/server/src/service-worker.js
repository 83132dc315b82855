// 見守り手帳 service worker.
//
// The server writes BUILD and PRECACHE when it loads the built PWA (crates/server/src/pwa.rs):
// BUILD is a hash of every file of this build and PRECACHE lists index.html and the files it
// names, so no list is kept by hand and each build has a cache of its own. The manifest's
// other icons are left to the browser, which fetches them only to install the app.
"use strict";

const BUILD = "__MIMAMORI_BUILD__";
const PRECACHE = __MIMAMORI_PRECACHE__;
// The coordinators' build (sc.html and its files): kept as first fetched, and precached on
// an update of a phone that had it. A volunteer's phone never downloads it.
const COORDINATORS = __MIMAMORI_COORDINATORS__;
const CACHE = "mimamori-" + BUILD;
const CACHE_PREFIX = "mimamori-";

self.addEventListener("install", (event) => {
  // "no-cache" revalidates each file with the server that served this script, so the cache
  // holds this build and nothing older; hashed files come back as cheap 304s.
  event.waitUntil(
    (async () => {
      const wanted = (await hadCoordinatorsBuild()) ? PRECACHE.concat(COORDINATORS) : PRECACHE;
      const cache = await caches.open(CACHE);
      await cache.addAll(wanted.map((url) => new Request(url, { cache: "no-cache" })));
    })()
  );
  // No skipWaiting here: an open page keeps its build until the user accepts the update.
});

// Whether an earlier build's cache on this phone holds the coordinators' page.
async function hadCoordinatorsBuild() {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== CACHE) {
      if (await (await caches.open(name)).match("/sc.html")) return true;
    }
  }
  return false;
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name))
      );
      await self.clients.claim();
    })()
  );
});

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (type === "KEEP_COORDINATORS") {
    // A coordinator's phone: keep the coordinators' build too (see COORDINATORS).
    event.waitUntil(
      caches
        .open(CACHE)
        .then((cache) =>
          cache.addAll(COORDINATORS.map((url) => new Request(url, { cache: "no-cache" })))
        )
    );
  } else if (type === "RESOURCE_TIMING" && event.ports[0]) {
    // What this worker downloaded (its precache), for `cargo xtask bench`.
    const entries = performance.getEntriesByType("resource").map((entry) => ({
      name: entry.name,
      transferSize: entry.transferSize,
    }));
    event.ports[0].postMessage(entries);
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API is never cached: its answers must be live, and the app keeps its own data. The
  // public pages are the server's, not the app's.
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/public/")) return;
  // Every page of the app is one of two shells (the coordinators' under /sc/); the app
  // inside picks the screen.
  const coordinators = url.pathname === "/sc" || url.pathname.startsWith("/sc/");
  const shell = coordinators && COORDINATORS.length ? "/sc.html" : "/index.html";
  const path = request.mode === "navigate" ? shell : url.pathname;
  event.respondWith(fromThisBuild(path, request));
});

// Only this build's cache is read, never caches.match() across caches, so a page can never
// be assembled from two builds' files.
async function fromThisBuild(path, request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(path);
  if (cached) return cached;
  // The coordinators' build is kept once fetched, so that it too opens with no signal.
  if (COORDINATORS.includes(path)) {
    const response = await fetch(new Request(path, { cache: "no-cache" }));
    if (response.ok) await cache.put(path, response.clone());
    return response;
  }
  return fetch(request);
}
