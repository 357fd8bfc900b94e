"""Transaction plumbing shared by every store module.

An operation is a method decorated with :func:`writes` or :func:`reads`: the decorator
opens the session (``BEGIN IMMEDIATE`` on SQLite, retried a bounded number of times
while another writer holds the lock), passes it in as ``s``, commits, and turns
driver errors into messages fit for a person. The body reads top to bottom::

    @writes
    def move_card(self, s: Session, card_id: int, phase: str) -> CardRow: ...

Callers never see the session: ``store.move_card(card_id, phase)``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from ecpm_tui import audit_chain, pptf
from ecpm_tui.config import current_user
from ecpm_tui.db import Database
from ecpm_tui.errors import Conflict, NotFound, ValidationError
from ecpm_tui.models import AuditEvent, utcnow
from ecpm_tui.pptf_custom import installed_bank
from ecpm_tui.store.prepared import Prepared
from ecpm_tui.text import one_line

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)
R = TypeVar("R")
P = ParamSpec("P")
S = TypeVar("S", bound="StoreBase")


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a field value (dates as ISO text, decimals as strings)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def changes(obj: Any, new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every value in *new* that differs from *obj*'s."""
    out: dict[str, list[Any]] = {}
    for name, value in new.items():
        old = getattr(obj, name)
        if old != value:
            out[name] = [jsonable(old), jsonable(value)]
    return out


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The audit ``changes`` of a new record: every value from nothing."""
    return {k: [None, jsonable(v)] for k, v in values.items()}


def detach(session: Session, *objs: SQLModel | None) -> None:
    """Flush, refresh and detach *objs* so callers can read them after the commit."""
    session.flush()
    for obj in objs:
        if obj is not None:
            session.refresh(obj)
            session.expunge(obj)


def columns(row_type: type[Any], model: type[SQLModel]) -> list[Any]:
    """The *model* columns named like the fields of the dataclass *row_type*, in order."""
    return [getattr(model, f.name) for f in dataclasses.fields(row_type)]


def select_rows(row_type: type[R], model: type[SQLModel]) -> Any:
    """``SELECT`` of the columns *row_type* holds; add ``where``/``order_by`` and pass to
    :func:`fetch_rows`. One tuple per row, never an ORM object."""
    return select(*columns(row_type, model))


def fetch_rows(s: Session, row_type: type[R], query: Any) -> list[R]:
    """Run a :func:`select_rows` query and build one *row_type* per result row."""
    # Core execution: plain tuples, without the ORM result machinery rows never need.
    return [row_type(*row) for row in s.connection().execute(query)]


AUDIT = AuditEvent.__table__
# The last hash of the chain, as a scalar subquery Core writes fold into their first SELECT.
LAST_HASH = select(AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1).scalar_subquery()
INSERT_EVENT = AUDIT.insert()
_INSERTS: dict[tuple[str, ...], Prepared] = {}  # by the fields given (event_row's, always)


def insert_events(conn: Connection, previous: str | None, rows: list[dict[str, Any]]) -> None:
    """Insert the audit events *rows* (from :meth:`StoreBase.event_row`) chained after the
    hash *previous* (read in the same write transaction, which keeps it the last one)."""
    chain = previous or audit_chain.GENESIS
    for row in rows:
        row["hash"] = chain = audit_chain.digest(chain, SimpleNamespace(**row))
    if not rows:
        return
    keys = tuple(rows[0])
    insert = _INSERTS.get(keys)
    if insert is None:
        insert = _INSERTS[keys] = Prepared(INSERT_EVENT, keys)
    # One executemany: ids are given in order, so they follow the chain.
    insert.many(conn, rows)


def writes_core(
    fn: Callable[Concatenate[S, Connection, P], T],
) -> Callable[Concatenate[S, P], T]:
    """Like :func:`writes`, for hot writes in Core SQL on a plain connection (no session)."""

    @functools.wraps(fn)
    def operation(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return self.db.write_core(lambda c: fn(self, c, *args, **kwargs))
        except IntegrityError as exc:
            raise _translate(exc) from exc

    return operation


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, StaleDataError):
        return Conflict(
            "Someone else saved this record while you were editing it; nothing was "
            "overwritten. Reload to see their version."
        )
    assert isinstance(exc, IntegrityError)
    msg = str(exc.orig).lower()
    if "unique" in msg or "duplicate" in msg:
        return Conflict("That record already exists (someone may have just made it).")
    return ValidationError(
        "The change refers to a record that no longer exists; nothing was saved."
    )


def writes(fn: Callable[Concatenate[S, Session, P], T]) -> Callable[Concatenate[S, P], T]:
    """Run the decorated store method as one write transaction (one user action)."""

    @functools.wraps(fn)
    def operation(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return self.db.write(lambda s: fn(self, s, *args, **kwargs))
        except (StaleDataError, IntegrityError) as exc:
            raise _translate(exc) from exc

    return operation


def reads(fn: Callable[Concatenate[S, Session, P], T]) -> Callable[Concatenate[S, P], T]:
    """Run the decorated store method in one read-only transaction."""

    @functools.wraps(fn)
    def operation(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.db.read(lambda s: fn(self, s, *args, **kwargs))

    return operation


USER_MAX = 64


def _stored_time(value: datetime) -> datetime:
    # Hash the time as the database will hand it back: microseconds, UTC.
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class StoreBase:
    """What every store module shares: the database, the acting user, today, the bank."""

    def __init__(
        self,
        db: Database,
        user: str | None = None,
        today: Callable[[], date] = date.today,
        bank: pptf.QuestionBank | None = None,
    ) -> None:
        self.db = db
        # Author columns hold 64 characters: PostgreSQL refuses longer values (every
        # write failed for a long login name), so the name is cut once, the same everywhere.
        self.user = one_line(user or current_user(), USER_MAX)
        self.today = today
        # The shipped bank with this installation's pptf_questions.toml applied.
        self.bank = bank if bank is not None else installed_bank().bank

    def audit(
        self,
        s: Session,
        entity: str,
        entity_id: int | None,
        project_id: int | None,
        action: str,
        summary: str,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one audit event to the current transaction."""
        row = self.event_row(entity, entity_id, project_id, action, summary, changes)
        self.append_events(s, [AuditEvent(**row)])

    def append_events(self, s: Session, events: Sequence[AuditEvent]) -> None:
        """Add *events* to the audit trail in order, each hash chained to the one before.

        Writes take turns (BEGIN IMMEDIATE on SQLite, the change-counter lock on
        PostgreSQL), so the last hash read here is still the last one at commit.
        """
        previous = s.execute(
            select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar()
        previous = previous or audit_chain.GENESIS
        role = self.db.role
        for event in events:
            event.db_role = role
            event.at = _stored_time(event.at)
            event.imported_at = _stored_time(event.imported_at) if event.imported_at else None
            event.hash = previous = audit_chain.digest(previous, event)
        # Inserts of one table go out in the order added, so ids follow the chain.
        s.add_all(events)
        s.flush()

    def event_row(
        self,
        entity: str,
        entity_id: int | None,
        project_id: int | None,
        action: str,
        summary: str,
        changes: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The values of one audit event for :func:`insert_events` (Core writes): the same
        fields :meth:`audit` records, built before the transaction needs them."""
        return {
            "at": _stored_time(utcnow()),
            "user": self.user,
            "db_role": self.db.role,
            "entity": entity,
            "entity_id": entity_id,
            "project_id": project_id,
            "action": action,
            "summary": summary[:2000],
            "changes": json.dumps(dict(changes or {}), ensure_ascii=False, default=str),
            "imported_by": "",
            "imported_at": None,
        }

    @staticmethod
    def get(s: Session, model: type[M], ident: int, label: str, lock: bool = False) -> M:
        """One record by id (``lock``: ``SELECT ... FOR UPDATE``), else NotFound."""
        if lock:
            obj = s.exec(select(model).where(model.id == ident).with_for_update()).scalars().first()
        else:
            obj = s.get(model, ident)
        if obj is None:
            raise NotFound(f"{label} {ident} does not exist (it may have been deleted).")
        return obj

    @staticmethod
    def check_version(s: Session, obj: Any, expected: int | None, label: str) -> None:
        """Raise Conflict (carrying the current record) when *obj* moved past *expected*."""
        if expected is not None and obj.version != expected:
            s.expunge(obj)
            raise Conflict(
                f"{label} was changed by {obj.updated_by or 'someone'} since you opened it "
                f"(version {expected} -> {obj.version}); nothing was overwritten.",
                current=obj,
            )

    def touch(self, obj: Any) -> None:
        """Stamp who changed *obj* and when."""
        obj.updated_at = utcnow()
        obj.updated_by = self.user

    def stamp(self) -> dict[str, Any]:
        """Who/when values for a new record."""
        now = utcnow()
        return {
            "created_at": now,
            "created_by": self.user,
            "updated_at": now,
            "updated_by": self.user,
        }
