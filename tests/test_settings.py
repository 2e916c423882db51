"""Configuration: every key documented, bad values named, the token never logged."""

import io
import logging
from pathlib import Path

import pytest

from sandan.logs import guard_logs
from sandan.settings import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_env_example_and_the_readme():
    env, readme = (ROOT / ".env.example").read_text(), (ROOT / "README.md").read_text()
    keys = [name.upper() for name in Settings.model_fields]
    assert [k for k in keys if k not in env] == []
    assert [k for k in keys if f"`{k}`" not in readme] == []


def test_defaults_are_a_local_sqlite_file_and_shanghai_time(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key in ("DATABASE_URL", "TIMEZONE", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///./sandan.db"
    assert str(settings.tz) == "Asia/Shanghai" and settings.telegram_bot_token is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
        ("TELEGRAM_API_BASE_URL", "ftp://x"),
        ("MAX_OPEN_WISHES", "0"),
        ("QUIET_HOURS", "9pm-8am"),
        ("TRIAGE_REMIND_HOURS", "8,2"),
        ("DIGEST_TIME", "25:00"),
        ("WEBHOOK_URL", "http://bot.example.org/hook"),  # Telegram posts only to HTTPS
        ("WEBHOOK_SECRET", "has spaces"),
        ("HTTP_PORT", "70000"),
    ],
)
def test_a_bad_value_fails_at_start_up_naming_the_key(monkeypatch, key, value):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=key):
        load_settings()


def test_admin_ids_and_postgres_urls_are_understood(monkeypatch):
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "11, 22;33")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/x")
    settings = load_settings()
    assert settings.admin_telegram_ids == [11, 22, 33]
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/x"


def test_the_token_is_redacted_from_every_log_line(caplog):
    token = "123456:SECRET-TOKEN"
    logger = logging.getLogger("test.redact")
    guard_logs(token)
    handler = logging.Handler()
    records = []
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getUpdates failed", token)
    finally:
        logger.removeHandler(handler)
    assert token not in records[0].getMessage() and "<token>" in records[0].getMessage()
    assert "SECRET" not in repr(load_settings(telegram_bot_token=token))


def test_the_token_is_redacted_from_logged_tracebacks():
    token = "123456:SECRET-TOKEN"
    guard_logs(token)
    handler = logging.StreamHandler(io.StringIO())
    logger = logging.getLogger("test.redact.traceback")
    logger.addHandler(handler)
    try:
        try:
            raise ConnectionError(f"Connection timeout to host https://api.telegram.org/bot{token}/getMe")
        except ConnectionError:
            logger.exception("sending failed")
    finally:
        logger.removeHandler(handler)
    written = handler.stream.getvalue()
    assert "ConnectionError: Connection timeout" in written
    assert token not in written and "/bot<token>/getMe" in written
