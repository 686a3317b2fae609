from __future__ import annotations

from cycle_fixtures import fake_gate, shop_merchant, sqlite_engine

__all__ = ["fake_gate", "shop_merchant", "sqlite_engine"]  # pytest finds fixtures by name in a conftest
