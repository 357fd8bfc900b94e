"""A throwaway PostgreSQL server for the tests: loopback only, temp data dir, no fsync."""

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


def find_bindir() -> Path | None:
    """Folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    except (OSError, subprocess.CalledProcessError):
        pass
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(found, "initdb").exists():
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Databases:
    """Create and drop throwaway databases on a server reached through ``admin_dsn``."""

    admin_dsn: str
    url_prefix: str  # postgresql+psycopg://user@host:port

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        name = f"ecpm_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url_prefix}/{name}"

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(self.admin_dsn, autocommit=True) as conn,
        ):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PgServer(_Databases):
    """A local server: :meth:`start`, :meth:`stop`, and :meth:`new_database` for a fresh DB."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="ecpm-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.admin_dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.url_prefix = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> PgServer:
        self.sockdir.mkdir(parents=True)
        if self.as_postgres:
            # initdb refuses to run as root: the throwaway cluster belongs to postgres.
            pw = pwd.getpwnam("postgres")
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
            str(self.root / "server.log"),
            "-o",
            opts,
            "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class ExternalPg(_Databases):
    """A server given by ECPM_TEST_PG_URL: fresh databases are created next to it."""

    def __init__(self, url: str) -> None:
        self.admin_dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.url_prefix = url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)

    def stop(self) -> None:
        pass
