"""Reading a number a person or a settings file gave: finite, or nothing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def as_number(value: Any) -> Decimal | None:
    """A finite number, from an int, float, Decimal or numeric text; None for anything else (bools,
    NaN, infinities, words, containers)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))  # Decimal itself ignores surrounding whitespace
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
