// Swagger UI over this server's own schema. validatorUrl null: no badge fetched from
// validator.swagger.io; every file this page loads comes from this server.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: false,
  });
});
