"""Token encryption at rest: AES-256-GCM envelope encryption.

Every record gets a fresh 256-bit data key. The data key encrypts the token; the
merchant's master key wraps the data key. Both steps use associated data that names
the record (merchant, platform, field), so a ciphertext copied into another row, or a
wrapped key moved between records, fails to decrypt.

Stored form (one ASCII string): ``v1.<key id>.<wrapped data key>.<ciphertext>`` with
urlsafe-base64 parts, each part starting with its 12-byte nonce.

Master keys come from SHOPWARDEN_MASTER_KEY (base64; a comma-separated list during a
rotation, the first is primary) or from a key file created by ``shopwarden init``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shopwarden.errors import DecryptionError, MasterKeyError

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12


@dataclass(frozen=True)
class BoundTo:
    """What a ciphertext belongs to; used as AES-GCM associated data."""

    merchant_id: str
    platform: str
    field: str

    def aad(self, key_id: str, layer: str) -> bytes:
        return "|".join(
            ("shopwarden", FORMAT_VERSION, layer, key_id, self.merchant_id, self.platform, self.field)
        ).encode()


def key_id_for(key: bytes) -> str:
    """A short, stable identifier of a master key (not reversible to the key)."""
    return hashlib.sha256(b"shopwarden-key-id" + key).hexdigest()[:12]


def decode_master_key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError("master key is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise MasterKeyError(f"master key must decode to {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def new_master_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class Keyring:
    """Master keys by id; one is primary (used to wrap new data keys)."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise MasterKeyError("no master key configured (set SHOPWARDEN_MASTER_KEY or run `shopwarden init`)")
        self._keys = {key_id_for(k): k for k in keys}
        self.primary_id = key_id_for(keys[0])

    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def key(self, key_id: str) -> bytes:
        try:
            return self._keys[key_id]
        except KeyError:
            raise MasterKeyError(
                f"record was encrypted under master key {key_id}, which is not configured "
                "(wrong key, or a rotation used a key that is no longer present)"
            ) from None

    @classmethod
    def from_env_value(cls, value: str) -> Keyring:
        return cls([decode_master_key(part) for part in value.split(",") if part.strip()])

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        if not path.exists():
            raise MasterKeyError(f"master key file {path} does not exist (run `shopwarden init`)")
        try:
            content = json.loads(path.read_text())
            keys = [decode_master_key(k) for k in content["keys"]]
        except (ValueError, KeyError, TypeError):
            raise MasterKeyError(f"master key file {path} is malformed") from None
        return cls(keys)

    def to_file(self, path: Path) -> None:
        """Write the keyring (primary first) atomically with 0600 permissions."""
        path.parent.mkdir(parents=True, exist_ok=True)
        ordered = [self._keys[self.primary_id]] + [
            k for kid, k in self._keys.items() if kid != self.primary_id
        ]
        payload = json.dumps({"keys": [base64.b64encode(k).decode() for k in ordered]})
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(payload)
        os.replace(tmp, path)
        os.chmod(path, 0o600)

    def with_primary(self, key: bytes) -> Keyring:
        return Keyring([key, *self._keys.values()])

    def only(self, key_id: str) -> Keyring:
        return Keyring([self.key(key_id)])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise DecryptionError("ciphertext is truncated")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError(
            "ciphertext failed authentication: it was altered or belongs to another record"
        ) from None


class Vault:
    """Encrypts and decrypts tokens bound to their record."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def __repr__(self) -> str:
        return f"Vault(primary={self.keyring.primary_id}, keys={len(self.keyring.key_ids)})"

    def encrypt(self, plaintext: str, bound_to: BoundTo) -> str:
        key_id = self.keyring.primary_id
        data_key = secrets.token_bytes(KEY_BYTES)
        body = _seal(data_key, plaintext.encode(), bound_to.aad(key_id, "data"))
        wrapped = _seal(self.keyring.key(key_id), data_key, bound_to.aad(key_id, "wrap"))
        return ".".join((FORMAT_VERSION, key_id, _b64(wrapped), _b64(body)))

    def decrypt(self, stored: str, bound_to: BoundTo) -> str:
        key_id, wrapped, body = self._parse(stored)
        data_key = _open(self.keyring.key(key_id), wrapped, bound_to.aad(key_id, "wrap"))
        return _open(data_key, body, bound_to.aad(key_id, "data")).decode()

    def rewrap(self, stored: str, bound_to: BoundTo) -> str:
        """Re-wrap the data key under the primary master key; the token body is untouched."""
        key_id, wrapped, body = self._parse(stored)
        new_id = self.keyring.primary_id
        if key_id == new_id:
            return stored
        data_key = _open(self.keyring.key(key_id), wrapped, bound_to.aad(key_id, "wrap"))
        # The body's AAD names the key id it was created under, so re-seal it too.
        plaintext = _open(data_key, body, bound_to.aad(key_id, "data"))
        new_data_key = secrets.token_bytes(KEY_BYTES)
        new_body = _seal(new_data_key, plaintext, bound_to.aad(new_id, "data"))
        new_wrapped = _seal(self.keyring.key(new_id), new_data_key, bound_to.aad(new_id, "wrap"))
        return ".".join((FORMAT_VERSION, new_id, _b64(new_wrapped), _b64(new_body)))

    @staticmethod
    def key_id_of(stored: str) -> str:
        return Vault._parse(stored)[0]

    @staticmethod
    def _parse(stored: str) -> tuple[str, bytes, bytes]:
        parts = stored.split(".") if isinstance(stored, str) else []
        if len(parts) != 4 or parts[0] != FORMAT_VERSION:
            raise DecryptionError("stored token is not in a format this version can read")
        try:
            return parts[1], _unb64(parts[2]), _unb64(parts[3])
        except (binascii.Error, ValueError):
            raise DecryptionError("stored token is not valid base64") from None


def load_keyring(master_key: str | None, key_file: Path) -> Keyring:
    """The keyring from the environment value if set, else from the key file."""
    if master_key:
        return Keyring.from_env_value(master_key)
    return Keyring.from_file(key_file)


def init_key_file(path: Path) -> bool:
    """Create a key file with a new master key; False if one already exists."""
    if path.exists():
        return False
    Keyring([new_master_key()]).to_file(path)
    return True
