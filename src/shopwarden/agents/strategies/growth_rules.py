"""The Growth Marketer's default strategy: plain rules that emit the tool calls a model would.

Turn 0 shifts budget toward winners (within the merchant's daily change limit), pauses campaigns
that spend without selling, corrects stock the merchant counted differently, raises restock
alerts, and, for products that sell with no ads, reads which of the shop's products GMV Max can
promote. Turn 1 asks TikTok for a budget and ROI target for the free best sellers; turn 2 proposes
each as a GMV Max campaign (TikTok's only Shop campaign type), which always waits for a reviewer.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from shopwarden.agents.facts import CampaignFacts, WorldView
from shopwarden.agents.records import AgentStep, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn

CENTS = Decimal("0.01")
NEW_CAMPAIGN_SUFFIX = " - GMV Max"
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
        return self._launch_gmv_max(turn)

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
        discovery = self._gmv_max_discovery(turn)
        calls.extend(discovery)
        if discovery:  # the best sellers about to be launched get creative briefs too
            focus.extend(pid for _, pid in self._launch_candidates(turn)[:MAX_NEW_CAMPAIGNS])
        calls = [c for c in calls if not _already_queued(facts, c)]
        return AgentStep(calls=calls, notes=notes, focus_products=[p for p in dict.fromkeys(focus) if p],
                         done=not discovery)

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

    def _launch_candidates(self, turn: AgentTurn) -> list[tuple[int, str]]:
        """(units sold, product id) of products that sell with no ads, best sellers first."""
        facts = turn.facts
        if not facts.advertisers or not facts.campaigns_complete:
            return []  # without the full list of campaigns we cannot tell which products have no ads
        advertised = facts.advertised_products()
        names = [c.name for c in facts.campaigns]
        queued = [str((p.get("args") or {}).get("campaign_name")) for p in facts.pending_actions]
        min_units = int(_limit(turn, "min_units_for_campaign", 5))
        found = [(units, pid) for pid, units in facts.units_sold_by_product.items()
                 if units >= min_units and pid not in advertised and pid in facts.products]
        return [(units, pid) for units, pid in sorted(found, reverse=True)
                if not any(n.startswith(_launch_name(facts, pid)) for n in [*names, *queued])]

    def _gmv_max_discovery(self, turn: AgentTurn) -> list[ProposedCall]:
        if not self._launch_candidates(turn):
            return []
        return [self._call(turn, "list_gmv_max_products", "which of the shop's products GMV Max can promote",
                           advertiser_id=turn.facts.advertisers[0], store_id=store_id)
                for store_id in turn.facts.shops]

    # --- turn 1 ---------------------------------------------------------------------------

    def _follow_up(self, turn: AgentTurn) -> AgentStep:
        """Ask TikTok's recommendation for each free best seller (at most MAX_NEW_CAMPAIGNS)."""
        candidates = self._launch_candidates(turn)
        calls: list[ProposedCall] = []
        for record in turn.last_results:
            if record.tool != "list_gmv_max_products" or record.outcome != "read" or not isinstance(record.data, list):
                continue
            free = {str(p.get("item_group_id")) for p in record.data if isinstance(p, dict) and p.get("launchable")}
            for units, product_id in candidates:
                if product_id in free and len(calls) < MAX_NEW_CAMPAIGNS:
                    calls.append(self._call(
                        turn, "recommend_gmv_max_bid",
                        f"{turn.facts.products[product_id].title} sold {units} units in "
                        f"{turn.facts.order_window_days} days with no ads; ask TikTok for a budget and ROI target",
                        advertiser_id=record.args["advertiser_id"], store_id=record.args["store_id"],
                        item_group_ids=[product_id]))
        return AgentStep(calls=calls, done=not calls)

    # --- turn 2 ---------------------------------------------------------------------------

    def _launch_gmv_max(self, turn: AgentTurn) -> AgentStep:
        """Launch each recommended best seller as GMV Max: the merchant's limits bound TikTok's figures."""
        calls = []
        floor_roas = Decimal(str(_limit(turn, "min_roas_to_scale", "2.0")))
        budget_cap = Decimal(str(_limit(turn, "account_daily_increase_max", 500)))
        for record in turn.last_results:
            if record.tool != "recommend_gmv_max_bid" or record.outcome != "read" or not isinstance(record.data, dict):
                continue
            product_id = record.args["item_group_ids"][0]
            budget = min(Decimal(str(record.data["budget"])), budget_cap).quantize(CENTS, rounding=ROUND_DOWN)
            roas_bid = max(Decimal(str(record.data["roas_bid"])), floor_roas).quantize(CENTS)
            calls.append(self._call(
                turn, "launch_gmv_max_campaign",
                f"launch {turn.facts.products[product_id].title} as GMV Max at {budget} a day with ROI target "
                f"{roas_bid} (TikTok recommended {record.data['budget']} and {record.data['roas_bid']}); "
                "a reviewer decides",
                advertiser_id=record.args["advertiser_id"], store_id=record.args["store_id"],
                campaign_name=_launch_name(turn.facts, product_id), item_group_ids=[product_id],
                budget=str(budget), roas_bid=str(roas_bid)))
        return AgentStep(calls=calls, done=True)


def _launch_name(facts: WorldView, product_id: str) -> str:
    return facts.products[product_id].title + NEW_CAMPAIGN_SUFFIX


def _already_queued(facts: WorldView, call: ProposedCall) -> bool:
    """The same action is already waiting for a reviewer: asking twice only adds noise."""
    return any(p.get("tool") == call.tool and _same_target(p.get("args") or {}, call.args)
               for p in facts.pending_actions)


def _same_target(queued: dict[str, Any], proposed: dict[str, Any]) -> bool:
    keys = ("object_id", "product_id", "campaign_name", "campaign_id")
    return any(key in proposed and queued.get(key) == proposed[key] for key in keys)
