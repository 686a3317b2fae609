"""A run's settings never leak: the caller's environment is back exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shopwarden.config import get_settings
from shopwarden.evals.isolation import isolated_settings


def test_settings_inside_are_the_runs_and_outside_are_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPWARDEN_DATABASE_URL", "postgresql://someone@elsewhere/prod")
    monkeypatch.setenv("SHOPWARDEN_MODEL", "pkg:factory")
    before = dict(os.environ)
    policies = tmp_path / "policies"
    policies.mkdir()
    with isolated_settings(tmp_path / "run", {"SHOPWARDEN_SHOP_APP_KEY": "k"}, policies_dir=policies) as run:
        settings = get_settings()
        assert run == settings and run.shop_app_key == "k"  # the settings the run passes down
        assert settings.database_url is None and settings.model is None  # the caller's never leak in
        assert settings.data_dir == (tmp_path / "run").resolve() and settings.policies_dir == policies.resolve()
        assert (tmp_path / "run" / "master.key").is_file()
    assert dict(os.environ) == before
    assert get_settings().database_url == "postgresql://someone@elsewhere/prod"
    assert get_settings().policies_dir is None  # the old eval left SHOPWARDEN_POLICIES_DIR behind


def test_an_exception_inside_still_restores(tmp_path: Path):
    before = dict(os.environ)
    with pytest.raises(RuntimeError), isolated_settings(tmp_path / "run"):
        raise RuntimeError("boom")
    assert dict(os.environ) == before
