"""HTTP surface: the reviewer API and page."""

from shopwarden.api.app import create_app

__all__ = ["create_app"]
