"""The served simulator: its banner only once the port is bound, its clock told to clients, its advance."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import httpx
import pytest
from installed_cli import shopwarden

from shopwarden.errors import ConfigError
from shopwarden.platforms.simulator.served_clock import ServedClock


def test_a_busy_port_is_one_error_line_and_no_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        for args in (("sim", "serve", "--port", str(port)),
                     ("sandbox", "--port", str(port), "--console-port", str(port))):
            result = shopwarden(*args)
            assert result.returncode == 2, args
            assert result.stdout == ""  # nothing claims to be serving
            assert f"error: --port: cannot listen on 127.0.0.1:{port}" in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1


def test_the_served_clock_reads_the_simulators_time_and_caches_it_briefly() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json={"clock": "2026-03-05T08:00:00+00:00", "timestamp": 1772697600})

    clock = ServedClock("http://127.0.0.1:8765/", transport=httpx.MockTransport(answer))
    assert clock() == datetime(2026, 3, 5, 8, tzinfo=UTC)
    assert clock() == datetime(2026, 3, 5, 8, tzinfo=UTC)
    assert calls == ["/sim/clock"]


def test_no_simulator_at_the_url_is_a_setting_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ConfigError, match=r"SHOPWARDEN_SIMULATOR_URL: the simulator at http://127.0.0.1:1 does not "
                                          r"tell its time \(ConnectError\)"):
        ServedClock("http://127.0.0.1:1", transport=httpx.MockTransport(refuse))()


def test_sandbox_advance_without_a_simulator_url_names_the_setting() -> None:
    result = shopwarden("sandbox", "advance", "--days", "1")
    assert result.returncode == 2
    assert "SHOPWARDEN_SIMULATOR_URL: is not set" in result.stderr
    nowhere = shopwarden("sandbox", "advance", "--days", "1", env={"SHOPWARDEN_SIMULATOR_URL": "http://127.0.0.1:1"})
    assert nowhere.returncode == 2 and "no simulator answers at http://127.0.0.1:1" in nowhere.stderr
