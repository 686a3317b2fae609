"""SQLModel tables. Money is Decimal (NUMERIC), time is timezone-aware UTC.

Schema changes go through Alembic migrations (src/shopwarden/db/migrations); a test
checks that the migrations produce exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shopwarden.db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _money(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(Numeric(18, 4), nullable=nullable))


def _json(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


class Merchant(SQLModel, table=True):
    __tablename__ = "merchants"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    autonomy: str = Field(default="suggest", max_length=16)  # observe | suggest | guarded
    limits: dict[str, Any] = _json()
    settings: dict[str, Any] = _json()
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))

    @property
    def wants_listing_copy_drafts(self) -> bool:
        """The merchant opted in (`merchant set --listing-copy-drafts`); anything but an explicit yes is no."""
        return (self.settings or {}).get("listing_copy_drafts") is True


class Reviewer(SQLModel, table=True):
    """A person allowed to act on a merchant's approval queue."""

    __tablename__ = "reviewers"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    name: str = Field(max_length=120)
    role: str = Field(default="reviewer", max_length=32)  # reviewer | viewer | owner
    token_hash: str | None = Field(default=None, max_length=64, index=True)  # sha256 of the API token
    person_id: str | None = Field(default=None, max_length=64, index=True)  # one person's rows at several merchants
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


class ConsoleSession(SQLModel, table=True):
    """A console browser session; the cookie holds a random id, the table only its sha256."""

    __tablename__ = "console_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    person_id: str | None = Field(default=None, max_length=64, index=True)  # None until signed in
    merchant_id: str | None = Field(default=None, max_length=64)  # the merchant the person is looking at
    flash: list[dict[str, str]] = _json(list)  # messages shown once, after a redirect
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class OAuthState(SQLModel, table=True):
    """A single-use OAuth `state` value handed to the merchant's browser."""

    __tablename__ = "oauth_states"

    state: str = Field(primary_key=True, max_length=128)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    platform: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Connection(SQLModel, table=True):
    """A merchant's link to a platform. Tokens are vault ciphertexts, never plaintext."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("merchant_id", "platform"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    platform: str = Field(max_length=16)  # shop | ads
    status: str = Field(default="active", max_length=16)  # pending | active | needs_reauth | disconnected
    access_token_enc: str | None = Field(default=None, sa_column=Column(Text))
    refresh_token_enc: str | None = Field(default=None, sa_column=Column(Text))
    key_id: str | None = Field(default=None, max_length=32, index=True)
    access_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    refresh_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    external_account_id: str | None = Field(default=None, max_length=200)  # open_id / composio id
    details: dict[str, Any] = _json()  # seller name, region, advertiser currency/time zone...
    version: int = Field(default=0)  # compare-and-set on refresh
    status_reason: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


class Shop(SQLModel, table=True):
    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("merchant_id", "shop_id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    shop_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=16)
    cipher: str = Field(max_length=200)
    code: str = Field(default="", max_length=64)
    seller_type: str = Field(default="", max_length=32)


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("merchant_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    shop_id: str = Field(max_length=64)
    product_id: str = Field(max_length=64)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="", max_length=32)
    update_time: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    synced_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


class Sku(SQLModel, table=True):
    __tablename__ = "skus"
    __table_args__ = (UniqueConstraint("merchant_id", "sku_id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    shop_id: str = Field(max_length=64)
    product_id: str = Field(max_length=64, index=True)
    sku_id: str = Field(max_length=64)
    seller_sku: str = Field(default="", max_length=200)
    currency: str = Field(default="", max_length=8)
    sale_price: Decimal | None = _money(nullable=True)
    stock: dict[str, int] = _json()  # warehouse id -> quantity
    synced_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


class SyncCursor(SQLModel, table=True):
    """Where the incremental catalog/order sync of a shop resumes."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("merchant_id", "shop_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    shop_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # catalog | orders
    last_update_time: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class CachedOrder(SQLModel, table=True):
    """Orders cached for ROAS attribution; purged after 30 days (fetched_at)."""

    __tablename__ = "cached_orders"
    __table_args__ = (UniqueConstraint("merchant_id", "order_id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    shop_id: str = Field(max_length=64)
    order_id: str = Field(max_length=64)
    status: str = Field(default="", max_length=32)
    currency: str = Field(default="", max_length=8)
    total: Decimal | None = _money(nullable=True)
    lines: list[dict[str, Any]] = _json(list)
    create_time: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    update_time: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), index=True))


class CachedPerformance(SQLModel, table=True):
    """Daily ads metrics per campaign / ad group; purged after 30 days (fetched_at)."""

    __tablename__ = "cached_performance"
    __table_args__ = (UniqueConstraint("merchant_id", "level", "object_id", "stat_date"),
                      Index("ix_cached_performance_object_owner", "object_id", "merchant_id"))  # tenancy

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    advertiser_id: str = Field(max_length=64)
    level: str = Field(max_length=16)  # campaign | adgroup
    object_id: str = Field(max_length=64)
    stat_date: date
    spend: Decimal = _money()
    impressions: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    clicks: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    conversions: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    conversion_value: Decimal | None = _money(nullable=True)
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), index=True))


class BudgetLedgerEntry(SQLModel, table=True):
    """Every applied budget change, with the object's budget at the start of that day.

    `day` is the calendar day in the advertiser's time zone; the policy compares the
    requested budget against `start_of_day_budget` of the first entry of the day.
    """

    __tablename__ = "budget_ledger"
    __table_args__ = (Index("ix_budget_ledger_object_day", "merchant_id", "object_type", "object_id", "day"),
                      Index("ix_budget_ledger_object_owner", "object_id", "merchant_id"),  # tenancy
                      Index("ix_budget_ledger_account_day", "merchant_id", "advertiser_id", "day", "object_type",
                            "object_id"))

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    advertiser_id: str = Field(max_length=64)
    object_type: str = Field(max_length=16)  # campaign | adgroup
    object_id: str = Field(max_length=64)
    day: date
    start_of_day_budget: Decimal = _money()
    budget_before: Decimal = _money()
    budget_after: Decimal = _money()
    approval_id: int | None = Field(default=None)
    execution_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


class InventoryLedgerEntry(SQLModel, table=True):
    """Every applied stock change of a SKU in a warehouse, with its quantity at the start of that (UTC) day."""

    __tablename__ = "inventory_ledger"
    __table_args__ = (Index("ix_inventory_ledger_sku_day", "merchant_id", "sku_id", "warehouse_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    product_id: str = Field(max_length=64)
    sku_id: str = Field(max_length=64)
    warehouse_id: str = Field(max_length=64)
    day: date
    start_of_day_quantity: int = Field(sa_column=Column(BigInteger, nullable=False))
    quantity_before: int = Field(sa_column=Column(BigInteger, nullable=False))
    quantity_after: int = Field(sa_column=Column(BigInteger, nullable=False))
    approval_id: int | None = Field(default=None)
    execution_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))


class Approval(SQLModel, table=True):
    """A proposed action waiting for (or decided by) a human reviewer."""

    __tablename__ = "approvals"

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    run_id: str = Field(default="", max_length=64, index=True)
    agent_id: str = Field(max_length=64)
    tool: str = Field(max_length=64)
    args: dict[str, Any] = _json()
    reasons: list[str] = _json(list)
    reason_codes: list[str] = _json(list)
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    policy_version: str = Field(default="", max_length=80)
    status: str = Field(default="pending", max_length=16, index=True)
    requested_by: str = Field(default="", max_length=120)
    reviewer: str | None = Field(default=None, max_length=120)
    review_note: str | None = Field(default=None, sa_column=Column(Text))
    idempotency_key: str = Field(max_length=80, unique=True)
    result: dict[str, Any] = _json()
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    executed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    lease_owner: str | None = Field(default=None, max_length=64)  # the process recovering it
    lease_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ToolExecution(SQLModel, table=True):
    """Append-only audit row for every tool call; hash-chained per merchant."""

    __tablename__ = "tool_executions"
    __table_args__ = (UniqueConstraint("merchant_id", "seq"),
                      Index("ix_tool_executions_call_key", "merchant_id", "call_key"))

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(max_length=64, index=True)
    seq: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), index=True))
    agent_id: str = Field(default="", max_length=64)
    run_id: str = Field(default="", max_length=64, index=True)
    tool: str = Field(max_length=64)
    surface: str = Field(default="", max_length=32)
    mutating: bool = Field(default=False)
    input_bytes: int = Field(default=0)
    args_redacted: dict[str, Any] = _json()
    decision: str | None = Field(default=None, max_length=24)
    reasons: list[str] = _json(list)
    reason_codes: list[str] = _json(list)
    policy_version: str | None = Field(default=None, max_length=80)
    policy_input: dict[str, Any] = _json()
    approval_id: int | None = Field(default=None, index=True)
    duration_ms: float = Field(default=0.0)
    outcome: str = Field(max_length=24)  # read | executed | pending_approval | denied | invalid | failed
    error_code: str | None = Field(default=None, max_length=64)
    platform_request_id: str | None = Field(default=None, max_length=128)
    result_summary: dict[str, Any] = _json()
    # The proposing agent's own reason (chained when set; NULL on rows older than revision 0007r).
    rationale: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # ToolCall.replay_key of a call a cycle may repeat after a crash (chained when set; NULL before 0009k).
    call_key: str | None = Field(default=None, max_length=160)
    prev_hash: str = Field(default="", max_length=64)
    key_id: str | None = Field(default=None, max_length=32)  # audit key the row is chained under; None: legacy
    row_hash: str = Field(default="", max_length=64)


class AuditHead(SQLModel, table=True):
    """The newest audit row of each merchant, updated with it: a deleted tail row is detectable."""

    __tablename__ = "audit_heads"

    merchant_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(default=0)
    row_hash: str = Field(default="", max_length=64)


class DeletionRequest(SQLModel, table=True):
    __tablename__ = "deletion_requests"

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    scope: str = Field(max_length=32)  # tokens | ads_cache | orders_cache | all_cached
    status: str = Field(default="pending", max_length=16)  # pending | done
    requested_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    detail: dict[str, Any] = _json()


class CycleRun(SQLModel, table=True):
    """One growth cycle of one merchant; (merchant, slot) is unique so a slot never runs twice."""

    __tablename__ = "cycle_runs"
    __table_args__ = (UniqueConstraint("merchant_id", "slot"),)

    id: str = Field(primary_key=True, max_length=64)  # run id, also the graph thread id
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    slot: str = Field(max_length=64)
    status: str = Field(default="running", max_length=16)  # running | waiting | done | failed
    summary: dict[str, Any] = _json()
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class McpClient(SQLModel, table=True):
    """An outside agent (desktop assistant, IDE agent, workflow tool) acting for one merchant over MCP.

    Its allowlist is a subset of the tools; its token is stored only as a sha256 hash. `calls_today`
    counts gated calls on `calls_day` (UTC) and is bumped by compare-and-set against `daily_calls`;
    `calls_this_minute` likewise counts the calls of the minute that began at `minute_started_ms`
    (epoch ms), so both limits hold across processes. `policy_limits` and `max_autonomy` can only
    tighten the merchant's own (the gate takes the stricter of the two).
    """

    __tablename__ = "mcp_clients"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)

    id: str = Field(primary_key=True, max_length=40)
    merchant_id: str = Field(foreign_key="merchants.id", index=True, max_length=64)
    name: str = Field(max_length=40)
    tools: list[str] = _json(list)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    status: str = Field(default="active", max_length=16)  # active | revoked
    calls_per_minute: int = Field(default=60)
    daily_calls: int = Field(default=1000)
    max_arg_bytes: int = Field(default=16384)
    calls_day: date | None = Field(default=None)
    calls_today: int = Field(default=0)
    policy_limits: dict[str, Any] = _json()
    max_autonomy: str | None = Field(default=None, max_length=16)
    minute_started_ms: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    calls_this_minute: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime()))
