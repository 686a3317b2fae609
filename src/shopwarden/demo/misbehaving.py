"""The demo's last cycle: a scripted chat model in the Growth Marketer's seat that tries what a confused
or manipulated model would. It shows the guardrails refusing, with the reasons an agent reads back.

The model is langchain-core's fake chat model replaying a fixed script, so the demo stays offline; it
drives the same LLM strategy, gate and policies a real model would.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from shopwarden.agents.deps import CREATIVE, GROWTH
from shopwarden.agents.strategies import CreativeRules, LLMStrategy
from shopwarden.agents.strategies.base import Strategy

TENFOLD_BUDGET = "1500.00"


def _call(name: str, call_id: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id}


def misbehaving_growth_model(advertiser_id: str, campaign_id: str, paused_campaign_id: str) -> GenericFakeChatModel:
    """A budget jump far past the hard limit, a smuggled extra field, a tool outside its allowlist,
    a tool that does not exist, and turning a paused campaign back on (which the gate holds for a
    reviewer at every autonomy level: the demo leaves it waiting); then it gives up and says so."""
    return GenericFakeChatModel(messages=iter([
        AIMessage(content="", tool_calls=[
            _call("update_budget", "jump", advertiser_id=advertiser_id, object_type="campaign",
                  object_id=campaign_id, budget=TENFOLD_BUDGET),
            _call("update_budget", "smuggle", advertiser_id=advertiser_id, object_type="campaign",
                  object_id=campaign_id, budget="100.00", skip_policy=True),
            _call("read_trends", "trends", kind="hashtags"),
            _call("delete_campaign", "delete", advertiser_id=advertiser_id, campaign_id=campaign_id),
            _call("enable_ads", "enable", advertiser_id=advertiser_id, object_type="campaign",
                  object_id=paused_campaign_id, rationale="turn it on now"),
        ]),
        AIMessage(content="Every change I tried was refused or held for a reviewer; nothing else to do this cycle."),
    ]))


def misbehaving_strategies(advertiser_id: str, campaign_id: str, paused_campaign_id: str) -> dict[str, Strategy]:
    return {GROWTH: LLMStrategy(misbehaving_growth_model(advertiser_id, campaign_id, paused_campaign_id)),
            CREATIVE: CreativeRules()}
