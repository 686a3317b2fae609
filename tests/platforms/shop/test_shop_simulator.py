"""The same client against the simulator's transport: connect, catalog, orders, inventory, no special cases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, Sku
from shopwarden.platforms.shop import connect_shop, shop_client_for, sync_catalog, sync_orders
from shopwarden.platforms.simulator import Simulator


async def test_connect_sync_and_set_stock_against_the_simulator(engine: Engine, merchant: Merchant) -> None:
    sim = Simulator.from_scenario("small_shop")
    settings = Settings(**{k.removeprefix("SHOPWARDEN_").lower(): v for k, v in sim.credentials.settings_env().items()})
    seller = next(iter(sim.world.merchants))
    shops = await connect_shop(engine, merchant.id, sim.issue_auth_code(seller), settings=settings,
                               transport=sim.transport(), clock=sim.now)
    assert shops and all(s.cipher for s in shops)
    shop = shop_client_for(engine, merchant.id, settings, transport=sim.transport(), clock=sim.now)
    try:
        report = await sync_catalog(engine, shop, merchant.id)
        with session_scope(engine) as session:
            assert session.exec(select(func.count()).select_from(Sku)).one() == report.skus > 0
            sku = session.exec(select(Sku)).first()
        assert sku is not None
        warehouse = next(iter(sku.stock))
        others = [{"warehouse_id": w, "quantity": q} for w, q in sku.stock.items() if w != warehouse]
        await shop.update_inventory(sku.product_id, [{"id": sku.sku_id, "inventory": [
            {"warehouse_id": warehouse, "quantity": sku.stock[warehouse] + 3}, *others]}])
        product = await shop.get_product(sku.product_id)
        assert product.quantity(sku.sku_id, warehouse) == sku.stock[warehouse] + 3
        sim.advance(days=2)
        orders = await sync_orders(engine, shop, merchant.id, since=sim.now() - timedelta(days=3), until=sim.now())
        assert orders.shops == len(shops)
    finally:
        await shop.aclose()
