// Kiosk without a connection: banner, retry of a step, and a queue for the final submit.
//
// - The service worker (/sw.js) keeps the pages and files the kiosk needs when the server is away.
// - A step that could not be sent stays on screen and is sent again when the server answers.
// - A final submit that could not be sent waits in IndexedDB (only what the server needs to store
//   it: the form session's UUID, form, version, language and answers), the visitor is thanked
//   with "will be sent", and it is sent to /offline/replay on every page load, when the browser
//   comes online, when the server answers again, and on a timer with backoff. The server stores
//   each UUID once; the entry is deleted as soon as the server confirmed it. Nothing shows it.
(function () {
  "use strict";

  const body = document.body;
  const PROBE_MS = 3000;
  const REQUEST_TIMEOUT_MS = 20000;
  const FLUSH_FIRST_MS = 5000;
  const FLUSH_MOST_MS = 5 * 60 * 1000;
  const DB_NAME = "mittendrin-offline";
  const STORE = "submissions";

  let offline = false;
  let probeTimer = null;
  let flushTimer = null;
  let flushDelay = FLUSH_FIRST_MS;
  let flushing = null;
  let pending = null; // the step or link that could not be sent: {elt, submitter}
  const submitters = new WeakMap();

  function banner() {
    return document.querySelector("#offline .banner");
  }

  function main() {
    return document.getElementById("main");
  }

  function onOfflinePage() {
    return main() && main().classList.contains("offline-page");
  }

  // --- Connection state -------------------------------------------------------------------

  function goOffline() {
    if (!onOfflinePage()) banner().hidden = false;
    if (offline) return;
    offline = true;
    probeTimer = setTimeout(probe, PROBE_MS);
  }

  function goOnline() {
    banner().hidden = true;
    if (!offline) return;
    offline = false;
    clearTimeout(probeTimer);
    if (onOfflinePage()) {
      leaveOfflinePage();
      return;
    }
    refreshTokens().then(retryPending, goOffline);
    flushQueue();
  }

  function probe() {
    clearTimeout(probeTimer); // one loop of probes, also when "online" comes in between
    withTimeout(fetch(body.dataset.healthUrl, { cache: "no-store", credentials: "same-origin" }))
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        goOnline();
      })
      .catch(function () {
        if (offline) probeTimer = setTimeout(probe, PROBE_MS);
      });
  }

  // The service worker showed this page instead of the one asked for: ask for it again.
  function leaveOfflinePage() {
    if (window.location.pathname === main().dataset.selfUrl) {
      window.location.replace(body.dataset.startUrl);
    } else {
      window.location.reload();
    }
  }

  // An answer of the server that is not a success; a network failure is a TypeError instead.
  function refusal(response) {
    const error = new Error("status " + response.status);
    error.status = response.status;
    return error;
  }

  function withTimeout(promise) {
    return Promise.race([
      promise,
      new Promise(function (resolve, reject) { setTimeout(reject, REQUEST_TIMEOUT_MS); }),
    ]);
  }

  // A page from the service worker's cache may carry an old CSRF token: take a fresh one.
  function refreshTokens() {
    return withTimeout(fetch(body.dataset.tokenUrl, { cache: "no-store", credentials: "same-origin" }))
      .then(function (response) {
        if (!response.ok) throw refusal(response);
        return response.json();
      })
      .then(function (data) {
        document.querySelector('meta[name="csrf-token"]').content = data.token;
        document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
          input.value = data.token;
        });
        return data.token;
      });
  }

  // --- A step that could not be sent --------------------------------------------------------

  function retryPending() {
    const what = pending;
    pending = null;
    if (!what || !document.contains(what.elt)) return;
    if (what.elt.tagName === "FORM") {
      const submitter = what.submitter && what.elt.contains(what.submitter) ? what.submitter : null;
      // The form's buttons may still be disabled from the failed request (hx-disabled-elt):
      // a disabled submitter would send the step without its answer.
      what.elt.querySelectorAll("button[data-disabled-by-htmx]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("data-disabled-by-htmx");
      });
      what.elt.requestSubmit(submitter);
    } else {
      what.elt.click();
    }
  }

  function isFinalSubmit(elt, submitter) {
    if (!elt.matches("form[data-offline]")) return false;
    // In a one-tap form only the tap on an option sends; "back" is an ordinary step.
    if (elt.dataset.offlineField) return Boolean(submitter && submitter.name === "answer");
    return true;
  }

  function onRequestFailed(event) {
    const elt = event.detail.elt;
    const submitter = submitters.get(elt) || null;
    goOffline();
    if (elt && isFinalSubmit(elt, submitter)) {
      queueSubmission(elt, submitter);
    } else if (elt) {
      pending = { elt: elt, submitter: submitter };
    }
  }

  // --- The queue of final submits -----------------------------------------------------------

  function openQueue() {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "uuid" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function inQueue(mode, work) {
    return openQueue().then(function (db) {
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(result.result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function queueSubmission(form, submitter) {
    const submission = JSON.parse(form.dataset.offline);
    if (form.dataset.offlineField) {
      submission.answers[form.dataset.offlineField] = submitter.value;
    }
    inQueue("readwrite", function (store) { return store.put(submission); })
      .then(function () {
        showQueuedThanks();
        scheduleFlush();
      })
      .catch(function () {
        // Without IndexedDB the answers stay on screen and the step is sent again later.
        pending = { elt: form, submitter: submitter };
      });
  }

  function showQueuedThanks() {
    const template = document.getElementById("queued-thanks");
    main().replaceWith(template.content.cloneNode(true));
    document.title = template.dataset.title;
    document.dispatchEvent(new CustomEvent("kiosk:swapped"));
  }

  function sendQueued(submission, token) {
    return withTimeout(fetch(body.dataset.replayUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(submission),
    })).then(function (response) {
      if (response.ok) return true;
      // Refused for good (malformed or invalid): keeping it would only keep personal data.
      const refused = response.status === 400 &&
        (response.headers.get("Content-Type") || "").startsWith("application/json");
      if (refused) return true;
      throw refusal(response);
    }).then(function () {
      return inQueue("readwrite", function (store) { return store.delete(submission.uuid); });
    });
  }

  function sendAllQueued() {
    return inQueue("readonly", function (store) { return store.getAll(); })
      .then(function (queued) {
        if (!queued.length) return;
        return refreshTokens().then(function (token) {
          return queued.reduce(function (previous, submission) {
            return previous.then(function () { return sendQueued(submission, token); });
          }, Promise.resolve());
        });
      });
  }

  function flushQueue() {
    if (flushing) return flushing;
    clearTimeout(flushTimer);
    flushing = sendAllQueued()
      .then(function () { flushDelay = FLUSH_FIRST_MS; })
      .catch(function (error) {
        // The server answered but could not store it yet: try later, without the banner.
        if (!(error && error.status)) goOffline();
        scheduleFlush();
      })
      .finally(function () { flushing = null; });
    return flushing;
  }

  function scheduleFlush() {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flushQueue, flushDelay);
    flushDelay = Math.min(flushDelay * 2, FLUSH_MOST_MS);
  }

  // --- Wiring -------------------------------------------------------------------------------

  // Which button sent a form, so a retry sends the same ("back", "prefer not to say", ...).
  document.addEventListener("submit", function (event) {
    submitters.set(event.target, event.submitter || null);
  }, true);

  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.timeout) event.detail.timeout = REQUEST_TIMEOUT_MS;
  });
  document.addEventListener("htmx:sendError", onRequestFailed);
  document.addEventListener("htmx:timeout", onRequestFailed);
  document.addEventListener("htmx:afterSettle", goOnline);
  window.addEventListener("offline", goOffline);
  window.addEventListener("online", probe);

  if ("serviceWorker" in navigator && body.dataset.workerUrl) {
    navigator.serviceWorker.register(body.dataset.workerUrl, { scope: body.dataset.startUrl })
      .catch(function () { /* no offline pages then; the kiosk itself works as before */ });
  }

  // Each page load under a service worker: is the server there (with fresh tokens for a page
  // from its cache)? A page no worker controls came from the server just now, tokens and all
  // (a queued submission still fetches fresh ones before it is sent).
  if (onOfflinePage()) goOffline();
  const fromWorker = "serviceWorker" in navigator && navigator.serviceWorker.controller;
  (fromWorker ? refreshTokens() : Promise.resolve()).then(function () {
    if (offline) goOnline();
    flushQueue();
  }, goOffline);
})();
