"""Configuration: a TOML file plus a few environment variables, validated at start-up.

Invalid configuration stops start-up with one clear error naming the key. With no file at all
the embedded default applies: SQLite next to the working directory, the console, sample data.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass as plain_dataclass
from dataclasses import field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic.dataclasses import dataclass

# Re-exported: the errors live where adapters can import them without the composition root.
from adapters.lifecycle import StartupError as StartupError
from commands.config_schema import STRICT, Problem, read_section, section_keys
from commands.config_schema import ConfigError as ConfigError
from commands.config_schema import setting_name as setting_name

if TYPE_CHECKING:
    from commands.announcements.service import AnnouncementSettings
    from commands.forums.service import ForumSettings
    from scheduler.delivery import DeliverySettings

DEFAULT_CONFIG_FILES = ("lacznik.toml", "config.toml")
DEFAULT_DB = "sqlite:///data/lacznik.db"
LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["text", "json"]
LOG_LEVELS: tuple[str, ...] = get_args(LogLevel)
LOG_FORMATS: tuple[str, ...] = get_args(LogFormat)
METRICS_TOKEN_ENV = "LACZNIK_METRICS_TOKEN"  # noqa: S105 (a variable name)

# The bots' own sections are declared as pydantic dataclasses: validated as they are read
# (and whenever code builds one), kept as they are by the running service.


@dataclass(frozen=True, slots=True, config=STRICT)
class DatabaseConfig:
    """``[database]`` (its URL is checked once the environment may have replaced it)."""

    section: ClassVar[str] = "database"

    url: str = DEFAULT_DB


@dataclass(frozen=True, slots=True, config=STRICT)
class ServerConfig:
    """``[server]`` — the HTTP server for webhooks and health checks."""

    section: ClassVar[str] = "server"
    checked_in: ClassVar[tuple[str, ...]] = ("port", "host", "public_url")

    host: Annotated[str, Field(min_length=1), Problem("must not be empty",
                                                      "must be a string")] = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535), Problem("must be between 0 and 65535",
                                                        "must be a whole number")] = 8080
    # The service's public https:// address (behind the reverse proxy): the links in e-mails
    # (opt-out) and SMS (acknowledgement, delivery reports); [email]/[sms] public_url override.
    public_url: Annotated[str, Problem("must be the service's public https:// address, "
                                       "e.g. \"https://lacznik.urzad.example.pl\"",
                                       "must be a string")] = ""

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, url: str) -> str:
        url = url.strip()
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ConfigError("server.public_url", "must be the service's public https:// "
                              'address, e.g. "https://lacznik.urzad.example.pl"')
        return url.rstrip("/")

    @property
    def base_url(self) -> str:
        """Where people reach the service: ``public_url``, else this machine's own address
        (a local install: the panel's links then work on this machine only)."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True, slots=True, config=STRICT)
class DirectoryConfig:
    """``[directory]``"""

    section: ClassVar[str] = "directory"

    stale_after_months: Annotated[int, Field(ge=1, le=120), Problem(
        "must be between 1 and 120", "must be a whole number")] = 6
    public: bool = False  # unlinked accounts may query (the data is personal: default no)
    sample_data: bool = True  # load the sample directory into an empty database


@dataclass(frozen=True, slots=True, config=STRICT)
class ConsoleConfig:
    """``[console]`` — the local terminal chat."""

    section: ClassVar[str] = "console"

    enabled: bool = True
    user: str = ""  # e-mail of the person the console speaks as ("" = first admin)

    @field_validator("user")
    @classmethod
    def _email(cls, user: str) -> str:
        # Python's re, as ever: "$" also matches before a final newline.
        if user and not re.match(r"^[^@\s]+@[^@\s]+$", user):
            raise ConfigError("console.user", "must be an e-mail address")
        return user


@dataclass(frozen=True, slots=True, config=STRICT)
class LinkingConfig:
    """``[linking]``"""

    section: ClassVar[str] = "linking"

    code_valid_hours: Annotated[int, Field(ge=1, le=24 * 30), Problem(
        "must be between 1 and 720", "must be a whole number")] = 24


@dataclass(frozen=True, slots=True, config=STRICT)
class LoggingConfig:
    """``[logging]`` — what the service writes to standard error."""

    section: ClassVar[str] = "logging"

    # of a headless service; -v means "debug"
    level: Annotated[LogLevel, Problem(
        f"must be one of {', '.join(LOG_LEVELS)}")] = "info"
    sql: bool = False  # log SQL statements (never their parameters)
    # "json": one JSON object per line, for log collectors
    format: Annotated[LogFormat, Problem(
        f"must be one of {', '.join(LOG_FORMATS)}")] = "text"


@dataclass(frozen=True, slots=True, config=STRICT)
class MetricsConfig:
    """``[metrics]`` — ``GET /metrics`` (Prometheus) on the service's port; off by default."""

    section: ClassVar[str] = "metrics"

    enabled: bool = False
    token: str = field(default="", repr=False)  # if set: Authorization: Bearer TOKEN

    @field_validator("token")
    @classmethod
    def _secret_enough(cls, token: str) -> str:
        if token and (len(token) < 16 or not token.isascii() or not token.isprintable()
                      or " " in token):
            # Never echo the value: it is a secret.
            raise ConfigError("metrics.token", "must be at least 16 printable ASCII "
                              "characters without spaces (e.g. from `openssl rand -hex 32`)")
        return token


@plain_dataclass(frozen=True, slots=True)
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

    def __post_init__(self) -> None:
        # One public address for the service: the sections that put links to it into
        # e-mails and SMS take [server] public_url unless they set their own.
        if self.server.public_url:
            extra = dict(self.extra)
            for name in LINKING_SECTIONS:
                section = extra.get(name)
                if isinstance(section, dict) and not section.get("public_url"):
                    extra[name] = {**section, "public_url": self.server.public_url}
            object.__setattr__(self, "extra", extra)  # frozen: set once, while being made

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
# The order the bots' own sections' values are checked in (after every section's shape).
_VALUES_CHECKED_IN = ("server", "directory", "linking", "console", "logging", "metrics")
# Sections owned by components that validate them themselves (messenger adapters, …).
OPEN_SECTIONS = ("telegram", "slack", "teams", "reminders", "announcements", "forums",
                 "delivery", "retention", "legal", "email", "sms", "panel")
# Sections whose ``public_url`` defaults to ``[server] public_url``.
LINKING_SECTIONS = ("email", "sms")
# Keys whose value is a file path: a relative one means "beside the configuration file".
PATH_KEYS = (("teams", "certificate_path"),)


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
    # A bad value is reported only after every section's keys and kinds of values, and
    # after the database URL (wherever it came from), as the checks have always run.
    bad_values: dict[str, ConfigError] = {}
    for name, value in raw.items():
        if name in _SECTIONS:
            try:
                sections[name] = read_section(_SECTIONS[name], value, types_first=True)
            except ConfigError as exc:
                if exc.shape:
                    raise
                bad_values[name] = exc
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
    # a secret is better kept out of the file
    if token and not config.metrics.token and "metrics" not in bad_values:
        try:
            metrics = read_section(MetricsConfig, {"enabled": config.metrics.enabled,
                                                   "token": token})
        except ConfigError as exc:
            bad_values["metrics"] = exc
        else:
            config = _replace(config, metrics=metrics)
    url = environ.get(DATABASE_ENV)
    if url:
        config = _replace(config, database=DatabaseConfig(url=url), database_from_env=True)
    _validate(config)
    for name in _VALUES_CHECKED_IN:
        if name in bad_values:
            raise bad_values[name]
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
    """What no section can check alone: the database URL, wherever it came from."""
    from store.db import DatabaseUrlError, parse_url

    try:
        parse_url(config.database.url)
    except DatabaseUrlError as exc:
        raise ConfigError("database.url", str(exc)) from None


def announcement_settings(section: dict[str, Any]) -> AnnouncementSettings:
    """Validate ``[announcements]`` (declared in commands/announcements/settings.py)."""
    from commands.announcements.settings import announcement_settings as read

    return read(section)


def forum_settings(section: dict[str, Any]) -> ForumSettings:
    """Validate ``[forums]`` (declared in commands/forums/settings.py)."""
    from commands.forums.settings import forum_settings as read

    return read(section)


def delivery_settings(section: dict[str, Any]) -> DeliverySettings:
    """Validate ``[delivery]`` (declared in scheduler/delivery_settings.py)."""
    from scheduler.delivery_settings import delivery_settings as read

    return read(section)


def accepted_keys() -> dict[str, tuple[str, ...]]:
    """Every section the loader accepts with the keys its owner's schema declares, so
    ``config.example.toml`` can be checked against the code."""
    from adapters.email.config import EmailSection
    from adapters.panel.settings import PanelConfig
    from adapters.slack.config import SlackConfig
    from adapters.sms.config import SmsConfig
    from adapters.teams.settings import TeamsSection
    from adapters.telegram.config import TelegramConfig
    from bots.operations import section_keys as operations_keys
    from commands.announcements.settings import AnnouncementsSection
    from commands.calendar.settings import RemindersSection
    from commands.forums.settings import ForumsSection
    from scheduler.delivery_settings import DeliverySection

    keys = {name: section_keys(schema) for name, schema in _SECTIONS.items()}
    owned: dict[str, tuple[str, ...]] = {
        schema.section: section_keys(schema)
        for schema in (TelegramConfig, SlackConfig, TeamsSection, RemindersSection,
                       AnnouncementsSection, ForumsSection, DeliverySection, EmailSection,
                       SmsConfig, PanelConfig)
    }
    owned.update(operations_keys())
    for name in OPEN_SECTIONS:
        if name not in owned:
            raise LookupError(f"[{name}]: add its schema to bots.config.accepted_keys")
        keys[name] = owned[name]
    return keys
