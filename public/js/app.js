/* Site-wide behaviour. Loaded on every page; no inline scripts anywhere (strict CSP). */
(function () {
  'use strict';

  // Print buttons on A4 pages.
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-action="print"]') : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // Confirmation for destructive actions: <form data-confirm="…">.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // A button may ask on its own (<button data-confirm="…">), e.g. a reset next to a save.
    var submitter = event.submitter instanceof Element ? event.submitter : null;
    var message = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // Prevent double submits: the server is idempotent anyway, this just spares a second round trip.
    var buttons = form.querySelectorAll('button[type="submit"]:not([data-allow-resubmit])');
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // A table wider than the screen scrolls sideways: make its box reachable and scrollable with the keyboard.
  document.querySelectorAll('.table-responsive').forEach(function (box) {
    if (box.scrollWidth <= box.clientWidth + 1) return;
    box.tabIndex = 0;
    box.setAttribute('role', 'region');
    var caption = box.querySelector('caption');
    box.setAttribute('aria-label', caption && caption.textContent.trim() ? caption.textContent.trim() : '可横向滚动的表格');
  });

  // "Select all" checkbox of a table of checkboxes (bulk actions).
  var selectAll = document.getElementById('select-all');
  if (selectAll) {
    selectAll.addEventListener('change', function () {
      selectAll.form.querySelectorAll('input[name="numbers[]"]').forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  // After a failed submit, move focus to the summary of errors so screen readers announce it.
  var summary = document.getElementById('form-error');
  if (summary) {
    var firstInvalid = document.querySelector('.is-invalid');
    if (firstInvalid instanceof HTMLElement) firstInvalid.focus();
  }
})();
