"""Margins, so ad spend is judged by the profit it brings, not by revenue alone.

A SKU's margin is (price - cost) / price, with its cost from the merchant's settings
(`product_costs`, keyed by SKU id or product id); without one, the merchant's `default_margin`,
else the agent's. Break-even ROAS is 1 / margin: below it, every dollar of ads loses money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopwarden.agents.facts import WorldView
from shopwarden.domain.numbers import as_number

FALLBACK_MARGIN = Decimal("0.5")
MIN_MARGIN = Decimal("0.01")


def from_settings(settings: dict[str, Any]) -> tuple[Decimal | None, dict[str, Decimal], list[str]]:
    """The merchant's default margin and per-SKU/product costs, with a gap for each unusable value."""
    gaps: list[str] = []
    margin = None
    if "default_margin" in settings:
        margin = as_number(settings["default_margin"])
        if margin is None or not Decimal(0) < margin <= 1:
            gaps.append("default_margin in the merchant settings (it must be a number above 0 and at most 1)")
            margin = None
    costs: dict[str, Decimal] = {}
    raw = settings.get("product_costs", {})
    if not isinstance(raw, dict):
        gaps.append("product_costs in the merchant settings (it must map SKU or product ids to costs)")
        raw = {}
    for key, value in raw.items():
        cost = as_number(value)
        if cost is None or cost < 0:
            gaps.append(f"product cost of {str(key)[:64]!r} in the merchant settings (not a cost)")
            continue
        costs[str(key)[:64]] = cost
    return margin, costs, gaps


def product_margin(facts: WorldView, product_id: str, default: Decimal) -> Decimal:
    """The average margin of a product's SKUs (each from its own cost when known)."""
    product = facts.products.get(product_id)
    base = facts.default_margin or default
    if product is None:
        return base
    found = []
    for sku in product.skus:
        cost = facts.product_costs.get(sku.sku_id, facts.product_costs.get(product_id))
        if cost is not None and sku.price:
            found.append(max(MIN_MARGIN, (sku.price - cost) / sku.price))
        else:
            found.append(base)
    return (sum(found, Decimal(0)) / len(found)) if found else base


def margin_for(facts: WorldView, product_ids: list[str], default: Decimal = FALLBACK_MARGIN) -> Decimal:
    """The margin of what an ad object sells (the average over its products)."""
    if not product_ids:
        return facts.default_margin or default
    margins = [product_margin(facts, p, default) for p in product_ids]
    return (sum(margins, Decimal(0)) / len(margins)).quantize(Decimal("0.001"))
