"""The PostgreSQL test server itself: reachable, loopback only, fresh databases are empty."""

from __future__ import annotations

import psycopg
import pytest
from pgserver import ExternalPg, PgServer, _psycopg_dsn, fresh_database
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.pg


def test_server_answers_and_listens_on_loopback_only(pg_server: PgServer | ExternalPg) -> None:
    with psycopg.connect(_psycopg_dsn(pg_server.url)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        listen = conn.execute("SHOW listen_addresses").fetchone()
    if isinstance(pg_server, PgServer):
        assert make_url(pg_server.url).database == "ecpm_test"
        assert listen == ("127.0.0.1",)


def test_pg_url_is_a_fresh_empty_database(pg_url: str) -> None:
    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    with psycopg.connect(_psycopg_dsn(pg_url), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE leftover (id int)")


def test_fresh_database_drops_and_recreates(pg_server: PgServer | ExternalPg) -> None:
    url = fresh_database(pg_server.url, "ecpm_fresh_check")
    try:
        with psycopg.connect(_psycopg_dsn(url), autocommit=True) as conn:
            conn.execute("CREATE TABLE leftover (id int)")
            # An open connection does not stop the drop (WITH (FORCE)).
            again = fresh_database(pg_server.url, "ecpm_fresh_check")
        assert again == url
        with psycopg.connect(_psycopg_dsn(url)) as conn:
            found = conn.execute("SELECT to_regclass('public.leftover')").fetchone()
        assert found == (None,)
    finally:
        pg_server.drop_database(url)
