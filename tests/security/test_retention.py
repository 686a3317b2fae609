from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import CachedOrder, CachedPerformance, DeletionRequest, Merchant, utcnow
from shopwarden.security.retention import delete_merchant_cache, purge_expired


def _cache(engine, merchant_id: str, age_days: int, n: int) -> None:
    fetched = utcnow() - timedelta(days=age_days)
    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            session.add(Merchant(id=merchant_id))
            session.flush()
        for i in range(n):
            session.add(CachedPerformance(
                merchant_id=merchant_id, advertiser_id="adv", level="campaign", object_id=f"c{age_days}-{i}",
                stat_date=date(2026, 11, 1), spend=Decimal("10.50"), fetched_at=fetched))
            session.add(CachedOrder(merchant_id=merchant_id, shop_id="s", order_id=f"o{age_days}-{i}",
                                    fetched_at=fetched))


def _counts(engine, merchant_id: str) -> tuple[int, int]:
    with session_scope(engine) as session:
        perf = session.exec(select(CachedPerformance).where(CachedPerformance.merchant_id == merchant_id)).all()
        orders = session.exec(select(CachedOrder).where(CachedOrder.merchant_id == merchant_id)).all()
        return len(perf), len(orders)


def test_purge_removes_only_rows_older_than_30_days(engine) -> None:
    _cache(engine, "m-1", age_days=31, n=2)
    _cache(engine, "m-1", age_days=29, n=3)
    report = purge_expired(engine)
    assert (report.performance_rows, report.order_rows) == (2, 2)
    assert _counts(engine, "m-1") == (3, 3)


def test_delete_on_request_touches_only_that_merchant_and_is_recorded(engine) -> None:
    _cache(engine, "m-1", age_days=1, n=2)
    _cache(engine, "m-2", age_days=1, n=4)
    report = delete_merchant_cache(engine, "m-1", "ads_cache")
    assert (report.performance_rows, report.order_rows) == (2, 0)
    assert _counts(engine, "m-1") == (0, 2)
    assert _counts(engine, "m-2") == (4, 4)
    with session_scope(engine) as session:
        request = session.exec(select(DeletionRequest)).one()
    assert (request.merchant_id, request.scope, request.status) == ("m-1", "ads_cache", "done")
    assert request.completed_at is not None
    assert request.detail == {"performance_rows": 2, "order_rows": 0}
