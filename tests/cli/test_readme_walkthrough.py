"""README.md's "Try it against the simulator" walk-through, run as written through the installed command.

`shopwarden sandbox` runs as a subprocess (on free ports); every `shopwarden ...` line between
the walkthrough markers then runs in order with the environment of the env file it wrote, and
must exit 0. Also: every setting is documented in README.md.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

from installed_cli import installed_script

from shopwarden.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def walkthrough_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- walkthrough:start -->", 1)[1].split("<!-- walkthrough:end -->", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(("```", "#"))]


def _env_from(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0] if value else ""
    return env


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [f"SHOPWARDEN_{name.upper()}" for name in Settings.model_fields
               if f"`SHOPWARDEN_{name.upper()}`" not in text]
    assert missing == []


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    commands = walkthrough_commands()
    assert commands[0] == "source .shopwarden-sandbox/env" and len(commands) >= 8
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")} | {"COLUMNS": "200"}
    sandbox = subprocess.Popen(
        [installed_script(), "sandbox", "--port", str(_free_port()), "--console-port", str(_free_port())],
        cwd=tmp_path, env=base_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        banner = ""
        assert sandbox.stdout is not None
        while "Ctrl-C stops the sandbox" not in banner:
            assert sandbox.poll() is None, f"the sandbox stopped: {sandbox.stderr.read() if sandbox.stderr else ''}"
            assert time.monotonic() < deadline, f"no banner within 120 s; so far: {banner}"
            banner += sandbox.stdout.readline()
        assert re.search(r"reviewer +dana, token swr_", banner)
        env = base_env | _env_from(tmp_path / ".shopwarden-sandbox" / "env")
        outputs: dict[str, str] = {}
        for command in commands[1:]:
            args = shlex.split(command)
            assert args[0] == "shopwarden", command
            done = subprocess.run([installed_script(), *args[1:]], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=180)
            assert done.returncode == 0, f"{command} exited {done.returncode}: {done.stderr or done.stdout}"
            outputs[command] = done.stdout
        assert "TikTok Shop: active" in outputs["shopwarden merchant show m_glow"]
        assert "refresh token" not in outputs["shopwarden sync catalog --merchant m_glow"]  # one clock
        assert "dry run: not sent, nothing queued" in outputs["shopwarden run --merchant m_glow --dry-run"]
        assert "pending" in outputs["shopwarden approvals list --status pending"]
        assert "approved by dana" in outputs["shopwarden approvals approve 1"]
        assert "executed" in outputs["shopwarden approvals approve 1"]
        assert "audit log intact" in outputs["shopwarden audit verify"]
    finally:
        os.killpg(sandbox.pid, signal.SIGTERM)
        sandbox.wait(timeout=20)
