"""Every tool in code has a manifest in tools/, every manifest a tool, and they agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopwarden.errors import ConfigError
from shopwarden.tools import load_manifests, registry

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "CONTRACTS.md"


def test_every_registered_tool_has_a_manifest_and_every_manifest_a_tool() -> None:
    assert sorted(load_manifests()) == sorted(registry())


@pytest.mark.parametrize("name", sorted(registry()))
def test_manifest_declarations_match_the_code(name: str) -> None:
    tool, manifest = registry()[name], load_manifests()[name]
    assert (manifest.surface, manifest.mutating, manifest.idempotent, manifest.risk) == (
        tool.surface, tool.mutating, tool.idempotent, tool.risk)


def test_catalogue_matches_the_contract_table() -> None:
    rows = re.findall(r"^\| (\w+) \| (shop|ads|creative) \| (yes|no)", CONTRACTS.read_text(), flags=re.MULTILINE)
    assert {name: (surface, flag == "yes") for name, surface, flag in rows} == {
        name: (tool.surface, tool.mutating) for name, tool in registry().items()}


def test_mutations_have_a_way_to_check_the_platform_after_a_crash() -> None:
    missing = [name for name, tool in registry().items() if tool.mutating and tool.verify is None]
    assert missing == []


def test_a_manifest_naming_another_tool_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pause_ads.yaml").write_text(
        "name: enable_ads\ndescription: turns things on\nsurface: ads\nmutating: true\nidempotent: true\nrisk: high\n")
    with pytest.raises(ConfigError, match=r"pause_ads\.yaml: names the tool 'enable_ads'"):
        load_manifests(tmp_path)


def test_a_manifest_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pause_ads.yaml").write_text(
        "name: pause_ads\ndescription: pauses things\nsurface: ads\nmutating: true\nidempotent: true\nrisk: low\n"
        "auto_approve: true\n")
    with pytest.raises(ConfigError, match=r"pause_ads\.yaml: .*auto_approve"):
        load_manifests(tmp_path)
