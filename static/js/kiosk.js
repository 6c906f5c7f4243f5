// Kiosk behaviour: idle warning and reset, return after thank-you, focus after swaps.
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

  function main() {
    return document.getElementById("main");
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Leave for the start screen without leaving this visitor's pages in the history.
  function goToStart() {
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

  // After htmx swapped a new screen in, or offline.js showed the "will be sent" thank-you.
  function onNewScreen() {
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

  restartIdleTimer();
  scheduleReturn();
})();
