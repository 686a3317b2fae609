"""Test servers and browser support: an ASGI app served by uvicorn in a thread on a free port (the console
here, `shopwarden serve`'s app and the simulator in tests/mcp), Debian's Chromium, a stranger's page."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

CHROMIUM = Path(os.environ.get("SHOPWARDEN_TEST_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI") == "true"
SHOTS = Path(os.environ.get("SHOPWARDEN_SCREENSHOTS", "/tmp/shopwarden-console-shots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if IN_CI:
        pytest.fail(f"{CHROMIUM} is required under CI=true (apt-get install chromium)", pytrace=False)
    pytest.skip("Debian chromium not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def serve_command(command: Sequence[str], env: dict[str, str], probe: str, log: Path,
                  timeout: float = 180) -> Iterator[subprocess.Popen[bytes]]:
    """A server command (the installed `shopwarden serve`, `shopwarden mcp --http`) as a subprocess, once
    `probe` answers over HTTP (any status); its output goes to `log`. Start-up on a loaded machine can take
    tens of seconds, so the wait is long, and a server that died or never answered fails the test."""
    with log.open("wb") as out:
        process = subprocess.Popen(list(command), env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, f"{command[1:3]} exited: {log.read_text()[-2000:]}"
            try:
                httpx.get(probe, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{command[1:3]} did not answer: {log.read_text()[-2000:]}"
                time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def serve_html(pages: dict[str, str]) -> Iterator[int]:
    """Another origin on 127.0.0.1 (any host name resolving to it) serving fixed HTML pages."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0], "not found").encode()
            self.send_response(200 if self.path.split("?")[0] in pages else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("#token", token)
    page.press("#token", "Enter")  # the keyboard path
    page.wait_for_selector("text=signed in as")


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
