"""Choosing and describing the chat model: SHOPWARDEN_MODEL entry points and the tool schemas it sees."""

from __future__ import annotations

import pytest

from shopwarden.agents.deps import GROWTH, strategies_from_settings
from shopwarden.agents.strategies import GrowthRules, LLMStrategy, load_model
from shopwarden.agents.strategies.llm import tool_schemas
from shopwarden.config import get_settings
from shopwarden.errors import ConfigError


def test_an_entry_point_gives_the_chat_model_for_both_agents(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPWARDEN_MODEL", "cycle_fakes:scripted_model")
    get_settings.cache_clear()

    strategies = strategies_from_settings(get_settings())

    assert {type(s) for s in strategies.values()} == {LLMStrategy}


def test_without_a_model_the_rules_run():
    assert isinstance(strategies_from_settings(get_settings())[GROWTH], GrowthRules)


@pytest.mark.parametrize(("entry_point", "message"), [
    ("just_a_module", "SHOPWARDEN_MODEL: expected 'module:factory', got 'just_a_module'"),
    ("cycle_fakes:no_such_factory", "SHOPWARDEN_MODEL: cannot load 'cycle_fakes:no_such_factory'"),
    ("cycle_fakes:MERCHANT", "SHOPWARDEN_MODEL: 'cycle_fakes:MERCHANT' did not give a langchain chat model"),
])
def test_a_bad_entry_point_names_the_setting(entry_point: str, message: str):
    with pytest.raises(ConfigError) as caught:
        load_model(entry_point)
    assert str(caught.value).startswith(message)


def test_tool_schemas_come_from_the_argument_models_and_forbid_extra_fields():
    [schema] = tool_schemas(["update_budget"])

    function = schema["function"]
    assert function["name"] == "update_budget"
    assert set(function["parameters"]["properties"]) == {"advertiser_id", "object_type", "object_id", "budget",
                                                         "budget_mode"}
    assert function["parameters"]["additionalProperties"] is False
    assert len(function["description"]) >= 10
