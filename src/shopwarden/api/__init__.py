"""HTTP surface: the console pages and the JSON API (FastAPI routers under api/routes/).

`create_app` resolves on first use (PEP 562): a CLI command that only needs `api.auth` (reviewer
tokens, grants) does not import FastAPI, every route and the MCP server first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.api.app import create_app

__getattr__ = lazy_exports(__name__, {"create_app": "app"})

__all__ = ["create_app"]
