"""`shopwarden connect shop`, `disconnect shop`, and `sync catalog|orders` (TikTok Shop)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopwarden.cli._common import console
from shopwarden.cli.connect import connect_app, disconnect_app
from shopwarden.config import get_settings
from shopwarden.connections import disconnect
from shopwarden.db.engine import get_engine, require_current_schema, session_scope

sync_app = typer.Typer(help="Copy TikTok Shop data into the local cache.", no_args_is_help=True)


def connect_shop_command(
    merchant: str = typer.Option(..., help="Merchant id."),
    code: str = typer.Option(None, help="The `code` the authorization callback received."),
    state: str = typer.Option(None, help="The `state` the authorization callback received."),
) -> None:
    """Print the TikTok Shop authorization link, or finish with the callback's --code and --state."""
    from shopwarden.platforms.shop import begin_authorization, complete_authorization
    from shopwarden.platforms.simulator.served_clock import clock_for

    require_current_schema()
    settings, engine = get_settings(), get_engine()
    if code is None and state is None:
        with session_scope(engine) as session:
            url = begin_authorization(session, merchant, settings)
        console.print(f"open this link to authorize TikTok Shop for merchant {merchant} (valid 10 minutes):")
        print(url)
        console.print(f"then run: shopwarden connect shop --merchant {merchant} --code <code> --state <state>",
                      soft_wrap=True, highlight=False)
        return
    if not code or not state:
        raise typer.BadParameter("give both --code and --state from the callback", param_hint="--code/--state")
    shops = asyncio.run(complete_authorization(engine, code, state, settings=settings,
                                               clock=clock_for(settings.simulator_url)))
    for shop in shops:
        console.print(f"connected shop {shop.shop_id} ({shop.name}, {shop.region})", highlight=False)


def disconnect_shop_command(merchant: str = typer.Option(..., help="Merchant id.")) -> None:
    """Forget the TikTok Shop connection and delete its tokens now."""
    require_current_schema()
    with session_scope(get_engine()) as session:
        disconnect(session, merchant, "shop", reason="disconnected by the merchant")
    console.print(f"TikTok Shop disconnected for merchant {merchant}; its tokens are deleted")


@sync_app.command("catalog")
def sync_catalog_command(
    merchant: str = typer.Option(..., help="Merchant id."),
    shop: str = typer.Option(None, help="Only this shop id."),
    full: bool = typer.Option(False, "--full", help="Re-read everything and forget products the platform "
                                                     "no longer lists (incremental syncs cannot see those)."),
) -> None:
    """Sync products and SKUs (stock per warehouse) of every authorized shop."""
    from shopwarden.platforms.shop import CatalogProgress, shop_client_for, sync_catalog
    from shopwarden.platforms.simulator.served_clock import clock_for

    require_current_schema()
    engine, settings = get_engine(), get_settings()

    async def run() -> None:
        client = shop_client_for(engine, merchant, settings, clock=clock_for(settings.simulator_url))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console) as bar:
                tasks: dict[str, int] = {}

                def on_progress(event: CatalogProgress) -> None:
                    if event.shop_id not in tasks:
                        tasks[event.shop_id] = bar.add_task(f"shop {event.shop_id}", total=event.products_total)
                    bar.update(tasks[event.shop_id], completed=event.products_done, total=event.products_total)

                report = await sync_catalog(engine, client, merchant, shop_id=shop, progress=on_progress,
                                            full=full)
        finally:
            await client.aclose()
        for item in report.shops:
            kind = "incremental" if item.incremental else "full"
            gone = f"; {item.removed} no longer listed, removed" if item.removed else ""
            console.print(f"shop {item.shop_id}: {item.products} products, {item.skus} SKUs ({kind}{gone})",
                          highlight=False)
        console.print(f"done in {report.seconds:.1f} s")

    asyncio.run(run())


@sync_app.command("orders")
def sync_orders_command(
    merchant: str = typer.Option(..., help="Merchant id."),
    days: int = typer.Option(7, min=1, max=30, help="Orders updated in the last N days."),
) -> None:
    """Cache recent orders (lines, prices, status) for revenue attribution."""
    from shopwarden.platforms.shop import shop_client_for, sync_orders
    from shopwarden.platforms.simulator.served_clock import clock_for

    require_current_schema()
    engine, settings = get_engine(), get_settings()

    async def run() -> None:
        client = shop_client_for(engine, merchant, settings, clock=clock_for(settings.simulator_url))
        try:
            report = await sync_orders(engine, client, merchant, since=client.clock() - timedelta(days=days))
        finally:
            await client.aclose()
        console.print(f"cached {report.orders} orders from {report.shops} shop(s)")

    asyncio.run(run())


def register(app: typer.Typer) -> None:
    connect_app.command("shop")(connect_shop_command)
    disconnect_app.command("shop")(disconnect_shop_command)
    app.add_typer(sync_app, name="sync")
