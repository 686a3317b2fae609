"""An in-process model (llama.cpp) is called one call at a time, even when a caller stopped waiting;
and a call counts what the model wrote even when its tool call did not parse.

The model here blocks until the test releases it, so every timeout below fires whatever the
machine's speed: the outcome does not depend on timing.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import Field

from shopwarden.agents.records import Usage
from shopwarden.agents.specs import load_agent_specs
from shopwarden.agents.strategies.llm_calls import ModelProfile, call_model
from shopwarden.agents.strategies.llm_exclusive import invoke_exclusive, lock_for, model_of


class HeldModel(GenericFakeChatModel):
    """Computes in the caller's thread, as llama.cpp does, until `release` is set; counts who is inside."""

    release: Any = Field(default_factory=threading.Event)
    entered: list[int] = Field(default_factory=list)
    inside: list[int] = Field(default_factory=list)
    most_inside: int = 0

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        me = len(self.entered)
        self.entered.append(me)
        self.inside.append(me)
        self.most_inside = max(self.most_inside, len(self.inside))
        try:
            assert self.release.wait(timeout=30), "the test never released the model"
            return super()._generate(messages, *args, **kwargs)
        finally:
            self.inside.remove(me)


def held(*replies: str) -> HeldModel:
    return HeldModel(messages=iter([AIMessage(content=r) for r in replies]))


ASK = [HumanMessage(content="next step?")]


async def test_a_call_after_a_timeout_waits_for_the_model_and_an_abandoned_one_never_starts():
    model = held("first", "third")

    with pytest.raises(TimeoutError):
        await invoke_exclusive(model, ASK, timeout=0.05)  # still computing in its thread
    with pytest.raises(TimeoutError):
        await invoke_exclusive(model, ASK, timeout=0.05)  # waited for the lock, gave up
    model.release.set()
    reply = await invoke_exclusive(model.bind(stop=["x"]), ASK, timeout=30)

    assert reply.content == "third"  # the first call's thread took "first" once released
    assert len(model.entered) == 2  # the first and the third; the abandoned second never ran
    assert model.most_inside == 1


def test_bindings_share_their_models_lock_and_other_models_have_their_own():
    model, other = held(), held()

    assert model_of(model.bind(stop=["x"]).bind(temperature=0)) is model
    assert lock_for(model.bind(stop=["x"]).bound) is lock_for(model)
    assert lock_for(other) is not lock_for(model)


async def test_an_exclusive_profile_times_out_through_the_lock_and_is_not_retried():
    model = held("late")
    spec = load_agent_specs()["growth_marketer"]
    spec = spec.model_copy(update={"default_limits": {**spec.default_limits, "model_timeout_seconds": 0.05}})
    profile = ModelProfile("single_function", "user_text", retry_after_timeout=False, exclusive=True)

    reply, used, error = await call_model(model, ASK, [], spec, Usage(), profile)
    second, _, second_error = await call_model(model, ASK, [], spec, Usage(), profile)
    model.release.set()

    assert (reply, second, error, second_error) == (None, None, "timed out", "timed out")
    assert (used.calls, used.retries, used.failures) == (1, 0, 1)
    assert model.most_inside == 1


async def test_a_reply_whose_tool_call_did_not_parse_still_counts_what_the_model_wrote():
    from langchain_core.messages import InvalidToolCall

    from shopwarden.agents.strategies.llm_budget import estimate_tokens

    written = '{ "calls" : [ ] , "done" : false, "message" : "cut short at max_tokens'
    reply = AIMessage(content="", invalid_tool_calls=[InvalidToolCall(name="next_step", args=written, id="n",
                                                                      error="Unterminated string")])
    spec = load_agent_specs()["growth_marketer"]

    got, used, error = await call_model(GenericFakeChatModel(messages=iter([reply])), ASK, [], spec, Usage(),
                                        ModelProfile())

    assert got is not None and error is None and got.invalid_tool_calls
    assert used.output_tokens == estimate_tokens(written) > 0
