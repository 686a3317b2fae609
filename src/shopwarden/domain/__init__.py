"""Shared vocabulary of shopwarden (rules every surface applies the same way)."""
