"""Fixtures for tests that run the growth cycle against the fake gate (tests/agents and tests/jobs)."""

from __future__ import annotations

import pytest
from cycle_fakes import MERCHANT, FakeGate, connect_ads
from sqlalchemy.engine import Engine

from shopwarden.approvals.queue import add_reviewer
from shopwarden.db.engine import engine_for, session_scope
from shopwarden.db.models import Merchant


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Engine:
    return engine_for(sqlite_url)


@pytest.fixture
def shop_merchant(sqlite_engine: Engine) -> str:
    with session_scope(sqlite_engine) as session:
        session.add(Merchant(id=MERCHANT, name="Acme", autonomy="guarded", limits={}))
    connect_ads(sqlite_engine, MERCHANT)
    add_reviewer(sqlite_engine, MERCHANT, "alice")
    return MERCHANT


@pytest.fixture
def fake_gate(sqlite_engine: Engine, shop_merchant: str) -> FakeGate:
    return FakeGate(sqlite_engine)
