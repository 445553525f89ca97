/* Starts the vendored Swagger UI on /docs (a static script: the page's CSP allows no inline code). */
"use strict";
(function () {
  const mount = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: mount.dataset.openapiUrl,
    domNode: mount,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    // The default sends the spec to a public validator service: nothing leaves the host.
    validatorUrl: null,
  });
})();
