"""`shopwarden serve` (reviewer API + page) and `shopwarden merchant reviewer token`."""

from __future__ import annotations

from typing import Annotated

import typer

from shopwarden.cli._common import console
from shopwarden.db.engine import get_engine, require_current_schema


def serve(host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535)] = 8000) -> None:
    """Serve the reviewer API and page; approved actions execute through the gate of this process."""
    import asyncio

    import uvicorn

    from shopwarden.api import create_app
    from shopwarden.jobs.recovering import recovering
    from shopwarden.runtime import build_runtime

    require_current_schema()
    runtime = build_runtime()
    server = uvicorn.Server(uvicorn.Config(create_app(get_engine(), lambda: runtime), host=host, port=port,
                                           log_level="info"))

    async def main() -> None:
        async with recovering(runtime.gate):  # at start and every minute: interrupted executions settle
            await server.serve()

    asyncio.run(main())


def reviewer_token(merchant_id: str, name: str) -> None:
    """Issue a new API/page token for an existing reviewer (printed once; only its hash is kept)."""
    from shopwarden.api.auth import issue_token

    require_current_schema()
    token = issue_token(get_engine(), merchant_id, name)
    console.print(f"token for {name} ({merchant_id}), shown once:")
    print(token)


def register(app: typer.Typer) -> None:
    from shopwarden.cli.merchant import reviewer_app

    app.command("serve")(serve)
    reviewer_app.command("token")(reviewer_token)
