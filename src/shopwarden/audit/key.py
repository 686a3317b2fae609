"""The audit keys: HMAC keys for the audit chain and its anchors, never stored in the database.

Each master key of the vault's keyring gives, through HKDF-SHA256 with a purpose label of
its own, one key for chaining `tool_executions` rows and one for signing anchors. A row
records the id of the master key it was chained under (the vault's key id, a one-way
fingerprint), so a rotation works like the vault's: rows chained under an older key verify
while that key is still in the keyring, and `audit rekey` re-chains them under the primary.
Someone who can write the database but does not hold the master key cannot compute a row
hash, so they cannot re-hash a chain after editing it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shopwarden.errors import MasterKeyError
from shopwarden.security.vault import Keyring

_SALT = b"shopwarden audit"
CHAIN_PURPOSE = b"tool_executions chain v1"
ANCHOR_PURPOSE = b"audit anchor signature v1"


@lru_cache(maxsize=32)
def _derive(master_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose).derive(master_key)


@dataclass(frozen=True)
class AuditKeys:
    """The keyring's audit keys; `primary_id` chains new rows."""

    keyring: Keyring

    @property
    def primary_id(self) -> str:
        return self.keyring.primary_id

    def has(self, key_id: str) -> bool:
        return key_id in self.keyring.key_ids

    def chain_key(self, key_id: str) -> bytes:
        return self._key(key_id, CHAIN_PURPOSE)

    def anchor_key(self, key_id: str) -> bytes:
        return self._key(key_id, ANCHOR_PURPOSE)

    def _key(self, key_id: str, purpose: bytes) -> bytes:
        try:
            return _derive(self.keyring.key(key_id), purpose)
        except MasterKeyError:
            raise MasterKeyError(f"audit key {key_id} is not configured: the master key it derives from is not "
                                 "in the keyring (retired, or a different key is set)") from None


def mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def current_audit_keys() -> AuditKeys:
    """The audit keys of the configured master key source (SHOPWARDEN_MASTER_KEY or the key file)."""
    from shopwarden.security.connections import get_vault

    return AuditKeys(get_vault().keyring)
