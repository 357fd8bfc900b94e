"""The operations the UI and the CLI call: one user action = one transaction.

Every write records an AuditEvent with the OS user in the same transaction. Results
are detached model instances or small dataclasses; failures are typed errors
(NotFound, Conflict, ValidationError, GateBlocked, StorageError) fit to show a person.
Form saves pass the ``expected_version`` they were based on: a stale one raises
Conflict carrying the current record. Board moves and status changes are atomic
UPDATE statements, so concurrent users never lose each other's changes.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from ecpm_tui import fields, lifecycle, pptf, risk
from ecpm_tui.config import current_user
from ecpm_tui.db import Database
from ecpm_tui.errors import Conflict, NotFound, ValidationError
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

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)

OPEN_RISK_EXCLUDED = (risk.RiskStatus.CLOSED.value,)


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a field value (dates as ISO text, decimals as strings)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class ProjectSummary:
    """One row of the Projects table."""

    project: Project
    cards_total: int = 0
    cards_done: int = 0
    extreme_risks: int = 0
    high_risks: int = 0
    readiness: float | None = None
    next_milestone: Card | None = None
    overdue: int = 0

    @property
    def progress(self) -> float | None:
        """Share of cards done, 0-100 (None with no cards)."""
        return None if not self.cards_total else 100.0 * self.cards_done / self.cards_total


@dataclass(frozen=True)
class GateStatus:
    """The gate of a project's current phase."""

    project: Project
    phase: lifecycle.Phase
    checks: list[GateCheck]

    @property
    def unmet(self) -> list[GateCheck]:
        return [c for c in self.checks if not c.done]


@dataclass(frozen=True)
class AssessmentDetail:
    """One interview with its answers keyed by question key."""

    assessment: Assessment
    project: Project
    answers: dict[str, Answer]

    def values(self) -> dict[str, pptf.AnswerValue]:
        """Answers in the form the PPTF scoring functions take."""
        return {
            key: pptf.AnswerValue(a.rating, na=a.na, unknown=a.unknown)
            for key, a in self.answers.items()
        }


@dataclass(frozen=True)
class AssessmentSummary:
    """Scores, readiness and gaps of one interview."""

    detail: AssessmentDetail
    scores: dict[pptf.Dimension, float | None]
    overall: float | None
    gaps: list[pptf.Gap] = field(default_factory=list)


def _changes(obj: SQLModel, new: Mapping[str, Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name, value in new.items():
        old = getattr(obj, name)
        if old != value:
            out[name] = [jsonable(old), jsonable(value)]
    return out


def _detach(session: Session, *objs: SQLModel | None) -> None:
    session.flush()
    for obj in objs:
        if obj is not None:
            session.refresh(obj)
            session.expunge(obj)


class Store:
    """Every user action on the database, each in one transaction."""

    def __init__(
        self,
        db: Database,
        user: str | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.db = db
        self.user = user or current_user()
        self.today = today
        self.bank = pptf.load_question_bank()

    # -- plumbing ---------------------------------------------------------------------------

    def _write(self, fn: Callable[[Session], T]) -> T:
        try:
            return self.db.write(fn)
        except StaleDataError as exc:
            raise Conflict(
                "Someone else saved this record while you were editing it; nothing was "
                "overwritten. Reload to see their version."
            ) from exc
        except IntegrityError as exc:
            msg = str(exc.orig).lower()
            if "unique" in msg or "duplicate" in msg:
                raise Conflict(
                    "That record already exists (someone may have just made it)."
                ) from exc
            raise ValidationError(
                "The change refers to a record that no longer exists; nothing was saved."
            ) from exc

    def _audit(
        self,
        session: Session,
        entity: str,
        entity_id: int | None,
        project_id: int | None,
        action: str,
        summary: str,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        session.add(
            AuditEvent(
                at=utcnow(),
                user=self.user,
                entity=entity,
                entity_id=entity_id,
                project_id=project_id,
                action=action,
                summary=summary[:2000],
                changes=json.dumps(dict(changes or {}), ensure_ascii=False, default=str),
            )
        )

    def _get(
        self, session: Session, model: type[M], ident: int, label: str, lock: bool = False
    ) -> M:
        if lock:
            obj = (
                session.exec(select(model).where(model.id == ident).with_for_update())
                .scalars()
                .first()
            )
        else:
            obj = session.get(model, ident)
        if obj is None:
            raise NotFound(f"{label} {ident} does not exist (it may have been deleted).")
        return obj

    def _check_version(
        self, session: Session, obj: SQLModel, expected: int | None, label: str
    ) -> None:
        if expected is not None and obj.version != expected:
            session.expunge(obj)
            raise Conflict(
                f"{label} was changed by {obj.updated_by or 'someone'} since you opened it "
                f"(version {expected} -> {obj.version}); nothing was overwritten.",
                current=obj,
            )

    def _touch(self, obj: SQLModel) -> None:
        obj.updated_at = utcnow()
        obj.updated_by = self.user

    def _stamp(self) -> dict[str, Any]:
        now = utcnow()
        return {
            "created_at": now,
            "created_by": self.user,
            "updated_at": now,
            "updated_by": self.user,
        }

    # -- projects ---------------------------------------------------------------------------

    def list_projects(self, include_archived: bool = False) -> list[Project]:
        """All projects ordered by key."""

        def run(s: Session) -> list[Project]:
            q = select(Project).order_by(Project.key)
            if not include_archived:
                q = q.where(Project.archived == False)  # noqa: E712
            return list(s.exec(q).scalars())

        return self.db.read(run)

    def get_project(self, project_id: int) -> Project:
        """One project by id."""
        return self.db.read(lambda s: self._get(s, Project, project_id, "Project"))

    def get_project_by_key(self, key: str) -> Project:
        """One project by its key (case-insensitive)."""

        def run(s: Session) -> Project:
            obj = (
                s.exec(select(Project).where(Project.key == key.strip().upper())).scalars().first()
            )
            if obj is None:
                raise NotFound(f"No project with key {key.strip().upper()!r}.")
            return obj

        return self.db.read(run)

    def create_project(self, values: Mapping[str, Any]) -> Project:
        """Create a project and seed its gate checklists from the default criteria."""
        data = fields.coerce(fields.PROJECT, values, partial=False)
        self._check_dates(data.get("start_date"), data.get("target_date"))

        def run(s: Session) -> Project:
            exists = s.exec(select(Project.id).where(Project.key == data["key"])).first()
            if exists is not None:
                raise ValidationError.from_fields(
                    {"key": f"{data['key']} is already used by another project"}
                )
            project = Project(**data, **self._stamp())
            s.add(project)
            s.flush()
            assert project.id is not None
            self._seed_gates(s, project.id)
            self._audit(
                s,
                "project",
                project.id,
                project.id,
                "create",
                f"Created project {project.key} {project.name}",
                {k: [None, jsonable(v)] for k, v in data.items()},
            )
            _detach(s, project)
            return project

        return self._write(run)

    def _seed_gates(self, s: Session, project_id: int) -> None:
        stamp = self._stamp()
        for phase in lifecycle.PHASES:
            for pos, crit in enumerate(lifecycle.DEFAULT_GATE_CRITERIA[phase]):
                s.add(
                    GateCheck(
                        project_id=project_id,
                        phase=phase.value,
                        criterion_key=crit.key,
                        text=crit.text,
                        position=pos,
                        **stamp,
                    )
                )

    @staticmethod
    def _check_dates(start: date | None, target: date | None) -> None:
        if start and target and target < start:
            raise ValidationError.from_fields({"target_date": "cannot be before the start date"})

    def update_project(
        self, project_id: int, expected_version: int | None, values: Mapping[str, Any]
    ) -> Project:
        """Edit project fields (phase changes go through :meth:`transition_project`)."""
        if "phase" in values:
            raise ValidationError.from_fields({"phase": "changes through a phase transition"})
        data = fields.coerce(fields.PROJECT, values, partial=True)

        def run(s: Session) -> Project:
            project = self._get(s, Project, project_id, "Project", lock=True)
            self._check_version(s, project, expected_version, f"Project {project.key}")
            self._check_dates(
                data.get("start_date", project.start_date),
                data.get("target_date", project.target_date),
            )
            if "key" in data and data["key"] != project.key:
                taken = s.exec(select(Project.id).where(Project.key == data["key"])).first()
                if taken is not None:
                    raise ValidationError.from_fields(
                        {"key": f"{data['key']} is already used by another project"}
                    )
            changes = _changes(project, data)
            if not changes:
                _detach(s, project)
                return project
            for k, v in data.items():
                setattr(project, k, v)
            self._touch(project)
            self._audit(
                s,
                "project",
                project.id,
                project.id,
                "update",
                f"Edited project {project.key}: {', '.join(changes)}",
                changes,
            )
            _detach(s, project)
            return project

        return self._write(run)

    def archive_project(
        self, project_id: int, expected_version: int | None, archived: bool = True
    ) -> Project:
        """Archive (hide) or restore a project."""

        def run(s: Session) -> Project:
            project = self._get(s, Project, project_id, "Project", lock=True)
            self._check_version(s, project, expected_version, f"Project {project.key}")
            if project.archived != archived:
                project.archived = archived
                self._touch(project)
                self._audit(
                    s,
                    "project",
                    project.id,
                    project.id,
                    "archive" if archived else "restore",
                    f"{'Archived' if archived else 'Restored'} project {project.key}",
                    {"archived": [not archived, archived]},
                )
            _detach(s, project)
            return project

        return self._write(run)

    def project_summaries(self, include_archived: bool = False) -> list[ProjectSummary]:
        """Projects with progress, risk counts, readiness, next milestone and overdue count."""
        today = self.today()

        def run(s: Session) -> list[ProjectSummary]:
            q = select(Project).order_by(Project.key)
            if not include_archived:
                q = q.where(Project.archived == False)  # noqa: E712
            projects = list(s.exec(q).scalars())
            ids = [p.id for p in projects]
            if not ids:
                return []
            totals: Counter[int] = Counter()
            done: Counter[int] = Counter()
            for pid, status, n in s.exec(
                select(Card.project_id, Card.status, func.count())
                .where(Card.project_id.in_(ids))
                .group_by(Card.project_id, Card.status)
            ):
                totals[pid] += n
                if status == lifecycle.CardStatus.DONE.value:
                    done[pid] += n
            overdue: Counter[int] = Counter(
                dict(
                    s.exec(
                        select(Card.project_id, func.count())
                        .where(
                            Card.project_id.in_(ids), Card.status != "done", Card.due_date < today
                        )
                        .group_by(Card.project_id)
                    ).all()
                )
            )
            levels: dict[int, Counter[risk.Level]] = defaultdict(Counter)
            for pid, lk, im in s.exec(
                select(Risk.project_id, Risk.likelihood, Risk.impact).where(
                    Risk.project_id.in_(ids), Risk.status.not_in(OPEN_RISK_EXCLUDED)
                )
            ):
                levels[pid][risk.level(lk, im)] += 1
            milestones: dict[int, Card] = {}
            for card in s.exec(
                select(Card)
                .where(
                    Card.project_id.in_(ids),
                    Card.kind == "milestone",
                    Card.status != "done",
                    Card.due_date.is_not(None),
                )
                .order_by(Card.due_date)
            ).scalars():
                milestones.setdefault(card.project_id, card)
            readiness = self._readiness(s, ids)
            return [
                ProjectSummary(
                    project=p,
                    cards_total=totals[p.id],
                    cards_done=done[p.id],
                    extreme_risks=levels[p.id][risk.Level.EXTREME],
                    high_risks=levels[p.id][risk.Level.HIGH],
                    readiness=readiness.get(p.id),
                    next_milestone=milestones.get(p.id),
                    overdue=overdue[p.id],
                )
                for p in projects
            ]

        return self.db.read(run)

    def _readiness(self, s: Session, project_ids: list[int]) -> dict[int, float]:
        """Overall PPTF score of each project's latest interviews, one per team."""
        latest: dict[tuple[int, str], Assessment] = {}
        for a in s.exec(
            select(Assessment)
            .where(Assessment.project_id.in_(project_ids))
            .order_by(Assessment.started_at, Assessment.id)
        ).scalars():
            latest[(a.project_id, a.department.lower())] = a
        if not latest:
            return {}
        by_assessment: dict[int, dict[str, pptf.AnswerValue]] = defaultdict(dict)
        chosen = {a.id: a for a in latest.values()}
        for ans in s.exec(select(Answer).where(Answer.assessment_id.in_(list(chosen)))).scalars():
            by_assessment[ans.assessment_id][ans.question_key] = pptf.AnswerValue(
                ans.rating, na=ans.na, unknown=ans.unknown
            )
        scores: dict[int, list[float]] = defaultdict(list)
        for aid, a in chosen.items():
            value = pptf.overall_score(self.bank, by_assessment.get(aid, {}))
            if value is not None:
                scores[a.project_id].append(value)
        return {pid: sum(v) / len(v) for pid, v in scores.items() if v}

    # -- cards ------------------------------------------------------------------------------

    def list_cards(self, project_id: int) -> list[Card]:
        """A project's cards in board order (phase, rank)."""

        def run(s: Session) -> list[Card]:
            q = (
                select(Card)
                .where(Card.project_id == project_id)
                .order_by(Card.phase, Card.rank, Card.id)
            )
            return list(s.exec(q).scalars())

        return self.db.read(run)

    def get_card(self, card_id: int) -> Card:
        """One card by id."""
        return self.db.read(lambda s: self._get(s, Card, card_id, "Card"))

    @staticmethod
    def _next_rank(project_id: int, phase: str) -> Any:
        """SELECT of the rank one below the bottom card of a phase column."""
        return select(func.coalesce(func.max(Card.rank), 0) + 1).where(
            Card.project_id == project_id, Card.phase == phase
        )

    def create_card(self, project_id: int, values: Mapping[str, Any]) -> Card:
        """Add a card at the bottom of its phase column (default: the project's phase)."""
        data = fields.coerce(fields.CARD, values, partial=False)

        def run(s: Session) -> Card:
            project = self._get(s, Project, project_id, "Project")
            data.setdefault("phase", project.phase)
            rank = s.exec(self._next_rank(project_id, data["phase"])).scalar_one()
            card = Card(project_id=project_id, rank=rank, **data, **self._stamp())
            s.add(card)
            s.flush()
            self._audit(
                s,
                "card",
                card.id,
                project_id,
                "create",
                f"Created card {card.title!r} in {lifecycle.Phase(card.phase).label}",
                {k: [None, jsonable(v)] for k, v in data.items()},
            )
            _detach(s, card)
            return card

        return self._write(run)

    def update_card(
        self, card_id: int, expected_version: int | None, values: Mapping[str, Any]
    ) -> Card:
        """Save an edited card; a stale ``expected_version`` raises Conflict."""
        data = fields.coerce(fields.CARD, values, partial=True)

        def run(s: Session) -> Card:
            card = self._get(s, Card, card_id, "Card", lock=True)
            self._check_version(s, card, expected_version, f"Card {card.title!r}")
            changes = _changes(card, data)
            if not changes:
                _detach(s, card)
                return card
            if "phase" in changes:
                card.rank = s.exec(self._next_rank(card.project_id, data["phase"])).scalar_one()
            for k, v in data.items():
                setattr(card, k, v)
            self._touch(card)
            self._audit(
                s,
                "card",
                card.id,
                card.project_id,
                "update",
                f"Edited card {card.title!r}: {', '.join(changes)}",
                changes,
            )
            _detach(s, card)
            return card

        return self._write(run)

    def delete_card(self, card_id: int, expected_version: int | None) -> None:
        """Delete a card; links from interviews to it are cleared, not broken."""

        def run(s: Session) -> None:
            card = self._get(s, Card, card_id, "Card", lock=True)
            self._check_version(s, card, expected_version, f"Card {card.title!r}")
            s.exec(
                update(Answer).where(Answer.created_card_id == card_id).values(created_card_id=None)
            )
            s.exec(
                update(Assessment)
                .where(Assessment.milestone_card_id == card_id)
                .values(milestone_card_id=None)
            )
            snapshot = {k: [jsonable(getattr(card, k)), None] for k in ("title", "phase", "status")}
            self._audit(
                s,
                "card",
                card.id,
                card.project_id,
                "delete",
                f"Deleted card {card.title!r}",
                snapshot,
            )
            s.exec(delete(Card).where(Card.id == card_id))

        self._write(run)

    def _atomic_card_update(self, s: Session, card_id: int, **values: Any) -> Card:
        s.exec(
            update(Card)
            .where(Card.id == card_id)
            .values(version=Card.version + 1, updated_at=utcnow(), updated_by=self.user, **values)
        )
        card = (
            s.exec(select(Card).where(Card.id == card_id).execution_options(populate_existing=True))
            .scalars()
            .one()
        )
        s.expunge(card)
        return card

    def move_card(self, card_id: int, phase: lifecycle.Phase | str) -> Card:
        """Move a card to the bottom of another phase column (one atomic UPDATE)."""
        target = lifecycle.parse_phase(phase)

        def run(s: Session) -> Card:
            card = self._get(s, Card, card_id, "Card", lock=True)
            old = card.phase
            if old == target.value:
                s.expunge(card)
                return card
            moved = self._atomic_card_update(
                s,
                card_id,
                phase=target.value,
                rank=self._next_rank(card.project_id, target.value).scalar_subquery(),
            )
            self._audit(
                s,
                "card",
                card_id,
                card.project_id,
                "move",
                f"Moved card {card.title!r} {lifecycle.Phase(old).label} -> {target.label}",
                {"phase": [old, target.value]},
            )
            return moved

        return self._write(run)

    def reorder_card(self, card_id: int, offset: int) -> Card:
        """Swap a card with its neighbour above (offset -1) or below (+1) in its column."""
        if offset not in (-1, 1):
            raise ValidationError("A card moves one place up or down at a time.")

        def run(s: Session) -> Card:
            card = self._get(s, Card, card_id, "Card", lock=True)
            cond = Card.rank < card.rank if offset < 0 else Card.rank > card.rank
            order = Card.rank.desc() if offset < 0 else Card.rank.asc()
            neighbour = (
                s.exec(
                    select(Card)
                    .where(
                        Card.project_id == card.project_id,
                        Card.phase == card.phase,
                        cond,
                        Card.id != card.id,
                    )
                    .order_by(order)
                    .limit(1)
                    .with_for_update()
                )
                .scalars()
                .first()
            )
            if neighbour is None:
                s.expunge(card)
                return card
            mine, theirs = card.rank, neighbour.rank
            s.exec(
                update(Card)
                .where(Card.id == neighbour.id)
                .values(rank=mine, version=Card.version + 1)
            )
            moved = self._atomic_card_update(s, card_id, rank=theirs)
            self._audit(
                s,
                "card",
                card_id,
                card.project_id,
                "reorder",
                f"Moved card {card.title!r} {'up' if offset < 0 else 'down'}",
                {"rank": [mine, theirs]},
            )
            return moved

        return self._write(run)

    def set_card_status(self, card_id: int, status: lifecycle.CardStatus | str) -> Card:
        """Set a card's status (atomic)."""
        new = lifecycle.parse_enum(lifecycle.CardStatus, str(status), "status")
        return self._write(lambda s: self._status(s, card_id, lambda _old: new))

    def cycle_card_status(self, card_id: int) -> Card:
        """Advance a card to its next status (todo -> doing -> blocked -> done -> todo)."""
        return self._write(
            lambda s: self._status(s, card_id, lambda old: lifecycle.next_status(old))
        )

    def _status(
        self, s: Session, card_id: int, pick: Callable[[lifecycle.CardStatus], lifecycle.CardStatus]
    ) -> Card:
        card = self._get(s, Card, card_id, "Card", lock=True)
        old = lifecycle.CardStatus(card.status)
        new = pick(old)
        if new == old:
            s.expunge(card)
            return card
        changed = self._atomic_card_update(s, card_id, status=new.value)
        self._audit(
            s,
            "card",
            card_id,
            card.project_id,
            "status",
            f"Card {card.title!r}: {old.label} -> {new.label}",
            {"status": [old.value, new.value]},
        )
        return changed

    # -- gates and phase transitions -------------------------------------------------------

    def gate_checks(
        self, project_id: int, phase: lifecycle.Phase | str | None = None
    ) -> GateStatus:
        """The checklist of a project's phase gate (default: its current phase)."""

        def run(s: Session) -> GateStatus:
            project = self._get(s, Project, project_id, "Project")
            ph = lifecycle.parse_phase(phase) if phase else lifecycle.Phase(project.phase)
            checks = list(
                s.exec(
                    select(GateCheck)
                    .where(GateCheck.project_id == project_id, GateCheck.phase == ph.value)
                    .order_by(GateCheck.position, GateCheck.id)
                ).scalars()
            )
            return GateStatus(project, ph, checks)

        return self.db.read(run)

    def set_gate_check(self, check_id: int, done: bool, note: str | None = None) -> GateCheck:
        """Tick or untick one gate criterion (optionally with a note)."""
        clean_note = (
            fields.coerce(
                {"note": fields.Spec(fields._str(fields.LONG, multiline=True))},
                {"note": note},
                partial=True,
            )["note"]
            if note is not None
            else None
        )

        def run(s: Session) -> GateCheck:
            check = self._get(s, GateCheck, check_id, "Gate criterion", lock=True)
            changes: dict[str, list[Any]] = {}
            if check.done != done:
                changes["done"] = [check.done, done]
                check.done = done
                check.done_by = self.user if done else None
                check.done_at = utcnow() if done else None
            if clean_note is not None and clean_note != check.note:
                changes["note"] = [check.note, clean_note]
                check.note = clean_note
            if changes:
                self._touch(check)
                self._audit(
                    s,
                    "gate",
                    check.id,
                    check.project_id,
                    "tick" if done else "untick",
                    f"{'Ticked' if done else 'Unticked'} gate criterion: {check.text}",
                    changes,
                )
            _detach(s, check)
            return check

        return self._write(run)

    def add_gate_criterion(
        self, project_id: int, phase: lifecycle.Phase | str, text: str
    ) -> GateCheck:
        """Add a project-specific exit criterion to a phase gate."""
        ph = lifecycle.parse_phase(phase)
        body = fields.coerce(
            {"text": fields.Spec(fields._str(2000), required=True)}, {"text": text}, partial=False
        )["text"]

        def run(s: Session) -> GateCheck:
            self._get(s, Project, project_id, "Project")
            keys = list(
                s.exec(
                    select(GateCheck.criterion_key).where(
                        GateCheck.project_id == project_id, GateCheck.phase == ph.value
                    )
                ).scalars()
            )
            existing = len(keys)
            custom = sum(1 for k in keys if k.startswith("custom_"))
            check = GateCheck(
                project_id=project_id,
                phase=ph.value,
                criterion_key=f"custom_{custom + 1}",
                text=body,
                position=existing,
                **self._stamp(),
            )
            s.add(check)
            s.flush()
            self._audit(
                s,
                "gate",
                check.id,
                project_id,
                "add",
                f"Added gate criterion: {body}",
                {"text": [None, body]},
            )
            _detach(s, check)
            return check

        return self._write(run)

    def transition_project(
        self,
        project_id: int,
        to_phase: lifecycle.Phase | str,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> PhaseTransition:
        """Move a project to another phase through its gate and record the decision.

        Forward with unmet criteria needs a reason (go_with_conditions), else GateBlocked.
        """
        target = lifecycle.parse_phase(to_phase)
        why = fields._str(2000, multiline=True)(reason, "reason") if reason else ""

        def run(s: Session) -> PhaseTransition:
            project = self._get(s, Project, project_id, "Project", lock=True)
            self._check_version(s, project, expected_version, f"Project {project.key}")
            current = lifecycle.Phase(project.phase)
            unmet: list[str] = []
            if lifecycle.phase_index(target) > lifecycle.phase_index(current):
                unmet = list(
                    s.exec(
                        select(GateCheck.text)
                        .where(
                            GateCheck.project_id == project_id,
                            GateCheck.phase == current.value,
                            GateCheck.done == False,  # noqa: E712
                        )
                        .order_by(GateCheck.position, GateCheck.id)
                    ).scalars()
                )
            decision = lifecycle.decide_transition(current, target, unmet, why or None)
            project.phase = target.value
            self._touch(project)
            transition = PhaseTransition(
                project_id=project_id,
                from_phase=current.value,
                to_phase=target.value,
                by=self.user,
                at=utcnow(),
                decision=decision.value,
                reason=why,
                unmet_criteria=json.dumps(unmet, ensure_ascii=False),
            )
            s.add(transition)
            s.flush()
            self._audit(
                s,
                "project",
                project_id,
                project_id,
                "transition",
                f"{project.key}: {current.label} -> {target.label} ({decision.value})"
                + (f": {why}" if why else ""),
                {"phase": [current.value, target.value], "decision": [None, decision.value]},
            )
            _detach(s, transition)
            return transition

        return self._write(run)

    def transitions(self, project_id: int) -> list[PhaseTransition]:
        """A project's phase history, oldest first."""
        return self.db.read(
            lambda s: list(
                s.exec(
                    select(PhaseTransition)
                    .where(PhaseTransition.project_id == project_id)
                    .order_by(PhaseTransition.id)
                ).scalars()
            )
        )

    # -- risks ------------------------------------------------------------------------------

    def list_risks(self, project_id: int | None = None, include_closed: bool = True) -> list[Risk]:
        """Risks (of one project or all), highest level first."""

        def run(s: Session) -> list[Risk]:
            q = select(Risk)
            if project_id is not None:
                q = q.where(Risk.project_id == project_id)
            if not include_closed:
                q = q.where(Risk.status.not_in(OPEN_RISK_EXCLUDED))
            rows = list(s.exec(q).scalars())
            rows.sort(
                key=lambda r: (risk.sort_key(r.likelihood, r.impact, r.proximity_date), r.ref)
            )
            return rows

        return self.db.read(run)

    def get_risk(self, risk_id: int) -> Risk:
        """One risk by id."""
        return self.db.read(lambda s: self._get(s, Risk, risk_id, "Risk"))

    @staticmethod
    def _validate_risk(merged: Mapping[str, Any]) -> None:
        response = merged.get("response")
        risk.validate_risk_assessment(
            kind=risk.RiskKind(merged.get("kind") or "threat"),
            likelihood=merged.get("likelihood"),
            impact=merged.get("impact"),
            response=risk.Response(response) if response else None,
            residual_likelihood=merged.get("residual_likelihood"),
            residual_impact=merged.get("residual_impact"),
        )
        if merged.get("status") == risk.RiskStatus.CLOSED.value and not merged.get("closed_reason"):
            raise ValidationError.from_fields({"closed_reason": "is required to close a risk"})

    @staticmethod
    def _next_risk_ref(s: Session, project_id: int) -> str:
        """Allocate the project's next risk ref (R-001...) with one atomic UPDATE."""
        seq: int = s.exec(
            update(Project)
            .where(Project.id == project_id)
            .values(risk_seq=Project.risk_seq + 1)
            .returning(Project.risk_seq)
        ).scalar_one()
        return f"R-{seq:03d}"

    def create_risk(self, project_id: int, values: Mapping[str, Any]) -> Risk:
        """Add a risk with the next per-project ref (R-001...); review date from its level."""
        data = fields.coerce(fields.RISK, {"likelihood": 3, "impact": 3, **values}, partial=False)
        self._validate_risk(data)
        if data.get("next_review_date") is None:
            data["next_review_date"] = risk.default_next_review(
                risk.level(data["likelihood"], data["impact"]), self.today()
            )

        def run(s: Session) -> Risk:
            self._get(s, Project, project_id, "Project")
            ref = self._next_risk_ref(s, project_id)
            item = Risk(project_id=project_id, ref=ref, **data, **self._stamp())
            s.add(item)
            s.flush()
            self._audit(
                s,
                "risk",
                item.id,
                project_id,
                "create",
                f"Logged risk {item.ref} {item.title}",
                {k: [None, jsonable(v)] for k, v in data.items()},
            )
            _detach(s, item)
            return item

        return self._write(run)

    def create_risk_from_template(
        self, project_id: int, template_key: str, **overrides: Any
    ) -> Risk:
        """Log one of the built-in e-commerce risks."""
        t = risk.template(template_key)
        values: dict[str, Any] = {
            "title": t.title,
            "category": t.category,
            "likelihood": t.likelihood,
            "impact": t.impact,
            "cause": t.cause,
            "effect": t.effect,
            "mitigation": t.mitigation,
            "workstream": t.workstream,
            "kind": "threat",
        }
        values.update(overrides)
        return self.create_risk(project_id, values)

    def update_risk(
        self, risk_id: int, expected_version: int | None, values: Mapping[str, Any]
    ) -> Risk:
        """Save an edited risk; scales, responses and residuals are validated together."""
        data = fields.coerce(fields.RISK, values, partial=True)

        def run(s: Session) -> Risk:
            item = self._get(s, Risk, risk_id, "Risk", lock=True)
            self._check_version(s, item, expected_version, f"Risk {item.ref}")
            merged = {name: getattr(item, name) for name in fields.RISK} | data
            self._validate_risk(merged)
            changes = _changes(item, data)
            if changes:
                for k, v in data.items():
                    setattr(item, k, v)
                self._touch(item)
                self._audit(
                    s,
                    "risk",
                    item.id,
                    item.project_id,
                    "update",
                    f"Edited risk {item.ref}: {', '.join(changes)}",
                    changes,
                )
            _detach(s, item)
            return item

        return self._write(run)

    def close_risk(self, risk_id: int, expected_version: int | None, reason: str) -> Risk:
        """Close a risk with a mandatory reason."""
        return self.update_risk(
            risk_id, expected_version, {"status": "closed", "closed_reason": reason}
        )

    def delete_risk(self, risk_id: int, expected_version: int | None) -> None:
        """Delete a risk logged by mistake; interview links to it are cleared."""

        def run(s: Session) -> None:
            item = self._get(s, Risk, risk_id, "Risk", lock=True)
            self._check_version(s, item, expected_version, f"Risk {item.ref}")
            s.exec(
                update(Answer).where(Answer.created_risk_id == risk_id).values(created_risk_id=None)
            )
            self._audit(
                s,
                "risk",
                item.id,
                item.project_id,
                "delete",
                f"Deleted risk {item.ref} {item.title}",
                {"title": [item.title, None]},
            )
            s.exec(delete(Risk).where(Risk.id == risk_id))

        self._write(run)

    # -- PPTF interviews --------------------------------------------------------------------

    def start_assessment(
        self,
        project_id: int,
        department: str,
        phase: lifecycle.Phase | str | None = None,
        milestone_card_id: int | None = None,
        interviewer: str | None = None,
        language: str = "en",
    ) -> Assessment:
        """Start a PPTF interview of one team for a phase or a milestone card."""
        errors: dict[str, str] = {}
        dept = fields._str(100)(department, "department")
        if not dept:
            errors["department"] = "is required (the team interviewed)"
        lang = (language or "en").strip().lower()
        if lang not in ("en", "es"):
            errors["language"] = "must be en or es"
        ph: lifecycle.Phase | None = None
        if phase:
            try:
                ph = lifecycle.parse_phase(phase)
            except ValidationError as exc:
                errors.update(exc.errors)
        if ph is None and milestone_card_id is None:
            errors["phase"] = "choose the phase or milestone this interview prepares"
        if errors:
            raise ValidationError.from_fields(errors)
        who = fields._str(64)(interviewer, "interviewer") or self.user

        def run(s: Session) -> Assessment:
            project = self._get(s, Project, project_id, "Project")
            phase_value = ph.value if ph else None
            if milestone_card_id is not None:
                card = self._get(s, Card, milestone_card_id, "Milestone card")
                if card.project_id != project_id:
                    raise ValidationError.from_fields(
                        {"milestone_card_id": "belongs to another project"}
                    )
                phase_value = phase_value or card.phase
            a = Assessment(
                project_id=project_id,
                phase=phase_value,
                milestone_card_id=milestone_card_id,
                department=dept,
                interviewer=who,
                language=lang,
                status="in_progress",
                started_at=utcnow(),
                **self._stamp(),
            )
            s.add(a)
            s.flush()
            self._audit(
                s,
                "assessment",
                a.id,
                project_id,
                "start",
                f"Started PPTF interview of {dept} for {project.key}",
                {"department": [None, dept]},
            )
            _detach(s, a)
            return a

        return self._write(run)

    def list_assessments(self, project_id: int | None = None) -> list[Assessment]:
        """Interviews, newest first."""

        def run(s: Session) -> list[Assessment]:
            q = select(Assessment).order_by(Assessment.started_at.desc(), Assessment.id.desc())
            if project_id is not None:
                q = q.where(Assessment.project_id == project_id)
            return list(s.exec(q).scalars())

        return self.db.read(run)

    def assessment_detail(self, assessment_id: int) -> AssessmentDetail:
        """An interview with its project and answers."""

        def run(s: Session) -> AssessmentDetail:
            a = self._get(s, Assessment, assessment_id, "Interview")
            project = self._get(s, Project, a.project_id, "Project")
            answers = {
                x.question_key: x
                for x in s.exec(
                    select(Answer).where(Answer.assessment_id == assessment_id)
                ).scalars()
            }
            return AssessmentDetail(a, project, answers)

        return self.db.read(run)

    def assessment_summary(self, assessment_id: int) -> AssessmentSummary:
        """Per-dimension scores, overall readiness and gaps of one interview."""
        detail = self.assessment_detail(assessment_id)
        values = detail.values()
        scores = {d: pptf.dimension_score(self.bank, values, d) for d in pptf.Dimension}
        return AssessmentSummary(
            detail, scores, pptf.overall_score(self.bank, values), pptf.gaps(self.bank, values)
        )

    def save_answer(
        self,
        assessment_id: int,
        question_key: str,
        rating: int | None,
        na: bool = False,
        unknown: bool = False,
        note: str = "",
        action: str = "",
    ) -> Answer:
        """Record (or replace) one answer at once, so a closed terminal loses nothing."""
        self.bank.get(question_key)
        pptf.validate_answer(rating, na, unknown)
        text_spec = fields._str(fields.LONG, multiline=True)
        clean_note, clean_action = text_spec(note, "note"), text_spec(action, "action")
        dialect = pg_dialect if not self.db.is_sqlite else sqlite_dialect

        def run(s: Session) -> Answer:
            a = self._get(s, Assessment, assessment_id, "Interview")
            new = {
                "rating": rating,
                "na": na,
                "unknown": unknown,
                "note": clean_note,
                "action": clean_action,
            }
            # Atomic upsert: two people saving the first answer to a question never collide.
            inserted = (
                s.exec(
                    dialect.insert(Answer)
                    .values(
                        assessment_id=assessment_id,
                        question_key=question_key,
                        version=1,
                        **new,
                        **self._stamp(),
                    )
                    .on_conflict_do_nothing(index_elements=["assessment_id", "question_key"])
                    .returning(Answer.id)
                ).first()
                is not None
            )
            ans = (
                s.exec(
                    select(Answer)
                    .where(
                        Answer.assessment_id == assessment_id, Answer.question_key == question_key
                    )
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
                .scalars()
                .one()
            )
            changes = (
                {k: [None, jsonable(v)] for k, v in new.items()} if inserted else _changes(ans, new)
            )
            if changes and not inserted:
                for k, v in new.items():
                    setattr(ans, k, v)
                self._touch(ans)
            if changes:
                self._audit(
                    s,
                    "answer",
                    ans.id,
                    a.project_id,
                    "answer",
                    f"PPTF {a.department}: answered {question_key}",
                    changes,
                )
            _detach(s, ans)
            return ans

        return self._write(run)

    def complete_assessment(self, assessment_id: int) -> Assessment:
        """Mark an interview completed (at least one answer needed)."""

        def run(s: Session) -> Assessment:
            a = self._get(s, Assessment, assessment_id, "Interview", lock=True)
            answered = s.exec(
                select(func.count())
                .select_from(Answer)
                .where(Answer.assessment_id == assessment_id)
            ).scalar_one()
            if not answered:
                raise ValidationError(
                    "Answer at least one question before completing the interview."
                )
            if a.status != "completed":
                a.status = "completed"
                a.completed_at = utcnow()
                self._touch(a)
                self._audit(
                    s,
                    "assessment",
                    a.id,
                    a.project_id,
                    "complete",
                    f"Completed PPTF interview of {a.department}",
                    {"status": ["in_progress", "completed"]},
                )
            _detach(s, a)
            return a

        return self._write(run)

    def _gap(
        self, s: Session, answer_id: int
    ) -> tuple[Answer, Assessment, pptf.Question, pptf.AnswerValue]:
        ans = self._get(s, Answer, answer_id, "Answer", lock=True)
        a = self._get(s, Assessment, ans.assessment_id, "Interview")
        q = self.bank.get(ans.question_key)
        value = pptf.AnswerValue(ans.rating, na=ans.na, unknown=ans.unknown)
        if not pptf.is_gap(q, value):
            raise ValidationError(f"{q.key} is not a gap (rating above 1 or low weight).")
        return ans, a, q, value

    def gap_to_card(self, answer_id: int) -> Card:
        """Turn a PPTF gap into an action card in the interview's phase, linked back."""

        def run(s: Session) -> Card:
            ans, a, q, _value = self._gap(s, answer_id)
            if ans.created_card_id is not None:
                raise ValidationError(f"Gap {q.key} already has action card {ans.created_card_id}.")
            phase = a.phase or lifecycle.Phase.INITIATION.value
            dim = q.primary_dimension
            rank = s.exec(self._next_rank(a.project_id, phase)).scalar_one()
            desc = "\n".join(x for x in (q.text_en, ans.note, ans.action) if x)
            card = Card(
                project_id=a.project_id,
                title=pptf.gap_card_title(q),
                description=desc,
                phase=phase,
                rank=rank,
                kind="task",
                workstream=pptf.DIMENSION_WORKSTREAM[dim],
                department=a.department,
                priority="high" if q.weight >= 3 else "medium",
                tags=f"pptf, {dim.value}",
                **self._stamp(),
            )
            s.add(card)
            s.flush()
            ans.created_card_id = card.id
            self._touch(ans)
            self._audit(
                s,
                "card",
                card.id,
                a.project_id,
                "create",
                f"Action card from PPTF gap {q.key} ({a.department})",
                {"title": [None, card.title]},
            )
            _detach(s, card)
            return card

        return self._write(run)

    def gap_to_risk(self, answer_id: int) -> Risk:
        """Turn a PPTF gap into a risk with defaults from the rating and weight, linked back."""

        def run(s: Session) -> Risk:
            ans, a, q, value = self._gap(s, answer_id)
            if ans.created_risk_id is not None:
                raise ValidationError(f"Gap {q.key} already has risk {ans.created_risk_id}.")
            category, lk, im = pptf.gap_risk_defaults(q, value)
            ref = self._next_risk_ref(s, a.project_id)
            dim = q.primary_dimension
            item = Risk(
                project_id=a.project_id,
                ref=ref,
                title=f"{a.department}: {q.text_en}"[:300],
                cause=ans.note,
                category=category,
                pptf_dimension=dim.value,
                workstream=pptf.DIMENSION_WORKSTREAM[dim],
                likelihood=lk,
                impact=im,
                next_review_date=risk.default_next_review(risk.level(lk, im), self.today()),
                mitigation=ans.action,
                **self._stamp(),
            )
            s.add(item)
            s.flush()
            ans.created_risk_id = item.id
            self._touch(ans)
            self._audit(
                s,
                "risk",
                item.id,
                a.project_id,
                "create",
                f"Risk {item.ref} from PPTF gap {q.key} ({a.department})",
                {"title": [None, item.title]},
            )
            _detach(s, item)
            return item

        return self._write(run)

    def team_comparison(
        self, project_id: int
    ) -> list[tuple[Assessment, dict[pptf.Dimension, float | None]]]:
        """Each interview of a project with its dimension scores (team x dimension, over time)."""

        def run(s: Session) -> list[tuple[Assessment, dict[pptf.Dimension, float | None]]]:
            items = list(
                s.exec(
                    select(Assessment)
                    .where(Assessment.project_id == project_id)
                    .order_by(Assessment.department, Assessment.started_at)
                ).scalars()
            )
            answers: dict[int, dict[str, pptf.AnswerValue]] = defaultdict(dict)
            if items:
                for x in s.exec(
                    select(Answer).where(Answer.assessment_id.in_([i.id for i in items]))
                ).scalars():
                    answers[x.assessment_id][x.question_key] = pptf.AnswerValue(
                        x.rating, x.na, x.unknown
                    )
            return [
                (i, {d: pptf.dimension_score(self.bank, answers[i.id], d) for d in pptf.Dimension})
                for i in items
            ]

        return self.db.read(run)

    # -- activity ---------------------------------------------------------------------------

    def list_events(
        self,
        limit: int = 500,
        user: str | None = None,
        project_id: int | None = None,
        entity: str | None = None,
    ) -> list[AuditEvent]:
        """Audit events, newest first, optionally filtered."""

        def run(s: Session) -> list[AuditEvent]:
            q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            if user:
                q = q.where(AuditEvent.user == user)
            if project_id is not None:
                q = q.where(AuditEvent.project_id == project_id)
            if entity:
                q = q.where(AuditEvent.entity == entity)
            return list(s.exec(q).scalars())

        return self.db.read(run)
