"""What the merchant part of the JSON API sends and accepts (the same actions as the merchant pages)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.db.models import Connection, DeletionRequest, Reviewer

Role = Literal["reviewer", "owner", "viewer"]
Autonomy = Literal["observe", "suggest", "guarded"]
LimitValue = str | int | float


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CycleOut(BaseModel):
    id: str
    slot: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    actions: list[dict[str, Any]] = Field(description="what each agent did and why")


class OverviewOut(BaseModel):
    merchant_id: str
    name: str
    autonomy: str
    day: date = Field(description="the latest reported day")
    spend: Decimal
    sales: Decimal
    roas: Decimal | None
    pending_approvals: int
    cycles: list[CycleOut]


class ConnectionOut(BaseModel):
    platform: str
    status: str = Field(description="pending | active | needs_reauth | disconnected | not_connected")
    reason: str | None = None
    updated_at: datetime | None = None
    advertiser_ids: list[str] = Field(default_factory=list)
    mode: str | None = Field(default=None, description="ads: composio or native")

    @classmethod
    def of(cls, platform: str, link: Connection | None) -> ConnectionOut:
        if link is None:
            return cls(platform=platform, status="not_connected")
        details = link.details or {}
        return cls(platform=platform, status=link.status, reason=link.status_reason, updated_at=link.updated_at,
                   advertiser_ids=[str(a) for a in details.get("advertiser_ids") or []],
                   mode=details.get("mode") or ("composio" if platform == "ads" and link.external_account_id else None))


class DeletionOut(BaseModel):
    id: int | None
    scope: str
    status: str
    requested_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, row: DeletionRequest) -> DeletionOut:
        return cls(id=row.id, scope=row.scope, status=row.status, requested_at=row.requested_at,
                   completed_at=row.completed_at)


class ConnectionsOut(BaseModel):
    connections: list[ConnectionOut]
    deletions: list[DeletionOut] = Field(description="the newest deletion requests and their progress")


class MessageOut(BaseModel):
    detail: str


class ReconnectBody(_Body):
    advertiser_ids: list[str] = Field(default_factory=list, max_length=10,
                                      description="TikTok Ads through Composio: the ad accounts to verify")


class ReconnectOut(BaseModel):
    platform: str
    mode: str
    authorize_url: str = Field(description="open it in the merchant's browser; the platform redirects to the "
                                           "console's callback, whose query values go to .../complete")


class CompleteBody(_Body):
    code: str | None = Field(default=None, max_length=512, description="TikTok Shop's callback")
    auth_code: str | None = Field(default=None, max_length=512, description="TikTok Ads (own app) callback")
    state: str | None = Field(default=None, max_length=128)
    connected_account_id: str | None = Field(default=None, max_length=200, description="Composio's callback")
    advertiser_ids: list[str] = Field(default_factory=list, max_length=10)


class SettingsBody(_Body):
    autonomy: Autonomy
    limits: dict[str, LimitValue] = Field(default_factory=dict, max_length=40,
                                          description="limit or threshold name -> value; others stay as they are")


class SettingsOut(BaseModel):
    autonomy: str
    limits: dict[str, Any] = Field(description="every settable limit and threshold in force")
    own_limits: dict[str, Any] = Field(description="the merchant's own values (the rest are defaults)")
    gate_limits: list[str] = Field(description="names the policy decides with")
    agent_thresholds: list[str] = Field(description="names the agents read when they plan")


class ThresholdChange(BaseModel):
    name: str
    now: Any
    after: Any


class PreviewOut(BaseModel):
    days: int
    replayed: int = Field(description="recorded decisions of the last days re-decided under the new settings")
    changes: list[str] = Field(description='e.g. "3 actions that ran would have needed approval"')
    limit_changes: list[ThresholdChange] = Field(description="the gate's limits that change")
    threshold_changes: list[ThresholdChange] = Field(
        description="agents' thresholds that change: they change proposals from the next cycle, not decisions")


class InviteBody(_Body):
    name: str = Field(min_length=1, max_length=120)
    role: Role


class InviteOut(BaseModel):
    name: str
    role: str
    token: str = Field(description="shown once; only its hash is kept")


class RoleBody(_Body):
    role: Role


class ReviewerOut(BaseModel):
    id: int | None
    name: str
    role: str
    has_token: bool

    @classmethod
    def of(cls, row: Reviewer) -> ReviewerOut:
        return cls(id=row.id, name=row.name, role=row.role, has_token=row.token_hash is not None)


class DataDeletedOut(BaseModel):
    performance_rows: int
    order_rows: int
