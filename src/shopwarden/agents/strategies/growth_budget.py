"""The Growth Marketer's budget decisions: judge every live campaign by profit, then move money.

For each enabled campaign, in this order:
  1. stock: a product about to run out gets no more spend (paused below `stock_pause_days` of
     cover; never raised below `restock_days_of_cover`); a campaign paused for stock is proposed
     for enabling again once its products are restocked;
  2. learning: a campaign that started delivering inside the window is not judged before
     `learning_days` days of spend;
  3. profit: with margin m (per-SKU cost, else the default margin), break-even ROAS is 1/m. Below
     `pause_below` x break-even the campaign is paused; below break-even its budget is cut; at or
     above `scale_above` x break-even it is a winner;
  4. winners are raised on the budget that binds (the ad group's when it is below what the
     campaign allows, the campaign's when the ad groups want more than it gives, the campaign's
     alone when it has no budgeted ad groups, as GMV Max campaigns do), best ROAS first, each up to
     the day's limit measured from its start-of-day budget (so repeated cycles never compound), and
     all together within the account's daily increase cap.
  5. GMV Max campaigns take the same judgement; their levers are the daily budget and the ROI
     target (growth_roi.py): a winner whose spend stopped short of its budget yesterday is held
     back by its ROI target, which is lowered (within its own daily limit); otherwise its budget is
     raised as above. A loser whose ROI target sits below break-even gets the target raised
     (TikTok then stops buying unprofitable orders); otherwise its budget is cut.
Every proposal's rationale carries the numbers it used; `snapshot` keeps them for the memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from shopwarden.agents.facts import AdGroupFacts, CampaignFacts, WorldView
from shopwarden.agents.memory import AgentMemory
from shopwarden.agents.strategies.growth_roi import lower_for_winner, raise_for_loser
from shopwarden.agents.strategies.margins import margin_for

CENTS = Decimal("0.01")
Limit = Callable[[str, Any], Any]


@dataclass
class Proposal:
    tool: str
    args: dict[str, Any]
    rationale: str
    snapshot: dict[str, str] = field(default_factory=dict)
    reason: str = ""  # loss | stock | restocked | scale | cut


@dataclass
class Judgement:
    campaign: CampaignFacts
    margin: Decimal
    break_even: Decimal
    roas: Decimal | None
    cover: Decimal | None  # the shortest days of cover among its products
    verdict: str  # winner | hold | cut | pause | learning | stock_pause | no_stock_raise | unjudged
    why: str


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _fmt(value: Decimal | None) -> str:
    return "n/a" if value is None else str(value)


class BudgetPlanner:
    def __init__(self, facts: WorldView, memory: AgentMemory, limit: Limit) -> None:
        self.facts, self.memory, self.limit = facts, memory, limit
        self.pct = _d(limit("daily_budget_change_pct", 20))

    # --- judging --------------------------------------------------------------------------

    def cover(self, campaign: CampaignFacts) -> Decimal | None:
        covers = [c for p in campaign.product_ids if (c := self.facts.days_of_cover(p)) is not None]
        out = [p for p in campaign.product_ids if p in self.facts.products and self.facts.stock_of(p) == 0]
        if out and len(out) == len([p for p in campaign.product_ids if p in self.facts.products]):
            return Decimal(0)
        return min(covers) if covers else None

    def is_new(self, campaign: CampaignFacts) -> bool:
        first = campaign.first_spend_day
        started_late = first is not None and self.facts.report_first_day is not None and first > min(
            (c.first_spend_day for c in self.facts.campaigns if c.first_spend_day), default=first)
        return campaign.campaign_id in self.memory.launched or started_late

    def judge(self, campaign: CampaignFacts) -> Judgement:
        margin = margin_for(self.facts, campaign.product_ids, _d(self.limit("default_margin", "0.5")))
        break_even = (1 / margin).quantize(CENTS)
        roas, cover = campaign.roas, self.cover(campaign)

        def verdict(name: str, why: str) -> Judgement:
            return Judgement(campaign, margin, break_even, roas, cover, name, why)

        numbers = (f"ROAS {_fmt(roas)} on {campaign.spend} spend over {campaign.days_with_spend} days, "
                   f"margin {margin} so break-even ROAS {break_even}")
        stock = f"stock covers {_fmt(cover)} days at {self._rate(campaign)} units a day"
        if cover is not None and cover < _d(self.limit("stock_pause_days", "1")):
            return verdict("stock_pause", f"{stock}: ads would sell what is not there")
        learning_days = int(self.limit("learning_days", 3))
        if self.is_new(campaign) and campaign.days_with_spend < learning_days:
            return verdict("learning", f"new: {campaign.days_with_spend} of {learning_days} learning days; "
                                       f"{numbers}")
        if campaign.spend < _d(self.limit("min_spend_to_judge", "20")) or roas is None:
            return verdict("unjudged", f"too little spend to judge ({campaign.spend})")
        if roas < break_even * _d(self.limit("pause_below", "0.8")):
            return verdict("pause", f"{numbers}: it loses money on every dollar")
        if roas < break_even:
            return verdict("cut", f"{numbers}: below break-even")
        if roas >= break_even * _d(self.limit("scale_above", "1.5")):
            cover_needed = _d(self.limit("restock_days_of_cover", 7))
            after = None if cover is None else (cover / (1 + self.pct / 100)).quantize(Decimal("0.1"))
            if after is not None and after < cover_needed:
                return verdict("no_stock_raise", f"{numbers}; but {stock}, {after} after a raise "
                                                 f"(under {cover_needed}): no more spend until restocked")
            return verdict("winner", f"{numbers}; {stock}")
        return verdict("hold", numbers)

    def _rate(self, campaign: CampaignFacts) -> Decimal:
        return sum((self.facts.units_per_day(p) for p in campaign.product_ids), Decimal(0)).quantize(Decimal("0.1"))

    # --- planning -------------------------------------------------------------------------

    def plan(self) -> tuple[list[Proposal], list[Judgement]]:
        judged = [self.judge(c) for c in self.facts.campaigns if c.status == "ENABLE"]
        proposals: list[Proposal] = []
        freed = Decimal(0)
        for j in judged:
            if j.verdict in ("pause", "stock_pause"):
                proposals.append(self._pause(j))
                freed += j.campaign.budget or Decimal(0)
            elif j.verdict == "cut":
                roi = self._roi(j, "cut") if j.campaign.kind == "gmv_max" else None
                cuts = [roi] if roi is not None else self._cut(j)
                proposals.extend(cuts)
                freed += sum((_d(p.snapshot["was"]) - _d(p.args["budget"]) for p in cuts if "budget" in p.args),
                             Decimal(0))
        account_cap = _d(self.limit("account_daily_increase_max", 500))
        room_by_advertiser = {a: max(Decimal(0), account_cap - self.facts.account_increase_today.get(a, Decimal(0)))
                              for a in self.facts.advertisers}
        winners = sorted((j for j in judged if j.verdict == "winner"), key=lambda j: -(j.roas or 0))
        for j in winners:
            room = room_by_advertiser.get(j.campaign.advertiser_id, Decimal(0))
            roi = self._roi(j, "scale") if j.campaign.kind == "gmv_max" else None
            if roi is not None:  # the ROI target holds it back: more budget would not be spent
                proposals.append(roi)
                continue
            raises = self._raise(j, room, freed)
            room_by_advertiser[j.campaign.advertiser_id] = room - sum(
                (_d(p.args["budget"]) - _d(p.snapshot["was"]) for p in raises), Decimal(0))
            proposals.extend(raises)
        proposals.extend(self._resumes())
        return proposals, judged

    def _snapshot(self, j: Judgement, **extra: Any) -> dict[str, str]:
        return {"roas": _fmt(j.roas), "cover": _fmt(j.cover), "margin": str(j.margin),
                **{k: str(v) for k, v in extra.items()}}

    def _pause(self, j: Judgement) -> Proposal:
        c = j.campaign
        reason = "stock" if j.verdict == "stock_pause" else "loss"
        voids = ("; pausing voids TikTok's ROI protection for it for the rest of the day"
                 if c.kind == "gmv_max" else "")
        return Proposal("pause_ads", {"advertiser_id": c.advertiser_id, "object_type": c.object_type,
                                      "object_id": c.campaign_id},
                        f"pause {c.name}: {j.why}{voids}", self._snapshot(j, budget=c.budget or 0), reason)

    def _roi(self, j: Judgement, direction: str) -> Proposal | None:
        """A GMV Max campaign's ROI target change, when that is the better lever than its budget."""
        c = j.campaign
        pick = lower_for_winner if direction == "scale" else raise_for_loser
        change = pick(c, j.break_even, j.why, self.limit)
        if change is None:
            return None
        return Proposal("update_roi_target", {"advertiser_id": c.advertiser_id, "campaign_id": c.campaign_id,
                                              "roas_bid": str(change.roas_bid)},
                        change.rationale, self._snapshot(j, roas_bid=change.was), direction)

    def _cut(self, j: Judgement) -> list[Proposal]:
        """Lower what binds by the day's change limit, not below the platform minimum."""
        proposals = []
        for object_type, object_id, budget, minimum in self._binding(j.campaign):
            new = max(_d(minimum), (budget * (1 - self.pct / 100)).quantize(CENTS, rounding=ROUND_DOWN))
            if new < budget:
                proposals.append(Proposal(
                    "update_budget", self._budget_args(j.campaign, object_type, object_id, new),
                    f"cut {object_type} {object_id} of {j.campaign.name} from {budget} to {new} "
                    f"(-{self.pct}%): {j.why}", self._snapshot(j, was=budget), "cut"))
        return proposals

    def _binding(self, c: CampaignFacts) -> list[tuple[str, str, Decimal, Any]]:
        """The budgets that limit delivery today: (object type, id, budget, platform minimum)."""
        if c.kind == "gmv_max":
            return [(c.object_type, c.campaign_id, c.budget, self.limit("min_gmv_max_budget", 0))] if c.budget else []
        groups = self._budgeted_groups(c)
        if not groups:
            return [("campaign", c.campaign_id, c.budget, self.limit("min_campaign_budget", 50))] if c.budget else []
        wanted = sum((g.budget or Decimal(0) for g in groups), Decimal(0))
        if c.budget is not None and c.budget_mode == "BUDGET_MODE_DAY" and wanted > c.budget:
            return [("campaign", c.campaign_id, c.budget, self.limit("min_campaign_budget", 50))]
        return [("adgroup", g.adgroup_id, g.budget or Decimal(0), self.limit("min_adgroup_budget", 20))
                for g in groups]

    def _budgeted_groups(self, c: CampaignFacts) -> list[AdGroupFacts]:
        return [g for g in c.adgroups if g.status == "ENABLE" and g.budget and g.budget_mode != "BUDGET_MODE_INFINITE"]

    def _ceiling(self, budget: Decimal, start_of_day: Decimal | None) -> Decimal:
        """The most this object may reach today: its start-of-day budget plus the day's limit."""
        base = start_of_day if start_of_day is not None else budget
        return (base * (1 + self.pct / 100)).quantize(CENTS, rounding=ROUND_DOWN)

    def _raise(self, j: Judgement, room: Decimal, freed: Decimal) -> list[Proposal]:
        c = j.campaign
        if room <= 0:
            return []
        funded = f"; {freed} a day was freed from losers" if freed > 0 else ""
        groups = self._budgeted_groups(c)
        proposals: list[Proposal] = []
        if not groups:  # the campaign's budget is all there is (GMV Max, or unbudgeted ad groups)
            if c.budget is None or c.budget_mode != "BUDGET_MODE_DAY":
                return []
            new = min(self._ceiling(c.budget, c.start_of_day_budget), c.budget + room).quantize(CENTS, ROUND_DOWN)
            if new > c.budget:
                proposals.append(self._raise_one(j, c.object_type, c.campaign_id, c.budget, new, funded))
            return proposals
        group_targets = {g.adgroup_id: min(self._ceiling(g.budget or Decimal(0), g.start_of_day_budget),
                                           (g.budget or Decimal(0)) + room / len(groups)).quantize(CENTS, ROUND_DOWN)
                         for g in groups}
        wanted = sum(group_targets.values(), Decimal(0))
        cap = c.budget if c.budget is not None and c.budget_mode == "BUDGET_MODE_DAY" else None
        if cap is not None and wanted > cap:
            new_cap = min(self._ceiling(cap, c.start_of_day_budget), wanted)
            if new_cap > cap:
                proposals.append(self._raise_one(
                    j, "campaign", c.campaign_id, cap, new_cap,
                    f"{funded}; its ad groups want {wanted}, more than the campaign's {cap}"))
            if new_cap < wanted:  # the campaign cannot give more today: raise the groups only as far as it allows
                scale = (new_cap - sum((g.budget or Decimal(0) for g in groups), Decimal(0))) / max(
                    wanted - sum((g.budget or Decimal(0) for g in groups), Decimal(0)), CENTS)
                group_targets = {g.adgroup_id: ((g.budget or Decimal(0)) + max(Decimal(0), scale) * (
                    group_targets[g.adgroup_id] - (g.budget or Decimal(0)))).quantize(CENTS, rounding=ROUND_DOWN)
                                 for g in groups}
        for g in groups:
            new = group_targets[g.adgroup_id]
            if new > (g.budget or Decimal(0)):
                proposals.append(self._raise_one(j, "adgroup", g.adgroup_id, g.budget or Decimal(0), new,
                                                 f"{funded}; the ad group's budget binds (campaign allows {cap})"))
        return proposals

    def _raise_one(self, j: Judgement, object_type: str, object_id: str, was: Decimal, new: Decimal,
                   extra: str) -> Proposal:
        c = j.campaign
        pct = ((new / was - 1) * 100).quantize(Decimal("0.1")) if was else Decimal(0)
        return Proposal("update_budget", self._budget_args(c, object_type, object_id, new),
                        f"raise {object_type} {object_id} of {c.name} from {was} to {new} (+{pct}%): {j.why}{extra}",
                        self._snapshot(j, was=was), "scale")

    def _budget_args(self, c: CampaignFacts, object_type: str, object_id: str, budget: Decimal) -> dict[str, Any]:
        return {"advertiser_id": c.advertiser_id, "object_type": object_type, "object_id": object_id,
                "budget": str(budget)}

    def _resumes(self) -> list[Proposal]:
        """Campaigns paused for stock come back (through a reviewer) once the stock is there again."""
        needed = _d(self.limit("restock_days_of_cover", 7))
        proposals = []
        for c in self.facts.campaigns:
            if c.status == "ENABLE" or c.campaign_id not in self.memory.stock_paused:
                continue
            products = self.memory.stock_paused[c.campaign_id]
            stock = {p: self.facts.stock_of(p) for p in products}
            covers = {p: self.facts.days_of_cover(p) for p in products}
            if all(stock[p] > 0 and ((cover := covers[p]) is None or cover >= needed) for p in products):
                shown = ", ".join(f"{p}: {stock[p]} units, {_fmt(covers[p])} days" for p in products)
                proposals.append(Proposal(
                    "enable_ads", {"advertiser_id": c.advertiser_id, "object_type": c.object_type,
                                   "object_id": c.campaign_id},
                    f"resume {c.name}: it was paused for low stock and is restocked ({shown}; "
                    f"{needed} days needed)", {"stock": str(sum(stock.values()))}, "restocked"))
        return proposals
