"""Stored platform connections: tokens through the vault, disconnect deletes them at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from pydantic import SecretStr
from sqlmodel import Session, select

from shopwarden.config import get_settings
from shopwarden.db.models import Connection, DeletionRequest, utcnow
from shopwarden.errors import NotFound
from shopwarden.security.redaction import register_secret
from shopwarden.security.vault import BoundTo, Vault, load_keyring


@lru_cache(maxsize=4)
def _vault_for(master_key: str | None, key_file: str) -> Vault:
    from pathlib import Path

    return Vault(load_keyring(master_key, Path(key_file)))


def get_vault() -> Vault:
    """The vault configured by SHOPWARDEN_MASTER_KEY or the local key file."""
    settings = get_settings()
    master = settings.master_key.get_secret_value() if settings.master_key else None
    return _vault_for(master, str(settings.effective_master_key_file))


def reset_vault_cache() -> None:
    _vault_for.cache_clear()


@dataclass(frozen=True)
class Tokens:
    access_token: SecretStr
    refresh_token: SecretStr | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None


def _bound(connection: Connection, field: str) -> BoundTo:
    return BoundTo(connection.merchant_id, connection.platform, field)


def get_connection(session: Session, merchant_id: str, platform: str) -> Connection:
    connection = session.exec(
        select(Connection).where(Connection.merchant_id == merchant_id, Connection.platform == platform)
    ).first()
    if connection is None:
        raise NotFound(f"merchant {merchant_id} has no {platform} connection")
    return connection


def store_tokens(
    session: Session,
    connection: Connection,
    *,
    access_token: str,
    refresh_token: str | None,
    access_expires_at: datetime | None,
    refresh_expires_at: datetime | None,
    vault: Vault | None = None,
) -> None:
    """Encrypt and set both tokens on the connection (the caller's transaction commits)."""
    vault = vault or get_vault()
    register_secret(access_token)
    register_secret(refresh_token)
    connection.access_token_enc = vault.encrypt(access_token, _bound(connection, "access_token"))
    connection.refresh_token_enc = (
        vault.encrypt(refresh_token, _bound(connection, "refresh_token")) if refresh_token else None
    )
    connection.key_id = vault.keyring.primary_id
    connection.access_expires_at = access_expires_at
    connection.refresh_expires_at = refresh_expires_at
    _set_status(session, connection, "active", None)


def read_tokens(connection: Connection, vault: Vault | None = None) -> Tokens:
    vault = vault or get_vault()
    if connection.access_token_enc is None:
        raise NotFound(f"{connection.platform} connection of merchant {connection.merchant_id} has no tokens")
    access = vault.decrypt(connection.access_token_enc, _bound(connection, "access_token"))
    refresh = (
        vault.decrypt(connection.refresh_token_enc, _bound(connection, "refresh_token"))
        if connection.refresh_token_enc
        else None
    )
    register_secret(access)
    register_secret(refresh)
    return Tokens(
        access_token=SecretStr(access),
        refresh_token=SecretStr(refresh) if refresh is not None else None,
        access_expires_at=connection.access_expires_at,
        refresh_expires_at=connection.refresh_expires_at,
    )


def disconnect(session: Session, merchant_id: str, platform: str, *, reason: str) -> Connection:
    """Mark the connection disconnected and delete its tokens in the same transaction."""
    connection = get_connection(session, merchant_id, platform)
    connection.access_token_enc = None
    connection.refresh_token_enc = None
    connection.key_id = None
    connection.access_expires_at = None
    connection.refresh_expires_at = None
    _set_status(session, connection, "disconnected", reason)
    now = utcnow()
    session.add(
        DeletionRequest(
            merchant_id=merchant_id,
            scope=f"{platform}_tokens",
            status="done",
            requested_at=now,
            completed_at=now,
            detail={"reason": reason},
        )
    )
    return connection


def mark_needs_reauth(session: Session, connection: Connection, reason: str) -> None:
    _set_status(session, connection, "needs_reauth", reason)


def _set_status(session: Session, connection: Connection, status: str, reason: str | None) -> None:
    """Every change to a connection bumps its version, which concurrent token refreshes compare against."""
    connection.status = status
    connection.status_reason = reason
    connection.version += 1
    connection.updated_at = utcnow()
    session.add(connection)
