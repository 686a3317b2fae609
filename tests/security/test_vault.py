import base64
import logging

import pytest

from shopwarden.errors import DecryptionError, MasterKeyError
from shopwarden.security.vault import BoundTo, Keyring, Vault, init_key_file, key_id_for, load_keyring, new_master_key

BOUND = BoundTo("m-1", "shop", "access_token")
TOKEN = "ROW_ACCESS_TOKEN_abc123"


@pytest.fixture
def vault() -> Vault:
    return Vault(Keyring([new_master_key()]))


def test_round_trip(vault: Vault) -> None:
    stored = vault.encrypt(TOKEN, BOUND)
    assert TOKEN not in stored
    assert vault.decrypt(stored, BOUND) == TOKEN


def test_each_record_gets_a_fresh_data_key_and_nonce(vault: Vault) -> None:
    assert vault.encrypt(TOKEN, BOUND) != vault.encrypt(TOKEN, BOUND)


@pytest.mark.parametrize(
    "other",
    [BoundTo("m-2", "shop", "access_token"), BoundTo("m-1", "ads", "access_token"),
     BoundTo("m-1", "shop", "refresh_token")],
)
def test_ciphertext_copied_to_another_record_does_not_decrypt(vault: Vault, other: BoundTo) -> None:
    stored = vault.encrypt(TOKEN, BOUND)
    with pytest.raises(DecryptionError, match="altered or belongs to another record"):
        vault.decrypt(stored, other)


def test_tampered_ciphertext_raises_without_leaking(vault: Vault) -> None:
    stored = vault.encrypt(TOKEN, BOUND)
    version, kid, wrapped, body = stored.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptionError) as info:
        vault.decrypt(".".join((version, kid, wrapped, flipped)), BOUND)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize("garbage", ["", "v1.only.three", "v2.a.b.c", "v1.kid.!!!.###"])
def test_unreadable_stored_form_is_a_clear_error(vault: Vault, garbage: str) -> None:
    with pytest.raises((DecryptionError, MasterKeyError)):
        vault.decrypt(garbage, BOUND)


def test_unknown_key_id_after_rotation_names_the_key() -> None:
    old, new = new_master_key(), new_master_key()
    stored = Vault(Keyring([new])).encrypt(TOKEN, BOUND)
    with pytest.raises(MasterKeyError, match=key_id_for(new)) as info:
        Vault(Keyring([old])).decrypt(stored, BOUND)
    assert base64.b64encode(new).decode() not in str(info.value)


def test_rewrap_moves_record_to_primary_key_and_keeps_plaintext() -> None:
    old, new = new_master_key(), new_master_key()
    stored = Vault(Keyring([old])).encrypt(TOKEN, BOUND)
    rotated = Vault(Keyring([old]).with_primary(new))
    rewrapped = rotated.rewrap(stored, BOUND)
    assert Vault.key_id_of(rewrapped) == key_id_for(new)
    assert Vault(Keyring([new])).decrypt(rewrapped, BOUND) == TOKEN


@pytest.mark.parametrize(
    ("value", "message"),
    [("not base64!!", "not valid base64"), (base64.b64encode(b"short").decode(), "must decode to 32 bytes")],
)
def test_malformed_master_key(value: str, message: str) -> None:
    with pytest.raises(MasterKeyError, match=message):
        Keyring.from_env_value(value)


def test_missing_master_key_file_says_how_to_create_one(tmp_path) -> None:
    with pytest.raises(MasterKeyError, match="shopwarden init"):
        load_keyring(None, tmp_path / "absent.key")


def test_key_file_is_created_owner_only_and_not_overwritten(tmp_path) -> None:
    path = tmp_path / "master.key"
    assert init_key_file(path) is True
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_text()
    assert init_key_file(path) is False
    assert path.read_text() == first
    assert Keyring.from_file(path).primary_id


def test_malformed_key_file(tmp_path) -> None:
    path = tmp_path / "master.key"
    path.write_text("{not json")
    with pytest.raises(MasterKeyError, match="malformed"):
        Keyring.from_file(path)


def test_vault_repr_and_logs_never_show_key_material(vault: Vault, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    stored = vault.encrypt(TOKEN, BOUND)
    vault.decrypt(stored, BOUND)
    assert "primary=" in repr(vault)
    for key_id in vault.keyring.key_ids:
        raw = vault.keyring.key(key_id)
        assert base64.b64encode(raw).decode() not in repr(vault)
    assert TOKEN not in caplog.text
