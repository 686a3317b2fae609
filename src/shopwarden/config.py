"""Settings, read from SHOPWARDEN_* environment variables (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopwarden.errors import ConfigError
from shopwarden.security.redaction import register_secret

ENV_PREFIX = "SHOPWARDEN_"


def default_data_dir() -> Path:
    return Path.home() / ".shopwarden"


class Settings(BaseSettings):
    """Every knob of shopwarden. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None

    master_key: SecretStr | None = None
    master_key_file: Path | None = None

    opa_url: str | None = None
    # The embedded engine when no OPA server is set: regorus's bytecode VM (default) or rego-cpp.
    policy_engine: Literal["regorus", "regopy"] = "regorus"
    opa_token: SecretStr | None = None

    composio_api_key: SecretStr | None = None
    composio_base_url: str = "https://backend.composio.dev"
    composio_auth_config_id: str | None = None

    shop_app_key: str | None = None
    shop_app_secret: SecretStr | None = None
    shop_service_id: str | None = None
    shop_api_base: str = "https://open-api.tiktokglobalshop.com"
    shop_auth_base: str = "https://auth.tiktok-shops.com"
    shop_authorize_base: str = "https://services.tiktokshop.com/open/authorize"
    token_refresh_margin_seconds: int = 300

    ads_api_base: str = "https://business-api.tiktok.com/open_api/v1.3"
    ads_access_token_header: Literal["injected", "from_connection"] = "injected"  # see platforms/ads/_token_header.py
    # Native TikTok Business OAuth (`shopwarden connect ads --native`): the merchant's own TikTok app.
    ads_app_id: str | None = None
    ads_app_secret: SecretStr | None = None
    ads_redirect_uri: str | None = None
    ads_authorize_base: str = "https://business-api.tiktok.com/portal/auth"
    # Commercial Content API (ad library) research client: the reader fetches and renews its own client
    # token from these (a client token lives two hours, so none is configured).
    commercial_content_client_key: str | None = None
    commercial_content_client_secret: SecretStr | None = None
    # Where the creative reader's requests for the ad library and Creative Center trends really go
    # (a served simulator); unset: the official hosts.
    creative_sources_base: str | None = None

    simulator: bool = False
    scenario: str | None = None
    simulator_url: str | None = None  # a served simulator (sandbox / sim serve): its clock is the clock
    # A simulator saved to a file (`make demo` leaves one): each process rebuilds it from there and saves
    # back what its requests changed, so the demo's leftover approvals execute against the demo's world.
    simulator_state: Path | None = None

    agents_dir: Path | None = None
    tools_dir: Path | None = None
    policies_dir: Path | None = None
    evals_dir: Path | None = None

    model: str | None = None
    approval_ttl_hours: float = 24.0
    # inline: the approving process executes the action through its gate at once;
    # queue: a procrastinate job is deferred in the approval's own transaction (PostgreSQL + `shopwarden worker`).
    approval_execution: Literal["inline", "queue"] = "inline"
    require_distinct_approver: bool = True
    reviewer_token: SecretStr | None = None  # the CLI's reviewer identity for approve/reject (else a prompt)

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'shopwarden.db'}"

    @property
    def effective_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    def require(self, field: str) -> str:
        """Return a required setting's value or fail with the variable's name."""
        value = getattr(self, field)
        if value is None or value == "":
            raise ConfigError(f"{ENV_PREFIX}{field.upper()}", "is not set")
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return str(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests call get_settings.cache_clear() after changing env)."""
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError -> one readable line per field
        errors = getattr(exc, "errors", None)
        if callable(errors):
            first = errors()[0]
            loc = first.get("loc") or ("?",)
            raise ConfigError(f"{ENV_PREFIX}{str(loc[0]).upper()}", first.get("msg", "invalid")) from None
        raise
    for value in settings.__dict__.values():
        if isinstance(value, SecretStr):
            register_secret(value.get_secret_value())
    return settings
