"""One simulated day of GMV Max delivery: the campaign's daily budget binds spend, the ROI target paces it.

A GMV Max campaign spends up to its daily budget; a ROI target above what the campaign can reach
makes TikTok hold back (spend scales by reachable / target), a lower one lets it spend the budget.
Conversions become Shop orders for the campaign's SPUs while they have stock (see market.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from shopwarden.platforms.simulator.response_model import Draws, deliver
from shopwarden.platforms.simulator.world import Advertiser, GmvMaxStat, Product, World

EFFICIENCY = 1.5  # GMV Max's automated delivery converts better than a plain manual ad group
REACHABLE_ROAS = Decimal("3.0")
CENT = Decimal("0.01")

PlaceOrder = Callable[[Product, random.Random, str], Decimal | None]


def paced_budget(budget: Decimal, roas_bid: Decimal) -> Decimal:
    """The part of the daily budget TikTok spends at this ROI target."""
    if roas_bid <= REACHABLE_ROAS:
        return budget
    return (budget * REACHABLE_ROAS / roas_bid).quantize(CENT, rounding=ROUND_HALF_UP)


def deliver_gmv_max(world: World, advertiser: Advertiser, day: date, stream: Callable[[str], random.Random],
                    place_order: PlaceOrder) -> None:
    for campaign in sorted(advertiser.gmv_max_campaigns.values(), key=lambda c: c.id):
        rng = stream(campaign.id)
        draws = Draws.take(rng)
        if campaign.operation_status != "ENABLE" or not campaign.item_group_ids:
            continue
        delivery = deliver(paced_budget(campaign.budget, campaign.roas_bid), EFFICIENCY, draws)
        shop = world.shops[campaign.store_id]
        products = [shop.products[i] for i in campaign.item_group_ids if i in shop.products]
        if not products:
            continue
        revenue = {p.id: Decimal(0) for p in products}
        orders = {p.id: 0 for p in products}
        for _ in range(delivery.conversions):
            product = rng.choice(products)
            price = place_order(product, rng, campaign.id)
            if price is not None:
                revenue[product.id] += price
                orders[product.id] += 1
        share = (delivery.spend / len(products)).quantize(CENT, rounding=ROUND_HALF_UP)
        for index, product in enumerate(products):
            cost = share if index < len(products) - 1 else delivery.spend - share * (len(products) - 1)
            advertiser.gmv_max_stats.append(GmvMaxStat(
                day=day, campaign_id=campaign.id, store_id=campaign.store_id, item_group_id=product.id,
                cost=cost, orders=orders[product.id], gross_revenue=revenue[product.id],
                impressions=delivery.impressions // len(products), clicks=delivery.clicks // len(products),
            ))
