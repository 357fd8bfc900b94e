"""PostgreSQL roles for a team database (``ecpm init --pg-roles``).

Two roles without login, made once per server and applied to every table of the
database's schema:

``ecpm_owner``
    Owns the tables and sequences: only it (and superusers) may change the schema,
    run migrations or rewrite history.
``ecpm_users``
    The group every person's login role joins (``GRANT ecpm_users TO alice``): may read
    and write the data tables, but on the audit trail only SELECT and INSERT, so an
    UPDATE or DELETE of an audit event is refused with "permission denied".

Run by a superuser (or a role that may create roles and is a member of ``ecpm_owner``).
Idempotent: running it again re-applies the grants, for example after a migration
added a table.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ecpm_tui.db import Database
from ecpm_tui.errors import StorageError, ValidationError
from ecpm_tui.models import AuditEvent

OWNER = "ecpm_owner"
USERS = "ecpm_users"
AUDIT_TABLE = str(AuditEvent.__tablename__)
# Tables with narrower rights than read-and-write for the users' group.
SPECIAL = {
    AUDIT_TABLE: "SELECT, INSERT",  # append-only: the tamper evidence of issue 11
    "alembic_version": "SELECT",  # the schema moves only with the owner
    "ecpm_changes": "SELECT, UPDATE",  # the change counter every write bumps
}
DATA = "SELECT, INSERT, UPDATE, DELETE"


def _create_role(conn: Connection, name: str) -> bool:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    if exists:
        return False
    # Roles are per server: two databases initialised at once may race; the loser's
    # "already exists" is fine.
    conn.execute(
        text(
            f"DO $$ BEGIN CREATE ROLE {name} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    )
    return True


def _quote(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def apply_roles(db: Database) -> list[str]:
    """Create the roles if missing and give them this database's tables; lines to print."""
    if db.is_sqlite:
        raise ValidationError(
            "--pg-roles only applies to a PostgreSQL database (--db postgresql+psycopg://...)."
        )
    try:
        return _apply(db)
    except DBAPIError as exc:
        # Typically not a superuser: say so in one line, nothing was changed.
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageError(
            f"Cannot set up the roles (run this as a PostgreSQL superuser): {detail}"
        ) from exc


def _apply(db: Database) -> list[str]:
    lines: list[str] = []
    with db.engine.begin() as conn:
        for role in (OWNER, USERS):
            if _create_role(conn, role):
                lines.append(f"Created role {role} (no login).")
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        tables = list(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
                {"s": schema},
            ).scalars()
        )
        q_schema = _quote(conn, schema)
        conn.execute(text(f"GRANT USAGE ON SCHEMA {q_schema} TO {USERS}"))
        for table in tables:
            name = f"{q_schema}.{_quote(conn, table)}"
            # The owner's sequences (serial ids) follow the table.
            conn.execute(text(f"ALTER TABLE {name} OWNER TO {OWNER}"))
            conn.execute(text(f"REVOKE ALL ON {name} FROM PUBLIC, {USERS}"))
            conn.execute(text(f"GRANT {SPECIAL.get(table, DATA)} ON {name} TO {USERS}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q_schema} TO {USERS}"))
    lines.append(
        f"{len(tables)} tables owned by {OWNER}; {USERS} may read and write the data, "
        f"and only read and add to the audit trail ({AUDIT_TABLE})."
    )
    lines.append(f"Give each person access with: GRANT {USERS} TO <login role>;")
    return lines
