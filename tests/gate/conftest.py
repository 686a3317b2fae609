"""A gate wired to a counting fake Ads adapter, on SQLite and PostgreSQL (via `engine`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from gate_fakes import ADVERTISER, FakeAds, FakeCampaign

from shopwarden.agents.specs import AgentSpec
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Reviewer
from shopwarden.policy import PolicyEngine, default_limits, load_engine
from shopwarden.tools import ToolContext, registry

if TYPE_CHECKING:
    from shopwarden.gate.pipeline import Gate

AGENTS = {
    "growth": AgentSpec(id="growth", allowed_tools=["list_campaigns", "update_budget", "pause_ads", "enable_ads"]),
    "creative": AgentSpec(id="creative", allowed_tools=["read_trends"]),
}


@pytest.fixture(scope="session")
def policy() -> PolicyEngine:
    return load_engine(get_settings())


@pytest.fixture
def fake_ads(tmp_path: Path) -> FakeAds:
    ads = FakeAds(calls_file=tmp_path / "platform-calls.txt")
    ads.campaigns["c1"] = FakeCampaign("c1", "Spring Sale", Decimal("100"))
    return ads


def make_gate(engine, policy: PolicyEngine, ads: FakeAds) -> Gate:
    from shopwarden.gate.pipeline import Gate  # imported late so the ledger tests do not depend on the gate's modules

    return Gate(engine=engine, policy=policy, agent_specs=AGENTS, default_limits=default_limits(),
                context_for=lambda merchant_id: ToolContext(merchant_id, engine, ads_factory=lambda: ads),
                tools=registry())


@pytest.fixture
def gate(engine, merchant, policy: PolicyEngine, fake_ads: FakeAds) -> Gate:
    with session_scope(engine) as session:
        session.add(Connection(merchant_id=merchant.id, platform="ads", details={"advertiser_ids": [ADVERTISER]}))
        session.add(Reviewer(merchant_id=merchant.id, name="alice", role="reviewer"))
    return make_gate(engine, policy, fake_ads)
