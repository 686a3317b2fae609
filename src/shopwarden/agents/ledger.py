"""Today's budget ledger, read for the Growth Marketer: each object's start-of-day budget and the
account's increase so far, so the agent plans within the day's limit instead of compounding on it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from shopwarden.agents.facts import WorldView
from shopwarden.db.engine import session_scope
from shopwarden.tools import budget_ledger


def attach_start_of_day(engine: Engine, facts: WorldView) -> None:
    """Fill in `start_of_day_budget` of every object changed today, a GMV Max campaign's ROI target at
    the start of the day and its changes so far, and `account_increase_today`."""
    if facts.report_today is None:
        return
    day = date.fromisoformat(facts.report_today)
    with session_scope(engine) as session:
        for campaign in facts.campaigns:
            ref = budget_ledger.ObjectRef(facts.merchant_id, campaign.advertiser_id, campaign.object_type,
                                          campaign.campaign_id)
            campaign.start_of_day_budget = budget_ledger.first_start_of_day(session, ref, day)
            if campaign.kind == "gmv_max":
                roi = budget_ledger.ObjectRef(facts.merchant_id, campaign.advertiser_id, budget_ledger.ROI_TARGET,
                                              campaign.campaign_id)
                campaign.start_of_day_roas_bid = budget_ledger.first_start_of_day(session, roi, day)
                campaign.roi_changes_today = budget_ledger.changes_on(session, roi, day)
            for group in campaign.adgroups:
                ref = budget_ledger.ObjectRef(facts.merchant_id, campaign.advertiser_id, "adgroup", group.adgroup_id)
                group.start_of_day_budget = budget_ledger.first_start_of_day(session, ref, day)
        for advertiser_id in facts.advertisers:
            facts.account_increase_today[advertiser_id] = budget_ledger.account_increase_today(
                session, facts.merchant_id, advertiser_id, day)
