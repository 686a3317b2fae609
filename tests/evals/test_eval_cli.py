"""`shopwarden eval run|compare|report` through the installed command, with real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from evals_helpers import LOSER, WINNER, write_case

from shopwarden.resources import resource_dir

SHOPWARDEN = str(Path(sys.executable).parent / "shopwarden")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")}
    return {**env, **extra}


def _run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SHOPWARDEN, *args], capture_output=True, text=True, timeout=300, env=_env(**extra))


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("suite")
    write_case(folder, "loser_paused", [
        {"state": f"campaign:{LOSER}", "field": "status", "eq": "DISABLE"},
        {"never": {"tool": "pause_ads", "object_id": WINNER}},
        {"audit": "chain_ok"}], family="pause_loser")
    write_case(folder, "winner_paused_wrongly_expected", [
        {"label": "a deliberately wrong expectation", "state": f"campaign:{WINNER}", "field": "status",
         "eq": "DISABLE"}], family="pause_loser")
    return folder


@pytest.fixture(scope="module")
def failing_run(suite: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("run") / "a"
    done = _run("eval", "run", "--suite", str(suite), "-k", "2", "--seeds", "2", "--out", str(out), "--json")
    return done, out


def test_a_failing_suite_exits_1_and_names_the_failing_assertion(failing_run):
    done, _ = failing_run
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    cases = {c["case"]: c for c in report["cases"]}
    assert cases["loser_paused"]["passed"] == 2 and cases["loser_paused"]["pass_k"] == 1.0
    assert cases["winner_paused_wrongly_expected"]["pass_1"] == 0.0
    assert any("a deliberately wrong expectation (got ENABLE)" in f for f in report["failures"])
    assert report["families"]["pause_loser"] == {"cases": 2, "pass_1": 0.5, "pass_k": 0.5}


def test_the_run_is_saved_with_its_versions_and_hashes(failing_run):
    _, out = failing_run
    lines = [json.loads(x) for x in (out / "run.jsonl").read_text().splitlines()]
    header = lines[0]
    assert header["type"] == "run" and header["strategy"] == "rules" and header["model_id"] == "rules"
    assert header["code_version"].startswith("0.") and len(header["policy_version"]) >= 8
    assert set(header["scenario_hashes"]) == {"loser_paused", "winner_paused_wrongly_expected"}
    assert [x["seed"] for x in lines if x["type"] == "seed"] == [0, 1, 0, 1]
    assert lines[-1]["type"] == "summary"


def test_the_kept_database_verifies_and_replays(failing_run, tmp_path: Path):
    _, out = failing_run
    world = out / "worlds" / "loser_paused-s0"
    verified = _run("audit", "verify", SHOPWARDEN_DATA_DIR=str(world))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    strict = tmp_path / "policies"
    shutil.copytree(resource_dir("policies"), strict)
    replayed = _run("policy", "replay", "--policies", str(strict), "--json", SHOPWARDEN_DATA_DIR=str(world))
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout)  # the recorded decisions were found and re-decided


def test_reports_are_self_contained_and_junit_lists_each_seed(failing_run):
    _, out = failing_run
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 3 and "<script" not in html
    assert "src=\"http" not in html and "href=\"http" not in html and "@import" not in html
    assert "a deliberately wrong expectation" in html
    suite = ET.fromstring((out / "junit.xml").read_text().split("?>", 1)[1])
    assert suite.get("tests") == "4" and suite.get("failures") == "2"
    markdown = (out / "report.md").read_text()
    assert "| pause_loser | 2 | 0.50 | 0.50 |" in markdown
    assert "| loser_paused | pause_loser | 2/2 | 1.00 | 0.00 |" in markdown


def test_the_html_report_renders_in_chromium_without_fetching_anything(failing_run):
    _, out = failing_run
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is required under CI=true", pytrace=False)
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto((out / "report.html").as_uri())
        assert page.locator("h1").inner_text().startswith("shopwarden eval run")
        assert page.locator(".kpi b.fail").inner_text() == "FAILED"
        assert page.locator("svg").count() >= 3 and page.locator("svg").first.bounding_box()["width"] > 200
        assert page.get_by_text("a deliberately wrong expectation — got ENABLE").count() >= 1
        browser.close()
    assert [url for url in fetched if not url.startswith("file:")] == []


def test_a_known_failing_case_is_reported_but_does_not_fail_the_suite(tmp_path: Path):
    write_case(tmp_path / "s", "known", [{"state": f"campaign:{WINNER}", "field": "status", "eq": "DISABLE"}],
               known_failing="kept to show the gap")
    done = _run("eval", "run", "--suite", str(tmp_path / "s"), "--out", str(tmp_path / "r"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "eval: 0 passed, 1 failed" in done.stdout
    assert "known failing: kept to show the gap" in (tmp_path / "r" / "report.md").read_text()


def test_policy_a_b_on_identical_seeds_and_compare(suite: Path, failing_run, tmp_path: Path):
    _, run_a = failing_run
    strict = tmp_path / "policies"
    shutil.copytree(resource_dir("policies"), strict)
    data = json.loads((strict / "data.json").read_text())
    data["shopwarden"]["limits"]["account_daily_increase_max"] = 1
    (strict / "data.json").write_text(json.dumps(data))
    run_b = tmp_path / "b"
    _run("eval", "run", "--suite", str(suite), "-k", "2", "--seeds", "2", "--policies", str(strict),
         "--out", str(run_b))
    done = _run("eval", "compare", str(run_a), str(run_b), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    rows = {r["case"]: r for r in result["cases"]}
    assert result["a"]["policy_version"] != result["b"]["policy_version"]
    # The rules strategy plans inside the account cap it reads, so the stricter cap shows as less scaling
    # (lower profit on the same seeds) rather than as more approvals asked of reviewers.
    assert rows["loser_paused"]["same_scenario"] and rows["loser_paused"]["profit_delta"] < 0
    assert result["refusals_by_reason"] == {} or all(len(v) == 2 for v in result["refusals_by_reason"].values())


def test_the_ci_gate_ignores_metric_bounds_but_a_full_run_does_not(tmp_path: Path):
    write_case(tmp_path / "s", "greedy", [{"state": f"campaign:{LOSER}", "field": "status", "eq": "DISABLE"},
                                         {"metric": "profit_vs_baseline", "min": 1_000_000}], fast=True)
    gate = _run("eval", "run", "--fast", "--no-matrix", "--suite", str(tmp_path / "s"), "--out", str(tmp_path / "a"))
    full = _run("eval", "run", "--no-matrix", "--suite", str(tmp_path / "s"), "--out", str(tmp_path / "b"))
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert full.returncode == 1 and "profit_vs_baseline: min 1000000" in full.stdout


def test_a_bad_strategy_and_a_missing_suite_are_one_clear_line(tmp_path: Path):
    bad = _run("eval", "run", "--suite", str(tmp_path), "--strategy", "magic")
    assert bad.returncode == 2 and "expected rules, gullible, llm:<module:factory> or scripted:<file>" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = _run("eval", "run", "--suite", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such suite folder" in missing.stderr
