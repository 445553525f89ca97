/* Starts the vendored Swagger UI on /docs (a static script: the page's CSP allows no inline code). */
"use strict";
(function () {
  // Swagger UI draws its own dark palette under html.dark-mode (api-docs.css then puts the
  // console's colours on it): follow theme.js's choice, now and whenever it changes.
  const root = document.documentElement;
  const follow = () => root.classList.toggle("dark-mode", root.dataset.theme === "dark");
  follow();
  new MutationObserver(follow).observe(root, { attributes: true, attributeFilter: ["data-theme"] });

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
