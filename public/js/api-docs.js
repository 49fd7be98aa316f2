// The API documentation page: Swagger UI (served from our own origin) rendering /api/v1/openapi.json.
(function () {
  'use strict';
  var el = document.getElementById('api-docs');
  if (!el || typeof window.SwaggerUIBundle !== 'function') return;
  // The server list is a <select> without a label: name it (screen readers) once the document is drawn.
  var label = function () {
    var servers = document.getElementById('servers');
    if (servers && !servers.getAttribute('aria-label')) servers.setAttribute('aria-label', '接口服务地址');
  };
  window.SwaggerUIBundle({ url: el.getAttribute('data-spec'), domNode: el, deepLinking: false, tryItOutEnabled: false, validatorUrl: null, onComplete: label });
  new MutationObserver(label).observe(el, { childList: true, subtree: true });
})();
