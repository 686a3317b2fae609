"""`shopwarden sandbox` (serve simulator + console + a connected demo merchant) and `sandbox advance`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from shopwarden.cli._common import console

sandbox_app = typer.Typer(help="A sandbox to try shopwarden end to end against the simulator.",
                          invoke_without_command=True)


@sandbox_app.callback()
def sandbox(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the simulator.")] = 8765,
    console_port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the reviewer console.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    data_dir: Annotated[Path, typer.Option(help="Sandbox data dir (wiped at start).")] = Path(".shopwarden-sandbox"),
    scenario: Annotated[str, typer.Option(help="Scenario file, or the name of a shipped scenario.")] = "small_shop",
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 0,
    days: Annotated[float, typer.Option(min=0, max=60, help="Simulated days of market history before it opens.")]
    = 3,
) -> None:
    """Serve the simulator and the console with a demo merchant whose Shop and Ads are connected."""
    if ctx.invoked_subcommand is not None:
        return
    from shopwarden.cli.serving import bind
    from shopwarden.demo.sandbox import environment_lines, prepare, serve

    sockets = (bind(host, port, "--port"), bind(host, console_port, "--console-port"))
    simulator_url = f"http://{host}:{port}"
    with console.status("connecting the demo merchant's TikTok Shop (OAuth) and TikTok Ads (Composio)..."):
        simulator, runtime, info = asyncio.run(prepare(data_dir=data_dir, scenario=scenario, seed=seed, days=days,
                                                       simulator_url=simulator_url))
    console_url = f"http://{host}:{console_port}"

    def banner() -> None:
        shop = "connected" if info.shop_connected else "not connected"
        console.print(f"sandbox ready: simulated clock {info.clock} (scenario {escape(scenario)}, seed {seed})",
                      highlight=False)
        console.print(f"  simulator  {simulator_url}  (every authorization and consent link points here)",
                      highlight=False)
        console.print(f"  console    {console_url}/review  (sign in with the reviewer token)", highlight=False)
        console.print(f"  merchant   {info.merchant_id}: autonomy guarded, TikTok Shop {shop}, TikTok Ads "
                      f"advertiser(s) {', '.join(info.advertiser_ids)}", highlight=False)
        console.print(f"  reviewer   {info.reviewer}, token {info.reviewer_token}", highlight=False, markup=False)
        console.print("in another shell:", highlight=False)
        for line in environment_lines(info):
            console.print(f"  {line}", highlight=False, markup=False)
        console.print("Ctrl-C stops the sandbox", highlight=False)

    try:
        asyncio.run(serve(simulator, runtime, sockets, banner))
    except KeyboardInterrupt:
        console.print("sandbox stopped")


@sandbox_app.command("advance")
def advance_command(
    days: Annotated[float, typer.Option(min=0, max=60, help="Simulated days to move forward.")] = 1,
    hours: Annotated[float, typer.Option(min=0, max=24 * 60, help="And hours.")] = 0,
) -> None:
    """Move the served simulator's clock forward (each day that ends is simulated: sales, spend, stock)."""
    from shopwarden.config import get_settings
    from shopwarden.demo.sandbox import advance

    if days == 0 and hours == 0:
        raise typer.BadParameter("give --days or --hours greater than 0", param_hint="--days")
    url = get_settings().require("simulator_url")
    clock = advance(url, days, hours)
    console.print(f"simulated clock is now {clock}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
