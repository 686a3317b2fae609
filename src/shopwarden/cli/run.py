"""`shopwarden run` (one growth cycle now, or resume a paused one) and `shopwarden schedule`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from shopwarden.cli._common import console, get_engine, print_json, require_current_schema, require_merchant


def run(
    merchant: Annotated[str | None, typer.Option("--merchant", "-m", help="Merchant id.")] = None,
    resume: Annotated[str | None, typer.Option(help="Resume this paused cycle (run id) instead.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and propose only: no change is sent to a "
                                                            "platform and nothing is queued for approval.")] = False,
) -> None:
    """Run one growth cycle for a merchant now and print what ran, what waits and what was refused."""
    from shopwarden.agents import deps_from_runtime, resume_cycle, run_cycle
    from shopwarden.agents.render import print_summary
    from shopwarden.runtime import build_runtime

    if (merchant is None) == (resume is None):
        raise typer.BadParameter("give either --merchant (a new cycle) or --resume RUN_ID")
    require_current_schema()
    if merchant is not None:
        require_merchant(get_engine(), merchant)  # else the cycle's claim fails and reads "has already run"
    deps = deps_from_runtime(build_runtime())
    if dry_run:
        from shopwarden.agents.dry_run import dry_run_gate

        if resume is not None:
            raise typer.BadParameter("a paused cycle cannot be resumed as a dry run", param_hint="--dry-run")
        deps.gate = dry_run_gate(deps.gate)
    if resume is not None:
        summary = asyncio.run(resume_cycle(deps, resume))
    else:
        assert merchant is not None
        summary = asyncio.run(run_cycle(deps, merchant))
    if as_json:
        print_json(summary.model_dump(mode="json"))
    else:
        print_summary(console, summary)


def schedule(
    tick: Annotated[float, typer.Option(help="Seconds between schedule checks.")] = 60.0,
    once: Annotated[bool, typer.Option(help="Run what is due now, then exit.")] = False,
    anchor_dir: Annotated[Path | None, typer.Option(help="Write a signed audit anchor into this directory "
                                                         "(storage the database's writers cannot change).")] = None,
    anchor_every: Annotated[float, typer.Option(help="Hours between audit anchors.", min=0.01)] = 24.0,
) -> None:
    """Run every merchant's growth cycles on their schedules, in this process."""
    from shopwarden.agents import deps_from_runtime
    from shopwarden.agents.render import print_summary
    from shopwarden.jobs.recovering import recover_now, recovering
    from shopwarden.jobs.runners import sole_kind_of_runner
    from shopwarden.jobs.scheduler import run_due, run_forever
    from shopwarden.runtime import build_runtime

    runtime = build_runtime()
    deps = deps_from_runtime(runtime)
    if once:
        async def due_now() -> list:
            async with sole_kind_of_runner(runtime.engine, "schedule"):
                _print_recovered(await recover_now(runtime.gate))
                return await run_due(deps, runtime.clock())

        for summary in asyncio.run(due_now()):
            print_summary(console, summary)
        return
    console.print(f"checking schedules every {tick:g}s; Ctrl-C to stop")

    async def forever() -> None:
        stop_anchoring = asyncio.Event()
        anchoring = None
        if anchor_dir is not None:
            from shopwarden.audit.anchoring import keep_anchoring

            anchoring = asyncio.create_task(keep_anchoring(runtime.engine, anchor_dir, stop_anchoring,
                                                           every_seconds=anchor_every * 3600))
        try:
            # at start and every minute: interrupted executions settle
            async with sole_kind_of_runner(runtime.engine, "schedule"), recovering(runtime.gate):
                await run_forever(deps, runtime.clock, tick_seconds=tick,
                                  on_summary=lambda s: print_summary(console, s))
        finally:
            stop_anchoring.set()
            if anchoring is not None:
                await anchoring

    try:
        asyncio.run(forever())
    except KeyboardInterrupt:
        console.print("stopped")


def _print_recovered(results: list) -> None:
    for result in results:
        console.print(escape(f"recovered approval {result.approval_id} ({result.tool}): {result.outcome.value} — "
                             + "; ".join(result.reasons)), highlight=False)


def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs this worker runs at once.")] = 4,
) -> None:
    """Run growth cycles and approved actions as procrastinate jobs on PostgreSQL (start as many as needed)."""
    from shopwarden.agents import deps_from_runtime
    from shopwarden.agents.checkpoint import postgres_conninfo
    from shopwarden.errors import ConfigError
    from shopwarden.jobs.worker import build_app, ensure_schema, worker_options
    from shopwarden.runtime import build_runtime

    runtime = build_runtime()
    conninfo = postgres_conninfo(runtime.engine)
    if conninfo is None:
        raise ConfigError("SHOPWARDEN_DATABASE_URL", "the worker needs PostgreSQL; use `shopwarden schedule` "
                                                     "for a single process on SQLite")
    app = build_app(conninfo, lambda: deps_from_runtime(runtime), clock=runtime.clock)

    async def main() -> None:
        from shopwarden.jobs.recovering import recovering
        from shopwarden.jobs.runners import sole_kind_of_runner
        from shopwarden.jobs.stalled import keep_retrying_stalled

        stop = asyncio.Event()
        async with sole_kind_of_runner(runtime.engine, "worker"):
            if await ensure_schema(app):
                console.print("applied the procrastinate schema")
            async with app.open_async(), recovering(runtime.gate):
                # Jobs a killed worker left `doing` go back to the queue (procrastinate never does it itself).
                stalled = asyncio.create_task(keep_retrying_stalled(app, stop))
                try:
                    await app.run_worker_async(**worker_options(concurrency))
                finally:
                    stop.set()
                    await stalled

    asyncio.run(main())


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("schedule")(schedule)
    app.command("worker")(worker)
