from pathlib import Path

import pytest

from shopwarden.agents.specs import load_agent_specs
from shopwarden.errors import ConfigError
from shopwarden.tools import registry

MUTATING_ADS_TOOLS = {"create_campaign", "update_budget", "pause_ads", "enable_ads", "launch_gmv_max_campaign",
                      "update_roi_target"}


def test_shipped_specs_declare_both_agents_with_known_tools() -> None:
    specs = load_agent_specs()
    assert set(specs) == {"growth_marketer", "creative"}
    for spec in specs.values():
        assert set(spec.allowed_tools) <= set(registry()), spec.id
        assert spec.instructions and spec.role
        assert len(spec.schedule.split()) == 5


def test_creative_cannot_touch_ads() -> None:
    creative = load_agent_specs()["creative"]
    assert set(creative.allowed_tools) == {"read_ad_library", "read_trends", "get_product"}
    assert not MUTATING_ADS_TOOLS & set(creative.allowed_tools)


def test_malformed_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml: not valid YAML"):
        load_agent_specs(tmp_path)


def test_wrong_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: x\nallowed_tools: read_trends\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: allowed_tools: Input should be a valid list"):
        load_agent_specs(tmp_path)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    (tmp_path / "extra.yaml").write_text("id: x\npermissions: all\n")
    with pytest.raises(ConfigError, match=r"extra\.yaml: permissions: Extra inputs are not permitted"):
        load_agent_specs(tmp_path)


def test_bad_schedule_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sched.yaml").write_text("id: x\nschedule: every six hours\n")
    with pytest.raises(ConfigError, match=r"sched\.yaml: schedule: expected a 5-field cron expression"):
        load_agent_specs(tmp_path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: same\n")
    (tmp_path / "b.yaml").write_text("id: same\n")
    with pytest.raises(ConfigError, match=r"b\.yaml: id: agent 'same' is declared twice"):
        load_agent_specs(tmp_path)
