/* The field app's service worker (release {{ release }}), rendered by field/views.py.
   The shell: from the network when it answers within a few seconds, else the last copy.
   The app's files: from the cache (precached on install; a new release replaces them all).
   Map tiles: cached as the inspector views them, never fetched ahead (the GSI asks not to
   be bulk-downloaded), at most MAX_TILES kept. The API: never cached here; the app keeps
   its data in IndexedDB and knows when it is offline. */
"use strict";
const RELEASE = "{{ release }}";
const APP_CACHE = "field-app-" + RELEASE;
const TILE_CACHE = "field-tiles";
const PRECACHE = {{ precache|safe }};
const TILE_ORIGIN = {{ tile_origin|safe }};
const SHELL = "/field/";
const SHELL_WAIT_MS = 4000;
const MAX_TILES = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(APP_CACHE);
    // cache: "reload" skips the HTTP cache, so a new release never keeps an old file.
    // The same URL twice (app.js unhashed where there is no manifest) is fetched once.
    const urls = [...new Set([SHELL, ...PRECACHE])];
    await cache.addAll(urls.map((url) => new Request(url, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("field-app-") && name !== APP_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function shell(request) {
  const cache = await caches.open(APP_CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(SHELL, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, SHELL_WAIT_MS, null));
  try {
    const answer = await Promise.race([network, timeout]);
    if (answer?.ok) return answer; // a 502 from a proxy is not the app: the copy instead
  } catch (error) {
    // offline: the cached shell below
  }
  return (await cache.match(SHELL)) || network;  // no copy yet: whatever the network says
}

async function appFile(request) {
  const cached = await caches.match(request, { ignoreSearch: false });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(APP_CACHE)).put(request, response.clone());
  return response;
}

async function tile(request) {
  const cache = await caches.open(TILE_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Only CORS answers (Leaflet asks with crossOrigin): an opaque one would count for
  // megabytes against the quota whatever its size.
  if (response.ok) {
    await cache.put(request, response.clone());
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_TILES))) await cache.delete(old);
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin === self.location.origin) {
    if (request.mode === "navigate" && url.pathname.startsWith(SHELL)) {
      event.respondWith(shell(request));
    } else if (url.pathname.startsWith("{{ static_url }}")) {
      event.respondWith(appFile(request));
    } else if (url.pathname === "/field/manifest.webmanifest") {
      event.respondWith(appFile(request));
    }
  } else if (TILE_ORIGIN && url.origin === TILE_ORIGIN) {
    event.respondWith(tile(request));
  }
});
