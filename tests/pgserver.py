"""A throwaway PostgreSQL server for the tests: loopback only, temp data dir, no fsync.

API::

    server = PgServer().start()          # initdb + pg_ctl start on 127.0.0.1:<free port>
    server.url                           # postgresql+psycopg://postgres@127.0.0.1:PORT/ecpm_test
    url = server.new_database()          # a fresh, empty database next to it
    server.drop_database(url)
    server.stop()                        # pg_ctl -m immediate stop, data dir removed

    fresh_database(base_url, "name")     # drop (FORCE) and recreate a database on any server

``ExternalPg(url)`` offers the same interface for a server that is already running
(``ECPM_TEST_PG_URL``); ``find_bindir()`` says where initdb and pg_ctl are, or None.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

TEST_DATABASE = "ecpm_test"


def find_bindir() -> Path | None:
    """Folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    try:
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True, timeout=30
        )
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    except (OSError, subprocess.SubprocessError):
        pass
    # Debian installs the server binaries off PATH, one folder per major version.
    for found in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    ):
        if Path(found, "initdb").exists() and Path(found, "pg_ctl").exists():
            return Path(found)
    initdb = shutil.which("initdb")
    if initdb:
        bindir = Path(initdb).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psycopg_dsn(url: str | URL) -> str:
    """The libpq form of a SQLAlchemy URL (``postgresql+psycopg://`` -> ``postgresql://``)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fresh_database(base_url: str, name: str) -> str:
    """Drop (with FORCE) and recreate database *name* on the server of *base_url*.

    *base_url* is the URL of any existing database on that server (it is used for the
    administrative connection). Returns the SQLAlchemy URL of the new, empty database.
    """
    base = make_url(base_url)
    with psycopg.connect(_psycopg_dsn(base), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote_ident(name)}")
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )


def drop_database(base_url: str, name: str) -> None:
    """Drop database *name* on the server of *base_url*; errors are ignored."""
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(_psycopg_dsn(base_url), autocommit=True) as conn,
    ):
        conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")


class _Databases:
    """Create and drop throwaway databases next to the database at :attr:`url`."""

    url: str  # postgresql+psycopg://user@host:port/db, an existing database

    def new_database(self) -> str:
        """Create an empty database with a unique name and return its SQLAlchemy URL."""
        return fresh_database(self.url, f"ecpm_{uuid.uuid4().hex[:12]}")

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`new_database` (never the base database)."""
        name = make_url(url).database
        if name and name != make_url(self.url).database:
            drop_database(self.url, name)


class PgServer(_Databases):
    """A local server: :meth:`start`, :meth:`stop`, :attr:`url`, :meth:`new_database`.

    As root the cluster belongs to the ``postgres`` OS user (initdb refuses root) and the
    tools run through ``runuser``; otherwise they run as the current user.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bindir = found
        self.root = Path(tempfile.mkdtemp(prefix="ecpm-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self.logfile = self.root / "server.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{TEST_DATABASE}"
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False

    def _run(self, *args: str, timeout: float = 120) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        # cwd: the postgres user may not be allowed into the caller's working directory.
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-4000:] if self.logfile.exists() else ""
            raise RuntimeError(
                f"{args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}"
            )

    def start(self) -> PgServer:
        self.sockdir.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root needs a 'postgres' OS user") from exc
            os.chmod(self.root, 0o755)
            for path in (self.root, self.sockdir):
                os.chown(path, pw.pw_uid, pw.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        opts = (
            f"-k {self.sockdir} -h 127.0.0.1 -p {self.port} -F -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.logfile),
            "-o",
            opts,
            "start",
        )
        self.running = True
        fresh_database(self.admin_url, TEST_DATABASE)
        return self

    def stop(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError, OSError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ExternalPg(_Databases):
    """A server given by ``ECPM_TEST_PG_URL``: fresh databases are created next to it."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if not parsed.drivername.startswith("postgresql"):
            raise ValueError(f"ECPM_TEST_PG_URL is not a PostgreSQL URL: {url}")
        self.url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)

    def start(self) -> ExternalPg:
        return self

    def stop(self) -> None:
        pass
