"""Issue 11 item 4: on PostgreSQL, ``ecpm init --pg-roles`` makes the audit trail
append-only for the users' group: they add events, they never change or delete them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from test_cli import assert_user_error, run

from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.store import Store


def _dsn(url: str, user: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if user:
        parsed = parsed.set(username=user, password=None)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def member(pg_url: str) -> Iterator[str]:
    """A login role in ecpm_users on a database set up with --pg-roles; its URL."""
    result = run("init", "--pg-roles", "--db", pg_url)
    assert result.returncode == 0, result.stderr
    assert "ecpm_users" in result.stdout and "Traceback" not in result.stderr
    login = f"ecpm_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_dsn(pg_url), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {login} LOGIN IN ROLE ecpm_users")
    url = make_url(pg_url).set(username=login, password=None)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(_dsn(pg_url), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,)
        )
        admin.execute(f"DROP ROLE IF EXISTS {login}")


@pytest.mark.pg
def test_members_write_but_cannot_rewrite_the_audit_trail(pg_url: str, member: str) -> None:
    login = make_url(member).username
    assert login is not None
    store = Store(open_database(DbTarget(member, "test"), create=False), user="alice")
    try:
        # An ordinary day's work goes through, audited.
        p = store.create_project({"key": "SHOP", "name": "Storefront"})
        assert p.id is not None
        card = store.create_card(p.id, {"title": "Checkout"})
        assert card.id is not None
        store.update_card(card.id, card.version, {"title": "Checkout v2"})
        store.move_card(card.id, "planning")
        assert len(store.list_events()) >= 4
        assert store.verify_audit().ok
    finally:
        store.db.close()

    with psycopg.connect(_dsn(pg_url, login)) as conn:
        assert conn.execute("SELECT count(*) FROM auditevent").fetchone()[0] >= 4  # type: ignore[index]
        assert conn.execute("SELECT current_user").fetchone() == (login,)
        for forgery in (
            "UPDATE auditevent SET summary = 'nothing happened'",
            "DELETE FROM auditevent",
            "TRUNCATE auditevent",
            "ALTER TABLE auditevent DISABLE TRIGGER ALL",
            "DROP TABLE auditevent",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(forgery)
            conn.rollback()
        # The data tables stay writable for the group.
        conn.execute("UPDATE card SET title = 'by hand' WHERE title = 'Checkout v2'")
        conn.rollback()

    # Running it again (say after an upgrade added a table) is harmless.
    again = run("init", "--pg-roles", "--db", pg_url)
    assert again.returncode == 0, again.stderr


def test_pg_roles_on_sqlite_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    assert_user_error(run("init", "--pg-roles", "--db", str(path)), "only applies to a PostgreSQL")
    assert not path.exists()
