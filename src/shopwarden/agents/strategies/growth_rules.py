"""The Growth Marketer's default strategy: plain rules that emit the tool calls a model would.

Turn 0 judges every live campaign by profit and stock and moves budget (growth_budget.py),
corrects stock the merchant counted differently, raises restock alerts, creates a campaign
(disabled) for products that sell with no ads and enough stock, asks again for campaigns it
launched that are still not live, holds back what a reviewer rejected (recall.py), remembers what
it proposed (memory.py) and hands products that need creative work to the Creative (handoff.py).
Turn 1 gives each new campaign an ad group and asks a reviewer to enable it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopwarden.agents.facts import WorldView
from shopwarden.agents.memory import AgentMemory, Tried, action_key
from shopwarden.agents.records import AgentStep, CallRecord, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.strategies.growth_budget import BudgetPlanner, Proposal
from shopwarden.agents.strategies.handoff import creative_handoffs
from shopwarden.agents.strategies.recall import (
    DEFAULT_COOLDOWN_CYCLES,
    DEFAULT_MATERIAL_CHANGE,
    held_back,
    reviewer_said,
)

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
        launches = [c for c in self._launches(turn) if _stocked_for_launch(turn, c)]
        for call in launches:
            snapshots[id(call)] = {"units_a_day": str(facts.units_per_day(_launch_product(facts, call) or "")
                                                      .quantize(Decimal("0.1")))}
        calls.extend(launches)
        calls.extend(self._pending_launch_enables(turn, memory, snapshots))
        calls = [c for c in calls if not _already_queued(facts, c)]
        calls, held = _recall(turn, memory, calls, snapshots)
        notes.extend(held)
        _remember(memory, calls, snapshots, proposals, facts)
        handoffs = creative_handoffs(facts, judged, launches, planner)
        return AgentStep(calls=calls, notes=notes, focus_products=list(dict.fromkeys(h.product_id for h in handoffs)),
                         handoffs=handoffs, memory=memory.model_dump(mode="json"),
                         done=not any(c.tool == "create_campaign" for c in calls))

    def _call(self, turn: AgentTurn, tool: str, rationale: str, **args: Any) -> ProposedCall:
        return ProposedCall(agent_id=turn.spec.id, tool=tool, args=args, rationale=rationale)

    def _pending_launch_enables(self, turn: AgentTurn, memory: AgentMemory,
                                snapshots: dict[int, dict[str, str]]) -> list[ProposedCall]:
        """A campaign this agent launched that is still not live is asked for again (after any cooldown)."""
        calls = []
        for campaign in turn.facts.campaigns:
            if campaign.campaign_id not in memory.launched or campaign.status == "ENABLE":
                continue
            if campaign.campaign_id in memory.stock_paused:
                continue  # paused for stock: it comes back through the restock check
            units = sum(turn.facts.units_sold_by_product.get(p, 0) for p in campaign.product_ids)
            rate = sum((turn.facts.units_per_day(p) for p in campaign.product_ids), Decimal(0)).quantize(Decimal("0.1"))
            targets = [("campaign", campaign.campaign_id)] + [("adgroup", g.adgroup_id) for g in campaign.adgroups
                                                              if g.status != "ENABLE"]
            for object_type, object_id in targets:
                call = self._call(turn, "enable_ads",
                                  f"{campaign.name} was created by the Growth Marketer and is still not live; its "
                                  f"products sold {units} units in {turn.facts.days_of_sales()} days",
                                  advertiser_id=campaign.advertiser_id, object_type=object_type, object_id=object_id)
                snapshots[id(call)] = {"units_a_day": str(rate)}
                calls.append(call)
        return calls

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
        memory = _memory(turn)
        for record in turn.last_results:
            if (campaign_id := _created_id(record, "create_campaign", "campaign_id")) is not None:
                memory.launched[campaign_id] = memory.cycle
        for record in turn.last_results:
            product_id = _product_of(turn.facts, str(record.args.get("campaign_name", "")))
            if record.tool == "create_campaign" and product_id:
                rate = str(turn.facts.units_per_day(product_id).quantize(Decimal("0.1")))
                for call in calls:
                    if call.tool == "enable_ads" and call.args.get("object_id") == _created_id(
                            record, "create_campaign", "campaign_id"):
                        memory.tried[action_key(call.tool, call.args)] = Tried(
                            tool=call.tool, cycle=memory.cycle, snapshot={"units_a_day": rate})
        return AgentStep(calls=calls, memory=memory.model_dump(mode="json"),
                         done=not any(c.tool == "create_adgroup" for c in calls))

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


def _memory(turn: AgentTurn) -> AgentMemory:
    return AgentMemory.model_validate(turn.memory or turn.facts.memory or {})


def _launch_product(facts: WorldView, call: ProposedCall) -> str | None:
    return _product_of(facts, str(call.args.get("campaign_name", "")))


def _stocked_for_launch(turn: AgentTurn, call: ProposedCall) -> bool:
    """No launch for a product that would run out: ads must not add demand the stock cannot meet."""
    product_id = _launch_product(turn.facts, call)
    cover = turn.facts.days_of_cover(product_id) if product_id else None
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


def _remember(memory: AgentMemory, calls: list[ProposedCall], snapshots: dict[int, dict[str, str]],
              proposals: list[Proposal], facts: WorldView) -> None:
    for call in calls:
        memory.tried[action_key(call.tool, call.args)] = Tried(tool=call.tool, cycle=memory.cycle,
                                                              snapshot=snapshots.get(id(call), {}))
    for proposal in proposals:
        if proposal.reason == "stock" and any(c.tool == "pause_ads" and c.args == proposal.args for c in calls):
            campaign = next(c for c in facts.campaigns if c.campaign_id == proposal.args["object_id"])
            memory.stock_paused[campaign.campaign_id] = list(campaign.product_ids)
    for campaign in facts.campaigns:  # live again: no longer waiting for stock
        if campaign.status == "ENABLE" and campaign.campaign_id in memory.stock_paused and not any(
                p.reason == "stock" and p.args.get("object_id") == campaign.campaign_id for p in proposals):
            del memory.stock_paused[campaign.campaign_id]
