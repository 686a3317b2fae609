"""Set up a merchant against the in-process simulator, through the same code paths a real merchant takes.

Used by `shopwarden demo`, `shopwarden eval`, the growth cycle's integration tests and the benches:
a clean environment, the merchant row, a reviewer, the TikTok Ads connection through Composio's
consent flow (the real SDK, answered by the simulator) and the Shop OAuth code exchange.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from shopwarden.approvals.queue import add_reviewer
from shopwarden.audit.chain import start_chain
from shopwarden.config import Settings, get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.platforms.ads import complete_ads_connection, start_ads_connection
from shopwarden.platforms.shop import connect_shop
from shopwarden.security.connections import reset_vault_cache
from shopwarden.security.vault import init_key_file

REVIEWER = "dana"

# Settings that would send a demo or eval run elsewhere (a real database, an OPA server, a model, a key,
# approved actions queued for a worker that is not running).
FOREIGN_SETTINGS = ("SHOPWARDEN_DATABASE_URL", "SHOPWARDEN_OPA_URL", "SHOPWARDEN_MODEL", "SHOPWARDEN_MASTER_KEY",
                    "SHOPWARDEN_SIMULATOR", "SHOPWARDEN_SCENARIO", "SHOPWARDEN_APPROVAL_EXECUTION",
                    "SHOPWARDEN_SIMULATOR_STATE")


@dataclass(frozen=True)
class Seeded:
    merchant_id: str
    advertiser_ids: list[str]
    shop_connected: bool
    notes: list[str] = field(default_factory=list)


def prepare_environment(data_dir: Path) -> Settings:
    """A clean data dir with its own master key for a demo or eval run; none of the user's settings leak in.
    The run's settings, to pass down; they are also exported to the process environment (like a .env file)
    for the readers that still take the process settings (resources, security.connections)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    for name in FOREIGN_SETTINGS:
        os.environ.pop(name, None)
    os.environ["SHOPWARDEN_DATA_DIR"] = str(data_dir.resolve())
    os.environ["SHOPWARDEN_MASTER_KEY_FILE"] = str((data_dir / "master.key").resolve())
    get_settings.cache_clear()
    reset_vault_cache()
    settings = get_settings()
    init_key_file(settings.effective_master_key_file)
    return settings


def point_settings_at(simulator: Any, extra: Mapping[str, str] | None = None) -> Settings:
    """The run's settings with the simulator's credentials (also exported process-wide, as prepare_environment)."""
    os.environ.update(simulator.credentials.settings_env())
    os.environ.update(extra or {})
    get_settings.cache_clear()
    reset_vault_cache()
    return get_settings()


async def seed_merchant(runtime: Any, *, autonomy: str = "guarded", limits: dict[str, Any] | None = None,
                        settings: dict[str, Any] | None = None, merchant_id: str | None = None,
                        sim_merchant: str | None = None) -> Seeded:
    """A scenario merchant (the first, or `sim_merchant`), connected to the simulated Shop and Ads."""
    merchants = runtime.simulator.scenario.merchants
    spec = next((m for m in merchants if m.id == sim_merchant), None) if sim_merchant else merchants[0]
    if spec is None:
        raise ValueError(f"the scenario has no merchant {sim_merchant!r}")
    merchant_id = merchant_id or spec.id
    await asyncio.to_thread(_upsert_merchant, runtime.engine, merchant_id, spec.seller_name, autonomy,
                            limits or {}, settings or {})
    advertiser_ids = [a.id for a in spec.advertisers]
    if advertiser_ids and not await asyncio.to_thread(_connected, runtime.engine, merchant_id, "ads"):
        await _connect_ads(runtime, merchant_id, spec.id, advertiser_ids)
    shop_connected, notes = await _connect_shop(runtime, merchant_id, spec.id)
    return Seeded(merchant_id, advertiser_ids, shop_connected, notes)


def _upsert_merchant(engine: Any, merchant_id: str, name: str, autonomy: str, limits: dict[str, Any],
                     settings: dict[str, Any]) -> None:
    with session_scope(engine) as session:
        existing = session.get(Merchant, merchant_id)
        merchant = existing or Merchant(id=merchant_id, name=name)
        merchant.autonomy, merchant.limits, merchant.settings = autonomy, dict(limits), dict(settings)
        session.add(merchant)
        if existing is None:
            session.flush()
            start_chain(session, merchant_id, created_by="demo")
    add_reviewer(engine, merchant_id, REVIEWER)


def _connected(engine: Any, merchant_id: str, platform: str) -> bool:
    with session_scope(engine) as session:
        query = select(Connection).where(Connection.merchant_id == merchant_id, Connection.platform == platform,
                                         Connection.status == "active")
        return session.exec(query).first() is not None


async def _connect_ads(runtime: Any, merchant_id: str, sim_merchant: str, advertiser_ids: list[str]) -> None:
    http = httpx.Client(transport=runtime.simulator.transport())
    started = await asyncio.to_thread(start_ads_connection, runtime.engine, merchant_id, runtime.settings,
                                      http_client=http)
    runtime.simulator.complete_connection(started.connected_account_id, sim_merchant)  # the merchant's consent click
    await complete_ads_connection(runtime.engine, merchant_id, started.connected_account_id, advertiser_ids,
                                  settings=runtime.settings, http_client=http)


async def _connect_shop(runtime: Any, merchant_id: str, sim_merchant: str) -> tuple[bool, list[str]]:
    """The Shop OAuth code exchange (requests stamped with the simulator's time), unless already connected."""
    if await asyncio.to_thread(_connected, runtime.engine, merchant_id, "shop"):
        return True, []
    code = runtime.simulator.issue_auth_code(sim_merchant)
    await connect_shop(runtime.engine, merchant_id, code, settings=runtime.settings, transport=runtime.transport,
                       clock=runtime.clock)
    return True, []
