"""HTTP surface: the console pages and the JSON API (FastAPI routers under api/routes/)."""

from shopwarden.api.app import create_app

__all__ = ["create_app"]
