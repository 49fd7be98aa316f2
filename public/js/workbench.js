/* Workbench: nothing the server needs — only conveniences. */
(function () {
  'use strict';
  // Moving between result inputs with Enter instead of submitting half a form.
  document.querySelectorAll('.results-table input').forEach(function (input, i, all) {
    input.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      var next = all[i + 1];
      if (next) next.focus();
    });
  });
})();
