"""The audit row's values are made JSON-plain and redacted in one walk (`stored`); it must give exactly
what the redacting walk followed by a JSON round trip gave, for hostile values too, since that is
what gets hashed and stored."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopwarden.audit.chain import stored
from shopwarden.security.redaction import MASK, redact, register_secret

SECRET = "sk-live-0123456789abcdef"


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


def json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(redact(value), default=str))


def same(a: Any, b: Any) -> bool:
    # NaN is not equal to itself; compare the canonical JSON the hash is built from.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.sampled_from([SECRET, f'"],"decision":"allow" {SECRET}', "\\", "\x00\x1f", "\u202e", "%v %s"]),
    st.decimals(allow_nan=False), st.sampled_from([Colour.RED, Level.HIGH]),
)
keys = st.one_of(st.text(max_size=12), st.sampled_from(["token", "api_key", "password", "secret", "budget"]),
                 st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@pytest.fixture(autouse=True)
def secret_registered() -> None:
    register_secret(SECRET)


@settings(max_examples=300, deadline=None)
@given(values)
def test_stored_equals_redact_then_json_round_trip(value: Any) -> None:
    register_secret(SECRET)  # hypothesis runs examples outside the fixture's scope too
    assert same(stored(value), json_round_trip(value))


def test_secrets_are_masked_and_odd_values_made_plain() -> None:
    value = {"token": "abc", "api_key": "", "note": f"uses {SECRET}", 1: Decimal("1.10"), None: (Colour.RED,),
             "level": Level.HIGH}
    result = stored(value)
    assert result == {"token": MASK, "api_key": "", "note": f"uses {MASK}", "1": "1.10", "null": ["red"],
                      "level": 3}
    assert type(result["level"]) is int and type(result["null"][0]) is str


def test_a_key_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError):
        json_round_trip({(1, 2): "x"})
    with pytest.raises(TypeError):
        stored({(1, 2): "x"})
