"""A counting fake of the Ads adapter for gate tests (the gate's own behaviour, not the platform's).

Mutations append one line to `calls_file`, and the platform state is read back from that file,
so calls from threads and from separate (even killed) processes are counted and seen alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopwarden.errors import PlatformError

ADVERTISER = "adv1"


@dataclass
class FakeCampaign:
    campaign_id: str
    campaign_name: str
    budget: Decimal
    budget_mode: str = "BUDGET_MODE_DAY"
    operation_status: str = "ENABLE"


@dataclass
class FakeAds:
    calls_file: Path
    timezone: str = "UTC"
    campaigns: dict[str, FakeCampaign] = field(default_factory=dict)
    fail_with: PlatformError | None = None
    reads: int = 0

    def mutations(self) -> list[str]:
        return self.calls_file.read_text().splitlines() if self.calls_file.exists() else []

    def _mutated(self, line: str) -> None:
        with self.calls_file.open("a") as out:
            out.write(line + "\n")

    async def advertiser_info(self, advertiser_ids: list[str]) -> list[dict[str, Any]]:
        self.reads += 1
        return [{"advertiser_id": ADVERTISER, "currency": "USD", "timezone": self.timezone}]

    def _live(self, campaign: FakeCampaign) -> dict[str, Any]:
        row = vars(campaign) | {"budget": float(campaign.budget)}
        for line in self.mutations():
            verb, object_id, value = line.split(" ")
            if object_id == campaign.campaign_id and verb == "update_budget":
                row["budget"] = float(value)
            elif object_id == campaign.campaign_id and verb == "set_status":
                row["operation_status"] = value
        return row

    async def list_campaigns(self, advertiser_id: str, campaign_ids: list[str] | None = None) -> list[dict[str, Any]]:
        self.reads += 1
        return [self._live(c) for c in self.campaigns.values() if campaign_ids is None or c.campaign_id in campaign_ids]

    async def list_adgroups(self, advertiser_id: str, **_filters: Any) -> list[dict[str, Any]]:
        self.reads += 1
        return []

    async def update_budget(self, advertiser_id: str, object_type: str, object_id: str, *, budget: Decimal,
                            budget_mode: str | None = None) -> dict[str, Any]:
        if self.fail_with is not None:
            self._mutated(f"failed {object_id} {budget}")
            raise self.fail_with
        self._mutated(f"update_budget {object_id} {budget}")
        return {"campaign_id": object_id, "budget": float(budget)}

    async def set_status(self, advertiser_id: str, object_type: str, object_ids: list[str],
                         status: str) -> dict[str, Any]:
        for object_id in object_ids:
            self._mutated(f"set_status {object_id} {status}")
        return {"campaign_ids": object_ids, "status": status}
