"""`shopwarden demo`: the product end to end against the in-process simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from shopwarden.cli._common import console


def demo(
    days: Annotated[int, typer.Option(min=1, max=30, help="Simulated days of growth cycles.")] = 3,
    data_dir: Annotated[Path, typer.Option(help="Demo data dir (wiped at start).")] = Path(".shopwarden-demo"),
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 42,
) -> None:
    """Seed a demo merchant against the simulator, run a few days of cycles, approve one action, verify the audit."""
    from shopwarden.demo.run import run_demo

    result = asyncio.run(run_demo(console, days=days, data_dir=data_dir, seed=seed))
    if not result.audit_ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
