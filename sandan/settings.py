"""The one validated configuration, read from the environment and `.env`."""

import hashlib
import re
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.exc import ArgumentError

from services.db import sync_url

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "services" / "catalogue.toml"


class ConfigError(Exception):
    """Configuration is invalid; the message names the offending keys."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./sandan.db"
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_bot_username: str | None = None  # for deep links and QR posters, e.g. sandan_bot
    callback_secret: SecretStr | None = None  # signs button data; derived from the token if unset
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Shanghai"
    category_catalogue_path: Path = DEFAULT_CATALOGUE
    max_open_wishes: int = Field(default=5, ge=1, le=100)
    max_wish_photos: int = Field(default=3, ge=0, le=10)
    # Against alert spam (services.outbox, services.wishes): the alerts one resident or member may
    # cause each staff member or admin an hour, and the wishes one resident may submit an hour.
    staff_alerts_per_hour: int = Field(default=10, ge=2, le=1000)
    max_wishes_per_hour: int = Field(default=10, ge=1, le=1000)
    log_level: str = "INFO"
    # How long a claimed update stays with its worker without a heartbeat (services.inbox): after
    # a crash, the updates it held wait this long before another worker takes them.
    inbox_lease_seconds: float = Field(default=30, ge=1, le=600)
    # How long the outbox sender holds a notification it is sending: a dead sender's rows wait
    # this long before another takes them; a send that outlasts it is left to the new holder.
    outbox_lease_seconds: float = Field(default=60, ge=1, le=600)
    # /healthz, /readyz and /metrics (sandan/web.py); no port: not served.
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=1, le=65535)
    # `sandan run --webhook` (bot/ptb/webhook.py): Telegram posts updates to this public URL,
    # which a reverse proxy forwards to HTTP_HOST:HTTP_PORT; each post carries the secret.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    # The follow-up scheduler (services.sweeps); hours unless the name says otherwise.
    sweep_interval_seconds: int = Field(default=60, ge=5, le=3600)
    triage_remind_hours: Annotated[list[float], NoDecode] = Field(default_factory=lambda: [2.0, 8.0])
    triage_escalate_hours: float = Field(default=24, gt=0)
    offer_expire_hours: float = Field(default=2, gt=0)
    wall_remind_hours: float = Field(default=24, gt=0)
    task_overdue_hours: float = Field(default=72, gt=0)
    task_escalate_hours: float = Field(default=24, gt=0)
    rating_remind_hours: Annotated[list[float], NoDecode] = Field(default_factory=lambda: [24.0, 72.0])
    close_unrated_days: float = Field(default=7, gt=0)
    auto_dispatch_max_offers: int = Field(default=3, ge=1, le=20)
    digest_time: time = time(8, 30)
    quiet_hours: str = "21:00-08:00"
    quiet_hours_escalations: bool = False  # True: escalations reach staff and admins even at night
    # Retention (services.retention), run by the daily job: delivered or failed notifications, and
    # the answers of a form left unfinished.
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    form_retention_days: int = Field(default=7, ge=1, le=365)

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("triage_remind_hours", "rating_remind_hours", mode="before")
    @classmethod
    def _split_hours(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("triage_remind_hours", "rating_remind_hours")
    @classmethod
    def _ascending(cls, value: list[float]) -> list[float]:
        if not value or any(h <= 0 for h in value) or value != sorted(value):
            raise ValueError("give positive hours in ascending order, e.g. 2,8")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str) -> str:
        cls.parse_window(value)
        return value

    @staticmethod
    def parse_window(value: str) -> tuple[time, time]:
        """'21:00-08:00' as two times; the window may run past midnight."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
        except ValueError:
            raise ValueError("use HH:MM-HH:MM, e.g. 21:00-08:00") from None
        return start, end

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _sync_driver(cls, value: str) -> str:
        try:
            return sync_url(value)
        except (ValueError, ArgumentError) as exc:
            raise ValueError("use a sqlite:/// or postgresql:// URL") from exc

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _public_https(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")  # a test's fake Telegram
        if parts.scheme != "https" and not (loopback and parts.scheme == "http"):
            raise ValueError("must be an https:// address (Telegram posts only to HTTPS)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _header_safe(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("1 to 256 letters, digits, _ or - (Telegram's rule for the secret token)")
        return value

    @field_validator("category_catalogue_path")
    @classmethod
    def _catalogue_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def callback_key(self) -> bytes:
        """The key that signs callback data: CALLBACK_SECRET, else one derived from the token."""
        if self.callback_secret:
            return self.callback_secret.get_secret_value().encode()
        token = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else "sandan-dev"
        return hashlib.sha256(b"sandan-callbacks:" + token.encode()).digest()


def load_settings(**overrides) -> Settings:
    """Read the settings, or raise ConfigError naming every bad key."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"Invalid configuration: {problems}") from None
