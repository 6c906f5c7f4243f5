// The simulated tablet of /review/formulare: the kiosk's frame at its real size (1024 x 600 or
// 800 x 1280 CSS pixels), scaled down to the room the page has (static/css/forms_admin.css).
(function () {
  "use strict";
  function fit(tablet) {
    const width = Number(tablet.dataset.width);
    const height = Number(tablet.dataset.height);
    const room = tablet.parentElement.clientWidth - 20; // its 10 px border
    // An upright tablet no taller than most of the window.
    const tallest = height > width ? (window.innerHeight * 0.85) / height : 1;
    tablet.style.setProperty("--scale", String(Math.min(1, tallest, room / width)));
  }
  document.querySelectorAll(".tablet[data-width]").forEach(function (tablet) {
    fit(tablet);
    new ResizeObserver(function () { fit(tablet); }).observe(tablet.parentElement);
  });
})();
