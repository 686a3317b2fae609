"""`shopwarden data purge` and `shopwarden data delete`: the data-retention duties."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.markup import escape

from shopwarden.cli._common import console, get_engine, print_json, require_current_schema

data_app = typer.Typer(help="Cached TikTok data: retention purge and deletion on request.", no_args_is_help=True)
MAX_RETENTION_DAYS = 30  # the promise: cached TikTok data is never kept longer than this
Scope = Literal["all", "ads_cache", "orders_cache"]


@data_app.command("purge")
def purge(days: Annotated[int, typer.Option(min=1, max=MAX_RETENTION_DAYS, help=(
        "Delete cached data fetched more than this many days ago (at most 30: the retention promise)."))]
          = MAX_RETENTION_DAYS) -> None:
    """Delete cached performance and order data older than the retention period."""
    from datetime import timedelta

    from shopwarden.security.retention import purge_expired

    require_current_schema()
    report = purge_expired(get_engine(), retention=timedelta(days=days))
    console.print(f"purged {report.performance_rows} performance row(s) and {report.order_rows} order row(s) "
                  f"fetched more than {days} day(s) ago", highlight=False)


@data_app.command("delete")
def delete(
    merchant: Annotated[str, typer.Option(help="Merchant id.")],
    scope: Annotated[Scope, typer.Option(help="all (the merchant's deletion request: every cached TikTok record "
                                              "and the tokens) | ads_cache | orders_cache")] = "all",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Delete a merchant's TikTok data now (a merchant's deletion request); the audit log stays."""
    from shopwarden.cli._common import require_merchant
    from shopwarden.security.retention import delete_merchant_cache, delete_merchant_data

    require_current_schema()
    engine = get_engine()
    require_merchant(engine, merchant)
    if scope != "all":
        narrow = delete_merchant_cache(engine, merchant, scope)
        console.print(f"deleted {narrow.total} cached row(s) of merchant {escape(merchant)} ({scope})",
                      highlight=False)
        return
    report = delete_merchant_data(engine, merchant)
    if as_json:
        print_json({"request_id": report.request_id, "rows": report.rows, "tokens_deleted": report.tokens_deleted,
                    "composio_accounts_left": report.composio_accounts_left})
        return
    counts = ", ".join(f"{n} {name.removesuffix('_rows').replace('_', ' ')}" for name, n in report.rows.items())
    console.print(f"deletion request {report.request_id} for merchant {escape(merchant)} done: "
                  f"deleted {counts} record(s)", highlight=False)
    tokens = ", ".join(report.tokens_deleted) or "none held"
    console.print(f"tokens deleted: {tokens}; the audit log is kept (ids and redacted arguments only)",
                  highlight=False)
    for account in report.composio_accounts_left:
        console.print(f"the TikTok Ads account {escape(account)} is held at Composio: run `shopwarden disconnect "
                      f"ads --merchant {escape(merchant)}` to delete it there too", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
