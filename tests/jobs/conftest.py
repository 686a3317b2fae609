"""Job tests reuse tests/agents' fake gate and deps: the jobs run the same growth cycle."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1] / "agents"))  # after tests/gate, whose conftest others import

from cycle_fixtures import fake_gate, shop_merchant, sqlite_engine

__all__ = ["fake_gate", "shop_merchant", "sqlite_engine"]  # pytest finds fixtures by name in a conftest
