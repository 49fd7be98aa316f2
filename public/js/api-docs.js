// The API documentation page: Swagger UI (served from our own origin) rendering /api/v1/openapi.json.
(function () {
  'use strict';
  var el = document.getElementById('api-docs');
  if (!el || typeof window.SwaggerUIBundle !== 'function') return;
  window.SwaggerUIBundle({ url: el.getAttribute('data-spec'), domNode: el, deepLinking: false, tryItOutEnabled: false, validatorUrl: null });
})();
