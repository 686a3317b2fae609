"""`shopwarden sandbox`: the simulator served over HTTP, the reviewer console, and a connected demo merchant.

One process serves both; the demo merchant is connected through the real TikTok Shop OAuth and
Composio consent code paths, answered by the simulator. The simulator's clock is the one clock:
the console runs on it directly, and CLI processes read it from `SHOPWARDEN_SIMULATOR_URL`, which
the env file written here sets along with every host (so every link points at the simulator).

(Meant for demo/ once the package is split into domain folders.)
"""

from __future__ import annotations

import asyncio
import shlex
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(".shopwarden-sandbox")
ENV_FILE = "env"


@dataclass(frozen=True)
class SandboxInfo:
    simulator_url: str
    console_url: str
    merchant_id: str
    reviewer: str
    reviewer_token: str
    env_file: Path
    clock: str
    shop_connected: bool
    advertiser_ids: list[str]


def cli_environment(simulator: Any, simulator_url: str, data_dir: Path, reviewer_token: str) -> dict[str, str]:
    """What a shell needs for `shopwarden ...` to act on the sandbox's data against its simulator."""
    return {
        **simulator.credentials.settings_env(simulator_url),
        "SHOPWARDEN_DATA_DIR": str(data_dir.resolve()),
        "SHOPWARDEN_MASTER_KEY_FILE": str((data_dir / "master.key").resolve()),
        "SHOPWARDEN_REVIEWER_TOKEN": reviewer_token,
    }


def write_env_file(path: Path, env: dict[str, str]) -> None:
    """`source`-able export lines (mode 0600: it holds the sandbox reviewer's token)."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    lines = [f"export {name}={shlex.quote(value)}" for name, value in sorted(env.items())]
    path.write_text("# shopwarden sandbox: `source` this file, then run shopwarden commands\n"
                    + "\n".join(lines) + "\n", encoding="utf-8")


async def prepare(*, data_dir: Path, scenario: str, seed: int, days: float, simulator_url: str) -> tuple[Any, Any,
                                                                                                        SandboxInfo]:
    """A fresh data dir, the simulator, the seeded merchant (connected), `days` of market history."""
    from shopwarden.api.auth import issue_token
    from shopwarden.db.engine import engine_for, upgrade
    from shopwarden.evals.setup import REVIEWER, point_settings_at, prepare_environment, seed_merchant
    from shopwarden.platforms.simulator import Simulator
    from shopwarden.platforms.simulator.scenario import find_scenario
    from shopwarden.runtime import build_runtime

    prepare_environment(data_dir)
    simulator = Simulator.from_scenario(find_scenario(scenario), seed=seed, skew_reference="virtual")
    simulator.serve_at(simulator_url)
    settings = point_settings_at(simulator, simulator.credentials.settings_env(simulator_url))
    upgrade(engine_for(settings.effective_database_url))
    runtime = build_runtime(settings, simulator=simulator)
    seeded = await seed_merchant(runtime, autonomy="guarded")
    if days > 0:
        simulator.advance(days=days)
    token = await asyncio.to_thread(issue_token, runtime.engine, seeded.merchant_id, REVIEWER)
    env_file = data_dir / ENV_FILE
    write_env_file(env_file, cli_environment(simulator, simulator_url, data_dir, token))
    info = SandboxInfo(simulator_url=simulator_url, console_url="", merchant_id=seeded.merchant_id,
                       reviewer=REVIEWER, reviewer_token=token, env_file=env_file,
                       clock=simulator.now().strftime("%Y-%m-%d %H:%M %Z"), shop_connected=seeded.shop_connected,
                       advertiser_ids=seeded.advertiser_ids)
    return simulator, runtime, info


async def serve(simulator: Any, runtime: Any, sockets: tuple[socket.socket, socket.socket],
                on_ready: Callable[[], None]) -> None:
    """Serve the simulator and the console until stopped; `on_ready` runs once both are listening."""
    from shopwarden.api import create_app
    from shopwarden.cli.serving import server_for

    sim_server = server_for(simulator.asgi_app())
    console_server = server_for(create_app(runtime.engine, lambda: runtime, runtime.settings))
    tasks = [asyncio.create_task(sim_server.serve(sockets=[sockets[0]])),
             asyncio.create_task(console_server.serve(sockets=[sockets[1]]))]
    while not (sim_server.started and console_server.started):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.02)
    else:
        on_ready()
    await asyncio.gather(*tasks)


def advance(simulator_url: str, days: float, hours: float = 0) -> str:
    """Move a served simulator's clock; returns its new time."""
    import httpx

    from shopwarden.errors import ConfigError

    try:
        answer = httpx.post(f"{simulator_url.rstrip('/')}/sim/advance", params={"days": days, "hours": hours},
                            timeout=60)
    except httpx.HTTPError as exc:
        raise ConfigError("SHOPWARDEN_SIMULATOR_URL", f"no simulator answers at {simulator_url} "
                                                      f"({type(exc).__name__}); is `shopwarden sandbox` "
                                                      "running?") from None
    if answer.status_code != 200:
        raise ConfigError("SHOPWARDEN_SIMULATOR_URL", f"the simulator refused: {answer.text[:200]}")
    return str(answer.json()["clock"])


def environment_lines(info: SandboxInfo) -> list[str]:
    return [f"source {shlex.quote(str(info.env_file))}",
            f"shopwarden merchant show {info.merchant_id}",
            f"shopwarden run --merchant {info.merchant_id}",
            "shopwarden approvals list --status pending",
            "shopwarden approvals approve <id>",
            "shopwarden sandbox advance --days 1"]
