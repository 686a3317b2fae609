"""`shopwarden data purge` and `shopwarden data delete`: the data-retention duties."""

from __future__ import annotations

import typer

from shopwarden.cli._common import console
from shopwarden.db.engine import get_engine, require_current_schema
from shopwarden.security.retention import delete_merchant_cache, purge_expired

data_app = typer.Typer(help="Cached TikTok data: retention purge and deletion on request.", no_args_is_help=True)


@data_app.command("purge")
def purge(days: int = typer.Option(30, min=1, help="Delete cached data fetched more than this many days ago.")) -> None:
    """Delete cached performance and order data older than the retention period."""
    from datetime import timedelta

    require_current_schema()
    report = purge_expired(get_engine(), retention=timedelta(days=days))
    console.print(f"purged {report.performance_rows} performance row(s) and {report.order_rows} order row(s)")


@data_app.command("delete")
def delete(
    merchant: str = typer.Option(..., help="Merchant id."),
    scope: str = typer.Option("all_cached", help="ads_cache | orders_cache | all_cached"),
) -> None:
    """Delete a merchant's cached TikTok data now (a merchant's deletion request)."""
    if scope not in ("ads_cache", "orders_cache", "all_cached"):
        raise typer.BadParameter("scope must be ads_cache, orders_cache or all_cached", param_hint="--scope")
    require_current_schema()
    report = delete_merchant_cache(get_engine(), merchant, scope)  # type: ignore[arg-type]
    console.print(f"deleted {report.total} cached row(s) of merchant {merchant} ({scope})")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
