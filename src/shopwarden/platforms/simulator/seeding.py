"""Turn a validated scenario into the world's starting state (including generated catalogs)."""

from __future__ import annotations

import random
from datetime import UTC
from decimal import Decimal

from shopwarden.platforms.simulator.scenario import CatalogGenerator, Scenario, ShopSpec
from shopwarden.platforms.simulator.world import (
    AdGroup,
    Advertiser,
    Campaign,
    ConnectedAccount,
    GmvMaxCampaign,
    IdMaker,
    Merchant,
    Product,
    Shop,
    Sku,
    Warehouse,
    World,
)

_NOUNS = ("Mug", "Tote", "Candle", "Hoodie", "Lamp", "Notebook", "Bottle", "Scarf", "Cap", "Planter")
_ADJECTIVES = ("Cozy", "Minimal", "Retro", "Organic", "Pastel", "Classic", "Bold", "Tiny", "Everyday", "Glow")


def _generated_products(spec: CatalogGenerator, shop: ShopSpec, rng: random.Random, created: int) -> list[Product]:
    products = []
    warehouse_ids = [w.id for w in shop.warehouses]
    cents_low, cents_high = int(spec.min_price * 100), int(spec.max_price * 100)
    for index in range(spec.products):
        product_id = f"{shop.id}{index + 1:08d}"
        title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} #{index + 1}"
        price = Decimal(rng.randint(cents_low, cents_high)) / 100
        skus = [
            Sku(
                id=f"{product_id}{n + 1:02d}",
                seller_sku=f"GEN-{index + 1:06d}-{n + 1}",
                price=price,
                stock={warehouse_ids[n % len(warehouse_ids)]: spec.stock_per_sku},
            )
            for n in range(spec.skus_per_product)
        ]
        products.append(
            Product(
                id=product_id, shop_id=shop.id, title=title, status="ACTIVATE", base_demand=spec.base_demand,
                skus=skus, create_time=created - index, update_time=created - index,
            )
        )
    return products


def _shop(spec: ShopSpec, merchant_id: str, rng: random.Random, created: int) -> Shop:
    products = [
        Product(
            id=p.id, shop_id=spec.id, title=p.title, status=p.status, base_demand=p.base_demand,
            skus=[Sku(id=s.id, seller_sku=s.seller_sku, price=s.price, stock=dict(s.stock)) for s in p.skus],
            create_time=created, update_time=created,
        )
        for p in spec.products
    ]
    if spec.generate is not None:
        products.extend(_generated_products(spec.generate, spec, rng, created))
    return Shop(
        id=spec.id, merchant_id=merchant_id, name=spec.name, region=spec.region, currency=spec.currency,
        cipher=spec.cipher, code=spec.code, seller_type=spec.seller_type,
        warehouses=[Warehouse(id=w.id, name=w.name, is_default=w.is_default) for w in spec.warehouses],
        products={p.id: p for p in products}, product_order=[p.id for p in products],
    )


def build_world(scenario: Scenario, rng: random.Random, ids: IdMaker) -> World:
    """The starting state. Draws from `rng` in a fixed order so the same seed gives the same world."""
    start = scenario.start
    created = int(start.timestamp()) - 30 * 86400
    merchants, shops, advertisers = {}, {}, {}
    for m in scenario.merchants:
        for shop_spec in m.shops:
            shops[shop_spec.id] = _shop(shop_spec, m.id, rng, created)
        for a in m.advertisers:
            advertiser = Advertiser(
                id=a.id, merchant_id=m.id, name=a.name, currency=a.currency, timezone=a.timezone,
                access_token=ids.token("act."),
            )
            for c in a.campaigns:
                advertiser.campaigns[c.id] = Campaign(
                    id=c.id, advertiser_id=a.id, name=c.name, objective_type=c.objective_type,
                    budget_mode=c.budget_mode, budget=c.budget, operation_status=c.status, efficiency=c.efficiency,
                    product_ids=list(c.product_ids), create_time=start, modify_time=start,
                )
                for g in c.adgroups:
                    advertiser.adgroups[g.id] = AdGroup(
                        id=g.id, campaign_id=c.id, advertiser_id=a.id, name=g.name, budget_mode=g.budget_mode,
                        budget=g.budget, operation_status=g.status, product_ids=list(g.product_ids or c.product_ids),
                        create_time=start, modify_time=start,
                    )
            for m_spec in a.gmv_max_campaigns:
                advertiser.gmv_max_campaigns[m_spec.id] = GmvMaxCampaign(
                    id=m_spec.id, advertiser_id=a.id, store_id=m_spec.store_id, name=m_spec.name,
                    budget=m_spec.budget, roas_bid=m_spec.roas_bid, operation_status=m_spec.status,
                    item_group_ids=list(m_spec.item_group_ids),
                    schedule_start_time=start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    create_time=start, modify_time=start,
                )
            advertisers[a.id] = advertiser
        merchants[m.id] = Merchant(
            id=m.id, seller_name=m.seller_name, region=m.region, open_id=ids.token("open."),
            shop_ids=[s.id for s in m.shops], advertiser_ids=[a.id for a in m.advertisers],
        )
    world = World(timezone=scenario.timezone, merchants=merchants, shops=shops, advertisers=advertisers)
    for account in scenario.composio.connected_accounts:
        merchant_id = account.merchant or scenario.merchants[0].id
        world.connected_accounts[account.id] = ConnectedAccount(
            id=account.id, user_id=account.user_id, auth_config_id=scenario.composio.auth_config_id, status="ACTIVE",
            merchant_id=merchant_id, access_token=ids.token("act."), created_at=start, updated_at=start,
        )
    return world
