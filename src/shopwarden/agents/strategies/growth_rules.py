"""The Growth Marketer's default strategy: plain rules that emit the tool calls a model would.

Turn 0 shifts budget toward winners (within the merchant's daily change limit), pauses campaigns
that spend without selling, corrects stock the merchant counted differently, raises restock
alerts, and creates a campaign (disabled) for products that sell with no ads. Turn 1 gives each
new campaign an ad group and asks a reviewer to enable it.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from shopwarden.agents.facts import CampaignFacts, WorldView
from shopwarden.agents.records import AgentStep, CallRecord, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn

CENTS = Decimal("0.01")
NEW_CAMPAIGN_SUFFIX = " - Growth"
MAX_NEW_CAMPAIGNS = 2


def _limit(turn: AgentTurn, name: str, default: Any) -> Any:
    """Merchant limits win over the agent's defaults."""
    return turn.facts.limits.get(name, turn.spec.default_limits.get(name, default))


class GrowthRules:
    async def step(self, turn: AgentTurn) -> AgentStep:
        if turn.turn == 0:
            return self._plan(turn)
        if turn.turn == 1:
            return self._follow_up(turn)
        return self._enable_new_adgroups(turn)

    # --- turn 0 ---------------------------------------------------------------------------

    def _plan(self, turn: AgentTurn) -> AgentStep:
        facts = turn.facts
        calls: list[ProposedCall] = []
        notes = [f"could not read {gap}; decisions that need it were skipped" for gap in facts.gaps]
        focus: list[str] = []
        for campaign in facts.campaigns:
            call = self._budget_or_pause(turn, campaign)
            if call is not None:
                calls.append(call)
                if call.tool == "update_budget":
                    focus.extend(campaign.product_ids)
        calls.extend(self._stock_corrections(turn))
        notes.extend(self._restock_alerts(turn))
        launches = self._launches(turn)
        calls.extend(launches)
        focus.extend(_product_of(facts, c.args["campaign_name"]) or "" for c in launches)
        calls = [c for c in calls if not _already_queued(facts, c)]
        return AgentStep(calls=calls, notes=notes, focus_products=[p for p in dict.fromkeys(focus) if p],
                         done=not any(c.tool == "create_campaign" for c in calls))

    def _call(self, turn: AgentTurn, tool: str, rationale: str, **args: Any) -> ProposedCall:
        return ProposedCall(agent_id=turn.spec.id, tool=tool, args=args, rationale=rationale)

    def _budget_or_pause(self, turn: AgentTurn, campaign: CampaignFacts) -> ProposedCall | None:
        if campaign.status != "ENABLE" or campaign.spend < Decimal(str(_limit(turn, "min_spend_to_judge", "20"))):
            return None
        roas = campaign.roas or Decimal(0)
        if roas >= Decimal(str(_limit(turn, "min_roas_to_scale", "2.0"))) and campaign.budget is not None:
            pct = Decimal(str(_limit(turn, "daily_budget_change_pct", 20)))
            budget = (campaign.budget * (1 + pct / 100)).quantize(CENTS, rounding=ROUND_DOWN)
            if budget > campaign.budget:
                return self._call(turn, "update_budget",
                                  f"{campaign.name} returns {roas}x on {campaign.spend} spend; "
                                  f"raise its daily budget by {pct}% to {budget}",
                                  advertiser_id=campaign.advertiser_id, object_type="campaign",
                                  object_id=campaign.campaign_id, budget=str(budget))
        if roas < Decimal(str(_limit(turn, "max_roas_to_pause", "0.8"))):
            return self._call(turn, "pause_ads",
                              f"{campaign.name} returns only {roas}x on {campaign.spend} spend; pause it",
                              advertiser_id=campaign.advertiser_id, object_type="campaign",
                              object_id=campaign.campaign_id)
        return None

    def _stock_corrections(self, turn: AgentTurn) -> list[ProposedCall]:
        """Per-SKU updates where the merchant's warehouse count and the platform disagree."""
        by_product: dict[str, list[dict[str, Any]]] = {}
        for count in turn.facts.stock_counts:
            product = turn.facts.products.get(count.product_id)
            sku = next((s for s in product.skus if s.sku_id == count.sku_id), None) if product else None
            if sku is None or sku.stock.get(count.warehouse_id) == count.quantity:
                continue
            by_product.setdefault(count.product_id, []).append(
                {"sku_id": count.sku_id, "warehouse_id": count.warehouse_id, "quantity": count.quantity})
        per_call = int(_limit(turn, "max_skus_per_call", 5))
        calls = []
        for product_id, skus in by_product.items():
            title = turn.facts.products[product_id].title
            for start in range(0, len(skus), per_call):
                calls.append(self._call(turn, "update_sku_inventory",
                                        f"the warehouse count for {title} differs from the shop's stock",
                                        product_id=product_id, skus=skus[start:start + per_call]))
        return calls

    def _restock_alerts(self, turn: AgentTurn) -> list[str]:
        facts = turn.facts
        cover_days = Decimal(str(_limit(turn, "restock_days_of_cover", 7)))
        alerts = []
        for product in facts.products.values():
            for sku in product.skus:
                sold = facts.units_sold_by_sku.get(sku.sku_id, 0)
                if sold == 0:
                    continue
                per_day = Decimal(sold) / max(facts.order_window_days, 1)
                days = (Decimal(sku.total_stock) / per_day).quantize(Decimal("0.1"))
                if days < cover_days:
                    alerts.append(f"restock {product.title} ({sku.seller_sku or sku.sku_id}): {sku.total_stock} left, "
                                  f"about {days} days at {per_day.quantize(Decimal('0.1'))} a day")
        return alerts

    def _launches(self, turn: AgentTurn) -> list[ProposedCall]:
        facts = turn.facts
        if not facts.advertisers or not facts.campaigns_complete:
            return []  # without the full list of campaigns we cannot tell which products have no ads
        advertised = facts.advertised_products()
        names = [c.name for c in facts.campaigns]
        min_units = int(_limit(turn, "min_units_for_campaign", 5))
        candidates = sorted(
            (units, pid) for pid, units in facts.units_sold_by_product.items()
            if units >= min_units and pid not in advertised and pid in facts.products
        )
        calls = []
        for units, product_id in reversed(candidates):
            name = facts.products[product_id].title + NEW_CAMPAIGN_SUFFIX
            if any(existing.startswith(name) for existing in names):
                continue
            calls.append(self._call(turn, "create_campaign",
                                    f"{facts.products[product_id].title} sold {units} units in "
                                    f"{facts.order_window_days} days with no ads; launch a campaign (created disabled)",
                                    advertiser_id=facts.advertisers[0], campaign_name=name,
                                    objective_type="PRODUCT_SALES", budget_mode="BUDGET_MODE_DAY",
                                    budget=str(_limit(turn, "min_campaign_budget", 50))))
            if len(calls) == MAX_NEW_CAMPAIGNS:
                break
        return calls

    # --- turn 1 ---------------------------------------------------------------------------

    def _follow_up(self, turn: AgentTurn) -> AgentStep:
        calls = []
        for record in turn.last_results:
            campaign_id = _created_id(record, "create_campaign", "campaign_id")
            if campaign_id is None:
                continue
            product_id = _product_of(turn.facts, record.args["campaign_name"])
            advertiser_id = record.args["advertiser_id"]
            calls.append(self._call(turn, "create_adgroup", "give the new campaign an ad group for its product",
                                    advertiser_id=advertiser_id, campaign_id=campaign_id,
                                    adgroup_name=record.args["campaign_name"].replace(NEW_CAMPAIGN_SUFFIX, " - Broad"),
                                    budget_mode="BUDGET_MODE_DAY",
                                    budget=str(_limit(turn, "min_adgroup_budget", 20)),
                                    product_ids=[product_id] if product_id else None))
            calls.append(self._call(turn, "enable_ads",
                                    "the new campaign is ready; a reviewer decides when it goes live",
                                    advertiser_id=advertiser_id, object_type="campaign", object_id=campaign_id))
        for call in calls:
            if call.args.get("product_ids") is None:
                call.args.pop("product_ids", None)
        return AgentStep(calls=calls, done=not any(c.tool == "create_adgroup" for c in calls))

    # --- turn 2 ---------------------------------------------------------------------------

    def _enable_new_adgroups(self, turn: AgentTurn) -> AgentStep:
        """A campaign only delivers through enabled ad groups: going live takes both, each approved."""
        calls = [self._call(turn, "enable_ads", "the new ad group is ready; it goes live with its campaign",
                            advertiser_id=record.args["advertiser_id"], object_type="adgroup", object_id=adgroup_id)
                 for record in turn.last_results if (adgroup_id := _created_id(record, "create_adgroup", "adgroup_id"))]
        return AgentStep(calls=calls, done=True)


def _created_id(record: CallRecord, tool: str, key: str) -> str | None:
    if record.tool != tool or record.outcome != "executed" or not isinstance(record.data, dict):
        return None
    created = record.data.get(key)
    return str(created) if created else None


def _product_of(facts: WorldView, campaign_name: str) -> str | None:
    for product in facts.products.values():
        if campaign_name.startswith(product.title + NEW_CAMPAIGN_SUFFIX):
            return product.product_id
    return None


def _already_queued(facts: WorldView, call: ProposedCall) -> bool:
    """The same action is already waiting for a reviewer: asking twice only adds noise."""
    return any(p.get("tool") == call.tool and _same_target(p.get("args") or {}, call.args)
               for p in facts.pending_actions)


def _same_target(queued: dict[str, Any], proposed: dict[str, Any]) -> bool:
    keys = ("object_id", "product_id", "campaign_name", "campaign_id")
    return any(key in proposed and queued.get(key) == proposed[key] for key in keys)
