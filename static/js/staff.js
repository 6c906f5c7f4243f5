// Staff pages: a list's filters (details.filter-box) stand open on a wide screen; on a phone
// they fold away behind "Filter", unless a filter is chosen (the page comes with them open then).
(() => {
  const wide = window.matchMedia("(min-width: 40.0625rem)");
  const unfold = () => {
    if (!wide.matches) return;
    for (const box of document.querySelectorAll("details.filter-box")) box.open = true;
  };
  unfold();
  wide.addEventListener("change", unfold);
  document.addEventListener("htmx:afterSettle", unfold);
})();
