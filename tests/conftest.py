"""Shared fixtures: isolated settings, and the same tests on SQLite and the real PostgreSQL.

Integration tests skip when a service is missing on a laptop; under CI=true they fail.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from shopwarden.config import get_settings
from shopwarden.db.engine import engine_for, make_engine, upgrade
from shopwarden.db.models import Merchant
from shopwarden.security.connections import reset_vault_cache

IN_CI = os.environ.get("CI") == "true"
PG_SERVER_URL = os.environ.get("SHOPWARDEN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_MASTER_KEY = base64.b64encode(b"k" * 32).decode()


def require_service(available: bool, what: str) -> None:
    """Skip on a laptop without the service; fail under CI=true, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} not available")


def _clear_caches() -> None:
    get_settings.cache_clear()
    reset_vault_cache()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SHOPWARDEN_") and name != "SHOPWARDEN_TEST_PG_URL":
            monkeypatch.delenv(name)
    for name in ("COMPOSIO_API_KEY", "COMPOSIO_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOPWARDEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY", TEST_MASTER_KEY)
    _clear_caches()
    yield
    _clear_caches()


def _pg_server_available() -> bool:
    try:
        with psycopg.connect(PG_SERVER_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run, migrated to head."""
    require_service(_pg_server_available(), f"PostgreSQL at {PG_SERVER_URL}")
    name = f"shopwarden_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(make_engine(url))
    yield url
    engine_for.cache_clear()
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(url: str) -> None:
    from sqlmodel import SQLModel

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine_for(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPWARDEN_DATABASE_URL", url)
    get_settings.cache_clear()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "shopwarden.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    _use_database(url, monkeypatch)
    return url


@pytest.fixture
def pg_url(pg_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    _truncate_all(pg_database)
    _use_database(pg_database, monkeypatch)
    yield pg_database


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on the real local PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def engine(db_url: str):
    return engine_for(db_url)


@pytest.fixture
def merchant(engine) -> Merchant:
    from shopwarden.db.engine import session_scope

    with session_scope(engine) as session:
        m = Merchant(id="m-acme", name="Acme Outdoor", autonomy="guarded", limits={})
        session.add(m)
    return m
