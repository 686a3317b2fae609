"""`shopwarden connect ads` and `shopwarden disconnect ads` (TikTok Ads through Composio, or --native)."""

from __future__ import annotations

import asyncio

import httpx
import typer
from rich.markup import escape

from shopwarden.cli._common import console, get_engine, require_current_schema
from shopwarden.cli.connect import connect_app, disconnect_app
from shopwarden.config import get_settings


def connect_ads(
    merchant: str = typer.Option(..., help="Merchant id (also the Composio user id)."),
    complete: bool = typer.Option(False, "--complete", help="Finish a connection the merchant has consented to."),
    advertiser: list[str] = typer.Option(None, "--advertiser", help="Advertiser id to verify (repeatable)."),
    account: str = typer.Option(None, help="Composio connected-account id (default: the one started here)."),
    callback_url: str = typer.Option(None, help="Where Composio sends the browser after consent."),
    wait: float = typer.Option(0, min=0, help="With --complete: seconds to wait for the consent to finish."),
    native: bool = typer.Option(False, "--native", help="Connect with your own TikTok Business app (no Composio)."),
    code: str = typer.Option(None, help="With --native: the auth_code TikTok's callback received."),
    state: str = typer.Option(None, help="With --native: the state TikTok's callback received."),
) -> None:
    """Start the TikTok Ads consent (prints the link), or --complete it and verify the ad account."""
    from shopwarden.platforms.ads import complete_ads_connection, start_ads_connection

    require_current_schema()
    settings, engine = get_settings(), get_engine()
    if native:
        _connect_native(merchant, code, state)
        return
    if not complete:
        started = start_ads_connection(engine, merchant, settings, callback_url=callback_url)
        console.print(f"open this link to authorize TikTok Ads for merchant {merchant}:")
        print(started.redirect_url or "(Composio returned no link)")
        console.print(f"then run: shopwarden connect ads --merchant {merchant} --complete --advertiser <id>")
        return
    if not advertiser:
        raise typer.BadParameter("give the advertiser id to verify", param_hint="--advertiser")
    details = asyncio.run(complete_ads_connection(engine, merchant, account, advertiser, settings=settings,
                                                  wait_seconds=wait))
    for advertiser_id, profile in details["advertisers"].items():
        console.print(escape(f"connected ad account {advertiser_id} ({profile['name']}): currency "
                             f"{profile['currency']}, time zone {profile['timezone']}"), highlight=False)


def _connect_native(merchant: str, code: str | None, state: str | None) -> None:
    from shopwarden.platforms.ads.native_oauth import begin_native_connection, complete_native_connection

    settings, engine = get_settings(), get_engine()
    if code is None and state is None:
        url = begin_native_connection(engine, merchant, settings)
        console.print(f"open this link to authorize TikTok Ads for merchant {merchant}:")
        print(url)
        console.print(f"then run: shopwarden connect ads --native --merchant {merchant} --code <auth_code> "
                      "--state <state>")
        return
    if not code or not state:
        raise typer.BadParameter("give both --code and --state from TikTok's callback", param_hint="--code")

    async def run() -> dict[str, object]:
        async with httpx.AsyncClient(timeout=30) as http:
            return await complete_native_connection(engine, code, state, settings=settings, http=http)

    details = asyncio.run(run())
    if details["merchant_id"] != merchant:
        console.print(f"[yellow]note: the state belonged to merchant {details['merchant_id']}[/yellow]")
    advertisers = details["advertisers"]
    assert isinstance(advertisers, dict)
    for advertiser_id, profile in advertisers.items():
        console.print(escape(f"connected ad account {advertiser_id} ({profile['name']}) natively: currency "
                             f"{profile['currency']}, time zone {profile['timezone']}"), highlight=False)


def disconnect_ads_command(
    merchant: str = typer.Option(..., help="Merchant id."),
    purge_cache: bool = typer.Option(False, "--purge-cache", help="Also delete cached ads metrics now."),
) -> None:
    """Delete the Composio connected account (or revoke a native token) and forget it here."""
    from shopwarden.platforms.ads import disconnect_ads

    require_current_schema()
    result = disconnect_ads(get_engine(), merchant, get_settings(), purge_cache=purge_cache)
    console.print(f"TikTok Ads disconnected for merchant {merchant}")
    if result.cached_rows_deleted is not None:
        console.print(f"deleted {result.cached_rows_deleted} cached performance row(s)")
    if not result.remote_deleted:
        reason = escape(result.remote_error or "")
        console.print(f"[red]the connected account could not be deleted at Composio:[/red] {reason}; "
                      "run this command again to retry", highlight=False)
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    connect_app.command("ads")(connect_ads)
    disconnect_app.command("ads")(disconnect_ads_command)
