"""Master key rotation: re-wrap every stored token under a new master key.

Old records stay readable throughout: the keyring holds the old and the new key until
every record is re-wrapped; only then is the old key retired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection
from shopwarden.errors import ConfigError
from shopwarden.security.connections import reset_vault_cache
from shopwarden.security.vault import BoundTo, Keyring, Vault, load_keyring, new_master_key

BATCH_SIZE = 200


@dataclass
class RotationResult:
    new_key_id: str
    rewrapped: int
    retired_key_ids: list[str] = field(default_factory=list)
    instructions: str = ""


def rotate_master_key(settings: Settings, engine: Engine, out: Path | None = None, *,
                      new_key: bytes | None = None) -> RotationResult:
    from_env = settings.master_key is not None
    old = load_keyring(
        settings.master_key.get_secret_value() if settings.master_key else None,
        settings.effective_master_key_file,
    )
    if from_env and out is None:
        raise ConfigError("--out", "the master key comes from SHOPWARDEN_MASTER_KEY; give --out PATH "
                          "for the new key file")
    key_file = out if from_env else settings.effective_master_key_file
    assert key_file is not None
    new_key = new_key or new_master_key()
    during = old.with_primary(new_key)
    during.to_file(key_file)  # both keys on disk before any record changes

    vault = Vault(during)
    rewrapped = _rewrap_all(engine, vault)
    _rechain_audit(engine, during)

    final = during.only(during.primary_id)
    final.to_file(key_file)
    reset_vault_cache()
    retired = [k for k in old.key_ids if k != final.primary_id]
    instructions = ""
    if from_env:
        instructions = (
            f"The new key is in {key_file}. Set SHOPWARDEN_MASTER_KEY_FILE={key_file} and unset "
            "SHOPWARDEN_MASTER_KEY (or set SHOPWARDEN_MASTER_KEY to the key inside that file)."
        )
    return RotationResult(final.primary_id, rewrapped, retired, instructions)


def _rechain_audit(engine: Engine, during: Keyring) -> None:
    """The audit log is chained under keys derived from the master key: move it to the new one before the old
    key is retired. A chain that does not verify stops the rotation with both keys still on disk."""
    from shopwarden.audit.key import AuditKeys
    from shopwarden.audit.rekey import rekey

    refused = rekey(engine, AuditKeys(during)).refused
    if refused:
        raise ConfigError("audit log", "a chain does not verify, so it was not re-keyed and the old master key is "
                          f"kept (both keys are in the key file): {refused[0]}")


def _rewrap_all(engine: Engine, vault: Vault) -> int:
    """Re-wrap in batches, each its own transaction; a crash leaves every row readable."""
    count = 0
    last_id = 0
    while True:
        with session_scope(engine) as session:
            rows = session.exec(
                select(Connection)
                .where(col(Connection.id) > last_id)
                .order_by(col(Connection.id))
                .limit(BATCH_SIZE)
            ).all()
            if not rows:
                return count
            for row in rows:
                last_id = row.id or last_id
                changed = False
                for fname in ("access_token_enc", "refresh_token_enc"):
                    stored = getattr(row, fname)
                    if stored:
                        bound = BoundTo(row.merchant_id, row.platform, fname.removesuffix("_enc"))
                        setattr(row, fname, vault.rewrap(stored, bound))
                        changed = True
                if changed:
                    row.key_id = vault.keyring.primary_id
                    session.add(row)
                    count += 1


__all__ = ["Keyring", "RotationResult", "rotate_master_key"]
