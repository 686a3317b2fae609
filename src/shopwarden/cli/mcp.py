"""`shopwarden mcp` (stdio, or streamable HTTP with --http) and `shopwarden mcp client add|list|revoke`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from shopwarden.cli._common import console, get_engine, print_json, require_current_schema
from shopwarden.domain.vocabulary import AutonomyLiteral
from shopwarden.policy.stricter import TIGHTENABLE

mcp_app = typer.Typer(help="The MCP server: shopwarden's guarded tools for outside agents.",
                      invoke_without_command=True)
client_app = typer.Typer(help="MCP clients: one merchant's agents, their tools, limits and tokens.",
                         no_args_is_help=True)


@mcp_app.callback()
def run(ctx: typer.Context,
        http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdio.")] = False,
        host: Annotated[str, typer.Option(help="Interface to bind (--http).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port (--http).")] = 8765) -> None:
    """Serve MCP. stdio: the client is named by SHOPWARDEN_MCP_CLIENT_ID and SHOPWARDEN_MCP_TOKEN.
    HTTP: every request carries `Authorization: Bearer <token>`."""
    if ctx.invoked_subcommand is not None:
        return
    require_current_schema()
    if http:
        import uvicorn

        from shopwarden.mcp.http import standalone_app

        console.print(f"MCP over streamable HTTP at http://{host}:{port}/mcp/", highlight=False)
        from shopwarden.runtime import build_runtime

        uvicorn.run(standalone_app(build_runtime), host=host, port=port, log_level="warning")
        return
    import anyio

    from shopwarden.mcp.service import McpService
    from shopwarden.mcp.stdio import client_from_environment, serve_stdio
    from shopwarden.runtime import build_runtime

    client = client_from_environment(get_engine())  # before anything else: a bad token never starts a server
    anyio.run(serve_stdio, McpService(build_runtime()), client)


@client_app.command("add")
def add(merchant_id: str, name: str,
        tools: Annotated[str, typer.Option(help="Comma-separated tools this client may use.")],
        calls_per_minute: Annotated[int, typer.Option(min=1, max=100_000)] = 60,
        daily_calls: Annotated[int, typer.Option(min=1, max=10_000_000)] = 1000,
        max_arg_bytes: Annotated[int, typer.Option(min=64, max=1_048_576)] = 16384,
        max_budget_change_pct: Annotated[str | None, typer.Option(
            help="% a budget may rise above its start-of-day value without approval, for this client "
                 "(daily_budget_change_pct; only a value below the merchant's has an effect).")] = None,
        hard_budget_change_pct: Annotated[str | None, typer.Option(
            help="% rise above which this client's change is refused (only a value below the merchant's counts).")
        ] = None,
        max_daily_increase: Annotated[str | None, typer.Option(
            help="Total daily budget increase per account for this client (account_daily_increase_max; "
                 "only a value below the merchant's counts).")] = None,
        limit: Annotated[list[str] | None, typer.Option(
            "--limit", help=f"NAME=VALUE for any limit a client can carry ({', '.join(sorted(TIGHTENABLE))}); "
                            "repeatable. Only a value stricter than the merchant's has an effect.")] = None,
        autonomy: Annotated[AutonomyLiteral | None, typer.Option(
            help="The most autonomy this client gets (observe < suggest < guarded); the merchant's level "
                 "applies when it is lower.")] = None) -> None:
    """Register an MCP client of MERCHANT_ID; its id and token are printed once (only the hash is kept).
    Its own limits can only make the merchant's stricter for it, never looser."""
    from shopwarden.mcp.clients import add_client
    from shopwarden.tools import registry

    own = {name: raw for name, raw in (("daily_budget_change_pct", max_budget_change_pct),
                                      ("hard_budget_change_pct", hard_budget_change_pct),
                                      ("account_daily_increase_max", max_daily_increase)) if raw is not None}
    for pair in limit or []:
        limit_name, sep, raw = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair[:60]!r} is not NAME=VALUE", param_hint="--limit")
        own[limit_name.strip()] = raw
    require_current_schema()
    issued = add_client(get_engine(), merchant_id, name, [t.strip() for t in tools.split(",") if t.strip()],
                        known_tools=registry(), calls_per_minute=calls_per_minute, daily_calls=daily_calls,
                        max_arg_bytes=max_arg_bytes, policy_limits=own, max_autonomy=autonomy)
    console.print(f"MCP client {name} of {merchant_id}; put these in the client's configuration "
                  "(the token is shown once):", highlight=False)
    print(f"SHOPWARDEN_MCP_CLIENT_ID={issued.client.id}")
    print(f"SHOPWARDEN_MCP_TOKEN={issued.token}")


def _own_limits(row: dict[str, Any]) -> str:
    own = [f"{key}={value}" for key, value in sorted((row.get("policy_limits") or {}).items())]
    if row.get("max_autonomy"):
        own.append(f"autonomy<={row['max_autonomy']}")
    return f"  own limits: {', '.join(own)}" if own else ""


@client_app.command("list")
def list_(merchant_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The merchant's MCP clients (never their tokens), with their own limits."""
    from shopwarden.mcp.clients import list_clients

    require_current_schema()
    rows = [row.model_dump(mode="json", exclude={"token_hash", "minute_started_ms", "calls_this_minute"})
            for row in list_clients(get_engine(), merchant_id)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"{row['id']}  {row['name']}  {row['status']}  tools={','.join(row['tools'])}  "
                      f"{row['calls_per_minute']}/min {row['daily_calls']}/day{_own_limits(row)}", highlight=False,
                      soft_wrap=True)


@client_app.command("revoke")
def revoke(merchant_id: str, client_id: str) -> None:
    """Revoke a client: its token stops working at once."""
    from shopwarden.mcp.clients import revoke_client

    require_current_schema()
    revoke_client(get_engine(), merchant_id, client_id)
    console.print(f"MCP client {client_id} of {merchant_id} revoked", highlight=False)


def register(app: typer.Typer) -> None:
    mcp_app.add_typer(client_app, name="client")
    app.add_typer(mcp_app, name="mcp")
