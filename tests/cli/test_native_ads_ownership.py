"""`shopwarden connect ads --native` refuses an ad account another merchant already holds, exactly as
`connect ads` through Composio does: run as the installed console script against a served simulator,
with two merchants whose TikTok consent grants the same advertiser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from installed_cli import shopwarden
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import engine_for, session_scope
from shopwarden.db.models import Connection, Merchant, OAuthState
from shopwarden.platforms.ads.native_oauth import begin_native_connection
from shopwarden.platforms.simulator import Simulator
from shopwarden.security.connections import disconnect

SMALL_SHOP = Path(__file__).resolve().parents[2] / "evals" / "scenarios" / "small_shop.yaml"
ADVERTISER = "7000000000000000001"
SIM_MERCHANT = "m_glow"  # the TikTok user who consents; both of our merchants use that one login


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator.from_scenario(SMALL_SHOP, seed=0)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    sim.serve_at(base)
    server = uvicorn.Server(uvicorn.Config(sim.asgi_app(), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the simulator did not start within 10 seconds")
        time.sleep(0.02)
    yield sim, base
    server.should_exit = True
    thread.join(timeout=10)


def _env(sim: Simulator, base: str, sqlite_url: str) -> dict[str, str]:
    return {**sim.credentials.settings_env(base), "SHOPWARDEN_DATABASE_URL": sqlite_url}


def _consent(env: dict[str, str], merchant: str) -> tuple[str, str]:
    """Start the native flow for `merchant` (as `connect ads --native` without --code does; that command's
    output is tested in test_setup_commands) and click 'Authorize' as the simulated TikTok user."""
    settings = Settings(ads_app_id=env["SHOPWARDEN_ADS_APP_ID"], ads_app_secret=env["SHOPWARDEN_ADS_APP_SECRET"],
                        ads_redirect_uri=env["SHOPWARDEN_ADS_REDIRECT_URI"],
                        ads_authorize_base=env["SHOPWARDEN_ADS_AUTHORIZE_BASE"])
    url = begin_native_connection(engine_for(env["SHOPWARDEN_DATABASE_URL"]), merchant, settings)
    answer = httpx.get(f"{url}&merchant={SIM_MERCHANT}", follow_redirects=False, timeout=10)
    assert answer.status_code == 302
    callback = parse_qs(urlsplit(answer.headers["location"]).query)
    return callback["auth_code"][0], callback["state"][0]


def _complete(env: dict[str, str], merchant: str, code: str, state: str) -> tuple[int, str]:
    done = shopwarden("connect", "ads", "--native", "--merchant", merchant, "--code", code, "--state", state, env=env)
    return done.returncode, done.stdout + done.stderr


def _finish(env: dict[str, str], merchant: str) -> tuple[int, str]:
    return _complete(env, merchant, *_consent(env, merchant))


def _ads_connection(env: dict[str, str], merchant: str) -> tuple[str, list[str], bool] | None:
    engine = engine_for(env["SHOPWARDEN_DATABASE_URL"])
    with session_scope(engine) as session:
        row = session.exec(select(Connection).where(Connection.merchant_id == merchant,
                                                    Connection.platform == "ads")).first()
        if row is None:
            return None
        return row.status, list((row.details or {}).get("advertiser_ids", [])), row.access_token_enc is not None


def _merchants(env: dict[str, str], *ids: str) -> None:
    with session_scope(engine_for(env["SHOPWARDEN_DATABASE_URL"])) as session:
        for merchant in ids:
            session.add(Merchant(id=merchant, name=merchant))


def test_a_second_merchant_cannot_connect_natively_an_advertiser_the_first_holds(
        served: tuple[Simulator, str], sqlite_url: str) -> None:
    sim, base = served
    env = _env(sim, base, sqlite_url)
    _merchants(env, "m-one", "m-two")

    first, said = _finish(env, "m-one")
    assert first == 0, said
    assert f"connected ad account {ADVERTISER}" in said
    assert _ads_connection(env, "m-one") == ("active", [ADVERTISER], True)

    code, state = _consent(env, "m-two")
    second, said = _complete(env, "m-two", code, state)
    assert second == 1, said  # a refused request (exit code 1), not a crash
    assert f"advertiser {ADVERTISER} is already connected to another merchant" in said
    assert "m-one" not in said  # the other tenant is not named
    assert "Traceback" not in said
    assert _ads_connection(env, "m-two") is None  # nothing stored, no token in the vault
    assert sim.world.native_ads_tokens  # m-one's token was not revoked by m-two's refusal
    assert not any(r.path.endswith("/oauth2/revoke_token/") for r in sim.requests)
    with session_scope(engine_for(sqlite_url)) as session:
        assert session.get(OAuthState, state).used_at is not None  # type: ignore[union-attr]  # the state is spent

    # Once the first merchant lets the account go, the second may take it.
    with session_scope(engine_for(sqlite_url)) as session:
        disconnect(session, "m-one", "ads", reason="test: the first merchant let the account go")
    again, said = _finish(env, "m-two")
    assert again == 0, said
    assert _ads_connection(env, "m-two") == ("active", [ADVERTISER], True)


def test_a_composio_connection_blocks_a_native_one_for_the_same_advertiser(
        served: tuple[Simulator, str], sqlite_url: str) -> None:
    sim, base = served
    env = _env(sim, base, sqlite_url)
    _merchants(env, "m-one", "m-two")
    with session_scope(engine_for(sqlite_url)) as session:  # what `connect ads` through Composio leaves behind
        session.add(Connection(merchant_id="m-one", platform="ads", status="active", external_account_id="ca_1",
                               details={"advertiser_ids": [ADVERTISER]}))
    refused, said = _finish(env, "m-two")
    assert refused == 1 and f"advertiser {ADVERTISER} is already connected to another merchant" in said
    assert _ads_connection(env, "m-two") is None
