"""Bulk creation of whole projects (import, demo data) in one audited transaction.

Callers build a :class:`ProjectBundle` of unsaved model instances first, outside any
transaction, so the write lock is held only for the inserts. Records inside a bundle
refer to each other by object (an answer's action card, an event's subject), never by
database id; ids are resolved here after the inserts.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlmodel import Session, SQLModel

from ecpm_tui import lifecycle
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import (
    Answer,
    Assessment,
    AuditEvent,
    Card,
    GateCheck,
    PhaseTransition,
    Project,
    Risk,
    utcnow,
)
from ecpm_tui.store.base import StoreBase, writes


@dataclass
class AnswerSpec:
    """An answer and the card or risk made from its gap, if any."""

    answer: Answer
    card: Card | None = None
    risk: Risk | None = None


@dataclass
class InterviewSpec:
    """An interview, the milestone card it prepares (if any) and its answers."""

    assessment: Assessment
    milestone: Card | None = None
    answers: list[AnswerSpec] = field(default_factory=list)


@dataclass
class EventSpec:
    """A historic audit event and the bundle record it is about (if any)."""

    event: AuditEvent
    subject: SQLModel | None = None


@dataclass
class ProjectBundle:
    """A whole project to create: every list may be empty."""

    project: Project
    cards: list[Card] = field(default_factory=list)
    gate_checks: list[GateCheck] = field(default_factory=list)
    transitions: list[PhaseTransition] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    interviews: list[InterviewSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    issue_cards: list[tuple[Risk, Card]] = field(default_factory=list)
    """Occurred risks and the issue cards made for them (both in the lists above)."""


@dataclass(frozen=True)
class BulkResult:
    """What a bulk creation added (or would add, on a dry run)."""

    projects: list[str]
    cards: int
    risks: int
    assessments: int
    dry_run: bool


def default_gate_checks(stamp: dict[str, Any]) -> list[GateCheck]:
    """Unsaved gate checks with the default exit criteria of every phase."""
    return [
        GateCheck(
            phase=phase.value,
            criterion_key=crit.key,
            text=crit.text,
            position=pos,
            mandatory=crit.key in lifecycle.MANDATORY_CRITERIA,
            **stamp,
        )
        for phase in lifecycle.PHASES
        for pos, crit in enumerate(lifecycle.DEFAULT_GATE_CRITERIA[phase])
    ]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# (row, column, list name, index): a link to a bundle record whose id the insert makes.
Link = tuple[dict[str, Any], str, str, int]
ORDER = ("cards", "gate_checks", "transitions", "risks", "assessments", "answers")


@dataclass
class _TableRows:
    """One table's INSERT, compiled for the database, and its rows as driver values."""

    table: Any
    sql: str
    order: tuple[str, ...] | None  # parameter order for positional drivers (SQLite)
    rows: list[dict[str, Any]]

    def params(self) -> list[Any]:
        """The rows as the driver takes them."""
        if self.order is None:
            return self.rows
        # itemgetter builds each tuple in C: this runs while the write lock is held.
        return list(map(itemgetter(*self.order), self.rows))


@dataclass
class _BundleRows:
    """A bundle as driver-ready rows, built before the write lock is taken.

    Through the ORM, inserting 10,000 cards held the lock for seconds (object state,
    per-row parameter processing); inside the lock only the INSERTs and the id links
    remain.
    """

    project: dict[str, Any]
    tables: dict[str, _TableRows]
    links: list[Link]
    events: list[tuple[AuditEvent, str | None, int]]


def _values(obj: SQLModel) -> dict[str, Any]:
    table = obj.__table__
    return {c.key: getattr(obj, c.key) for c in table.columns if c.key != "id"}


def _compile(table: Any, rows: list[dict[str, Any]], dialect: Dialect) -> _TableRows:
    """Compile *table*'s INSERT and convert *rows* with the column types' bind processors
    (what SQLAlchemy would otherwise do per row while the lock is held)."""
    keys = [c.key for c in table.columns if c.key != "id"]
    compiled = table.insert().compile(dialect=dialect, column_keys=keys)
    processors = {k: table.c[k].type.bind_processor(dialect) for k in keys}
    active = [(k, p) for k, p in processors.items() if p is not None]
    for row in rows:
        for k, process in active:
            row[k] = process(row[k])
    order = tuple(compiled.positiontup or ()) if dialect.positional else None
    return _TableRows(table, compiled.string, order, rows)


def _prepare(b: ProjectBundle, dialect: Dialect) -> _BundleRows:
    answers = [a for spec in b.interviews for a in spec.answers]
    lists: dict[str, list[Any]] = {
        "cards": b.cards,
        "gate_checks": b.gate_checks,
        "transitions": b.transitions,
        "risks": b.risks,
        "assessments": [spec.assessment for spec in b.interviews],
        "answers": [a.answer for a in answers],
    }
    where: dict[int, tuple[str, int]] = {
        id(obj): (name, i) for name, objs in lists.items() for i, obj in enumerate(objs)
    }
    rows = {name: [_values(o) for o in objs] for name, objs in lists.items() if objs}
    links: list[Link] = []

    def link(row: dict[str, Any], column: str, target: SQLModel | None) -> None:
        row[column] = None
        if target is not None:
            links.append((row, column, *where[id(target)]))

    for item, card in b.issue_cards:
        link(rows["risks"][where[id(item)][1]], "occurred_card_id", card)
    for i, spec in enumerate(b.interviews):
        link(rows["assessments"][i], "milestone_card_id", spec.milestone)
    for i, a in enumerate(answers):
        link(rows["answers"][i], "created_card_id", a.card)
        link(rows["answers"][i], "created_risk_id", a.risk)
    n = 0
    for i, spec in enumerate(b.interviews):
        for _ in spec.answers:
            links.append((rows["answers"][n], "assessment_id", "assessments", i))
            n += 1
    events: list[tuple[AuditEvent, str | None, int]] = []
    for e in b.events:
        if e.subject is b.project:
            events.append((e.event, "project", 0))
        else:
            found = where.get(id(e.subject)) if e.subject is not None else None
            events.append((e.event, *found) if found else (e.event, None, 0))
    tables = {name: _compile(type(lists[name][0]).__table__, rows[name], dialect) for name in rows}
    return _BundleRows(_values(b.project), tables, links, events)


class BulkOps(StoreBase):
    """Creation of whole projects at once."""

    def create_bundles(
        self,
        bundles: Sequence[ProjectBundle],
        action: str,
        summary: str,
        dry_run: bool = False,
    ) -> BulkResult:
        """Insert every bundle in one transaction, audited as one *action* event.

        A key already in the database, or twice in *bundles*, changes nothing. A dry run
        does every insert and check, then rolls back.
        """
        keys = [b.project.key for b in bundles]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValidationError(f"The same project key appears twice: {', '.join(doubled)}.")
        result = BulkResult(
            keys,
            sum(len(b.cards) for b in bundles),
            sum(len(b.risks) for b in bundles),
            sum(len(b.interviews) for b in bundles),
            dry_run,
        )
        # Before the lock: only the inserts run inside it.
        prepared = [_prepare(b, self.db.engine.dialect) for b in bundles]
        # No garbage collection while the lock is held: with a big file's objects alive,
        # full collections took tenths of a second of everyone's waiting time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with contextlib.suppress(_DryRun):
                self._insert_bundles(keys, prepared, action, summary, dry_run)
        finally:
            if collecting:
                gc.enable()
        return result

    @writes
    def _insert_bundles(
        self,
        s: Session,
        keys: Sequence[str],
        bundles: Sequence[_BundleRows],
        action: str,
        summary: str,
        dry_run: bool,
    ) -> None:
        taken = sorted(s.execute(select(Project.key).where(Project.key.in_(keys))).scalars())
        if taken:
            raise ValidationError(
                f"project {taken[0]}: a project with this key already exists in the database."
            )
        now = utcnow()
        for bundle in bundles:
            history = _insert_bundle(s, bundle)
            # Events from a file (or made up by the demo) did not happen here: they are
            # kept as history, marked with who brought them in and when.
            for event in history:
                event.imported_by = self.user
                event.imported_at = now
            self.append_events(s, history)
        if dry_run:
            raise _DryRun
        self.audit(s, action, None, None, action, summary)


def _insert_bundle(s: Session, b: _BundleRows) -> list[AuditEvent]:
    """Bulk INSERTs in dependency order; returns the bundle's history events."""
    conn = s.connection()
    table = Project.__table__
    pid = conn.execute(table.insert().returning(table.c.id), [b.project]).scalar_one()
    ids: dict[str, list[int]] = {}
    for name in ORDER:
        if name not in b.tables:
            continue
        prepared = b.tables[name]
        table, rows = prepared.table, prepared.rows
        for row, column, target, index in b.links:
            if target in ids and column in row and row[column] is None:
                row[column] = ids[target][index]
        if "project_id" in table.c:
            for row in rows:
                row["project_id"] = pid
        # executemany, no RETURNING: with RETURNING in row order SQLite went one row per
        # statement. The ids are read back instead: the project is new, so its rows are
        # exactly these, and ids grow in insert order (SQLite rowids under the write
        # lock; a PostgreSQL sequence within one session).
        conn.exec_driver_sql(prepared.sql, prepared.params())
        if "project_id" in table.c:
            ids[name] = list(
                conn.execute(
                    select(table.c.id).where(table.c.project_id == pid).order_by(table.c.id)
                ).scalars()
            )
            assert len(ids[name]) == len(rows)
    history = []
    for event, subject, index in b.events:
        event.project_id = pid
        if subject == "project":
            event.entity_id = pid
        else:
            event.entity_id = ids[subject][index] if subject is not None else None
        history.append(event)
    return history
