"""What happens when a simulated day ends: ads deliver, shoppers buy, stock runs down."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shopwarden.platforms.simulator.gmv_max_market import deliver_gmv_max
from shopwarden.platforms.simulator.response_model import Draws, deliver, organic_units
from shopwarden.platforms.simulator.world import (
    AdGroup,
    Advertiser,
    DailyStat,
    IdMaker,
    Order,
    Product,
    Shop,
    World,
    day_start,
)

# Order status by age in days (a simple fulfilment pipeline).
_STATUS_BY_AGE = ((7, "COMPLETED"), (3, "DELIVERED"), (1, "IN_TRANSIT"), (0, "AWAITING_SHIPMENT"))
TOTAL_BUDGET_DAYS = 30


def _status_for_age(days: int) -> str:
    return next(status for threshold, status in _STATUS_BY_AGE if days >= threshold)


def _daily_budget(group: AdGroup, advertiser: Advertiser, spent_so_far: dict[str, Decimal]) -> Decimal:
    campaign = advertiser.campaigns[group.campaign_id]
    siblings = [
        g for g in advertiser.adgroups.values()
        if g.campaign_id == campaign.id and g.operation_status == "ENABLE"
    ]
    own = group.budget if group.budget_mode != "BUDGET_MODE_INFINITE" else Decimal("0")
    if campaign.budget_mode == "BUDGET_MODE_INFINITE":
        return own
    cap = campaign.budget
    if campaign.budget_mode == "BUDGET_MODE_TOTAL":
        remaining = max(Decimal("0"), campaign.budget - spent_so_far.get(campaign.id, Decimal("0")))
        cap = min(remaining, campaign.budget / TOTAL_BUDGET_DAYS)
    wanted = sum((g.budget for g in siblings if g.budget_mode != "BUDGET_MODE_INFINITE"), Decimal("0"))
    if own == 0:
        unbudgeted = sum(1 for g in siblings if g.budget_mode == "BUDGET_MODE_INFINITE")
        return max(Decimal("0"), cap - wanted) / max(unbudgeted, 1)
    if wanted > cap > 0:
        return own * cap / wanted
    return own


def _take_unit(shop: Shop, product: Product, rng: random.Random) -> tuple[str, str] | None:
    """Sell one unit of the product: (sku id, warehouse id), or None when it is out of stock."""
    in_stock = [s for s in product.skus if s.total_stock > 0]
    if not in_stock or product.status != "ACTIVATE":
        return None
    sku = rng.choice(in_stock)
    warehouse = max(sorted(sku.stock), key=lambda w: sku.stock[w])
    sku.stock[warehouse] -= 1
    return sku.id, warehouse


def _place_order(world: World, shop: Shop, product: Product, moment: int, rng: random.Random, ids: IdMaker,
                 campaign_id: str | None) -> Decimal | None:
    taken = _take_unit(shop, product, rng)
    if taken is None:
        world.lost_sales[product.id] = world.lost_sales.get(product.id, 0) + 1
        return None
    sku_id, warehouse = taken
    sku = next(s for s in product.skus if s.id == sku_id)
    order_id = ids.numeric(18)
    shop.orders[order_id] = Order(
        id=order_id, shop_id=shop.id, status="AWAITING_SHIPMENT", create_time=moment, update_time=moment,
        product_id=product.id, sku_id=sku.id, seller_sku=sku.seller_sku, product_name=product.title, quantity=1,
        sale_price=sku.price, currency=shop.currency, warehouse_id=warehouse, attributed_campaign_id=campaign_id,
    )
    product.update_time = moment
    return sku.price


def _spent_by_campaign(advertiser: Advertiser) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for stat in advertiser.stats:
        totals[stat.campaign_id] = totals.get(stat.campaign_id, Decimal("0")) + stat.spend
    return totals


def _deliver_ads(world: World, advertiser: Advertiser, day: date, start: int, length: int, seed: int,
                 ids: IdMaker) -> None:
    spent = _spent_by_campaign(advertiser)
    for group in sorted(advertiser.adgroups.values(), key=lambda g: g.id):
        campaign = advertiser.campaigns[group.campaign_id]
        rng = _stream(seed, group.id)
        draws = Draws.take(rng)
        if group.operation_status != "ENABLE" or campaign.operation_status != "ENABLE":
            continue
        delivery = deliver(_daily_budget(group, advertiser, spent), campaign.efficiency, draws)
        value, sold = Decimal("0"), 0
        for _ in range(delivery.conversions):
            candidates = [p for pid in group.product_ids if (p := world.product_anywhere(pid)) is not None]
            if not candidates:
                break
            product = rng.choice(candidates)
            price = _place_order(world, world.shops[product.shop_id], product, start + rng.randrange(length), rng,
                                 ids, campaign.id)
            if price is not None:
                value += price
                sold += 1
        advertiser.stats.append(
            DailyStat(
                day=day, advertiser_id=advertiser.id, campaign_id=campaign.id, adgroup_id=group.id,
                spend=delivery.spend, impressions=delivery.impressions, clicks=delivery.clicks,
                conversions=sold, conversion_value=value,
            )
        )


def _organic_sales(world: World, start: int, length: int, seed: int, ids: IdMaker) -> None:
    for shop in world.shops.values():
        for product_id in shop.product_order:
            product = shop.products[product_id]
            if product.base_demand <= 0:
                continue
            rng = _stream(seed, product.id)
            units = organic_units(product.base_demand, rng.random(), rng.random())
            for _ in range(units):
                _place_order(world, shop, product, start + rng.randrange(length), rng, ids, None)


def _age_orders(world: World, end: int) -> None:
    for shop in world.shops.values():
        for order in shop.orders.values():
            status = _status_for_age((end - order.create_time) // 86400)
            if status != order.status:
                order.status = status
                order.update_time = end


def _stream(seed: int, name: str) -> random.Random:
    return random.Random(f"{seed}:{name}")


def close_day(world: World, day: date, rng: random.Random, ids: IdMaker) -> None:
    """Generate one full day of activity, dated `day` in the world's time zone."""
    zone = ZoneInfo(world.timezone)
    start = int(day_start(day, zone).timestamp())
    end = int(day_start(day + timedelta(days=1), zone).timestamp())  # 23 or 25 hours on DST days
    # Each ad group and each product draws from a stream of its own, so an agent's change to one
    # (a new ad group, a restock) leaves every other one's luck as it was: runs compare like for like.
    ads_seed, organic_seed = rng.getrandbits(64), rng.getrandbits(64)
    for advertiser_id in sorted(world.advertisers):
        advertiser = world.advertisers[advertiser_id]
        _deliver_ads(world, advertiser, day, start, end - start, ads_seed, ids)
        deliver_gmv_max(
            world, advertiser, day, lambda name: _stream(ads_seed, f"gmv_max:{name}"),
            lambda product, rng, campaign_id: _place_order(world, world.shops[product.shop_id], product,
                                                           start + rng.randrange(end - start), rng, ids, campaign_id))
    _organic_sales(world, start, end - start, organic_seed, ids)
    _age_orders(world, end)
    world.days_closed.append(day)


def days_ending_between(before: datetime, after: datetime, zone: ZoneInfo) -> list[date]:
    """The local dates whose midnight end falls in (before, after]."""
    first = before.astimezone(zone).date()
    last = after.astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days)]
