"""`shopwarden sim serve`: the TikTok simulator over real HTTP, for people and plain scripts."""

from __future__ import annotations

from pathlib import Path

import typer

from shopwarden.cli._common import console

sim_app = typer.Typer(help="The TikTok simulator (Shop, Business API via Composio, creative sources).",
                      no_args_is_help=True)


@sim_app.command("serve")
def serve(
    port: int = typer.Option(8765, help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    scenario: str = typer.Option("small_shop", help="Scenario file, or the name of a shipped scenario."),
    seed: int = typer.Option(0, help="Random seed; the same scenario and seed give the same world."),
    clock: str = typer.Option("virtual", help="What Shop timestamps are checked against: 'virtual' (the "
                                              "simulator's clock, which shopwarden reads through "
                                              "SHOPWARDEN_SIMULATOR_URL) or 'wall' (a plain script's time.time())."),
) -> None:
    """Serve every simulated surface on one port; the path prefix picks the surface."""
    import asyncio

    from shopwarden.platforms.simulator.scenario import find_scenario, load_scenario

    if clock not in ("wall", "virtual"):
        raise typer.BadParameter("must be 'wall' or 'virtual'", param_hint="--clock")
    path = find_scenario(scenario)
    world = load_scenario(path)  # before the surfaces load: a wrong or broken file is a quick error

    from shopwarden.cli.serving import bind, server_for
    from shopwarden.platforms.simulator import Simulator

    simulator = Simulator(world, seed, skew_reference=clock)
    sock = bind(host, port)  # before the banner: a busy port is one error line, not a banner then a failure
    base = f"http://{host}:{port}"
    simulator.serve_at(base)
    console.print(f"simulating [bold]{simulator.scenario.name}[/bold] ({path}) at {base}", highlight=False)
    console.print("point shopwarden at it with (secrets are in the scenario file):", highlight=False)
    for name, value in simulator.credentials.settings_env(base).items():
        shown = value if not name.endswith(("SECRET", "API_KEY", "TOKEN")) else "<from the scenario>"
        console.print(f"  {name}={shown}", highlight=False, markup=False)
    try:
        asyncio.run(server_for(simulator.asgi_app()).serve(sockets=[sock]))
    except KeyboardInterrupt:
        console.print("stopped")


@sim_app.command("snapshot")
def snapshot(
    state: Path | None = typer.Option(None, help="A saved simulator state file (default: "
                                                 "SHOPWARDEN_SIMULATOR_STATE, which `make demo`'s env file sets)."),
) -> None:
    """The saved simulator's whole state as JSON (campaigns, stock, tokens, clock), as later processes left it."""
    from shopwarden.cli._common import print_json
    from shopwarden.config import get_settings
    from shopwarden.errors import ConfigError
    from shopwarden.platforms.simulator import Simulator

    path = state or get_settings().simulator_state
    if path is None:
        raise ConfigError("SHOPWARDEN_SIMULATOR_STATE", "is not set (source the env file `make demo` writes, "
                                                        "or pass --state FILE)")
    print_json(Simulator.from_saved(path).snapshot())


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="sim")
