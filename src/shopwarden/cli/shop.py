"""`shopwarden connect shop`, `disconnect shop`, and `sync catalog|orders` (TikTok Shop)."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from rich.markup import escape

from shopwarden.cli._common import console, get_engine, require_current_schema
from shopwarden.cli.connect import connect_app, disconnect_app
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope

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
    from shopwarden.security.connections import disconnect

    require_current_schema()
    with session_scope(get_engine()) as session:
        disconnect(session, merchant, "shop", reason="disconnected by the merchant")
    console.print(f"TikTok Shop disconnected for merchant {merchant}; its tokens are deleted")


def _sync_through_the_gate(merchant: str, tool: str, args: dict[str, Any]) -> Any:
    """Run a sync as a read through the gate (validated, tenancy-checked, audited); exit 1 when it fails."""
    from shopwarden.gate.calls import ToolCall
    from shopwarden.runtime import OPERATOR, build_runtime

    runtime = build_runtime()
    runtime.settings.require("shop_app_key")  # a configuration error is named before anything runs
    runtime.settings.require("shop_app_secret")
    result = asyncio.run(runtime.gate.call(ToolCall(tool=tool, args=args, agent_id=OPERATOR.id, merchant_id=merchant,
                                                    run_id=f"cli-{tool}")))
    if not result.ok:
        console.print(escape(f"{tool} {result.outcome.value}: " + "; ".join(result.reasons)), highlight=False)
        raise typer.Exit(1)
    return result.data


@sync_app.command("catalog")
def sync_catalog_command(
    merchant: str = typer.Option(..., help="Merchant id."),
    shop: str = typer.Option(None, help="Only this shop id."),
    full: bool = typer.Option(False, "--full", help="Re-read everything and forget products the platform "
                                                     "no longer lists (incremental syncs cannot see those)."),
) -> None:
    """Sync products and SKUs (stock per warehouse) of every authorized shop (through the gate, audited)."""
    require_current_schema()
    args: dict[str, Any] = {"full": full, **({"shop_id": shop} if shop else {})}
    report = _sync_through_the_gate(merchant, "sync_catalog", args)
    for item in report["shops"]:
        kind = "incremental" if item["incremental"] else "full"
        gone = f"; {item['removed']} no longer listed, removed" if item.get("removed") else ""
        console.print(f"shop {item['shop_id']}: {item['products']} products, {item['skus']} SKUs ({kind}{gone})",
                      highlight=False)
    console.print(f"done in {report['seconds']:.1f} s")


@sync_app.command("orders")
def sync_orders_command(
    merchant: str = typer.Option(..., help="Merchant id."),
    days: int = typer.Option(7, min=1, max=30, help="Orders updated in the last N days."),
) -> None:
    """Cache recent orders (lines, prices, status) for revenue attribution (through the gate, audited)."""
    require_current_schema()
    report = _sync_through_the_gate(merchant, "sync_orders", {"days": days})
    console.print(f"cached {report['orders']} orders from {report['shops']} shop(s)")


def register(app: typer.Typer) -> None:
    connect_app.command("shop")(connect_shop_command)
    disconnect_app.command("shop")(disconnect_shop_command)
    app.add_typer(sync_app, name="sync")
