"""Where the database lives: --db > ECPM_DB > user config.toml > site config.toml > default.

Nothing here touches the file system at import time; paths are computed on demand.
"""

from __future__ import annotations

import os
import pwd
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ecpm_tui.errors import EcpmError

APP_NAME = "ecpm"
ENV_DB = "ECPM_DB"


class ConfigError(EcpmError):
    """A configuration file or database setting cannot be used."""


@dataclass(frozen=True)
class DbTarget:
    """A resolved database location and where the choice came from."""

    url: str
    source: str

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite URL (None for in-memory or other backends)."""
        if not self.is_sqlite:
            return None
        rest = self.url.split("://", 1)[1]
        path = rest[1:] if rest.startswith("/") else rest
        path = path.split("?", 1)[0]
        if not path or path == ":memory:":
            return None
        return Path(path)

    def display(self) -> str:
        """The location with any password hidden."""
        return redact_url(self.url)


def user_config_path() -> Path:
    """The per-user config file (may not exist)."""
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def site_config_path() -> Path:
    """The machine-wide config file, for a shared server (may not exist)."""
    return platformdirs.site_config_path(APP_NAME) / "config.toml"


def default_db_path() -> Path:
    """The embedded SQLite database used when nothing else is configured."""
    return platformdirs.user_data_path(APP_NAME) / "ecpm.db"


def current_user() -> str:
    """The login name of the effective uid, recorded as author of every change.

    Not ``getpass.getuser()``: it trusts LOGNAME/USER/LNAME/USERNAME, so anyone could
    record changes under a colleague's name by setting a variable.
    """
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def to_url(value: str) -> str:
    """Turn a --db value (a file path or a SQLAlchemy URL) into a URL."""
    value = value.strip()
    if not value:
        raise ConfigError("The database location is empty.")
    if "://" in value:
        scheme = value.split("://", 1)[0]
        if scheme in ("postgresql", "postgres"):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if scheme.startswith("sqlite") or scheme.startswith("postgresql+"):
            return value
        raise ConfigError(
            f"Unsupported database URL scheme {scheme!r}: use a file path, sqlite:///PATH "
            "or postgresql+psycopg://USER@HOST/DB."
        )
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    return f"sqlite:///{path}"


def redact_url(url: str) -> str:
    """Hide the password of a database URL for display."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return f"{scheme}://{creds}@{host}"


def read_config(path: Path) -> dict[str, object]:
    """Parse a config.toml; a missing file is empty, a broken one is a ConfigError."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except PermissionError as exc:
        raise ConfigError(f"Cannot read config file {path}: permission denied.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}.") from exc


def _db_from_config(path: Path) -> str | None:
    data = read_config(path)
    value = data.get("db")
    if value is None:
        section = data.get("database")
        if isinstance(section, Mapping):
            value = section.get("url")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"Config file {path}: 'db' must be a string.")
    if "://" not in value and not Path(value).expanduser().is_absolute():
        # A relative path in a config file means relative to that file, not to the cwd.
        return str(path.parent / value)
    return value


def resolve_database(cli_db: str | None, environ: Mapping[str, str] | None = None) -> DbTarget:
    """Pick the database by the documented precedence."""
    env = os.environ if environ is None else environ
    if cli_db:
        return DbTarget(to_url(cli_db), "--db")
    if env.get(ENV_DB):
        return DbTarget(to_url(env[ENV_DB]), ENV_DB)
    for label, path in (("user config", user_config_path()), ("site config", site_config_path())):
        value = _db_from_config(path)
        if value:
            return DbTarget(to_url(value), f"{label} {path}")
    return DbTarget(to_url(str(default_db_path())), "default")
