"""`shopwarden eval`: a scenario with the agents against the same market without them, scored."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from shopwarden.cli import app
from shopwarden.evals.score import evaluate
from shopwarden.resources import resource_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def restore_environment() -> Iterator[None]:
    """An eval points this process's settings at its own scratch data dir, as the CLI process would."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


async def test_observe_changes_nothing_so_the_market_matches_the_baseline_exactly():
    report = await evaluate("small_shop", days=3, seed=5, autonomy="observe")

    assert report.with_agents == report.baseline  # reads and recommendations leave the market untouched
    assert set(report.verdicts) == {"recommended"} and report.verdicts["recommended"] > 0
    assert report.sales_uplift == 0 and report.audit_ok and report.audit_rows > 0


async def test_guarded_agents_act_and_the_report_is_reproducible():
    first = await evaluate("small_shop", days=3, seed=5, approve_all=True)
    again = await evaluate("small_shop", days=3, seed=5, approve_all=True)

    assert first.verdicts.get("executed", 0) > 0 and first.waiting_at_end == 0
    assert first.with_agents != first.baseline  # budget shifts, pauses and restocks change the market
    assert first.with_agents.ad_spend < first.baseline.ad_spend  # the underperformer was paused
    assert first.model_dump(exclude={"seconds"}) == again.model_dump(exclude={"seconds"})


async def test_another_policy_version_is_replayed_on_the_same_scenario(tmp_path: Path):
    strict = tmp_path / "policies"
    shutil.copytree(resource_dir("policies"), strict)
    data = json.loads((strict / "data.json").read_text())
    data["shopwarden"]["limits"]["account_daily_increase_max"] = 1  # the Growth Marketer plans within this cap
    (strict / "data.json").write_text(json.dumps(data))
    # The winner needs stock for a raise (the Growth Marketer never adds spend it cannot sell): ten times the serum.
    scenario = yaml.safe_load((resource_dir("evals") / "scenarios" / "small_shop.yaml").read_text())
    for sku in scenario["merchant"]["shops"][0]["products"][0]["skus"]:
        sku["stock"] = {warehouse: quantity * 10 for warehouse, quantity in sku["stock"].items()}
    stocked = tmp_path / "stocked_shop.yaml"
    stocked.write_text(yaml.safe_dump(scenario))

    default = await evaluate(stocked, days=2, seed=5)
    stricter = await evaluate(stocked, days=2, seed=5, policies_dir=strict)

    assert stricter.policy_version != default.policy_version
    # Under the stricter version the winner's raise does not fit in the day: fewer changes run.
    assert stricter.verdicts.get("executed", 0) < default.verdicts.get("executed", 0)


def test_cli_prints_the_report_as_json():
    ok = runner.invoke(app, ["eval", "score", "small_shop", "--days", "1", "--json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["days"] == 1 and report["audit_ok"] is True and "sales_uplift" in report



def test_an_unknown_scenario_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    from shopwarden.cli import main

    monkeypatch.setattr(sys, "argv", ["shopwarden", "eval", "score", "no_such_scenario", "--days", "1"])
    with pytest.raises(SystemExit) as stopped:
        main()
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "no_such_scenario: no such scenario file" in err and "Traceback" not in err and err.count("\n") == 1
