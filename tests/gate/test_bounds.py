"""Bounded arguments: hostile sizes are answered `invalid` before anything else, with a small redacted excerpt
in the audit row; the plain twin of each call is unaffected."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from gate_fakes import ADVERTISER, FakeAds
from test_pipeline import audit_rows, budget_call

from shopwarden.audit.verify import verify_chain
from shopwarden.gate.bounds import MAX_DEPTH, MAX_STRING, check, excerpt
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate
from shopwarden.security.redaction import MASK, register_secret

FIVE_MB = 5 * 1024 * 1024


def _nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value}
    return value


def _call(args: dict[str, Any], **kw: Any) -> ToolCall:
    return ToolCall(**{"tool": "list_campaigns", "args": args, "agent_id": "growth", "merchant_id": "m-acme", **kw})


@pytest.mark.parametrize("levels", [500, 5000])
async def test_deep_nesting_is_invalid_and_audited_without_recursion(gate: Gate, engine, fake_ads: FakeAds,
                                                                     levels: int) -> None:
    result = await gate.call(_call({"advertiser_id": ADVERTISER, "filter": _nested(levels)}))
    assert (result.outcome, result.reason_codes) == (Outcome.INVALID, ["args.too_deep"])
    assert result.reasons[0].startswith("args.filter.a.a.a") and f"nested more than {MAX_DEPTH} levels" in \
        result.reasons[0]
    [row] = audit_rows(engine)
    assert (row.outcome, row.id) == ("invalid", result.execution_id)
    assert len(json.dumps(row.args_redacted)) < 2000
    assert fake_ads.reads == 0 and fake_ads.mutations() == []
    assert verify_chain(engine).ok


async def test_a_five_megabyte_name_is_invalid_and_only_an_excerpt_is_stored(gate: Gate, engine,
                                                                              fake_ads: FakeAds) -> None:
    secret = "SUPERSECRET_TOKEN_VALUE_991"
    register_secret(secret)
    name = f"Promo {secret} " + "x" * FIVE_MB
    started = time.perf_counter()
    result = await gate.call(budget_call("120", object_id=name))
    elapsed = time.perf_counter() - started
    assert (result.outcome, result.reason_codes) == (Outcome.INVALID, ["args.string_too_long"])
    assert result.reasons == [f"args.object_id is {len(name)} characters long; at most {MAX_STRING} are accepted; "
                              "nothing was run"]
    [row] = audit_rows(engine)
    stored = json.dumps(row.args_redacted)
    assert len(stored) < 2000 and secret not in stored and MASK in stored
    assert row.input_bytes >= FIVE_MB
    assert fake_ads.reads == 0
    assert elapsed < 2.0


async def test_a_huge_rationale_tool_name_or_merchant_id_is_invalid(gate: Gate, engine) -> None:
    rationale = await gate.call(budget_call("120").model_copy(update={"rationale": "r" * FIVE_MB}))
    tool = await gate.call(_call({}, tool="t" * FIVE_MB))
    merchant = await gate.call(_call({}, merchant_id="m" * 1000))
    assert [r.outcome for r in (rationale, tool, merchant)] == [Outcome.INVALID] * 3
    assert rationale.reason_codes == ["args.too_large"]
    assert tool.reason_codes == merchant.reason_codes == ["args.id_too_long"]
    rows = audit_rows(engine)
    assert len(rows) == 3
    assert all(len(r.tool) <= 64 for r in rows)
    assert sorted(r.merchant_id for r in rows) == ["", "m-acme", "m-acme"]  # a cut id never names a chain


async def test_many_small_values_add_up_to_too_large(gate: Gate) -> None:
    result = await gate.call(_call({"advertiser_id": ADVERTISER, "ids": ["x" * 1000] * 400}))
    assert result.reason_codes == ["args.too_large"]


async def test_the_plain_twin_passes_the_bounds_and_gets_its_usual_answer(gate: Gate, fake_ads: FakeAds) -> None:
    result = await gate.call(_call({"advertiser_id": ADVERTISER}))
    assert result.outcome == Outcome.READ
    extra = await gate.call(_call({"advertiser_id": ADVERTISER, "filter": _nested(3)}))
    assert (extra.outcome, extra.reason_codes) == (Outcome.INVALID, ["args.invalid"])  # validation, as before


def test_the_depth_bound_is_exact() -> None:
    assert check(_call({"x": _nested(MAX_DEPTH - 2)})) is None
    problem = check(_call({"x": _nested(MAX_DEPTH)}))
    assert problem is not None and problem.code == "args.too_deep"


def test_excerpts_are_shallow_short_and_mask_secret_keys() -> None:
    shown = excerpt({"access_token": "abc", "name": "y" * 500, "deep": _nested(10), "many": list(range(50))})
    assert shown["access_token"] == MASK
    assert shown["name"] == "y" * 120 + "… (+380 chars)"
    assert "nested deeper" in json.dumps(shown["deep"])
    assert shown["many"][-1] == "… +40 more items" and len(shown["many"]) == 11
