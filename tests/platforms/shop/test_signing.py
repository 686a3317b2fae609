"""Request signing: TikTok's public example and the properties every request relies on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shopwarden.platforms.shop.signing import sign, string_to_sign, verify_webhook

SECRET = "e59af819cc"
PATH = "/authorization/202309/shops"
QUERY = {"app_key": "29a39d", "timestamp": "1623812664"}

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
    lambda k: k not in ("sign", "access_token"))
values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
queries = st.dictionaries(keys, values, max_size=8)


def test_public_example_string_to_sign() -> None:
    expected = b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
    assert string_to_sign(SECRET, PATH, QUERY) == expected


def test_public_example_sign() -> None:
    assert sign(SECRET, PATH, QUERY) == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_keys_are_sorted_in_byte_order_not_case_insensitively() -> None:
    assert string_to_sign("s", "/p", {"b": "2", "B": "1", "a": "3"}) == b"s/pB1a3b2s"


def test_body_bytes_are_appended_before_the_trailing_secret() -> None:
    assert string_to_sign("s", "/p", {"k": "v"}, b'{"a":1}') == b's/pkv{"a":1}s'


@given(queries)
def test_insertion_order_never_matters(query: dict[str, str]) -> None:
    reversed_query = dict(reversed(list(query.items())))
    assert sign(SECRET, PATH, query) == sign(SECRET, PATH, reversed_query)


@given(queries, st.text(max_size=40), st.text(max_size=40))
def test_sign_and_access_token_params_never_matter(query: dict[str, str], old_sign: str, token: str) -> None:
    assert sign(SECRET, PATH, {**query, "sign": old_sign, "access_token": token}) == sign(SECRET, PATH, query)


@given(st.binary(min_size=1, max_size=200), st.data())
def test_any_body_byte_change_changes_the_sign(body: bytes, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    assert sign(SECRET, PATH, QUERY, body) != sign(SECRET, PATH, QUERY, changed)


@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=6), min_size=1, max_size=5))
def test_list_values_are_comma_joined(ids: list[str]) -> None:
    assert sign(SECRET, PATH, {"ids": ids}) == sign(SECRET, PATH, {"ids": ",".join(ids)})


def test_str_and_bytes_bodies_sign_the_same() -> None:
    assert sign(SECRET, PATH, QUERY, '{"a":"é"}') == sign(SECRET, PATH, QUERY, '{"a":"é"}'.encode())


def test_webhook_signature_accepts_the_right_secret_and_refuses_any_other() -> None:
    import hashlib
    import hmac

    body = b'{"type":6,"shop_id":"1"}'
    good = hmac.new(b"secret", b"key" + body, hashlib.sha256).hexdigest()
    assert verify_webhook("secret", "key", body, good)
    assert verify_webhook("secret", "key", body, good.upper())
    assert not verify_webhook("other", "key", body, good)
    assert not verify_webhook("secret", "key", body + b" ", good)
