"""A simulator saved to a file carries on in another simulator (another process) exactly where it stopped."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import httpx
import pytest

from conftest import ADVERTISER, ads_call, exchange_code
from shopwarden.errors import ConfigError
from shopwarden.platforms.simulator import Simulator

WINNER = "1800000000000000001"


def _create(http: httpx.Client, sim: Simulator, name: str) -> dict:
    return ads_call(http, sim, "POST", "campaign/create/", body={
        "advertiser_id": ADVERTISER, "campaign_name": name, "objective_type": "TRAFFIC",
        "budget_mode": "BUDGET_MODE_DAY", "budget": 60, "operation_status": "DISABLE"})


def test_a_saved_simulator_is_rebuilt_with_the_same_world_clock_and_next_ids(sim: Simulator, tmp_path: Path):
    with httpx.Client(transport=sim.transport()) as http:
        exchange_code(sim, http)
        _create(http, sim, "before saving")
    sim.advance(days=2, hours=3)
    saved = tmp_path / "sim.json"
    sim.keep_in(saved)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # it holds the simulated platforms' tokens
    copy = tmp_path / "copy.json"
    shutil.copy(saved, copy)

    rebuilt = Simulator.from_saved(copy)

    assert rebuilt.snapshot() == sim.snapshot()
    assert rebuilt.now() == sim.now()
    # The random generator and the id counter continue too: the same next request gives the same answer.
    with httpx.Client(transport=sim.transport()) as a, httpx.Client(transport=rebuilt.transport()) as b:
        assert _create(a, sim, "after")["data"]["campaign_id"] == _create(b, rebuilt, "after")["data"]["campaign_id"]
    sim.advance(days=1)
    rebuilt.advance(days=1)
    assert rebuilt.snapshot() == sim.snapshot()  # the market's days close alike


def test_simulators_sharing_a_file_see_each_others_changes(sim: Simulator, tmp_path: Path):
    saved = tmp_path / "sim.json"
    sim.keep_in(saved)
    later = Simulator.from_saved(saved)  # what a later process builds

    with httpx.Client(transport=later.transport()) as http:
        paused = ads_call(http, later, "POST", "campaign/status/update/", body={
            "advertiser_id": ADVERTISER, "campaign_ids": [WINNER], "operation_status": "DISABLE"})
    assert paused["code"] == 0
    assert sim.snapshot()["advertisers"][ADVERTISER]["campaigns"][WINNER]["operation_status"] == "DISABLE"
    assert json.loads(saved.read_text())["world"]["advertisers"][ADVERTISER]["campaigns"][WINNER][
        "operation_status"] == "DISABLE"

    with httpx.Client(transport=sim.transport()) as http:  # the clock control goes through the same lock
        moved = http.post("http://127.0.0.1/sim/advance", params={"days": "1"})
    assert moved.status_code == 200
    assert later.now() == sim.now() and later.snapshot() == sim.snapshot()


def test_a_missing_or_foreign_file_is_a_setting_error_naming_it(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"SHOPWARDEN_SIMULATOR_STATE: .*nothere\.json no such file"):
        Simulator.from_saved(tmp_path / "nothere.json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"world": {}}')
    with pytest.raises(ConfigError, match="is not a shopwarden-simulator-state/1 file"):
        Simulator.from_saved(foreign)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "shopwarden-simulator-state/1", "wor')
    with pytest.raises(ConfigError, match="cannot be read"):
        Simulator.from_saved(broken)


def test_a_state_file_with_parts_missing_is_refused_not_a_crash(sim: Simulator, tmp_path: Path):
    saved = tmp_path / "sim.json"
    sim.keep_in(saved)
    state = json.loads(saved.read_text())
    del state["world"]["advertisers"][ADVERTISER]["campaigns"][WINNER]["budget"]
    saved.write_text(json.dumps(state))
    with pytest.raises(ConfigError, match="does not hold a complete state"):
        Simulator.from_saved(saved)
