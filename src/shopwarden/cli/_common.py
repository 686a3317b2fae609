"""Helpers shared by the command modules."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

console = Console()


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colour."""
    print(json.dumps(data, indent=2, default=str, sort_keys=True))
