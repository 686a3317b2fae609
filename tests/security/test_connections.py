from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, DeletionRequest
from shopwarden.errors import DecryptionError, NotFound
from shopwarden.security.connections import disconnect, get_connection, read_tokens, store_tokens

ACCESS, REFRESH = "ACCESS_TOKEN_VALUE_1", "REFRESH_TOKEN_VALUE_1"


def _connect(engine, merchant_id: str = "m-acme", platform: str = "shop") -> None:
    expiry = datetime.now(UTC) + timedelta(hours=4)
    with session_scope(engine) as session:
        connection = Connection(merchant_id=merchant_id, platform=platform)
        store_tokens(session, connection, access_token=ACCESS, refresh_token=REFRESH,
                     access_expires_at=expiry, refresh_expires_at=expiry + timedelta(days=30))


def test_tokens_are_encrypted_at_rest_and_read_back(engine, merchant) -> None:
    _connect(engine)
    with session_scope(engine) as session:
        row = get_connection(session, "m-acme", "shop")
        assert ACCESS not in (row.access_token_enc or "")
        assert REFRESH not in (row.refresh_token_enc or "")
        tokens = read_tokens(row)
    assert tokens.access_token.get_secret_value() == ACCESS
    assert tokens.refresh_token is not None and tokens.refresh_token.get_secret_value() == REFRESH
    assert ACCESS not in repr(tokens)
    assert tokens.access_expires_at is not None and tokens.access_expires_at.tzinfo is not None


def test_ciphertext_moved_between_rows_fails(engine, merchant) -> None:
    _connect(engine)
    with session_scope(engine) as session:
        row = get_connection(session, "m-acme", "shop")
        row.refresh_token_enc, row.access_token_enc = row.access_token_enc, row.refresh_token_enc
        with pytest.raises(DecryptionError):
            read_tokens(row)


def test_disconnect_deletes_tokens_in_the_same_transaction(engine, merchant) -> None:
    _connect(engine)
    with session_scope(engine) as session:
        disconnect(session, "m-acme", "shop", reason="merchant asked")
    with session_scope(engine) as session:
        row = get_connection(session, "m-acme", "shop")
        assert (row.status, row.access_token_enc, row.refresh_token_enc) == ("disconnected", None, None)
        request = session.exec(select(DeletionRequest)).one()
        assert (request.scope, request.status) == ("shop_tokens", "done")
        with pytest.raises(NotFound, match="has no tokens"):
            read_tokens(row)


def test_failed_disconnect_leaves_tokens_intact(engine, merchant) -> None:
    _connect(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        disconnect(session, "m-acme", "shop", reason="x")
        raise RuntimeError("crash before commit")
    with session_scope(engine) as session:
        row = get_connection(session, "m-acme", "shop")
        assert row.status == "active"
        assert read_tokens(row).access_token.get_secret_value() == ACCESS


def test_unknown_connection_is_not_found(engine, merchant) -> None:
    with session_scope(engine) as session, pytest.raises(NotFound, match="no ads connection"):
        get_connection(session, "m-acme", "ads")
