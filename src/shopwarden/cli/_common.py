"""Helpers shared by the command modules."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console

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
