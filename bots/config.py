"""Configuration: a TOML file plus a few environment variables, validated at start-up.

Invalid configuration stops start-up with one clear error naming the key. With no file at all
the embedded default applies: SQLite next to the working directory, the console, sample data.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Re-exported: the errors live where adapters can import them without the composition root.
from adapters.lifecycle import StartupError as StartupError
from commands.config_schema import ConfigError as ConfigError
from commands.config_schema import setting_name as setting_name

if TYPE_CHECKING:
    from commands.announcements.service import AnnouncementSettings
    from commands.forums.service import ForumSettings
    from scheduler.delivery import DeliverySettings

DEFAULT_CONFIG_FILES = ("lacznik.toml", "config.toml")
DEFAULT_DB = "sqlite:///data/lacznik.db"


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    """``[database]``"""

    url: str = DEFAULT_DB


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """``[server]`` — the HTTP server for webhooks and health checks."""

    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True, slots=True)
class DirectoryConfig:
    """``[directory]``"""

    stale_after_months: int = 6
    public: bool = False  # unlinked accounts may query (the data is personal: default no)
    sample_data: bool = True  # load the sample directory into an empty database


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """``[console]`` — the local terminal chat."""

    enabled: bool = True
    user: str = ""  # e-mail of the person the console speaks as ("" = first admin)


@dataclass(frozen=True, slots=True)
class LinkingConfig:
    """``[linking]``"""

    code_valid_hours: int = 24


LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """``[logging]`` — what the service writes to standard error."""

    level: str = "info"  # of a headless service; -v means "debug"
    sql: bool = False  # log SQL statements (never their parameters)
    format: str = "text"  # "json": one JSON object per line, for log collectors


LOG_FORMATS = ("text", "json")
METRICS_TOKEN_ENV = "LACZNIK_METRICS_TOKEN"  # noqa: S105 (a variable name)


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """``[metrics]`` — ``GET /metrics`` (Prometheus) on the service's port; off by default."""

    enabled: bool = False
    token: str = field(default="", repr=False)  # if set: Authorization: Bearer TOKEN


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    directory: DirectoryConfig = field(default_factory=DirectoryConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    linking: LinkingConfig = field(default_factory=LinkingConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    source: Path | None = None  # the file it came from, if any
    extra: dict[str, Any] = field(default_factory=dict)  # sections other components read
    database_from_env: bool = False  # LACZNIK_DATABASE_URL overrode [database] url

    @property
    def database_setting(self) -> str:
        """Where the database URL was set, for messages: ``[database] url`` or the
        environment variable."""
        return f"{DATABASE_ENV} ([database] url)" if self.database_from_env else "[database] url"


DATABASE_ENV = "LACZNIK_DATABASE_URL"

_SECTIONS: dict[str, type] = {
    "database": DatabaseConfig,
    "server": ServerConfig,
    "directory": DirectoryConfig,
    "console": ConsoleConfig,
    "linking": LinkingConfig,
    "logging": LoggingConfig,
    "metrics": MetricsConfig,
}
# Sections owned by components that validate them themselves (messenger adapters, …).
OPEN_SECTIONS = ("telegram", "slack", "teams", "reminders", "announcements", "forums",
                 "delivery", "retention", "legal")
# Keys whose value is a file path: a relative one means "beside the configuration file".
PATH_KEYS = (("teams", "certificate_path"),)


def _build(section: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(section, "must be a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"{section}.{key}", f"unknown key (known: {', '.join(known)})")
        default = getattr(cls(), key)
        expected = type(default)
        if expected is bool and not isinstance(value, bool):
            raise ConfigError(f"{section}.{key}", "must be true or false")
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{section}.{key}", "must be a whole number")
        if expected is str and not isinstance(value, str):
            raise ConfigError(f"{section}.{key}", "must be a string")
        values[key] = value
    return cls(**values)


def load_config(path: Path | None = None, *, env: dict[str, str] | None = None) -> Config:
    """Read and validate the configuration.

    ``path`` None looks for ``lacznik.toml`` in the working directory and otherwise uses the
    embedded default. ``LACZNIK_DATABASE_URL`` overrides ``[database] url``. Relative paths
    in a file (a SQLite database, a certificate) are relative to that file's folder.
    """
    environ = os.environ if env is None else env
    if path is None and environ.get("LACZNIK_CONFIG"):
        path = Path(environ["LACZNIK_CONFIG"])
    if path is None:
        path = next((Path(p) for p in DEFAULT_CONFIG_FILES if Path(p).is_file()), None)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("file", f"{path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("file", f"{path} is not valid TOML: {exc}") from None
    sections: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in raw.items():
        if name in _SECTIONS:
            sections[name] = _build(name, _SECTIONS[name], value)
        elif name in OPEN_SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(name, "must be a table")
            extra[name] = value
        else:
            raise ConfigError(name, f"unknown section (known: "
                                    f"{', '.join([*_SECTIONS, *OPEN_SECTIONS])})")
    if path is not None:
        # Relative to the file, not to wherever the command happens to be started.
        folder = path.resolve().parent
        if "database" in sections:
            sections["database"] = DatabaseConfig(
                url=_beside(sections["database"].url, folder))
        for section, key in PATH_KEYS:
            value = extra.get(section, {}).get(key)
            if isinstance(value, str) and value.strip():
                extra[section] = {**extra[section],
                                  key: str(folder / Path(value.strip()).expanduser())}
    config = Config(**sections, source=path, extra=extra)
    token = environ.get(METRICS_TOKEN_ENV)
    if token and not config.metrics.token:  # a secret is better kept out of the file
        config = _replace(config, metrics=MetricsConfig(enabled=config.metrics.enabled,
                                                        token=token))
    url = environ.get(DATABASE_ENV)
    if url:
        config = _replace(config, database=DatabaseConfig(url=url), database_from_env=True)
    _validate(config)
    return config


def _beside(url: str, folder: Path) -> str:
    """A SQLite URL with a relative path made absolute against ``folder``; others as given."""
    from store.db import DatabaseUrlError, parse_url

    try:
        parsed = parse_url(url)
    except DatabaseUrlError:
        return url  # _validate names the key
    database = parsed.database or ""
    if (parsed.get_backend_name() != "sqlite" or not database or database == ":memory:"
            or database.startswith("file:") or Path(database).expanduser().is_absolute()):
        return url
    return parsed.set(database=str(folder / database)).render_as_string(hide_password=False)


def _replace(config: Config, **changes: Any) -> Config:
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    values.update(changes)
    return Config(**values)


def _validate(config: Config) -> None:
    from store.db import DatabaseUrlError, parse_url

    try:
        parse_url(config.database.url)
    except DatabaseUrlError as exc:
        raise ConfigError("database.url", str(exc)) from None
    if not 0 <= config.server.port <= 65535:
        raise ConfigError("server.port", "must be between 0 and 65535")
    if not config.server.host:
        raise ConfigError("server.host", "must not be empty")
    if not 1 <= config.directory.stale_after_months <= 120:
        raise ConfigError("directory.stale_after_months", "must be between 1 and 120")
    if not 1 <= config.linking.code_valid_hours <= 24 * 30:
        raise ConfigError("linking.code_valid_hours", "must be between 1 and 720")
    if config.console.user and not re.match(r"^[^@\s]+@[^@\s]+$", config.console.user):
        raise ConfigError("console.user", "must be an e-mail address")
    if config.logging.level not in LOG_LEVELS:
        raise ConfigError("logging.level", f"must be one of {', '.join(LOG_LEVELS)}")
    if config.logging.format not in LOG_FORMATS:
        raise ConfigError("logging.format", f"must be one of {', '.join(LOG_FORMATS)}")
    token = config.metrics.token
    if token and (len(token) < 16 or not token.isascii() or not token.isprintable()
                  or " " in token):
        # Never echo the value: it is a secret.
        raise ConfigError("metrics.token", "must be at least 16 printable ASCII characters "
                          "without spaces (e.g. from `openssl rand -hex 32`)")


ANNOUNCEMENT_KEYS = ("reping_after_minutes", "max_pings", "author_copy_every_seconds")
FORUM_KEYS = ("unanswered_after_hours",)
_DELIVERY_LIMITS = {"concurrency": (1, 1000, 128), "lease_seconds": (15, 3600, 60),
                    "max_attempts": (1, 50, 6), "reply_max_age_seconds": (30, 86400, 600)}
DELIVERY_KEYS = tuple(_DELIVERY_LIMITS)


def announcement_settings(section: dict[str, Any]) -> AnnouncementSettings:
    """Validate ``[announcements]``: ``reping_after_minutes`` (15), ``max_pings`` (3) and
    ``author_copy_every_seconds`` (15)."""
    from datetime import timedelta

    from commands.announcements.service import AnnouncementSettings

    for key in section:
        if key not in ANNOUNCEMENT_KEYS:
            raise ConfigError(f"announcements.{key}",
                              f"unknown key (known: {', '.join(ANNOUNCEMENT_KEYS)})")
    minutes = section.get("reping_after_minutes", 15)
    pings = section.get("max_pings", 3)
    every = section.get("author_copy_every_seconds", 15)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 1440:
        raise ConfigError("announcements.reping_after_minutes", "must be 1-1440 (minutes)")
    if isinstance(pings, bool) or not isinstance(pings, int) or not 1 <= pings <= 10:
        raise ConfigError("announcements.max_pings", "must be 1-10")
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= 3600:
        raise ConfigError("announcements.author_copy_every_seconds", "must be 1-3600 (seconds)")
    return AnnouncementSettings(reping_after=timedelta(minutes=minutes), max_pings=pings,
                                author_copy_every=timedelta(seconds=every))


def forum_settings(section: dict[str, Any]) -> ForumSettings:
    """Validate ``[forums]``: ``unanswered_after_hours`` (24)."""
    from datetime import timedelta

    from commands.forums.service import ForumSettings

    for key in section:
        if key not in FORUM_KEYS:
            raise ConfigError(f"forums.{key}", f"unknown key (known: {', '.join(FORUM_KEYS)})")
    hours = section.get("unanswered_after_hours", 24)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 14:
        raise ConfigError("forums.unanswered_after_hours", "must be 1-336 (hours)")
    return ForumSettings(unanswered_after=timedelta(hours=hours))


def delivery_settings(section: dict[str, Any]) -> DeliverySettings:
    """Validate ``[delivery]``: ``concurrency`` (128), ``lease_seconds`` (60),
    ``max_attempts`` (6) and ``reply_max_age_seconds`` (600)."""
    from datetime import timedelta

    from scheduler.delivery import DeliverySettings

    limits = _DELIVERY_LIMITS
    for key in section:
        if key not in limits:
            raise ConfigError(f"delivery.{key}", f"unknown key (known: {', '.join(limits)})")
    values: dict[str, int] = {}
    for key, (low, high, default) in limits.items():
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"delivery.{key}", f"must be {low}-{high}")
        values[key] = value
    return DeliverySettings(concurrency=values["concurrency"],
                            lease=timedelta(seconds=values["lease_seconds"]),
                            max_attempts=values["max_attempts"],
                            reply_max_age=timedelta(seconds=values["reply_max_age_seconds"]))


def accepted_keys() -> dict[str, tuple[str, ...]]:
    """Every section the loader accepts with the keys its owner validates (read from the
    owners' own key lists, so ``config.example.toml`` can be checked against the code)."""
    from adapters.slack.config import KEYS as SLACK_KEYS
    from adapters.teams.settings import KEYS as TEAMS_KEYS
    from adapters.telegram.config import KEYS as TELEGRAM_KEYS
    from bots.operations import section_keys as operations_keys
    from commands.calendar.settings import KEYS as REMINDER_KEYS

    keys: dict[str, tuple[str, ...]] = {
        name: tuple(f.name for f in fields(cls)) for name, cls in _SECTIONS.items()}
    owned: dict[str, tuple[str, ...]] = {
        "telegram": tuple(TELEGRAM_KEYS), "slack": tuple(SLACK_KEYS),
        "teams": tuple(sorted(TEAMS_KEYS)), "reminders": tuple(REMINDER_KEYS),
        "announcements": ANNOUNCEMENT_KEYS, "forums": FORUM_KEYS, "delivery": DELIVERY_KEYS,
        **operations_keys(),
    }
    for name in OPEN_SECTIONS:
        if name not in owned:
            raise LookupError(f"[{name}]: add its key list to bots.config.accepted_keys")
        keys[name] = owned[name]
    return keys
