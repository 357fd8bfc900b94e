"""Shared fixtures: an isolated user environment, SQLite files and a real PostgreSQL.

Helper modules in this folder (``pgserver``, ``e2e_tmux``) are imported by plain name:
the folder is put on ``sys.path`` below, and ``tests/`` is deliberately not a package.
Add new fixtures in a section of their own at the end of this file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import ExternalPg, PgServer, find_bindir

from ecpm_tui.config import DbTarget
from ecpm_tui.db import Database, open_database

# ============================================================================
# Environment isolation: no test ever touches the real user's config or database
# ============================================================================


@pytest.fixture(autouse=True)
def isolated_user(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own HOME and XDG dirs, and ``ECPM_DB`` is unset.

    The home folder is a sibling of ``tmp_path`` (not inside it), so tests that list
    ``tmp_path`` see only their own files. Returns the home folder.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "etc-xdg"))
    monkeypatch.delenv("ECPM_DB", raising=False)
    return home


# ============================================================================
# Databases: SQLite files, a PostgreSQL server, and ``db_url`` for both backends
# ============================================================================


def _missing(message: str) -> None:
    """Fail in CI (never silently skip there), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | ExternalPg]:
    """A PostgreSQL server: ``ECPM_TEST_PG_URL`` if set, else a throwaway one started here.

    ``.url`` is an existing database on it; ``.new_database()`` makes a fresh one.
    """
    url = os.environ.get("ECPM_TEST_PG_URL")
    server: PgServer | ExternalPg
    if url:
        server = ExternalPg(url)
    else:
        bindir = find_bindir()
        if bindir is None:
            _missing("PostgreSQL is not installed (apt-get install postgresql)")
            raise AssertionError("unreachable")
        server = PgServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer | ExternalPg) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty PostgreSQL database (dropped afterwards)."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where this test's SQLite database file goes (not created)."""
    return tmp_path / "ecpm.db"


@pytest.fixture
def sqlite_url(db_path: Path) -> str:
    """``sqlite:///<tmp_path>/ecpm.db``."""
    return f"sqlite:///{db_path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run a test against a SQLite file and against a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


# ============================================================================
# More fixtures: append new sections below this line
# ============================================================================


# ============================================================================
# An open ecpm database on either backend (``db_url``), closed after the test
# ============================================================================


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(DbTarget(db_url, "test"))
    yield database
    database.close()
