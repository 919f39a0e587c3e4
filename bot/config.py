"""Settings from the environment and a `.env` file (names and defaults: README, "Configuration").

Nothing is built at import time: `load_settings(environ)` builds a `Settings`, and every
problem comes back as a `ConfigError` whose message is one line naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from digests.models import GITHUB_LOGIN, GITHUB_REPO

if TYPE_CHECKING:
    from digests.cycles import Schedule
    from digests.workdays import HolidayCalendar

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
    standup_holidays: str | None = None
    standup_extra_holidays: str = ""
    standup_away_emoji: str = ""
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

    @field_validator("standup_holidays")
    @classmethod
    def _holidays_known(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        match = re.fullmatch(r"([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,5}))?", value.strip())
        if match is None:
            raise ValueError(
                "STANDUP_HOLIDAYS must be a country code, optionally with a subdivision "
                f"(US, DE-BY, GB-SCT), got {value!r}"
            )
        from digests.workdays import check_country

        country, subdivision = match.group(1).upper(), match.group(2)
        problem = check_country(country, subdivision.upper() if subdivision else None)
        if problem is not None:
            raise ValueError(f"STANDUP_HOLIDAYS: {problem}")
        return f"{country}-{subdivision.upper()}" if subdivision else country

    @field_validator("standup_extra_holidays")
    @classmethod
    def _extra_holidays_are_dates(cls, value: str) -> str:
        for part in _split_repos(value):
            try:
                date.fromisoformat(part)
            except ValueError:
                raise ValueError(
                    "STANDUP_EXTRA_HOLIDAYS must be comma-separated ISO dates like "
                    f"2026-12-24,2026-12-31, got {part!r}"
                ) from None
        return value

    @field_validator("standup_away_emoji")
    @classmethod
    def _emoji_shape(cls, value: str) -> str:
        for part in _split_repos(value):
            if not re.fullmatch(r":?[a-z0-9_+'-]+(::skin-tone-[2-6])?:?", part):
                raise ValueError(
                    "STANDUP_AWAY_EMOJI must be comma-separated emoji names like "
                    f":beach_with_umbrella:,:sleeping:, got {part!r}"
                )
        return value

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
    def holiday_calendar(self) -> HolidayCalendar:
        from digests.workdays import HolidayCalendar

        country, _, subdivision = (self.standup_holidays or "").partition("-")
        return HolidayCalendar(
            country=country or None,
            subdivision=subdivision or None,
            extra=frozenset(
                date.fromisoformat(d) for d in _split_repos(self.standup_extra_holidays)
            ),
        )

    @property
    def digest_schedule(self) -> Schedule:
        """When digests fire: the cron line in the team's zone, moved off holidays."""
        return self._schedule(self.standup_digest_cron, self.zone)

    @property
    def reminder_schedule(self) -> Schedule:
        """When reminders fire in the team's zone (each person's: `reminder_schedule_in`)."""
        return self._schedule(self.standup_reminder_cron, self.zone)

    def reminder_schedule_in(self, zone: ZoneInfo) -> Schedule:
        """STANDUP_REMINDER_CRON's local time in `zone` (a person's own), moved off holidays."""
        return self._schedule(self.standup_reminder_cron, zone)

    def _schedule(self, cron: str, zone: ZoneInfo) -> Schedule:
        from bot.schedule import CronSchedule

        base = CronSchedule(cron, zone)
        calendar = self.holiday_calendar
        if calendar.empty:
            return base
        from digests.workdays import HolidaySchedule

        return HolidaySchedule(base, calendar)

    @property
    def away_emoji(self) -> tuple[str, ...]:
        """The extra emoji (STANDUP_AWAY_EMOJI) whose Slack status means away, as `:name:`."""
        return tuple(f":{part.strip(':')}:" for part in _split_repos(self.standup_away_emoji))

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
