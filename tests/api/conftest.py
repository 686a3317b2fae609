"""Reviewer API fixtures: a real gate and policies (with tests/gate's counting fake Ads adapter)
and one action queued for approval."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gate"))

from gate_fakes import ADVERTISER, FakeAds, FakeCampaign

from shopwarden.agents.specs import AgentSpec
from shopwarden.api.auth import issue_token
from shopwarden.audit.chain import start_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.gate.pipeline import Gate
from shopwarden.policy import default_limits, load_engine
from shopwarden.tools import ToolContext, registry

AGENTS = {"growth": AgentSpec(id="growth", allowed_tools=["enable_ads", "pause_ads"])}


@pytest.fixture
def fake_ads(tmp_path: Path) -> FakeAds:
    ads = FakeAds(calls_file=tmp_path / "platform-calls.txt")
    ads.campaigns["c1"] = FakeCampaign("c1", "Spring Sale", Decimal("100"), operation_status="DISABLE")
    return ads


@pytest.fixture
def runtime(engine, merchant, fake_ads: FakeAds) -> SimpleNamespace:
    with session_scope(engine) as session:
        session.add(Connection(merchant_id=merchant.id, platform="ads", details={"advertiser_ids": [ADVERTISER]}))
        session.add(Merchant(id="m-other", autonomy="guarded"))
        session.flush()
        start_chain(session, "m-other", created_by="test")  # every merchant has a chain to verify
    gate = Gate(engine=engine, policy=load_engine(), agent_specs=AGENTS, default_limits=default_limits(),
                context_for=lambda m: ToolContext(m, engine, ads_factory=lambda: fake_ads), tools=registry())
    return SimpleNamespace(gate=gate)


@pytest.fixture
def tokens(engine, runtime) -> dict[str, str]:
    return {
        "alice": issue_token(engine, "m-acme", "alice", role="reviewer"),
        "vic": issue_token(engine, "m-acme", "vic", role="viewer"),
        "mallory": issue_token(engine, "m-other", "mallory", role="owner"),
    }
