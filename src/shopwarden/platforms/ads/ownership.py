"""One ad account, one merchant: the check both ways of connecting TikTok Ads (Composio and native
OAuth) run before they store a connection. The other merchant is never named (tenants never learn
about each other)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection
from shopwarden.errors import InvalidRequest

PLATFORM_KEY = "ads"


def advertisers_of_other_merchants(session: Session, merchant_id: str, advertiser_ids: Sequence[str]) -> list[str]:
    """The ids among `advertiser_ids` that a live connection of another merchant already names."""
    wanted = {str(a) for a in advertiser_ids}
    others = session.exec(select(Connection).where(Connection.platform == PLATFORM_KEY,
                                                   Connection.merchant_id != merchant_id,
                                                   Connection.status != "disconnected")).all()
    return sorted({a for other in others for a in (str(x) for x in (other.details or {}).get("advertiser_ids", []))
                   if a in wanted})


def refuse_taken(session: Session, merchant_id: str, advertiser_ids: Sequence[str], *, endpoint: str) -> None:
    """InvalidRequest when another merchant's connection names one of `advertiser_ids` (inside `session`)."""
    taken = advertisers_of_other_merchants(session, merchant_id, advertiser_ids)
    if taken:
        raise InvalidRequest(f"advertiser {taken[0]} is already connected to another merchant; an ad account "
                             "can belong to one merchant only", platform="tiktok_ads", endpoint=endpoint)


def refuse_advertisers_of_other_merchants(engine: Engine, merchant_id: str, advertiser_ids: Sequence[str], *,
                                          endpoint: str) -> None:
    """`refuse_taken` in a session of its own."""
    with session_scope(engine) as session:
        refuse_taken(session, merchant_id, advertiser_ids, endpoint=endpoint)
