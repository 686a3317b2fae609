"""Without SHOPWARDEN_REVIEWER_TOKEN, `approvals approve|reject` ask for the token on the terminal, hidden.

Driven through the installed console script on a real pseudo-terminal (stdlib `pty`: the child gets it as
its controlling terminal, as in a person's shell), against the demo's data and its saved simulator, so a
right token really approves and executes.
"""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from installed_cli import installed_script
from rich.console import Console

from shopwarden.demo.run import run_demo

PROMPT = b"reviewer token:"


@pytest.fixture
def demo_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The demo's data and saved simulator; the environment its env file gives, minus the reviewer token."""
    saved = dict(os.environ)
    try:
        import asyncio

        asyncio.run(run_demo(Console(file=io.StringIO(), width=200), days=2, data_dir=tmp_path / "demo"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")} | {"COLUMNS": "200"}
    for line in (tmp_path / "demo" / "env").read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'")
    env["DEMO_TOKEN"] = env.pop("SHOPWARDEN_REVIEWER_TOKEN")
    yield env


def _read_until(fd: int, wanted: bytes, seen: bytearray, deadline: float) -> None:
    while wanted not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {wanted!r} on the terminal; it showed {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen.extend(os.read(fd, 4096))
            except OSError:  # the child closed the terminal
                raise AssertionError(f"no {wanted!r} on the terminal; it showed {bytes(seen)!r}") from None


def _on_a_terminal(args: list[str], env: dict[str, str], typed: str, timeout: float = 240) -> tuple[int, str]:
    """Run `shopwarden ARGS` with a pty as its controlling terminal; type `typed` once input is hidden."""
    pid, master = pty.fork()
    if pid == 0:  # the child: its stdin, stdout, stderr and /dev/tty are the pty's slave side
        os.execve(args[0], args, env)
    deadline = time.monotonic() + timeout
    seen = bytearray()
    try:
        _read_until(master, PROMPT, seen, deadline)
        # The prompt is printed just before echo is switched off: type only once the terminal no longer echoes.
        while termios.tcgetattr(master)[3] & termios.ECHO:
            if time.monotonic() > deadline:
                raise AssertionError("the terminal still echoes at the token prompt")
            time.sleep(0.02)
        os.write(master, typed.encode() + b"\n")
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if time.monotonic() > deadline:
                raise AssertionError(f"still running; the terminal showed {bytes(seen)!r}")
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child exited and the slave side closed
                    break
                if not chunk:
                    break
                seen.extend(chunk)
    finally:
        os.close(master)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def _pending(env: dict[str, str]) -> dict:
    listed = subprocess.run([installed_script(), "approvals", "list", "--status", "pending", "--json"], env=env,
                            capture_output=True, text=True, timeout=240, check=False)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)[0]


def test_the_token_is_asked_for_hidden_a_wrong_one_exits_1_and_a_right_one_approves(demo_env: dict[str, str]):
    script = installed_script()
    token = demo_env.pop("DEMO_TOKEN")
    leftover = _pending(demo_env)

    wrong = "swr_" + "x" * 40
    code, screen = _on_a_terminal([script, "approvals", "approve", str(leftover["id"])], demo_env, wrong)
    assert code == 1, screen
    assert "the reviewer token is not valid" in screen
    assert wrong not in screen  # not echoed
    assert _pending(demo_env)["id"] == leftover["id"]  # nothing was decided

    code, screen = _on_a_terminal([script, "approvals", "approve", str(leftover["id"])], demo_env, token)
    assert code == 0, screen
    assert token not in screen
    flat = " ".join(screen.split())
    assert f"approval {leftover['id']} approved by dana" in flat and f"{leftover['tool']}: executed" in flat
    shown = subprocess.run([script, "approvals", "show", str(leftover["id"])], env=demo_env, capture_output=True,
                           text=True, timeout=240, check=False)
    assert json.loads(shown.stdout)["status"] == "executed"


def test_reject_asks_for_the_token_too(demo_env: dict[str, str]):
    script = installed_script()
    token = demo_env.pop("DEMO_TOKEN")
    leftover = _pending(demo_env)
    code, screen = _on_a_terminal([script, "approvals", "reject", str(leftover["id"]), "--reason", "not now"],
                                  demo_env, token)
    assert code == 0, screen
    assert token not in screen and f"approval {leftover['id']} rejected by dana" in " ".join(screen.split())
