"""/docs: the JSON API described from its own OpenAPI schema, rendered on the server.

FastAPI's Swagger page loads its script from a CDN; the console fetches nothing at run time, so
this page lists the operations, their parameters, the bearer scheme and the error responses.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from shopwarden.api.templating import TEMPLATES

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in schema.get("paths", {}).items() for method, op in item.items()
    ]
    return TEMPLATES.TemplateResponse(request, "docs.html", {
        "schema": schema, "operations": operations, "who": None, "roles": [], "csrf": "", "messages": [],
        "schemes": schema.get("components", {}).get("securitySchemes", {}),
    })
