"""Settings from the environment and `.env` (pydantic-settings).

A bad value must stop start-up with one line naming the setting, so
`load_settings()` turns pydantic's ValidationError into `SettingsError` with
that line; `__main__` prints it without a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import DEFAULT_DATA_DIR, DEFAULT_SEEDS_DIR, IN_CHECKOUT, PROJECT_ROOT
from bot.store import is_postgres_url


class SettingsError(Exception):
    """One line, naming the bad setting and what is wrong with it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_url: str = "sqlite:///data/bot.sqlite3"
    telegram_api_base: str | None = None
    bot_today: dt.date | None = None
    timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    flood_limit: int = 20
    callback_limit: int = 8
    telegram_timeout: float = 30.0
    query_log_days: int = 90
    reminder_days: int = 3
    max_upload_mb: int = 10
    parse_timeout_s: float = 30.0
    parse_memory_mb: int = 1024
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    seeds_dir: Path = DEFAULT_SEEDS_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    # A supergroup where the organisation's specialists answer people (unset: no hand-off;
    # a request for a person gets the helpline, answered round the clock).
    support_chat_id: int | None = None
    # When specialists answer, e.g. «9-18 Europe/Moscow» (unset: «as soon as they can»).
    support_hours: str | None = None
    # Scale-out (README, "Deployment"): PostgreSQL connections per process, Redis shared by
    # the workers (FSM, follow-up context, flood counters, update dedupe, send pacing), and
    # how many webhook workers `run` starts (1: this process serves the webhook itself).
    db_pool_size: int = 10
    redis_url: str | None = None
    redis_prefix: str = "family-bot"  # every key this bot keeps in Redis starts with it
    workers: int = 1
    # Messages per second the outbox sends, across all workers (Telegram allows about 30).
    send_rate: float = 25.0

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value).strip()
        head, _, tail = text.partition(":")
        if not head.isdigit() or len(tail) < 20:
            raise ValueError("expected the form 123456:ABC… given by @BotFather")
        return text

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: object) -> object:
        if value in (None, ""):
            return DEFAULT_DATA_DIR
        if not Path(str(value)).is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("bot_today", mode="before")
    @classmethod
    def _empty_date(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        if isinstance(value, (set, frozenset, list, tuple)):
            return frozenset(int(v) for v in value)
        ids = set()
        for part in str(value or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.lstrip("-").isdigit():
                raise ValueError(f"{part!r} is not a numeric Telegram id (use comma-separated ids)")
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if is_postgres_url(value):
            if not urlsplit(value).hostname and "host=" not in value:
                raise ValueError("postgresql:// needs a host: postgresql://user@host:5432/dbname")
            return value
        if not value.startswith("sqlite:///"):
            raise ValueError(
                "use sqlite:///relative/path, sqlite:////absolute/path "
                "or postgresql://user@host:5432/dbname"
            )
        if value == "sqlite:///":
            raise ValueError("the path after sqlite:/// is empty")
        return value

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not str(value).startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:6379/0 (rediss:// with TLS)")
        return value

    @field_validator("db_pool_size", "workers")
    @classmethod
    def _positive(cls, value: int) -> int:
        if not 1 <= value <= 64:
            raise ValueError("must be a number from 1 to 64")
        return value

    @model_validator(mode="after")
    def _scale_out(self) -> Settings:
        """Several workers share one database and one Redis, and only a webhook spreads
        updates over them (long polling is one reader by Telegram's rules)."""
        if self.workers > 1:
            if not self.webhook_url:
                raise ValueError("WORKERS > 1 needs WEBHOOK_URL: long polling has one reader")
            if not self.is_postgres or not self.redis_url:
                raise ValueError(
                    "WORKERS > 1 needs DATABASE_URL=postgresql://… and REDIS_URL: "
                    "workers share the store and the counters"
                )
        # Telegram answers 429 above ~30 messages/s; a local Bot API server (or the tests'
        # fake) sets its own limits.
        limit = 30.0 if self.telegram_api_base is None else 1000.0
        if not 0 < self.send_rate <= limit:
            raise ValueError(f"SEND_RATE must be more than 0 and at most {limit:g} messages/s")
        return self

    @property
    def is_postgres(self) -> bool:
        return is_postgres_url(self.database_url)

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not str(value).startswith("https://"):
            raise ValueError("must be an https:// URL Telegram can reach (TLS may end at a proxy)")
        return str(value)

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", text):
            raise ValueError("only Latin letters, digits, _ and -, up to 256 characters")
        if len(text) < 16:
            raise ValueError("too short to guess-proof the webhook: use 16 characters or more")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        """Without a secret anyone who finds the webhook URL can post updates that claim to
        come from an admin (a forged «/delete 1» deleted an article): refuse to start."""
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET: required when WEBHOOK_URL is set (16+ characters A-Z a-z 0-9 _ -;"
                " e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return self

    @field_validator("webhook_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("must be a port number 1–65535")
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Moscow)") from None
        return value

    @field_validator("support_chat_id", mode="before")
    @classmethod
    def _support_chat(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value).strip()
        if not text.lstrip("-").isdigit() or not text.startswith("-"):
            raise ValueError(
                "the id of a supergroup, a negative number such as -1001234567890 (add the bot "
                "to the group as an admin; with topics enabled it opens a topic per person)"
            )
        return int(text)

    @field_validator("support_hours", mode="before")
    @classmethod
    def _support_hours(cls, value: object) -> object:
        if value in (None, ""):
            return None
        from bot.domain.handoff import SupportHours  # the one parser of the format

        SupportHours.parse(str(value))  # raises ValueError with the reason
        return str(value).strip()

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("telegram_timeout")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if not 1 <= value <= 600:
            raise ValueError("must be seconds between 1 and 600")
        return value

    @field_validator(
        "flood_limit", "callback_limit", "query_log_days", "reminder_days", "max_upload_mb"
    )
    @classmethod
    def _non_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be zero or a positive number")
        return value

    @field_validator("parse_timeout_s")
    @classmethod
    def _parse_timeout(cls, value: float) -> float:
        if not 0 < value <= 3600:
            raise ValueError("must be seconds, more than 0 and at most 3600")
        return value

    @field_validator("parse_memory_mb")
    @classmethod
    def _parse_memory(cls, value: int) -> int:
        if value < 256:
            raise ValueError("must be at least 256 (the parser itself takes ~120 MB)")
        return value

    @property
    def store_target(self) -> Path | str:
        """What `bot.store.open_store` opens: the SQLite file, or the PostgreSQL URL."""
        return self.database_url if self.is_postgres else self.database_path

    @property
    def database_path(self) -> Path:
        """`sqlite:///rel/path` is relative to the project in a checkout and to the current
        folder in an installed package (never site-packages); `sqlite:////abs` is absolute."""
        raw = self.database_url.removeprefix("sqlite:///")
        path = Path(raw)
        if path.is_absolute():
            return path
        return (PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        """Today in TIMEZONE, or BOT_TODAY when set (demos and tests move time this way)."""
        if self.bot_today is not None:
            return self.bot_today
        return dt.datetime.now(self.tz).date()


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning the first validation error into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if not error.get("loc"):  # a rule across settings names them itself
            name, _, message = message.partition(": ")
        else:
            name = str(error["loc"][0]).upper()
        raise SettingsError(f"Setting {name} is invalid: {message}") from None


# Anything shaped like a bot token, wherever it appears (download URLs «…/file/bot<TOKEN>/…»
# in aiohttp's exceptions, a token pasted into a message).
_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


class SecretsFilter(logging.Filter):
    """Masks the bot token and the webhook secret in every log record — its message, its
    arguments and its formatted traceback — before any handler writes it.

    Attached to the handlers (a filter on a logger does not see records propagated from
    child loggers such as aiohttp's or aiogram's)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TOKEN_SHAPE.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


def secrets_of(settings: Settings) -> list[str]:
    """What no log line may show: the token, the webhook secret, and the passwords in
    DATABASE_URL and REDIS_URL (a connection error prints its URL)."""
    found = [
        s.get_secret_value() for s in (settings.bot_token, settings.webhook_secret) if s is not None
    ]
    for url in (settings.database_url, settings.redis_url):
        password = urlsplit(url).password if url else None
        if password:
            found.append(password)
    return found


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=getattr(logging, settings.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        guard_handler(handler, settings)


def guard_handler(handler: logging.Handler, settings: Settings) -> None:
    """What every log handler of the bot gets: secrets masked, SQL parameters never logged."""
    handler.addFilter(SecretsFilter(secrets_of(settings)))
    # aiosqlite logs every statement with its parameters at DEBUG — questions people asked
    # and subscribers' chat ids. Never, at any level.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
