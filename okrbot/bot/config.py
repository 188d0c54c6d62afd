"""Settings, read once from the environment (and an optional .env) and passed down."""

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SLACK_API_DEFAULT = "https://slack.com/api/"

# Where each setting comes from, in the sentence a person reads when it is missing or wrong.
WHERE_TO_GET = {
    "SLACK_BOT_TOKEN": (
        "create the app from manifest.yml, install it to your workspace, then copy the "
        "Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
    ),
    "SLACK_SIGNING_SECRET": (
        "create the app from manifest.yml, then copy the Signing Secret from Basic Information"
    ),
    "SLACK_APP_TOKEN": (
        "generate an app-level token (xapp-…) with the connections:write scope under "
        "Basic Information, App-Level Tokens; leave it unset to receive requests over HTTP"
    ),
    "SLACK_API_URL": "use an http(s) URL such as https://slack.com/api/",
    "DATABASE_URL": (
        "use an SQLAlchemy URL such as sqlite:///okrbot.db or "
        "postgresql://user:password@host:5432/okrbot"
    ),
    "HOST": "use an address to listen on, such as 0.0.0.0",
    "PORT": "use a whole number from 0 (any free port) to 65535, such as 3000",
    "LOG_LEVEL": "use DEBUG, INFO, WARNING or ERROR",
    "WORKERS": "use a whole number of request threads from 1 to 256, such as 16",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one sentence for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = "sqlite:///okrbot.db"
    host: str = "0.0.0.0"  # noqa: S104  (a bot behind Slack's callbacks listens on all interfaces)
    port: int = Field(default=3000, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    workers: int = Field(default=16, ge=1, le=256)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_url(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError as error:
            raise ValueError("not a database URL") from error
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xapp-")

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "")

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def has_slack_credentials(self) -> bool:
        return self.slack_bot_token is not None and (
            self.socket_mode or self.slack_signing_secret is not None
        )

    def require_slack(self) -> None:
        """Raise ConfigError unless everything needed to talk to Slack is set."""
        if self.slack_bot_token is None:
            raise _missing("SLACK_BOT_TOKEN")
        if not self.socket_mode and self.slack_signing_secret is None:
            raise _missing("SLACK_SIGNING_SECRET")


def _prefixed(value: SecretStr | None, prefix: str) -> SecretStr | None:
    if value is None or not value.get_secret_value():
        return None
    if not value.get_secret_value().startswith(prefix):
        raise ValueError(f"does not start with {prefix}")
    return value


def _missing(variable: str) -> ConfigError:
    return ConfigError(f"{variable} is not set: {WHERE_TO_GET[variable]}.")


def load_settings() -> Settings:
    """Read the settings, turning the first problem into one plain sentence."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        hint = WHERE_TO_GET.get(variable, "check its value")
        raise ConfigError(f"{variable} is malformed ({first['msg']}): {hint}.") from error
