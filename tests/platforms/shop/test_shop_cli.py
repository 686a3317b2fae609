"""`shopwarden connect shop`, `disconnect shop` and the `sync` group."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from shop_fakes import APP_KEY, APP_SECRET, NOW
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from shopwarden.cli import app
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, OAuthState
from shopwarden.errors import ConfigError
from shopwarden.security.connections import get_connection, store_tokens

runner = CliRunner()


@pytest.fixture
def shop_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPWARDEN_SHOP_APP_KEY", APP_KEY)
    monkeypatch.setenv("SHOPWARDEN_SHOP_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("SHOPWARDEN_SHOP_SERVICE_ID", "svc-7300")
    get_settings.cache_clear()


def test_connect_prints_the_authorization_link(engine: Engine, merchant: Merchant, shop_settings: None) -> None:
    result = runner.invoke(app, ["connect", "shop", "--merchant", merchant.id])
    assert result.exit_code == 0, result.output
    url = next(line for line in result.output.splitlines() if line.startswith("https://"))
    state = parse_qs(urlsplit(url).query)["state"][0]
    assert "service_id=svc-7300" in url
    with session_scope(engine) as session:
        assert session.get(OAuthState, state) is not None
    assert f"shopwarden connect shop --merchant {merchant.id} --code <code> --state <state>" in result.output


def test_connect_without_the_service_id_names_the_variable(engine: Engine, merchant: Merchant) -> None:
    result = runner.invoke(app, ["connect", "shop", "--merchant", merchant.id])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception) == "SHOPWARDEN_SHOP_SERVICE_ID: is not set"


def test_code_without_state_is_a_usage_error(engine: Engine, merchant: Merchant, shop_settings: None) -> None:
    result = runner.invoke(app, ["connect", "shop", "--merchant", merchant.id, "--code", "abc"])
    assert result.exit_code == 2
    assert "give both --code and --state" in result.output


def test_disconnect_deletes_the_tokens(engine: Engine, merchant: Merchant) -> None:
    with session_scope(engine) as session:
        store_tokens(session, Connection(merchant_id=merchant.id, platform="shop"), access_token="acc-token-1",
                     refresh_token="ref-token-1", access_expires_at=NOW + timedelta(days=1), refresh_expires_at=None)
    result = runner.invoke(app, ["disconnect", "shop", "--merchant", merchant.id])
    assert result.exit_code == 0, result.output
    assert "its tokens are deleted" in result.output
    with session_scope(engine) as session:
        connection = get_connection(session, merchant.id, "shop")
        assert (connection.status, connection.access_token_enc, connection.refresh_token_enc) == (
            "disconnected", None, None)


def test_sync_catalog_without_app_key_names_the_variable(engine: Engine, merchant: Merchant) -> None:
    result = runner.invoke(app, ["sync", "catalog", "--merchant", merchant.id])
    assert isinstance(result.exception, ConfigError)
    assert "SHOPWARDEN_SHOP_APP_KEY" in str(result.exception)
