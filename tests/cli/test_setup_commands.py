import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from shopwarden.cli import app

runner = CliRunner()


def _shopwarden(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shopwarden", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_init_creates_key_file_and_schema(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SHOPWARDEN_MASTER_KEY")
    from shopwarden.config import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    key_file = tmp_path / "data" / "master.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data" / "shopwarden.db").exists()
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 0 and "already exists, kept" in again.output


def test_db_upgrade_twice_is_a_no_op(db_url) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    second = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "revision 0001" in second.output or "revision" in second.output


def test_unreachable_database_is_one_clear_line(tmp_path) -> None:
    result = _shopwarden("db", "upgrade", env={
        "SHOPWARDEN_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nope",
        "SHOPWARDEN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "is unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_master_key_is_a_clear_error(monkeypatch) -> None:
    from shopwarden.config import get_settings
    from shopwarden.errors import MasterKeyError
    from shopwarden.security.connections import get_vault

    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY", "%%%")
    get_settings.cache_clear()
    with pytest.raises(MasterKeyError, match="not valid base64"):
        get_vault()


def test_missing_key_file_is_one_clear_line(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SHOPWARDEN_MASTER_KEY"}
    env["SHOPWARDEN_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "shopwarden", "keys", "rotate"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "run `shopwarden init`" in result.stderr
    assert "Traceback" not in result.stderr


def test_connect_ads_native_prints_the_authorize_url_and_refuses_a_forged_state(tmp_path) -> None:
    env = {"SHOPWARDEN_DATA_DIR": str(tmp_path), "SHOPWARDEN_ADS_APP_ID": "app-123",
           "SHOPWARDEN_ADS_APP_SECRET": "s3cret-app", "SHOPWARDEN_ADS_REDIRECT_URI": "https://app.example/cb"}
    assert _shopwarden("init", env=env).returncode == 0
    assert _shopwarden("merchant", "add", "m-native", "--name", "Native", env=env).returncode == 0
    started = _shopwarden("connect", "ads", "--native", "--merchant", "m-native", env=env)
    assert started.returncode == 0, started.stderr
    url = next(line for line in started.stdout.splitlines() if line.startswith("https://"))
    assert url.startswith("https://business-api.tiktok.com/portal/auth?app_id=app-123&state=")
    assert "redirect_uri=https%3A%2F%2Fapp.example%2Fcb" in url
    forged = _shopwarden("connect", "ads", "--native", "--merchant", "m-native", "--code", "c", "--state", "forged",
                         env=env)
    assert forged.returncode != 0
    assert "authorization state is unknown" in forged.stderr + forged.stdout
    assert "s3cret-app" not in forged.stderr + forged.stdout
