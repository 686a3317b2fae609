"""The Growth Marketer's default strategy: plain rules that emit the tool calls a model would.

Turn 0 judges every live campaign by profit and stock and moves budget (growth_budget.py),
corrects stock the merchant counted differently, raises restock alerts, holds back what a
reviewer rejected (recall.py), remembers what it proposed (memory.py), hands products that need
creative work to the Creative (handoff.py) and, for products that sell with no ads and have the
stock for it, reads which of the shop's products GMV Max can promote. Turn 1 asks TikTok for a
budget and ROI target for the free best sellers; turn 2 proposes each as a GMV Max campaign
(TikTok's only Shop campaign type), which always waits for a reviewer: approving it is what
sends the create, and a GMV Max campaign delivers once created.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from shopwarden.agents.facts import WorldView
from shopwarden.agents.memory import AgentMemory, Tried, action_key
from shopwarden.agents.records import AgentStep, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.strategies.growth_budget import BudgetPlanner, Proposal
from shopwarden.agents.strategies.handoff import creative_handoffs
from shopwarden.agents.strategies.recall import (
    DEFAULT_COOLDOWN_CYCLES,
    DEFAULT_MATERIAL_CHANGE,
    held_back,
    reviewer_said,
)

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
        memory = _memory(turn)
        notes = [f"could not read {gap}; decisions that need it were skipped" for gap in facts.gaps]
        notes.extend(f"reviewer's answer kept in mind for {r.key}: {reviewer_said(r)}" for r in memory.rejections
                     if r.cycles_ago <= int(_limit(turn, "rejection_cooldown_cycles", DEFAULT_COOLDOWN_CYCLES)))
        planner = BudgetPlanner(facts, memory, lambda name, default: _limit(turn, name, default))
        proposals, judged = planner.plan()
        notes.extend(f"{j.campaign.name}: {j.verdict.replace('_', ' ')} ({j.why})" for j in judged
                     if j.verdict in ("learning", "hold", "no_stock_raise"))
        calls = [self._call(turn, p.tool, p.rationale, **p.args) for p in proposals]
        snapshots = {id(c): p.snapshot for c, p in zip(calls, proposals, strict=True)}
        calls.extend(self._stock_corrections(turn))
        notes.extend(self._restock_alerts(turn))
        _note_new_launches(facts, memory)
        discovery = self._gmv_max_discovery(turn)
        calls = [c for c in calls if not _already_queued(facts, c)]
        calls, held = _recall(turn, memory, calls, snapshots)
        notes.extend(held)
        _remember(memory, calls, snapshots, proposals, facts)
        calls.extend(discovery)  # reads: nothing to recall or remember
        # The best sellers about to be proposed for launch get creative briefs too.
        launches = [self._call(turn, "launch_gmv_max_campaign", "", campaign_name=_launch_name(facts, pid))
                    for _, pid in self._launch_candidates(turn)[:MAX_NEW_CAMPAIGNS]] if discovery else []
        handoffs = creative_handoffs(facts, judged, launches, planner)
        return AgentStep(calls=calls, notes=notes, focus_products=list(dict.fromkeys(h.product_id for h in handoffs)),
                         handoffs=handoffs, memory=memory.model_dump(mode="json"), done=not discovery)

    def _call(self, turn: AgentTurn, tool: str, rationale: str, **args: Any) -> ProposedCall:
        return ProposedCall(agent_id=turn.spec.id, tool=tool, args=args, rationale=rationale)

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
                per_day = Decimal(sold) / facts.days_of_sales()
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
                if not any(n.startswith(_launch_name(facts, pid)) for n in [*names, *queued])
                and _stocked_for_launch(turn, pid)]

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
        memory = _memory(turn)
        snapshots = {id(c): {"units_a_day": str(turn.facts.units_per_day(c.args["item_group_ids"][0])
                                                 .quantize(Decimal("0.1")))} for c in calls}
        calls, held = _recall(turn, memory, calls, snapshots)
        _remember_tried(memory, calls, snapshots)
        return AgentStep(calls=calls, notes=held, memory=memory.model_dump(mode="json"), done=True)



def _launch_name(facts: WorldView, product_id: str) -> str:
    return facts.products[product_id].title + NEW_CAMPAIGN_SUFFIX


def _note_new_launches(facts: WorldView, memory: AgentMemory) -> None:
    """A GMV Max campaign this agent proposed starts its learning period the first cycle it is seen."""
    for campaign in facts.campaigns:
        if NEW_CAMPAIGN_SUFFIX in campaign.name:  # the name may carry the create marker after it
            memory.launched.setdefault(campaign.campaign_id, memory.cycle)


def _already_queued(facts: WorldView, call: ProposedCall) -> bool:
    """The same action is already waiting for a reviewer: asking twice only adds noise."""
    return any(p.get("tool") == call.tool and _same_target(p.get("args") or {}, call.args)
               for p in facts.pending_actions)


def _same_target(queued: dict[str, Any], proposed: dict[str, Any]) -> bool:
    keys = ("object_id", "product_id", "campaign_name", "campaign_id")
    return any(key in proposed and queued.get(key) == proposed[key] for key in keys)


def _memory(turn: AgentTurn) -> AgentMemory:
    return AgentMemory.model_validate(turn.memory or turn.facts.memory or {})


def _stocked_for_launch(turn: AgentTurn, product_id: str) -> bool:
    """No launch for a product that would run out: ads must not add demand the stock cannot meet."""
    cover = turn.facts.days_of_cover(product_id)
    return cover is None or cover >= Decimal(str(_limit(turn, "restock_days_of_cover", 7)))


def _recall(turn: AgentTurn, memory: AgentMemory, calls: list[ProposedCall],
            snapshots: dict[int, dict[str, str]]) -> tuple[list[ProposedCall], list[str]]:
    kept, held = [], []
    cooldown = int(_limit(turn, "rejection_cooldown_cycles", DEFAULT_COOLDOWN_CYCLES))
    for call in calls:
        why = held_back(memory, action_key(call.tool, call.args), snapshots.get(id(call), {}), cooldown=cooldown,
                        threshold=Decimal(str(_limit(turn, "material_change", DEFAULT_MATERIAL_CHANGE))))
        if why is None:
            kept.append(call)
        else:
            held.append(why)
    return kept, held


def _remember_tried(memory: AgentMemory, calls: list[ProposedCall], snapshots: dict[int, dict[str, str]]) -> None:
    for call in calls:
        memory.tried[action_key(call.tool, call.args)] = Tried(tool=call.tool, cycle=memory.cycle,
                                                              snapshot=snapshots.get(id(call), {}))


def _remember(memory: AgentMemory, calls: list[ProposedCall], snapshots: dict[int, dict[str, str]],
              proposals: list[Proposal], facts: WorldView) -> None:
    """What was tried, and which campaigns wait for stock. Only the planning turn judges stock: a later
    turn of the same cycle still sees the start-of-cycle statuses and would forget a pause it just made."""
    _remember_tried(memory, calls, snapshots)
    for proposal in proposals:
        if proposal.reason == "stock" and any(c.tool == "pause_ads" and c.args == proposal.args for c in calls):
            campaign = next(c for c in facts.campaigns if c.campaign_id == proposal.args["object_id"])
            memory.stock_paused[campaign.campaign_id] = list(campaign.product_ids)
    for campaign in facts.campaigns:  # live again: no longer waiting for stock
        if campaign.status == "ENABLE" and campaign.campaign_id in memory.stock_paused and not any(
                p.reason == "stock" and p.args.get("object_id") == campaign.campaign_id for p in proposals):
            del memory.stock_paused[campaign.campaign_id]
