"""`shopwarden data delete|purge` through the installed command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from installed_cli import shopwarden
from sqlmodel import select

from shopwarden.audit.chain import AuditEntry, record
from shopwarden.db.engine import session_scope
from shopwarden.db.models import (
    CachedOrder,
    CachedPerformance,
    Connection,
    DeletionRequest,
    Merchant,
    Product,
    Shop,
    Sku,
    SyncCursor,
    ToolExecution,
    utcnow,
)
from shopwarden.security.connections import store_tokens

TABLES = (CachedPerformance, CachedOrder, Sku, Product, Shop, SyncCursor)


def _seed(engine, merchant_id: str) -> None:
    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            session.add(Merchant(id=merchant_id, name=merchant_id))
            session.flush()
        session.add(Shop(merchant_id=merchant_id, shop_id="s1", cipher="cipher-1"))
        session.add(Product(merchant_id=merchant_id, shop_id="s1", product_id="p1", title="Glow Serum"))
        session.add(Sku(merchant_id=merchant_id, shop_id="s1", product_id="p1", sku_id="k1", stock={"w": 5}))
        session.add(SyncCursor(merchant_id=merchant_id, shop_id="s1", kind="catalog"))
        session.add(CachedOrder(merchant_id=merchant_id, shop_id="s1", order_id="o1"))
        session.add(CachedPerformance(merchant_id=merchant_id, advertiser_id="adv", level="campaign", object_id="c1",
                                      stat_date=date(2026, 11, 1), spend=Decimal("10.50")))
        shop = Connection(merchant_id=merchant_id, platform="shop")
        session.add(shop)
        session.flush()
        store_tokens(session, shop, access_token=f"tok-access-{merchant_id}",
                     refresh_token=f"tok-refresh-{merchant_id}", access_expires_at=utcnow() + timedelta(hours=1),
                     refresh_expires_at=None)
        session.add(Connection(merchant_id=merchant_id, platform="ads", external_account_id="ca_123",
                               details={"advertiser_ids": ["adv"]}))
    record(engine, AuditEntry(merchant_id=merchant_id, tool="list_shops", outcome="read"))


def _rows(engine, merchant_id: str) -> dict[str, int]:
    with session_scope(engine) as session:
        return {t.__tablename__: len(session.exec(select(t).where(t.merchant_id == merchant_id)).all())
                for t in TABLES}


def test_delete_removes_every_cached_record_and_the_tokens_and_keeps_the_audit(engine) -> None:
    _seed(engine, "m-acme")
    _seed(engine, "m-other")
    result = shopwarden("data", "delete", "--merchant", "m-acme", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == {"performance_rows": 1, "order_rows": 1, "sku_rows": 1, "product_rows": 1,
                              "shop_rows": 1, "sync_cursor_rows": 1}
    assert sorted(report["tokens_deleted"]) == ["ads", "shop"]
    assert report["composio_accounts_left"] == ["ca_123"]
    assert set(_rows(engine, "m-acme").values()) == {0}
    assert set(_rows(engine, "m-other").values()) == {1}  # another tenant is untouched
    with session_scope(engine) as session:
        links = session.exec(select(Connection).where(Connection.merchant_id == "m-acme")).all()
        assert {(c.platform, c.status, c.access_token_enc, c.refresh_token_enc) for c in links} == {
            ("shop", "disconnected", None, None), ("ads", "disconnected", None, None)}
        request = session.get(DeletionRequest, report["request_id"])
        assert request is not None and (request.scope, request.status) == ("all", "done")
        assert request.completed_at is not None and request.completed_at >= request.requested_at
        audit_rows = session.exec(select(ToolExecution).where(ToolExecution.merchant_id == "m-acme")).all()
        assert len(audit_rows) == 1
    assert shopwarden("audit", "verify", "--merchant", "m-acme").returncode == 0


def test_the_plain_report_names_what_went_and_what_is_left_at_composio(engine) -> None:
    _seed(engine, "m-acme")
    result = shopwarden("data", "delete", "--merchant", "m-acme")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "for merchant m-acme done: deleted 1 performance, 1 order, 1 sku, 1 product, 1 shop, 1 sync cursor" in out
    assert "tokens deleted: shop, ads" in out or "tokens deleted: ads, shop" in out
    assert "run `shopwarden disconnect ads --merchant m-acme` to delete it there too" in out


def test_an_unknown_merchant_is_a_clear_error_and_writes_nothing(engine, merchant) -> None:
    result = shopwarden("data", "delete", "--merchant", "nosuch")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: merchant nosuch does not exist (see `shopwarden merchant list`)"
    assert "Traceback" not in result.stderr
    with session_scope(engine) as session:
        assert session.exec(select(DeletionRequest)).all() == []


def test_purge_never_keeps_data_longer_than_30_days(engine, merchant) -> None:
    too_long = shopwarden("data", "purge", "--days", "31")
    assert too_long.returncode == 2
    assert "Invalid value for '--days': Input should be less than or equal to 30" in too_long.stderr
    with session_scope(engine) as session:
        session.add(CachedOrder(merchant_id="m-acme", shop_id="s", order_id="old",
                                fetched_at=utcnow() - timedelta(days=31)))
        session.add(CachedOrder(merchant_id="m-acme", shop_id="s", order_id="new"))
    purged = shopwarden("data", "purge")
    assert purged.returncode == 0, purged.stderr
    assert "purged 0 performance row(s) and 1 order row(s) fetched more than 30 day(s) ago" in purged.stdout
    with session_scope(engine) as session:
        assert [o.order_id for o in session.exec(select(CachedOrder)).all()] == ["new"]
