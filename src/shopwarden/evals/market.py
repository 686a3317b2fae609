"""What the simulated market looked like: per-day object states, and money over the evaluated days."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from shopwarden.platforms.simulator import Simulator
from shopwarden.platforms.simulator.scenario import unit_costs

CENTS = Decimal("0.01")


def object_states(sim: Simulator) -> dict[str, dict[str, Any]]:
    """`{"campaign:ID": {status, budget, ...}` (manual and GMV Max), `"adgroup:ID": {...}`,
    `"product:ID": {status, stock}`, `"sku:ID": {stock}}`."""
    world = sim.world
    states: dict[str, dict[str, Any]] = {}
    for advertiser in world.advertisers.values():
        for c in advertiser.campaigns.values():
            states[f"campaign:{c.id}"] = {"status": c.operation_status, "budget": str(c.budget),
                                          "merchant": advertiser.merchant_id, "name": c.name,
                                          "product_ids": list(c.product_ids)}
        for g in advertiser.adgroups.values():
            states[f"adgroup:{g.id}"] = {"status": g.operation_status, "budget": str(g.budget),
                                         "campaign": g.campaign_id, "merchant": advertiser.merchant_id}
        for m in advertiser.gmv_max_campaigns.values():  # GMV Max campaigns are campaigns too (kind says which)
            states[f"campaign:{m.id}"] = {"status": m.operation_status, "budget": str(m.budget),
                                          "merchant": advertiser.merchant_id, "name": m.name,
                                          "product_ids": list(m.item_group_ids), "kind": "gmv_max",
                                          "roas_bid": str(m.roas_bid)}
    for shop in world.shops.values():
        for p in shop.products.values():
            if len(shop.products) > 2000 and p.id not in _interesting(world):
                continue  # a large catalogue: keep the products the ads touch
            states[f"product:{p.id}"] = {"status": p.status, "stock": p.total_stock, "merchant": shop.merchant_id}
            for sku in p.skus:
                states[f"sku:{sku.id}"] = {"stock": sku.total_stock, "merchant": shop.merchant_id}
    return states


def _interesting(world: Any) -> set[str]:
    return {pid for a in world.advertisers.values() for c in a.campaigns.values() for pid in c.product_ids}


class Money(BaseModel):
    """One arm's market over the evaluated days."""

    sales: Decimal = Decimal(0)
    cogs: Decimal = Decimal(0)
    ad_spend: Decimal = Decimal(0)
    units_sold: int = 0
    units_lost_to_stockouts: int = 0
    daily: list[dict[str, str]] = Field(default_factory=list)  # {day, sales, spend, profit}

    @property
    def profit(self) -> Decimal:
        return (self.sales - self.cogs - self.ad_spend).quantize(CENTS)


def money(sim: Simulator, since_ts: int, days_before: set[date], lost_before: int) -> Money:
    """Sales, cost of goods and ad spend after `since_ts`, by simulated day."""
    world = sim.world
    costs = unit_costs(sim.scenario)
    ratios = {s.id: s.generate.cost_ratio for m in sim.scenario.merchants for s in m.shops
              if s.generate is not None and s.generate.cost_ratio is not None}
    by_day: dict[date, list[Decimal]] = {}
    out = Money()
    tz = ZoneInfo(world.timezone or "UTC")
    for shop in world.shops.values():
        for order in shop.orders.values():
            if order.create_time < since_ts:
                continue
            revenue = order.sale_price * order.quantity
            cost = costs.get(order.sku_id)
            if cost is None and shop.id in ratios:
                cost = (order.sale_price * Decimal(str(ratios[shop.id]))).quantize(CENTS)
            cogs = (cost or Decimal(0)) * order.quantity
            out.sales += revenue
            out.cogs += cogs
            out.units_sold += order.quantity
            day = datetime.fromtimestamp(order.create_time, tz).date()
            row = by_day.setdefault(day, [Decimal(0)] * 3)
            row[0] += revenue
            row[1] += cogs
    for advertiser in world.advertisers.values():
        for stat in advertiser.stats:
            if stat.day in days_before:
                continue
            out.ad_spend += stat.spend
            by_day.setdefault(stat.day, [Decimal(0)] * 3)[2] += stat.spend
    out.units_lost_to_stockouts = sum(world.lost_sales.values()) - lost_before
    out.daily = [{"day": d.isoformat(), "sales": str(v[0]), "spend": str(v[2].quantize(CENTS)),
                  "profit": str((v[0] - v[1] - v[2]).quantize(CENTS))} for d, v in sorted(by_day.items())]
    return out


def spend_while_out_of_stock(sim: Simulator, states_by_day: list[dict[str, dict[str, Any]]],
                             closed_by_day: list[list[date]]) -> Decimal:
    """Ad spend on days whose campaign promoted only products that were out of stock when the day began."""
    total = Decimal(0)
    for index, days in enumerate(closed_by_day):
        if index == 0:
            continue  # day 1 starts from the scenario: nobody had a chance to act yet
        states = states_by_day[index - 1]
        for advertiser in sim.world.advertisers.values():
            for stat in advertiser.stats:
                if stat.day not in days or stat.spend <= 0:
                    continue
                campaign = states.get(f"campaign:{stat.campaign_id}") or {}
                products = campaign.get("product_ids") or []
                if products and all((states.get(f"product:{p}") or {}).get("stock", 1) == 0 for p in products):
                    total += stat.spend
    return total.quantize(CENTS)
