"""Routers: `api_*` are the JSON API (bearer tokens), `console_*` the server-rendered pages."""
