"""Persistence: tables, engine, sessions and migrations."""

from shopwarden.db.engine import make_engine, require_current_schema, session_scope, upgrade

__all__ = ["make_engine", "require_current_schema", "session_scope", "upgrade"]
