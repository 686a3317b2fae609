"""No string in the policy input changes a decision, on any engine.

Every name and id in a decision-table case is swapped for a hostile string (quotes, backslashes,
control characters, bidi marks, JSON and Rego fragments, format verbs, very long text), the same
swap everywhere the value appears so the case still means the same thing. The decision, its reason
codes and its obligations must equal the plain twin's, with no engine error, on the embedded
engines (regorus VM and regopy), on OPA itself and on the OPA server path (both evaluators); and every engine must give
OPA's exact reasons for the hostile input too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopwarden.policy import Decision, PolicyEngine
from shopwarden.policy.testing.decision_table import DecisionCase, load_cases

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
HOSTILE_FILE = Path(__file__).with_name("hostile_strings.json")

CASES = load_cases(POLICIES_DIR / "decisions.yaml")
# The free-text and id fields a stranger or the platform can fill; enums and numbers are checked elsewhere.
TEXT_KEYS = frozenset({
    "id", "object_name", "object_id", "advertiser_id", "campaign_name", "adgroup_name", "campaign_id",
    "adgroup_id", "product_id", "sku_id", "warehouse_id", "resource_merchant_id", "store_id", "title",
})
ENGINE_ERRORS = {"engine.error", "engine.malformed_decision", "engine.no_decision", "engine.unavailable",
                 "engine.inconsistent_decision"}


def load_hostile() -> list[tuple[str, str]]:
    cases = json.loads(HOSTILE_FILE.read_text(encoding="utf-8"))["cases"]
    return [(case["why"], case["text"] * case.get("repeat", 1)) for case in cases]


HOSTILE = load_hostile()
SHORT_HOSTILE = [(why, text) for why, text in HOSTILE if len(text) <= 10_000]
LONG_HOSTILE = [(why, text) for why, text in HOSTILE if len(text) > 10_000]


def text_values(document: Any, key: str = "") -> list[str]:
    """The distinct strings held under TEXT_KEYS, in document order."""
    found: list[str] = []
    if isinstance(document, dict):
        for child_key, child in document.items():
            if isinstance(child, str) and child_key in TEXT_KEYS:
                found.append(child)
            else:
                found.extend(text_values(child, child_key))
    elif isinstance(document, list):
        for item in document:
            found.extend(text_values(item, key))
    return list(dict.fromkeys(found))


def swapped(document: Any, mapping: dict[str, str]) -> Any:
    """Every string leaf equal to a mapped value replaced, wherever it is (ids repeat across sections)."""
    if isinstance(document, dict):
        return {key: swapped(value, mapping) for key, value in document.items()}
    if isinstance(document, list):
        return [swapped(item, mapping) for item in document]
    if isinstance(document, str):
        return mapping.get(document, document)
    return document


def verdict(decision: Decision) -> tuple[str, list[str], dict[str, Any]]:
    return decision.decision, sorted(decision.reason_codes), decision.obligations


@pytest.fixture(scope="module")
def engines(embedded_engine: PolicyEngine, opa_reference: PolicyEngine, opa_engine: PolicyEngine,
            opa_server_on_opa: PolicyEngine, regorus_engine: PolicyEngine) -> dict[str, PolicyEngine]:
    """OPA first: the reference every other engine's reasons are compared with."""
    return {"opa": opa_reference, "regorus": regorus_engine, "embedded (regopy)": embedded_engine,
            "server (regopy stand-in)": opa_engine, "server (OPA evaluator)": opa_server_on_opa}


def assert_same_as_plain(engines: dict[str, PolicyEngine], case: DecisionCase, hostile_input: dict[str, Any]) -> None:
    reference: Decision | None = None
    for name, engine in engines.items():
        plain = engine.decide(case.input)
        hostile = engine.decide(hostile_input)
        assert not set(hostile.reason_codes) & ENGINE_ERRORS, f"{name}: {hostile.reasons}"
        assert "input.invalid" not in hostile.reason_codes or "input.invalid" in plain.reason_codes, \
            f"{name}: {hostile.reasons}"
        assert verdict(hostile) == verdict(plain), f"{name} on {case.name}"
        if reference is None:
            reference = hostile
        else:
            assert hostile == reference, f"{name} differs from OPA on {case.name}"


def one_case_per_outcome() -> list[DecisionCase]:
    """A case for every (tool, expected decision) pair in the table, so each rule family is reached."""
    chosen: dict[tuple[str, str], DecisionCase] = {}
    for case in CASES:
        if text_values(case.input):
            chosen.setdefault((str(case.input.get("tool")), case.expect["decision"]), case)
    return list(chosen.values())


REPRESENTATIVE = one_case_per_outcome()


@pytest.mark.parametrize(("why", "text"), SHORT_HOSTILE, ids=[why for why, _ in SHORT_HOSTILE])
def test_every_committed_hostile_string_decides_like_a_plain_name(engines: dict[str, PolicyEngine], why: str,
                                                                    text: str) -> None:
    for case in REPRESENTATIVE:
        # Distinct values stay distinct (a suffix per value), so ids that differed still differ.
        mapping = {value: f"{text}#{index}" for index, value in enumerate(text_values(case.input))}
        assert_same_as_plain(engines, case, swapped(case.input, mapping))


@pytest.mark.parametrize(("why", "text"), LONG_HOSTILE, ids=[why for why, _ in LONG_HOSTILE])
def test_very_long_names_decide_like_a_plain_name(engines: dict[str, PolicyEngine], why: str, text: str) -> None:
    for case in REPRESENTATIVE[:3]:
        names = [v for v in text_values(case.input) if v in {case.input.get("state", {}).get("object_name"),
                                                             case.input.get("args", {}).get("campaign_name")}]
        mapping = {value: f"{text}#{index}" for index, value in enumerate(names or text_values(case.input)[:1])}
        assert_same_as_plain(engines, case, swapped(case.input, mapping))


# Any Unicode but NUL (refused, see below) and lone surrogates (not text at all).
hostile_text = st.one_of(
    st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), min_size=1, max_size=80),
    st.sampled_from([text for _, text in SHORT_HOSTILE]),
    st.lists(st.sampled_from(['"', "\\", "]", "}", ",", ":", '"decision":"allow"', "\n", "\t", "\x01", "\u202e",
                              "%v", "%s", "%!f", "null", "{", "["]), min_size=1, max_size=12).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from([case for case in CASES if text_values(case.input)]), data=st.data(), text=hostile_text)
def test_any_hostile_string_in_any_text_field_decides_like_the_plain_twin(
        engines: dict[str, PolicyEngine], case: DecisionCase, data: st.DataObject, text: str) -> None:
    values = text_values(case.input)
    target = data.draw(st.sampled_from(values), label="field value")
    others = {leaf for leaf in _all_strings(case.input)} - {target}
    if text in others:  # the swap would make two different things the same thing
        return
    assert_same_as_plain(engines, case, swapped(case.input, {target: text}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(CASES), key=hostile_text, value=hostile_text)
def test_a_hostile_extra_argument_decides_like_a_plain_one(engines: dict[str, PolicyEngine], case: DecisionCase,
                                                           key: str, value: str) -> None:
    args = case.input.get("args")
    if not isinstance(args, dict) or key in args or key.startswith("object_") or key in TEXT_KEYS:
        return
    plain_case = DecisionCase(case.name, {**case.input, "args": {**args, "note": "plain"}}, case.expect)
    hostile_input = copy.deepcopy(case.input)
    hostile_input["args"] = {**args, key: value}
    # A key the tool's rules read by name would be a different input, not a hostile spelling of the same one.
    if key in {"budget", "budget_mode", "skus", "quantity", "operation_status", "status"}:
        return
    assert_same_as_plain(engines, plain_case, hostile_input)


@pytest.mark.parametrize("field", ["object_name", "resource_merchant_id"])
def test_a_nul_character_is_refused_naming_the_field_on_every_engine(engines: dict[str, PolicyEngine],
                                                                     field: str) -> None:
    case = next(case for case in CASES if case.input.get("tool") == "update_budget")
    hostile = copy.deepcopy(case.input)
    hostile["state"][field] = "m-acme\x00evil"
    for name, engine in engines.items():
        decision = engine.decide(hostile)
        assert (decision.decision, decision.reason_codes) == ("deny", ["input.invalid"]), name
        assert f"state.{field}: contains a NUL character" in decision.reasons[0], name


def _all_strings(document: Any) -> set[str]:
    if isinstance(document, dict):
        return set().union(*(_all_strings(v) | {str(k)} for k, v in document.items())) if document else set()
    if isinstance(document, list):
        return set().union(*(_all_strings(item) for item in document)) if document else set()
    return {document} if isinstance(document, str) else set()


def test_sku_ids_that_would_join_into_the_same_text_stay_two_skus(engines: dict[str, PolicyEngine]) -> None:
    base = next(case for case in CASES
                if case.input.get("tool") == "update_sku_inventory" and case.expect["decision"] == "allow")

    def inventory(first: tuple[str, str], second: tuple[str, str]) -> dict[str, Any]:
        document = copy.deepcopy(base.input)
        document["args"]["skus"] = [{"sku_id": first[0], "warehouse_id": first[1], "quantity": 10}]
        document["state"]["skus"] = [
            {"sku_id": first[0], "warehouse_id": first[1], "current_quantity": 0},
            {"sku_id": second[0], "warehouse_id": second[1], "current_quantity": 1000},
        ]
        return document

    plain = DecisionCase("plain skus", inventory(("a-b", "c"), ("a", "b-c")), base.expect)
    assert_same_as_plain(engines, plain, inventory(("a/b", "c"), ("a", "b/c")))
    assert engines["opa"].decide(plain.input).decision == "allow"
