import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.errors import ConfigError, MasterKeyError
from shopwarden.security.connections import get_connection, read_tokens, reset_vault_cache, store_tokens
from shopwarden.security.keys import rotate_master_key
from shopwarden.security.vault import Keyring, init_key_file, key_id_for


@pytest.fixture
def file_keyring(tmp_path, monkeypatch):
    key_file = tmp_path / "master.key"
    init_key_file(key_file)
    monkeypatch.delenv("SHOPWARDEN_MASTER_KEY")
    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY_FILE", str(key_file))
    get_settings.cache_clear()
    reset_vault_cache()
    return key_file


def _seed(engine, count: int) -> None:
    with session_scope(engine) as session:
        for i in range(count):
            session.add(Merchant(id=f"m-{i}"))
        session.flush()
        for i in range(count):
            store_tokens(session, Connection(merchant_id=f"m-{i}", platform="shop"),
                         access_token=f"access-{i}", refresh_token=f"refresh-{i}",
                         access_expires_at=datetime.now(UTC) + timedelta(hours=1), refresh_expires_at=None)


def test_rotation_rewraps_every_record_and_retires_the_old_key(engine, file_keyring) -> None:
    _seed(engine, 5)
    old_id = Keyring.from_file(file_keyring).primary_id
    result = rotate_master_key(get_settings(), engine)
    assert result.rewrapped == 5
    assert result.retired_key_ids == [old_id]
    keyring = Keyring.from_file(file_keyring)
    assert keyring.key_ids == [result.new_key_id]
    assert file_keyring.stat().st_mode & 0o777 == 0o600
    with session_scope(engine) as session:
        for i in range(5):
            row = get_connection(session, f"m-{i}", "shop")
            assert row.key_id == result.new_key_id
            assert read_tokens(row).access_token.get_secret_value() == f"access-{i}"


def test_old_key_alone_cannot_read_rotated_records(engine, file_keyring, monkeypatch) -> None:
    _seed(engine, 1)
    old_key = json.loads(file_keyring.read_text())["keys"][0]
    rotate_master_key(get_settings(), engine)
    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY", old_key)
    get_settings.cache_clear()
    reset_vault_cache()
    with session_scope(engine) as session, pytest.raises(MasterKeyError, match="not configured"):
        read_tokens(get_connection(session, "m-0", "shop"))


def test_interrupted_rotation_leaves_every_record_readable(engine, file_keyring, monkeypatch) -> None:
    _seed(engine, 3)
    import shopwarden.security.keys as keys

    def crash(_engine: object, _vault: object) -> int:
        raise RuntimeError("killed mid-rotation")

    monkeypatch.setattr(keys, "_rewrap_all", crash)
    with pytest.raises(RuntimeError):
        rotate_master_key(get_settings(), engine)
    reset_vault_cache()
    assert len(Keyring.from_file(file_keyring).key_ids) == 2  # old key still present
    with session_scope(engine) as session:
        assert read_tokens(get_connection(session, "m-2", "shop")).access_token.get_secret_value() == "access-2"


def test_env_key_rotation_requires_an_output_file(engine) -> None:
    with pytest.raises(ConfigError, match="--out"):
        rotate_master_key(get_settings(), engine)


def test_env_key_rotation_writes_new_keyring_file(engine, tmp_path, monkeypatch) -> None:
    _seed(engine, 2)
    out = tmp_path / "new.key"
    new_key = b"n" * 32
    result = rotate_master_key(get_settings(), engine, out=out, new_key=new_key)
    assert result.new_key_id == key_id_for(new_key)
    assert "SHOPWARDEN_MASTER_KEY_FILE" in result.instructions
    assert base64.b64encode(new_key).decode() not in result.instructions
    monkeypatch.delenv("SHOPWARDEN_MASTER_KEY")
    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY_FILE", str(out))
    get_settings.cache_clear()
    reset_vault_cache()
    with session_scope(engine) as session:
        assert read_tokens(get_connection(session, "m-1", "shop")).refresh_token.get_secret_value() == "refresh-1"
