// Kiosk behaviour: idle warning and reset, return after thank-you, focus after swaps, the
// Wegweiser's opening states and events kept current, its print button.
// Everything about a missing connection is in offline.js.
(function () {
  "use strict";

  const body = document.body;
  const idleSeconds = Number(body.dataset.idleSeconds || 90);
  const countdownSeconds = Math.max(20, Number(body.dataset.idleCountdown || 30));
  const startUrl = body.dataset.startUrl || "/";
  const dialog = document.getElementById("idle");
  const secondsOut = document.getElementById("idle-seconds");
  const unitOut = document.getElementById("idle-unit");
  const unitLabels = JSON.parse(unitOut.dataset.labels || "[]");
  let idleTimer = null;
  let countdownTimer = null;
  let returnTimer = null;
  // After a new screen appears, taps are ignored this long: the second tap of a double tap
  // must not answer the next question (one-tap answers make that easy).
  const SETTLE_MS = Number(body.dataset.tapGuardMs || 450);
  let quietUntil = 0;
  const GERMAN_KEY = "kiosk-german";

  function main() {
    return document.getElementById("main");
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Leave for the start screen without leaving this visitor's pages in the history.
  function goToStart() {
    sessionStorage.removeItem(GERMAN_KEY);
    window.location.replace(startUrl);
  }

  // Discard the unfinished answers on the server, then start over.
  function resetVisitor() {
    const resetUrl = main() && main().dataset.resetUrl;
    if (!resetUrl) {
      goToStart();
      return;
    }
    const form = new FormData();
    form.append("csrf_token", csrfToken());
    // Leave only once the answer is complete, so the request is not cut off by the navigation.
    fetch(resetUrl + "?quiet=1", { method: "POST", body: form, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .catch(function () { /* the server forgets the draft on its own after DRAFT_MAX_AGE_HOURS */ })
      .finally(goToStart);
  }

  // The unit comes from the server with each language's plural forms ("1 Sekunde", "2 Sekunden").
  function showSecondsLeft(left) {
    secondsOut.textContent = String(left);
    unitOut.textContent = unitLabels[left] || "";
  }

  function stopCountdown() {
    clearInterval(countdownTimer);
    countdownTimer = null;
    if (dialog.open) dialog.close();
  }

  function startCountdown() {
    let left = countdownSeconds;
    showSecondsLeft(left);
    dialog.showModal();
    document.getElementById("idle-continue").focus();
    countdownTimer = setInterval(function () {
      left -= 1;
      showSecondsLeft(Math.max(left, 0));
      if (left <= 0) {
        stopCountdown();
        resetVisitor();
      }
    }, 1000);
  }

  function onIdle() {
    if (main() && main().dataset.resetUrl) {
      startCountdown();
    } else if (!main() || !main().classList.contains("start")) {
      goToStart();
    }
  }

  function restartIdleTimer() {
    if (countdownTimer) return; // only the button in the warning continues
    clearTimeout(idleTimer);
    idleTimer = setTimeout(onIdle, idleSeconds * 1000);
  }

  function scheduleReturn() {
    clearTimeout(returnTimer);
    const after = main() && main().dataset.returnAfter;
    if (after) returnTimer = setTimeout(goToStart, Number(after) * 1000);
  }

  function focusHeading() {
    const heading = main() && (main().querySelector("[role=alert]") || main().querySelector("h1"));
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }

  document.getElementById("idle-continue").addEventListener("click", function () {
    stopCountdown();
    restartIdleTimer();
  });
  dialog.addEventListener("cancel", function () {
    stopCountdown();
    restartIdleTimer();
  });

  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (type) {
    document.addEventListener(type, restartIdleTimer, { passive: true, capture: true });
  });

  // Taps that land while a screen is changing, or just after, go nowhere.
  let sending = null; // the form a one-tap answer is sending: its own submit goes through
  function guardTaps(event) {
    if (event.type === "submit" && event.target === sending) {
      sending = null;
      return;
    }
    if (performance.now() < quietUntil) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
  ["click", "submit"].forEach(function (type) {
    document.addEventListener(type, guardTaps, true);
  });

  // A one-tap answer: show which option was taken, and take no other tap until the next screen.
  document.addEventListener("click", function (event) {
    const option = event.target.closest("form.one-tap button.choice, .consent-choices button.choice");
    if (!option || option.disabled) return;
    option.classList.add("chosen");
    // No other tap until the next screen has settled; this tap's own submit still goes out.
    if (SETTLE_MS > 0) {
      quietUntil = performance.now() + 60000;
      sending = option.form;
    }
  });
  // A tap whose answer could not go out leaves the screen open for the next one.
  ["htmx:responseError", "htmx:sendError"].forEach(function (type) {
    document.addEventListener(type, function () {
      quietUntil = 0;
      sending = null;
    });
  });

  // "Abbrechen" asks first: the answers would be gone. The dialog comes with each step.
  let cancelForm = null;
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const dialog = document.getElementById(form.dataset.confirm || "");
    if (!dialog || form.dataset.confirmed) return;
    event.preventDefault();
    cancelForm = form;
    dialog.showModal();
    dialog.querySelector('[data-answer="no"]').focus();
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("dialog button[data-answer]");
    if (!button) return;
    button.closest("dialog").close();
    if (button.dataset.answer === "yes" && cancelForm) {
      cancelForm.dataset.confirmed = "1";
      sessionStorage.removeItem(GERMAN_KEY);
      cancelForm.submit();
    }
  });

  // The German helper for a volunteer beside the visitor; on until the visitor's session ends.
  function showGerman(on) {
    document.documentElement.classList.toggle("show-german", on);
    document.querySelectorAll(".german-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".german-toggle")) return;
    const on = !document.documentElement.classList.contains("show-german");
    if (on) sessionStorage.setItem(GERMAN_KEY, "1");
    else sessionStorage.removeItem(GERMAN_KEY);
    showGerman(on);
  });

  // Read-aloud (speech.js) is fetched with the first screen that has a speaker button: the
  // start screen, a visitor's first page, does without it.
  function loadSpeech() {
    if (speechLoaded || !body.dataset.speechUrl || !document.querySelector(".speaker")) return;
    speechLoaded = true;
    const script = document.createElement("script");
    script.src = body.dataset.speechUrl;
    document.head.appendChild(script);
  }
  let speechLoaded = false;

  // The Wegweiser's opening states ("jetzt geöffnet" / "öffnet Dienstag 9:00"): a line carries
  // the times its text changes (data-timeline: [[unix seconds, text], …]) and takes each text
  // when its time has come, also on a page from the service worker's cache; past the end of
  // its timeline (data-until) it is hidden rather than wrong. An event is hidden once it is over
  // (data-ends), and "no events" shown when none is left.
  function timelineOf(line) {
    try {
      const steps = JSON.parse(line.dataset.timeline);
      return Array.isArray(steps) ? steps : [];
    } catch (error) {
      return [];
    }
  }

  function updateTimes() {
    const now = Date.now() / 1000;
    document.querySelectorAll("[data-timeline]").forEach(function (line) {
      let text = null;
      timelineOf(line).forEach(function (step) {
        if (Number(step[0]) <= now) text = String(step[1]);
      });
      const out = line.querySelector(".state-text");
      if (out && text !== null && out.textContent !== text) out.textContent = text;
      line.hidden = Boolean(line.dataset.until) && Number(line.dataset.until) <= now;
    });
    document.querySelectorAll("[data-ends]").forEach(function (item) {
      item.hidden = Number(item.dataset.ends) < now;
    });
    document.querySelectorAll(".events").forEach(function (section) {
      const none = section.querySelector(".empty");
      if (none) none.hidden = Boolean(section.querySelector("[data-ends]:not([hidden])"));
    });
  }
  setInterval(updateTimes, 60000);

  // The print views' button (no inline script: the page's policy allows none).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // After htmx swapped a new screen in, or offline.js showed the "will be sent" thank-you.
  function onNewScreen() {
    updateTimes();
    loadSpeech();
    quietUntil = performance.now() + SETTLE_MS;
    showGerman(sessionStorage.getItem(GERMAN_KEY) === "1");
    scheduleReturn();
    focusHeading();
    restartIdleTimer();
  }
  document.addEventListener("htmx:afterSettle", onNewScreen);
  document.addEventListener("kiosk:swapped", onNewScreen);

  // A page restored from the back/forward cache could show an earlier visitor's answers.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });

  if (main() && main().classList.contains("start")) sessionStorage.removeItem(GERMAN_KEY);
  showGerman(sessionStorage.getItem(GERMAN_KEY) === "1");
  updateTimes();
  loadSpeech();
  restartIdleTimer();
  scheduleReturn();
})();
