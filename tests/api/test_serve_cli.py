"""`shopwarden serve --demo` through the front door: the installed command, real HTTP, the demo's simulator."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from browser_support import free_port

pytestmark = pytest.mark.slow
# The installed console script beside this interpreter (the venv's), else `python -m shopwarden`.
_SCRIPT = Path(sys.executable).parent / "shopwarden"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "shopwarden"]


def test_serve_demo_signs_in_and_approves_on_the_simulator(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as out:
        process = subprocess.Popen([*COMMAND, "serve", "--demo", "--port", str(port), "--data-dir",
                                    str(tmp_path / "demo")], stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path,
                                   env=env)
    try:
        tokens: dict[str, str] = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(tokens) < 2:
            tokens = dict(re.findall(r"^  (?:owner|reviewer) +(\w+): (swr_[\w-]+)$", log.read_text(), re.M))
            assert process.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {tokens['dana']}"}
        pending = httpx.get(f"{base}/api/approvals", params={"status": "pending"}, headers=auth).json()
        # What the demo leaves waiting depends on the strategy: a budget change, an enable or a launch.
        budget = min(pending, key=lambda a: ("update_budget", "enable_ads").index(a["tool"])
                     if a["tool"] in ("update_budget", "enable_ads") else 2)
        done = httpx.post(f"{base}/api/approvals/{budget['id']}/approve", headers=auth, json={"note": "ok"},
                          timeout=30).json()
        assert done["approval"]["status"] == "executed", done
        if budget["tool"] == "update_budget":
            assert done["result"]["data"]["budget"] == budget["args"]["budget"]
        assert httpx.post(f"{base}/api/approvals/{budget['id']}/approve", headers=auth).status_code == 409
        signin = httpx.get(f"{base}/signin")
        assert "Reviewer token" in signin.text and "HttpOnly" in signin.headers["set-cookie"]
        assert "owner" in log.read_text() and tokens["olivia"].startswith("swr_")
    finally:
        process.terminate()
        process.wait(15)
    assert "Traceback" not in log.read_text()
