"""Persistence: tables, engine, sessions and migrations."""

from shopwarden.db.engine import get_engine, make_engine, require_current_schema, session_scope, upgrade

__all__ = ["get_engine", "make_engine", "require_current_schema", "session_scope", "upgrade"]
