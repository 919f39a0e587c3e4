"""Settings from the environment and a `.env` file (names and defaults: README, "Configuration").

Nothing is built at import time: `load_settings(environ)` builds a `Settings`, and every
problem comes back as a `ConfigError` whose message is one line naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from digests.models import GITHUB_LOGIN, GITHUB_REPO

if TYPE_CHECKING:
    from bot.schedule import CronSchedule

REPO_PATTERN = re.compile(rf"^{GITHUB_LOGIN}/{GITHUB_REPO}$")


class ConfigError(Exception):
    """A setting is missing or malformed. The message is one line for a person to act on."""


def _check_cron(value: str, variable: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as error:
        raise ValueError(
            f"{variable} must be a crontab line like '0 9 * * mon' ({error})"
        ) from None
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    standup_channel: str | None = None
    standup_db: Path = Path("./standup.db")
    standup_timezone: str = "UTC"
    standup_digest_cron: str = "0 9 * * mon"
    standup_reminder_cron: str = "0 15 * * fri"
    standup_stale_days: int = Field(default=7, ge=1, le=365)
    standup_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    github_graphql_url: str | None = None
    github_repos: str = ""
    github_org: str | None = None
    # Month-over-month growth (percent) of a repository's Actions minutes that the CI audit
    # flags as a jump (together with at least digests.ci_audit.JUMP_MIN_MINUTES more minutes).
    standup_ci_jump: int = Field(default=50, ge=1, le=10_000)

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "github_token", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'")
        return value

    @field_validator("slack_api_url", "github_api_url", "github_graphql_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("standup_channel")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        if value is not None and value and not re.fullmatch(r"[CGD][A-Z0-9]{2,}", value):
            raise ValueError(
                f"STANDUP_CHANNEL must be a channel ID like C0123ABCD (not a name), got {value!r}"
            )
        return value or None

    @field_validator("standup_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"STANDUP_TIMEZONE must be an IANA zone like Europe/Berlin, got {value!r}"
            ) from None
        return value

    @field_validator("standup_digest_cron")
    @classmethod
    def _digest_cron(cls, value: str) -> str:
        return _check_cron(value, "STANDUP_DIGEST_CRON")

    @field_validator("standup_reminder_cron")
    @classmethod
    def _reminder_cron(cls, value: str) -> str:
        return _check_cron(value, "STANDUP_REMINDER_CRON")

    @field_validator("github_repos")
    @classmethod
    def _repos_shape(cls, value: str) -> str:
        for repo in _split_repos(value):
            if not REPO_PATTERN.match(repo):
                raise ValueError(
                    f"GITHUB_REPOS must be comma-separated owner/repo names, got {repo!r}"
                )
        return value

    @model_validator(mode="after")
    def _org_known(self) -> Settings:
        if self.github_org is not None and not self.github_org.strip():
            object.__setattr__(self, "github_org", None)
        return self

    # --- derived values -------------------------------------------------------------------

    @property
    def repos(self) -> tuple[str, ...]:
        return tuple(_split_repos(self.github_repos))

    @property
    def org(self) -> str | None:
        if self.github_org:
            return self.github_org
        return self.repos[0].split("/")[0] if self.repos else None

    @property
    def graphql_url(self) -> str:
        return self.github_graphql_url or self.github_api_url.rstrip("/") + "/graphql"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.standup_timezone)

    @property
    def digest_schedule(self) -> CronSchedule:
        from bot.schedule import CronSchedule

        return CronSchedule(self.standup_digest_cron, self.zone)

    @property
    def reminder_schedule(self) -> CronSchedule:
        from bot.schedule import CronSchedule

        return CronSchedule(self.standup_reminder_cron, self.zone)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def secret(
        self,
        name: Literal["slack_bot_token", "slack_signing_secret", "slack_app_token", "github_token"],
    ) -> str | None:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else None

    def require(self, *names: str) -> None:
        """Fail with one line naming the first of `names` (field names) that is unset."""
        for name in names:
            if getattr(self, name) in (None, ""):
                raise ConfigError(f"{name.upper()} is not set: {_WHY_NEEDED.get(name, 'needed')}")


_WHY_NEEDED = {
    "slack_bot_token": "set it to the app's Bot User OAuth Token (xoxb-…)",
    "slack_signing_secret": "HTTP mode needs the app's Signing Secret (Basic Information page)",
    "standup_channel": "set it to the ID of the channel the digest is posted to (e.g. C0123ABCD)",
}


def _split_repos(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> Settings:
    """Build Settings from `environ` (default: the process environment) and `env_file`.

    With an explicit `environ`, only that mapping (and the env file) is read.
    """
    import os

    source = dict(os.environ if environ is None else environ)
    keys = {name.upper() for name in Settings.model_fields}
    values = {key.lower(): value for key, value in source.items() if key.upper() in keys}
    try:
        # Explicit values win over the env file; pydantic-settings reads the env file itself.
        settings_cls = _settings_without_process_env(environ is not None)
        init: dict[str, Any] = {"_env_file": env_file, **values}
        return settings_cls(**init)
    except ValidationError as error:
        raise ConfigError(_one_line(error)) from None


def _settings_without_process_env(isolated: bool) -> type[Settings]:
    if not isolated:
        return Settings

    class IsolatedSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, dotenv_settings)

    return IsolatedSettings


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    variable = str(first["loc"][0]).upper() if first["loc"] else "configuration"
    message = str(first["msg"]).removeprefix("Value error, ")
    if variable in message:
        return message
    return f"{variable}: {message}"
