"""/docs: Swagger UI over /openapi.json, its files served from the pinned `swagger-ui-py` package
(nothing is fetched from elsewhere at run time), and /docs/plain: the same operations rendered on
the server, for a browser without JavaScript.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from shopwarden.api.templating import TEMPLATES

router = APIRouter(include_in_schema=False)
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}


def _assets_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("swagger_ui").joinpath("static")))


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "docs.html", {"title": request.app.title})


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, "no such file")
    return FileResponse(_assets_dir() / name, media_type=ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs/plain", response_class=HTMLResponse)
def docs_plain(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in schema.get("paths", {}).items() for method, op in item.items()
    ]
    return TEMPLATES.TemplateResponse(request, "docs_plain.html", {
        "schema": schema, "operations": operations, "who": None, "roles": [], "csrf": "", "messages": [],
        "schemes": schema.get("components", {}).get("securitySchemes", {}),
    })
