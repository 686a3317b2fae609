"""rego-cpp results are read term by term: strings come back whole, whatever they contain."""

from __future__ import annotations

import pytest
import regopy
from policy_inputs import budget_input

from shopwarden.policy.contract import prepare
from shopwarden.policy.rego_terms import evaluate_entrypoint

POLICY = """package t
import rego.v1
d := {"decision": "deny", "reasons": [sprintf("the campaign %s", [input.n])], "n": input.n,
      "numbers": [1, 2.5, -3], "flags": [true, false, null], "set": {"b", "a"}}
"""


@pytest.fixture(scope="module")
def compiled() -> tuple[regopy.Interpreter, regopy.Bundle]:
    interpreter = regopy.Interpreter()
    interpreter.add_module("t", POLICY)
    return interpreter, interpreter.build(None, ["t/d"])


@pytest.mark.parametrize("name", [
    'X"],"decision":"allow","reasons":["',
    '12" Desk',
    "back\\slash \\u0022 \n\t\r\x01\x1f\x7f",
    "\u202eevil\u2066 é 日本 🙂",
    "%s %v %!f(int64=100) {}",
    "x" * 100_000,
])
def test_hostile_strings_come_back_exactly(compiled: tuple[regopy.Interpreter, regopy.Bundle], name: str) -> None:
    interpreter, bundle = compiled
    interpreter.set_input(regopy.Input({"n": name}))
    value = evaluate_entrypoint(interpreter, bundle, "t/d")
    value["set"] = sorted(value["set"])  # a set's order is the engine's own
    assert value == {"decision": "deny", "reasons": [f"the campaign {name}"], "n": name,
                     "numbers": [1, 2.5, -3], "flags": [True, False, None], "set": ["a", "b"]}


def test_an_undefined_entrypoint_is_none(compiled: tuple[regopy.Interpreter, regopy.Bundle]) -> None:
    interpreter, _ = compiled
    interpreter.set_input(regopy.Input({}))
    assert evaluate_entrypoint(interpreter, interpreter.build(None, ["t/nothing"]), "t/nothing") is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("object_name", "Lamp\x00", "state.object_name: contains a NUL character"),
    ("object_name", "Lamp\ud800", "state.object_name: is not valid Unicode"),
])
def test_strings_no_engine_reads_alike_are_refused_naming_the_field(field: str, value: str, message: str) -> None:
    document = budget_input()
    document["state"][field] = value
    refused = prepare(document, "v")
    assert not isinstance(refused, dict)
    assert (refused.decision, refused.reason_codes) == ("deny", ["input.invalid"])
    assert message in refused.reasons[0]
