import pytest
from pydantic import SecretStr

from shopwarden.config import Settings, get_settings
from shopwarden.errors import ConfigError


def test_defaults_use_an_sqlite_file_in_the_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SHOPWARDEN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'shopwarden.db'}"
    assert settings.opa_url is None
    assert settings.simulator is False


def test_secrets_never_print(monkeypatch) -> None:
    monkeypatch.setenv("SHOPWARDEN_SHOP_APP_SECRET", "very-secret-value")
    monkeypatch.setenv("SHOPWARDEN_COMPOSIO_API_KEY", "ck_live_secret")
    get_settings.cache_clear()
    settings = get_settings()
    assert isinstance(settings.shop_app_secret, SecretStr)
    assert "very-secret-value" not in repr(settings) + str(settings)
    assert "ck_live_secret" not in repr(settings)
    assert settings.require("shop_app_secret") == "very-secret-value"


def test_missing_required_setting_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="SHOPWARDEN_SHOP_APP_KEY: is not set"):
        Settings().require("shop_app_key")


def test_malformed_database_url_names_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("SHOPWARDEN_DATABASE_URL", "mysql://nope")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="SHOPWARDEN_DATABASE_URL"):
        get_settings()
