"""A reviewer signs in and approves in a real browser (Debian's Chromium driven by Playwright)."""

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from api_helpers import queue_enable

from shopwarden.api import create_app

CHROMIUM = Path(os.environ.get("SHOPWARDEN_TEST_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI") == "true"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(engine, runtime) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine, lambda: runtime), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_reviewer_approves_in_the_browser(served: str, runtime, tokens, fake_ads) -> None:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required under CI=true (apt-get install chromium)", pytrace=False)
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    approval_id = queue_enable(runtime)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(f"{served}/review")
            page.fill("input[name=token]", tokens["alice"])
            page.click("text=Sign in")
            row = page.locator(f"#approval-{approval_id}")
            assert "enable_ads" in row.inner_text()
            assert "always" in row.inner_text().lower() or "approval" in row.inner_text().lower()
            row.locator("button[name=approve]").click()
            page.wait_for_selector("p.msg")
            assert f"approval {approval_id}: executed" in page.inner_text("p.msg")
            assert page.locator(f"#approval-{approval_id}").count() == 1  # now under "Recently decided"
            assert "executed" in page.locator(f"#approval-{approval_id}").inner_text()
        finally:
            browser.close()
    assert fake_ads.mutations() == ["set_status c1 ENABLE"]
