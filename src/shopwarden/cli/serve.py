"""`shopwarden serve` (console + JSON API) and `shopwarden merchant reviewer token`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from shopwarden.cli._common import console, get_engine, require_current_schema

DEMO_OWNER = "olivia"


def serve(host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
          demo: Annotated[bool, typer.Option(help="Run the demo first (fresh data dir, built-in simulator) and "
                                                  "serve its merchant; approved actions run on the simulator.")]
          = False,
          data_dir: Annotated[Path, typer.Option(help="Demo data dir (with --demo; wiped at start).")]
          = Path(".shopwarden-demo")) -> None:
    """Serve the console (/signin) and the JSON API (/docs); approved actions execute through this process's gate."""
    import uvicorn

    from shopwarden.api import create_app

    if demo:
        asyncio.run(_serve_demo(host, port, data_dir))
        return
    from shopwarden.jobs.recovering import recovering
    from shopwarden.runtime import build_runtime

    require_current_schema()
    runtime = build_runtime()
    server = uvicorn.Server(uvicorn.Config(create_app(get_engine(), lambda: runtime), host=host, port=port,
                                           log_level="info"))
    console.print(f"console: http://{host}:{port}/signin  ·  API docs: http://{host}:{port}/docs")

    async def main() -> None:
        async with recovering(runtime.gate):  # at start and every minute: interrupted executions settle
            await server.serve()

    asyncio.run(main())


async def _serve_demo(host: str, port: int, data_dir: Path) -> None:
    """The demo and the console in one event loop, so the demo's in-memory simulator stays alive."""
    import uvicorn

    from shopwarden.api import create_app
    from shopwarden.api.auth import issue_token
    from shopwarden.demo.run import run_demo
    from shopwarden.evals.setup import REVIEWER

    result = await run_demo(console, data_dir=data_dir)
    engine = get_engine()
    owner = issue_token(engine, result.merchant_id, DEMO_OWNER, role="owner")
    reviewer = issue_token(engine, result.merchant_id, REVIEWER)
    console.rule("console")
    console.print(f"open http://{host}:{port}/signin and paste a token (shown once, stored hashed):")
    print(f"  owner    {DEMO_OWNER}: {owner}")
    print(f"  reviewer {REVIEWER}: {reviewer}")
    server = uvicorn.Server(uvicorn.Config(create_app(engine, lambda: result.runtime), host=host, port=port,
                                           log_level="info"))
    await server.serve()


def reviewer_token(merchant_id: str, name: str) -> None:
    """Issue a new API/console token for an existing reviewer (printed once; only its hash is kept)."""
    from shopwarden.api.auth import issue_token

    require_current_schema()
    token = issue_token(get_engine(), merchant_id, name)
    console.print(f"token for {name} ({merchant_id}), shown once:")
    print(token)


def reviewer_grant(
    merchant_id: str, name: str,
    same_person_as: Annotated[str, typer.Option(help="MERCHANT:NAME of the person's existing reviewer entry.")],
    role: Annotated[str, typer.Option(help="reviewer | owner | viewer")] = "reviewer",
) -> None:
    """Give a person who already reviews for another merchant a role here too (one sign-in, switchable)."""
    from sqlmodel import select

    from shopwarden.api.auth import grant_role
    from shopwarden.db.engine import session_scope
    from shopwarden.db.models import Reviewer
    from shopwarden.errors import NotFound

    require_current_schema()
    other_merchant, _, other_name = same_person_as.partition(":")
    engine = get_engine()
    with session_scope(engine) as session:
        row = session.exec(select(Reviewer).where(Reviewer.merchant_id == other_merchant,
                                                  Reviewer.name == other_name)).first()
        if row is None:
            raise NotFound(f"{other_name or '?'} is not a reviewer of merchant {other_merchant or '?'}")
        if row.person_id is None:
            import secrets

            row.person_id = secrets.token_hex(16)
            session.add(row)
        person = row.person_id
    grant_role(engine, person, merchant_id, name, role)
    console.print(f"{other_name} ({other_merchant}) is now also {role} of {merchant_id} as {name}; "
                  "their token signs them in to both")


def register(app: typer.Typer) -> None:
    from shopwarden.cli.merchant import reviewer_app

    app.command("serve")(serve)
    reviewer_app.command("token")(reviewer_token)
    reviewer_app.command("grant")(reviewer_grant)
