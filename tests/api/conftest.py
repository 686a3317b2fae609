"""Reviewer API fixtures: a real gate and policies (with tests/gate's counting fake Ads adapter)
and one action queued for approval."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gate"))

from gate_fakes import ADVERTISER, FakeAds, FakeCampaign

from shopwarden.agents.specs import AgentSpec
from shopwarden.api.auth import issue_token
from shopwarden.audit.chain import start_chain
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.gate.pipeline import Gate
from shopwarden.policy import default_limits, load_engine
from shopwarden.tools import ToolContext, registry

AGENTS = {"growth": AgentSpec(id="growth", allowed_tools=["enable_ads", "pause_ads", "update_budget"])}


@dataclass
class FakeAdsWithAdgroups(FakeAds):
    """tests/gate's fake, with ad groups (name, status) so a campaign and its ad group can be launched."""

    adgroups: dict[str, str] = field(default_factory=dict)  # adgroup id -> name

    async def list_adgroups(self, advertiser_id: str, adgroup_ids: list[str] | None = None,
                            **_filters: Any) -> list[dict[str, Any]]:
        self.reads += 1
        rows = []
        for adgroup_id, name in self.adgroups.items():
            status = "DISABLE"
            for line in self.mutations():
                verb, object_id, value = line.split(" ")
                if object_id == adgroup_id and verb == "set_status":
                    status = value
            if adgroup_ids is None or adgroup_id in adgroup_ids:
                rows.append({"adgroup_id": adgroup_id, "adgroup_name": name, "budget": 50.0,
                             "budget_mode": "BUDGET_MODE_DAY", "operation_status": status})
        return rows


@pytest.fixture
def fake_ads(tmp_path: Path) -> FakeAds:
    ads = FakeAdsWithAdgroups(calls_file=tmp_path / "platform-calls.txt", adgroups={"g1": "Spring Sale - tents"})
    ads.campaigns["c1"] = FakeCampaign("c1", "Spring Sale", Decimal("100"), operation_status="DISABLE")
    return ads


@pytest.fixture
def runtime(engine, merchant, fake_ads: FakeAds) -> SimpleNamespace:
    with session_scope(engine) as session:
        session.add(Connection(merchant_id=merchant.id, platform="ads", details={"advertiser_ids": [ADVERTISER]}))
        session.add(Merchant(id="m-other", autonomy="guarded"))
        session.flush()
        start_chain(session, "m-other", created_by="test")  # every merchant has a chain to verify
    gate = Gate(engine=engine, policy=load_engine(get_settings()), agent_specs=AGENTS, default_limits=default_limits(),
                context_for=lambda m: ToolContext(m, engine, ads_factory=lambda: fake_ads), tools=registry())
    return SimpleNamespace(gate=gate)


@pytest.fixture
def tokens(engine, runtime) -> dict[str, str]:
    return {
        "alice": issue_token(engine, "m-acme", "alice", role="reviewer"),
        "vic": issue_token(engine, "m-acme", "vic", role="viewer"),
        "mallory": issue_token(engine, "m-other", "mallory", role="owner"),
        "olga": issue_token(engine, "m-acme", "olga", role="owner"),
    }
