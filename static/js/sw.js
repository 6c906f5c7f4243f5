// Service worker of the kiosk: served as /sw.js with CONFIG in front (kiosk/visitor/offline.py).
// Keeps styles, scripts, pictograms and the fonts of the offered languages, the start screen,
// the form choosers, the Wegweiser's start and help lines and an offline page, so a short outage
// of the server or the Wi-Fi shows the kiosk, not the browser's error page. The Wegweiser's
// other pages (under CONFIG.kept) hold nothing of a visitor either: each is kept as it is
// visited. Static files come by hashed URLs (name.<hash>.css), whose content never changes:
// also one not listed is kept once a page has loaded it.
// Pages with a visitor's answers (steps, summary, thank-you) are never stored.
/* global CONFIG */
"use strict";

const PREFIX = "mittendrin-";
// A network that hangs (Wi-Fi gone without a word) must not keep the start screen away.
const PAGE_TIMEOUT_MS = 4000;
const STATIC_URLS = new Set(CONFIG.static);
const PAGE_URLS = new Set(CONFIG.pages);
const KEPT = CONFIG.kept || [];
const FINGERPRINTED = new RegExp(CONFIG.fingerprinted);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cache).then(function (cache) {
      // The pages one by one: a page that fails now is stored on its next visit instead.
      const pages = CONFIG.pages.map(function (url) {
        return fetch(url, { credentials: "same-origin" })
          .then(function (response) { return keepPage(cache, url, response); })
          .catch(function () { /* stored on the next visit */ });
      });
      return Promise.all([cache.addAll(CONFIG.static), ...pages]);
    }).then(function () { return self.skipWaiting(); })
  );
});

// A new release has a new cache name: the old caches go, and this worker takes over at once.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names
        .filter(function (name) { return name.startsWith(PREFIX) && name !== CONFIG.cache; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (STATIC_URLS.has(url.pathname) || isHashedStatic(url.pathname)) {
    event.respondWith(fromCacheFirst(request));
  } else if (request.mode === "navigate" && isKioskPage(url.pathname)) {
    event.respondWith(
      isKeptPage(url) && !url.search
        ? fromNetworkFirst(request, url.pathname)
        : fetch(request).catch(function () { return offlinePage(url.pathname); })
    );
  }
  // Everything else (htmx requests, posts, staff pages) goes to the network untouched.
});

function isHashedStatic(path) {
  return path.startsWith(CONFIG.staticRoot) && FINGERPRINTED.test(path);
}

function isKeptPage(url) {
  return PAGE_URLS.has(url.pathname) || KEPT.some(function (prefix) {
    return url.pathname.startsWith(prefix);
  });
}

function isKioskPage(path) {
  return path === CONFIG.root || Object.prototype.hasOwnProperty.call(CONFIG.offline, languageOf(path));
}

function languageOf(path) {
  return path.slice(CONFIG.root.length).split("/")[0];
}

function keepPage(cache, url, response) {
  // Only a complete page of its own URL: no redirect, no error page.
  if (response.ok && !response.redirected && response.type === "basic") {
    return cache.put(url, response.clone()).then(function () { return response; });
  }
  return response;
}

function fromCacheFirst(request) {
  return caches.open(CONFIG.cache).then(function (cache) {
    return cache.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        // An unlisted file only if the server vouched for its hash (an old one is no-cache).
        const lasting = STATIC_URLS.has(new URL(request.url).pathname) ||
          (response.headers.get("Cache-Control") || "").includes("immutable");
        if (response.ok && lasting) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function fromNetworkFirst(request, path) {
  return caches.open(CONFIG.cache).then(function (cache) {
    const network = fetch(request).then(function (response) {
      return keepPage(cache, path, response);
    });
    const late = new Promise(function (resolve, reject) {
      setTimeout(reject, PAGE_TIMEOUT_MS);
    });
    return Promise.race([network, late]).catch(function () {
      return cache.match(path).then(function (cached) {
        return cached || network.catch(function () { return offlinePage(path); });
      });
    });
  });
}

// The offline page in the visitor's language, from the URL; German when it has none.
function offlinePage(path) {
  const code = languageOf(path);
  const own = Object.prototype.hasOwnProperty.call(CONFIG.offline, code) ? CONFIG.offline[code] : null;
  const fallback = CONFIG.offline.de || Object.values(CONFIG.offline)[0];
  return caches.open(CONFIG.cache).then(function (cache) {
    return cache.match(own || fallback).then(function (page) {
      return page || cache.match(fallback);
    }).then(function (page) {
      return page || Response.error();
    });
  });
}
