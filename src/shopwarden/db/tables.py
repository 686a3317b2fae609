"""Typed access where SQLModel and SQLAlchemy's stubs are looser than the runtime.

SQLModel sets a table model's `__table__` only at runtime, and `Session.execute` is typed as returning
a plain `Result` even for an UPDATE or DELETE, whose result (a `CursorResult`) carries the row count.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result, Table, inspect
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """`model.__table__`, as a `Table` (SQLAlchemy refuses a class that is not a table model)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched; TypeError for a result that is not a statement's cursor."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the CursorResult of an UPDATE or DELETE, got {type(result).__name__}")
    return result.rowcount
