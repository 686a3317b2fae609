import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shopwarden.errors import ConfigError
from shopwarden.resources import resource_dir

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_data_folders_inside_the_package(tmp_path) -> None:
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    wheel = next(tmp_path.glob("shopwarden-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("agents", "tools", "policies", "evals"):
        assert any(n.startswith(f"shopwarden/_data/{folder}/") for n in names), folder
    assert "shopwarden/db/migrations/versions/0001_initial_schema.py" in names


def test_setting_overrides_the_shipped_folder(tmp_path, monkeypatch) -> None:
    from shopwarden.config import get_settings

    monkeypatch.setenv("SHOPWARDEN_POLICIES_DIR", str(tmp_path))
    get_settings.cache_clear()
    assert resource_dir("policies") == tmp_path


def test_override_that_is_not_a_directory_names_the_variable(tmp_path, monkeypatch) -> None:
    from shopwarden.config import get_settings

    monkeypatch.setenv("SHOPWARDEN_AGENTS_DIR", str(tmp_path / "missing"))
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="SHOPWARDEN_AGENTS_DIR"):
        resource_dir("agents")
