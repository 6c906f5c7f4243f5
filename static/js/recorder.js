// Recording a spoken text on the Sprachpaten's page (templates/recordings/_row.html).
// Each text's form.recorder gets buttons: record, stop, listen (the preview), keep or record
// again. "Behalten" sends the take as the form's `audio` file (the same upload a file chooser
// makes without JavaScript) and puts the text's row from the answer in place of the old one.
// Opus only: in WebM (Chromium) or Ogg (Firefox), at a low bit rate, and stopped by itself at
// the page's limit; the server checks both again. The microphone is released after each take.
// Only one take at a time; leaving the page stops it.
(function () {
  "use strict";

  const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus"];
  const BITS_PER_SECOND = 32000; // speech: about 4 KB a second, a minute in 240 KB
  const list = document.querySelector("ol.recordings");
  if (!list) return;
  const maxSeconds = Number(list.dataset.maxSeconds) || 60;
  const maxBytes = Number(list.dataset.maxBytes) || 1048576;
  let active = null; // { form, recorder, stream, timer } while recording
  const takes = new WeakMap(); // form -> { blob, url } of the take to keep or redo

  function supportedType() {
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return "";
    }
    for (let i = 0; i < TYPES.length; i += 1) {
      if (MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    }
    return "";
  }
  const type = supportedType();

  function part(form, selector) {
    return form.querySelector(selector);
  }

  function say(form, text) {
    part(form, ".recorder-status").textContent = text;
  }

  function show(form, names) {
    [".record", ".stop", ".recorder-time", ".recorder-preview", ".keep", ".redo"].forEach(
      function (selector) {
        part(form, selector).hidden = names.indexOf(selector) === -1;
      }
    );
  }

  function clock(seconds) {
    const whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function forget(form) {
    const take = takes.get(form);
    if (take) URL.revokeObjectURL(take.url);
    takes.delete(form);
    const preview = part(form, ".recorder-preview");
    preview.removeAttribute("src");
    preview.load();
  }

  function release(recording) {
    clearInterval(recording.timer);
    recording.stream.getTracks().forEach(function (track) { track.stop(); });
  }

  function stopActive() {
    if (active && active.recorder.state !== "inactive") active.recorder.stop();
  }

  function start(form) {
    stopActive();
    forget(form);
    say(form, "Mikrofon wird geöffnet …");
    const constraints = { audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } };
    navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
      record(form, stream);
    }).catch(function () {
      say(form, "Kein Zugriff auf das Mikrofon. Bitte im Browser erlauben (nur über HTTPS oder unter http://127.0.0.1 möglich).");
    });
  }

  function record(form, stream) {
    const recorder = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: BITS_PER_SECOND });
    const chunks = [];
    const began = Date.now();
    const recording = { form: form, recorder: recorder, stream: stream, timer: 0 };
    recorder.addEventListener("dataavailable", function (event) {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", function () {
      release(recording);
      if (active === recording) active = null;
      const blob = new Blob(chunks, { type: recorder.mimeType || type });
      const url = URL.createObjectURL(blob);
      takes.set(form, { blob: blob, url: url });
      part(form, ".recorder-preview").src = url;
      show(form, [".recorder-preview", ".keep", ".redo"]);
      say(form, "Bitte anhören: behalten oder noch einmal aufnehmen.");
    });
    const time = part(form, ".recorder-time");
    recording.timer = setInterval(function () {
      const seconds = (Date.now() - began) / 1000;
      time.textContent = clock(seconds) + " / " + clock(maxSeconds);
      // A little before the limit: the container's length may run a frame longer.
      if (seconds >= maxSeconds - 0.5) stopActive();
    }, 250);
    active = recording;
    recorder.start();
    time.textContent = clock(0) + " / " + clock(maxSeconds);
    show(form, [".stop", ".recorder-time"]);
    say(form, "Aufnahme läuft … Zum Beenden „Stopp“.");
    part(form, ".stop").focus();
  }

  function replaceRow(form, html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.firstElementChild;
    if (!fresh || !fresh.matches("li.recording")) return false;
    form.closest("li.recording").replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    enable(fresh);
    return true;
  }

  function keep(form) {
    const take = takes.get(form);
    if (!take) return;
    if (take.blob.size > maxBytes) {
      say(form, "Die Aufnahme ist zu groß. Bitte kürzer aufnehmen.");
      return;
    }
    const data = new FormData(form);
    const ending = take.blob.type.indexOf("ogg") !== -1 ? "ogg" : "webm";
    data.set("audio", take.blob, "aufnahme." + ending);
    part(form, ".keep").disabled = true;
    say(form, "Wird gespeichert …");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(function (response) {
      return response.text().then(function (html) {
        if (!replaceRow(form, html)) {
          part(form, ".keep").disabled = false;
          say(form, "Speichern nicht möglich (" + response.status + "). Bitte die Seite neu laden.");
        } else {
          forget(form);
        }
      });
    }).catch(function () {
      part(form, ".keep").disabled = false;
      say(form, "Keine Verbindung zum Kiosk. Bitte noch einmal „Behalten“.");
    });
  }

  function enable(root) {
    const forms = root.matches && root.matches("form.recorder")
      ? [root]
      : Array.prototype.slice.call(root.querySelectorAll("form.recorder"));
    forms.forEach(function (form) {
      part(form, ".recorder-controls").hidden = !type;
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("form.recorder button[type=button]");
    if (!button) return;
    const form = button.closest("form.recorder");
    if (button.classList.contains("record") || button.classList.contains("redo")) start(form);
    else if (button.classList.contains("stop")) stopActive();
    else if (button.classList.contains("keep")) keep(form);
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt) enable(event.detail.elt);
  });
  window.addEventListener("pagehide", stopActive);

  const warning = document.querySelector(".recorder-unavailable");
  if (warning) warning.hidden = Boolean(type);
  enable(document);
})();
