"""What the Growth Marketer hands to the Creative: products that need creative work, and why.

    new_launch   a campaign is being created for it
    rising_roas  a winner whose newest day returns more than its window average (worth new hooks)
    fatigue      a campaign past learning whose newest day returns far less than its average
A product short of stock is never handed over: creative for it would sell what is not there.
"""

from __future__ import annotations

from decimal import Decimal

from shopwarden.agents.facts import WorldView
from shopwarden.agents.records import CreativeRequest, HandoffReason, ProposedCall
from shopwarden.agents.strategies.growth_budget import BudgetPlanner, Judgement

RISING = Decimal("1.15")
FATIGUED = Decimal("0.7")
MAX_HANDOFFS = 5


def _in_stock(facts: WorldView, product_id: str, planner: BudgetPlanner) -> bool:
    cover = facts.days_of_cover(product_id)
    needed = Decimal(str(planner.limit("stock_pause_days", "1")))
    return product_id in facts.products and facts.stock_of(product_id) > 0 and (cover is None or cover >= needed)


def creative_handoffs(facts: WorldView, judged: list[Judgement], launches: list[ProposedCall],
                      planner: BudgetPlanner) -> list[CreativeRequest]:
    requests: dict[str, CreativeRequest] = {}
    for call in launches:
        name = str(call.args.get("campaign_name", ""))
        product_id = next((p.product_id for p in facts.products.values() if p.title and name.startswith(p.title)), None)
        if product_id and _in_stock(facts, product_id, planner):
            units = facts.units_sold_by_product.get(product_id, 0)
            requests[product_id] = CreativeRequest(product_id=product_id, reason="new_launch", detail=(
                f"launching {name}: {units} units sold in {facts.days_of_sales()} days without ads"))
    for j in judged:
        c = j.campaign
        if c.last_day_spend <= 0 or j.roas is None or j.verdict in ("learning", "unjudged", "stock_pause"):
            continue
        last = (c.last_day_revenue / c.last_day_spend).quantize(Decimal("0.01"))
        reason: HandoffReason | None = None
        if j.verdict == "winner" and last >= j.roas * RISING:
            reason = "rising_roas"
        elif c.days_with_spend >= int(planner.limit("learning_days", 3)) and last <= j.roas * FATIGUED:
            reason = "fatigue"
        if reason is None:
            continue
        for product_id in c.product_ids:
            if product_id not in requests and _in_stock(facts, product_id, planner):
                requests[product_id] = CreativeRequest(product_id=product_id, reason=reason, detail=(
                    f"{c.name}: newest day ROAS {last} against {j.roas} over {c.days_with_spend} days"))
    return list(requests.values())[:MAX_HANDOFFS]
