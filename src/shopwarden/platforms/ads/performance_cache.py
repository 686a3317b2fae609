"""Our copy of daily ads metrics (`cached_performance`): written whole after a complete report.

Rows are replaced per (merchant, level, object, day); the 30-day purge and deletion on request
live in `shopwarden.retention`.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import CachedPerformance, utcnow
from shopwarden.platforms.ads.models import PerformanceReport


def store_report(engine: Engine, merchant_id: str, report: PerformanceReport) -> int:
    """Upsert every row of a complete report in one transaction; returns the rows written."""
    now = utcnow()
    with session_scope(engine) as session:
        for row in report.rows:
            cached = session.exec(select(CachedPerformance).where(
                CachedPerformance.merchant_id == merchant_id, CachedPerformance.level == report.level,
                CachedPerformance.object_id == row.object_id, CachedPerformance.stat_date == row.stat_date,
            )).first() or CachedPerformance(merchant_id=merchant_id, level=report.level, object_id=row.object_id,
                                            stat_date=row.stat_date, advertiser_id=report.advertiser_id)
            cached.advertiser_id = report.advertiser_id
            cached.spend = row.spend
            cached.impressions = row.impressions
            cached.clicks = row.clicks
            cached.conversions = row.conversions
            cached.conversion_value = row.conversion_value
            cached.fetched_at = now
            session.add(cached)
    return len(report.rows)
