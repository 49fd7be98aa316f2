// The public queue screen (/nodes/:id/queue): reloads itself every few seconds so the numbers called stay current.
(function () {
  'use strict';
  var main = document.getElementById('main');
  var seconds = main ? Number(main.getAttribute('data-refresh-seconds')) || 10 : 10;
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();
