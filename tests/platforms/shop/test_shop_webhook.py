"""Webhooks: signature first; a seller deauthorization deletes the tokens, once, however often it arrives."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from shop_fakes import APP_KEY, APP_SECRET, NOW
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, DeletionRequest, Merchant, Shop
from shopwarden.errors import InvalidRequest
from shopwarden.platforms.shop import handle_webhook
from shopwarden.security.connections import get_connection, store_tokens

SETTINGS = Settings(shop_app_key=APP_KEY, shop_app_secret=APP_SECRET)


def signed(payload: dict) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, hmac.new(APP_SECRET.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture
def connected(engine: Engine, merchant: Merchant) -> str:
    with session_scope(engine) as session:
        store_tokens(session, Connection(merchant_id=merchant.id, platform="shop"), access_token="acc-token-xyz",
                     refresh_token="ref-token-xyz", access_expires_at=NOW + timedelta(days=7),
                     refresh_expires_at=NOW + timedelta(days=365))
        session.add(Shop(merchant_id=merchant.id, shop_id="7494", name="Acme US", region="US", cipher="c"))
    return merchant.id


def test_deauthorization_disconnects_and_deletes_the_tokens(engine: Engine, connected: str) -> None:
    body, signature = signed({"type": 6, "shop_id": "7494", "timestamp": 1772438400, "data": {}})
    result = handle_webhook(engine, body, signature, SETTINGS)
    assert (result.action, result.merchant_ids) == ("disconnected", [connected])
    with session_scope(engine) as session:
        connection = get_connection(session, connected, "shop")
        assert (connection.status, connection.access_token_enc, connection.refresh_token_enc) == (
            "disconnected", None, None)
        assert connection.status_reason == "seller deauthorized shop 7494"


def test_a_redelivered_deauthorization_changes_nothing_more(engine: Engine, connected: str) -> None:
    body, signature = signed({"type": 6, "shop_id": "7494", "timestamp": 1772438400, "data": {}})
    handle_webhook(engine, body, signature, SETTINGS)
    again = handle_webhook(engine, body, signature, SETTINGS)
    assert again.action == "already_disconnected"
    with session_scope(engine) as session:
        assert len(session.exec(select(DeletionRequest)).all()) == 1


def test_a_bad_signature_is_refused_and_nothing_happens(engine: Engine, connected: str) -> None:
    body, signature = signed({"type": 6, "shop_id": "7494", "data": {}})
    tampered = body.replace(b"7494", b"7495")
    with pytest.raises(InvalidRequest, match="webhook signature does not match"):
        handle_webhook(engine, tampered, signature, SETTINGS)
    with pytest.raises(InvalidRequest, match="webhook signature does not match"):
        handle_webhook(engine, body, "", SETTINGS)
    with session_scope(engine) as session:
        assert get_connection(session, connected, "shop").status == "active"


def test_other_types_and_unknown_shops_are_acknowledged_and_ignored(engine: Engine, connected: str) -> None:
    body, signature = signed({"type": 1, "shop_id": "7494", "data": {"order_id": "o1"}})
    assert handle_webhook(engine, body, signature, SETTINGS).action == "ignored"
    body, signature = signed({"type": 6, "shop_id": "9999", "data": {}})
    assert handle_webhook(engine, body, signature, SETTINGS).action == "ignored"
    with session_scope(engine) as session:
        assert get_connection(session, connected, "shop").status == "active"


def test_a_signed_but_malformed_body_is_refused(engine: Engine, connected: str) -> None:
    body = b'{"type": "six"}'
    signature = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()
    with pytest.raises(InvalidRequest, match="webhook body is not a"):
        handle_webhook(engine, body, signature, SETTINGS)
