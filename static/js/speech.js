// Read-aloud: the speaker buttons of templates/kiosk/_speaker.html.
// A button plays the recording made for its text (data-audio, from this server), or else the
// device's own speech synthesis, but only with a voice installed on the device (localService):
// a voice of another host would send the visitor's screen text away. A button with neither
// stays hidden. Nothing plays by itself; one text at a time; a second tap stops; a new screen,
// leaving the page or hiding it stops too. Works on content htmx swaps in (delegated events).
(function () {
  "use strict";

  const SELECTOR = "button.speaker[data-say]";
  const RATE = 0.9; // a little slower than usual: many visitors are learning the language
  const synth = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window
    ? window.speechSynthesis
    : null;
  let current = null; // { button, audio, utterance } of what plays now
  let voices = {}; // language -> local voice or null, until the voices change

  function normalized(tag) {
    return String(tag || "").toLowerCase().replace(/_/g, "-");
  }

  function languageOf(button) {
    return button.dataset.lang || document.documentElement.lang || "";
  }

  // A voice of the device itself for the language: the same tag first ("de" for "de",
  // "fa-af" for "fa-AF"), else one of the same base language ("de-DE" for "de").
  function findLocalVoice(language) {
    const wanted = normalized(language);
    const base = wanted.split("-")[0];
    let sameBase = null;
    if (!synth || !base) return null;
    const available = synth.getVoices();
    for (let i = 0; i < available.length; i += 1) {
      const voice = available[i];
      if (!voice.localService) continue;
      const tag = normalized(voice.lang);
      if (tag === wanted) return voice;
      if (tag.split("-")[0] === base && (!sameBase || (voice.default && !sameBase.default))) {
        sameBase = voice;
      }
    }
    return sameBase;
  }

  function localVoice(language) {
    if (!Object.prototype.hasOwnProperty.call(voices, language)) {
      voices[language] = findLocalVoice(language);
    }
    return voices[language];
  }

  function canPlay(button) {
    return Boolean(button.dataset.audio) || Boolean(localVoice(languageOf(button)));
  }

  function reveal(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const buttons = Array.prototype.slice.call(scope.querySelectorAll(SELECTOR));
    if (scope.matches && scope.matches(SELECTOR)) buttons.push(scope);
    buttons.forEach(function (button) {
      button.hidden = !canPlay(button);
    });
  }

  function setPressed(button, pressed) {
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
  }

  function release(audio) {
    audio.pause();
    audio.removeAttribute("src");
    audio.load(); // lets go of the file and the decoder
  }

  function stop() {
    const playing = current;
    if (!playing) return;
    current = null;
    if (playing.audio) release(playing.audio);
    if (playing.utterance && synth) synth.cancel();
    setPressed(playing.button, false);
  }

  // Ended, failed or replaced: only the playback that is still current changes the button.
  function finish(playing) {
    if (current !== playing) return;
    current = null;
    setPressed(playing.button, false);
  }

  function speak(playing) {
    const voice = localVoice(languageOf(playing.button));
    if (!voice) {
      finish(playing);
      return;
    }
    const utterance = new SpeechSynthesisUtterance(playing.button.dataset.say);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = RATE;
    // Only this utterance ends it: cancelling an earlier one reports an error too.
    function ended() {
      if (playing.utterance === utterance) finish(playing);
    }
    utterance.onend = ended;
    utterance.onerror = ended;
    playing.utterance = utterance; // kept, or some browsers never tell its end
    if (synth.speaking || synth.pending) synth.cancel();
    synth.speak(utterance);
  }

  // The recording could not play (gone, or a format the device cannot decode): the voice.
  // Both the element's error and the rejected play() may tell it: the first one counts.
  function recordingFailed(playing) {
    if (current !== playing || !playing.audio) return;
    release(playing.audio);
    playing.audio = null;
    speak(playing);
  }

  function play(button) {
    stop();
    const playing = { button: button, audio: null, utterance: null };
    current = playing;
    setPressed(button, true);
    if (!button.dataset.audio) {
      speak(playing);
      return;
    }
    const audio = new Audio(button.dataset.audio);
    playing.audio = audio;
    audio.addEventListener("ended", function () { finish(playing); });
    audio.addEventListener("error", function () { recordingFailed(playing); });
    const started = audio.play();
    if (started && typeof started.catch === "function") {
      started.catch(function () { recordingFailed(playing); });
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest(SELECTOR);
    if (!button) return;
    event.preventDefault(); // inside a <label>: never choose the answer
    if (current && current.button === button) {
      stop();
    } else {
      play(button);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") stop();
  });

  // A new screen: stop before htmx asks or swaps, show the new buttons that can play.
  document.addEventListener("htmx:beforeRequest", stop);
  document.addEventListener("htmx:beforeSwap", stop);
  document.addEventListener("htmx:load", function (event) {
    reveal(event.detail && event.detail.elt);
  });
  window.addEventListener("pagehide", stop);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") stop();
  });

  // Voices may arrive after the page: look again whenever the device's list changes.
  function voicesChanged() {
    voices = {};
    reveal(document);
  }
  if (synth && typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", voicesChanged);
  } else if (synth) {
    synth.onvoiceschanged = voicesChanged;
  }

  function start() {
    // A screen replaced without htmx (offline.js): the playing button is gone, new ones came.
    new MutationObserver(function () {
      if (current && !current.button.isConnected) stop();
      reveal(document);
    }).observe(document.body, { childList: true });
    reveal(document);
  }
  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
