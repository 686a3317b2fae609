"""Strategies decide what an agent proposes: rule-based (default, offline) or a chat model."""

from shopwarden.agents.strategies.base import AgentTurn, Strategy
from shopwarden.agents.strategies.creative_rules import CreativeRules
from shopwarden.agents.strategies.growth_rules import GrowthRules
from shopwarden.agents.strategies.llm import LLMStrategy, load_model

__all__ = ["AgentTurn", "CreativeRules", "GrowthRules", "LLMStrategy", "Strategy", "load_model"]
