"""Helpers shared by the command modules."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

PIPED_WIDTH = 140


def _console() -> Console:
    # Piped output (CI logs, `| tee`) would otherwise be cut to 80 columns, folding every reason in a table.
    if sys.stdout.isatty() or "COLUMNS" in os.environ:
        return Console()
    return Console(width=PIPED_WIDTH)


console = _console()


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colour."""
    print(json.dumps(data, indent=2, default=str, sort_keys=True))


def require_merchant(engine: Any, merchant_id: str) -> None:
    """Fail (exit 2) naming the merchant when it does not exist, before anything is read or written."""
    from shopwarden.db.engine import session_scope
    from shopwarden.db.models import Merchant
    from shopwarden.errors import NotFound

    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist (see `shopwarden merchant list`)")




# The CLI's commands are process entry points, part of the composition root: they alone (with
# runtime.build_runtime) read the process settings and hand them, or what they chose, to the rest.
def get_engine() -> Engine:
    """The configured database."""
    from shopwarden.config import get_settings
    from shopwarden.db.engine import engine_for

    return engine_for(get_settings().effective_database_url)


def require_current_schema() -> None:
    """Fail with a clear message when the configured database has not been created or migrated."""
    from shopwarden.config import get_settings
    from shopwarden.db import engine

    engine.require_current_schema(get_settings().effective_database_url)
