"""The merchant's authorized shops in our table (id, name, region, cipher)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from shopwarden.db.models import Shop
from shopwarden.platforms.shop.models import AuthorizedShop


def replace_shops(session: Session, merchant_id: str, shops: list[AuthorizedShop]) -> list[Shop]:
    """Upsert the authorized shops and forget the ones the seller no longer authorizes."""
    existing = {s.shop_id: s for s in session.exec(select(Shop).where(Shop.merchant_id == merchant_id))}
    stored: list[Shop] = []
    for shop in shops:
        row = existing.pop(shop.id, None) or Shop(merchant_id=merchant_id, shop_id=shop.id, cipher=shop.cipher)
        row.name, row.region, row.cipher = shop.name, shop.region, shop.cipher
        row.code, row.seller_type = shop.code, shop.seller_type
        session.add(row)
        stored.append(row)
    if existing:
        stale = [s.id for s in existing.values()]
        session.exec(delete(Shop).where(col(Shop.id).in_(stale)))
    session.flush()
    return stored
