"""Projects: create, edit, archive, and the portfolio summary rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ecpm_tui import fields, lifecycle, risk
from ecpm_tui.errors import NotFound, ValidationError
from ecpm_tui.models import Card, Project, Risk
from ecpm_tui.store.base import StoreBase, changes, created, detach, reads, writes
from ecpm_tui.store.gates import seed_gates
from ecpm_tui.store.health import suggestion_for
from ecpm_tui.store.pptf import readiness_by_project
from ecpm_tui.store.risks import NOT_OPEN
from ecpm_tui.store.rows import ProjectSummary

ARCHIVE_REASON = fields.string(2000, multiline=True)


def check_dates(start: date | None, target: date | None) -> None:
    """A project cannot end before it starts."""
    if start and target and target < start:
        raise ValidationError.from_fields({"target_date": "cannot be before the start date"})


def key_taken(s: Session, key: str) -> bool:
    """Whether a project already uses *key*."""
    return s.exec(select(Project.id).where(Project.key == key)).first() is not None


def _projects_query(include_archived: bool) -> Any:
    q = select(Project).order_by(Project.key)
    if not include_archived:
        q = q.where(Project.archived == False)  # noqa: E712
    return q


class ProjectOps(StoreBase):
    """Operations on projects."""

    @reads
    def list_projects(self, s: Session, include_archived: bool = False) -> list[Project]:
        """All projects ordered by key."""
        return list(s.exec(_projects_query(include_archived)).scalars())

    @reads
    def get_project(self, s: Session, project_id: int) -> Project:
        """One project by id."""
        return self.get(s, Project, project_id, "Project")

    @reads
    def get_project_by_key(self, s: Session, key: str) -> Project:
        """One project by its key (case-insensitive)."""
        wanted = key.strip().upper()
        obj = s.exec(select(Project).where(Project.key == wanted)).scalars().first()
        if obj is None:
            raise NotFound(f"No project with key {wanted!r}.")
        return obj

    @writes
    def create_project(self, s: Session, values: Mapping[str, Any]) -> Project:
        """Create a project and seed its gate checklists from the default criteria."""
        data = fields.coerce(fields.PROJECT, values, partial=False, today=self.today())
        check_dates(data.get("start_date"), data.get("target_date"))
        if key_taken(s, data["key"]):
            raise ValidationError.from_fields(
                {"key": f"{data['key']} is already used by another project"}
            )
        project = Project(**data, **self.stamp())
        s.add(project)
        s.flush()
        assert project.id is not None
        seed_gates(s, project.id, self.stamp())
        self.audit(
            s,
            "project",
            project.id,
            project.id,
            "create",
            f"Created project {project.key} {project.name}",
            created(data),
        )
        detach(s, project)
        return project

    @writes
    def update_project(
        self, s: Session, project_id: int, expected_version: int | None, values: Mapping[str, Any]
    ) -> Project:
        """Edit project fields (phase changes go through :meth:`transition_project`)."""
        if "phase" in values:
            raise ValidationError.from_fields({"phase": "changes through a phase transition"})
        data = fields.coerce(fields.PROJECT, values, partial=True, today=self.today())
        project = self.get(s, Project, project_id, "Project", lock=True)
        self.check_version(s, project, expected_version, f"Project {project.key}")
        check_dates(
            data.get("start_date", project.start_date),
            data.get("target_date", project.target_date),
        )
        if "key" in data and data["key"] != project.key and key_taken(s, data["key"]):
            raise ValidationError.from_fields(
                {"key": f"{data['key']} is already used by another project"}
            )
        diff = changes(project, data)
        if not diff:
            detach(s, project)
            return project
        if "health" in diff or "health_note" in diff:
            self._check_health_note(s, project, data)
        for k, v in data.items():
            setattr(project, k, v)
        self.touch(project)
        self.audit(
            s,
            "project",
            project.id,
            project.id,
            "update",
            f"Edited project {project.key}: {', '.join(diff)}",
            diff,
        )
        detach(s, project)
        return project

    def _check_health_note(self, s: Session, project: Project, data: Mapping[str, Any]) -> None:
        """A manual health that differs from the suggested one needs a note saying why."""
        assert project.id is not None
        health = data.get("health", project.health)
        note = data.get("health_note", project.health_note)
        suggestion = suggestion_for(s, self.bank, project.id, self.today())
        if health != suggestion.health.value and not note:
            why = "; ".join(suggestion.reasons)
            raise ValidationError.from_fields(
                {
                    "health_note": f"is required: the suggested health is "
                    f"{suggestion.health.value} ({why})"
                }
            )

    @writes
    def archive_project(
        self,
        s: Session,
        project_id: int,
        expected_version: int | None,
        archived: bool = True,
        reason: str | None = None,
    ) -> Project:
        """Archive (hide) or restore a project.

        Archiving a project that is neither closed nor killed needs a *reason*: it hides
        live work, so it must be a deliberate, explained decision.
        """
        why = ARCHIVE_REASON(reason, "reason") if reason else ""
        project = self.get(s, Project, project_id, "Project", lock=True)
        self.check_version(s, project, expected_version, f"Project {project.key}")
        finished = lifecycle.ProjectState(project.state).read_only
        if archived and not project.archived and not finished and not why:
            raise ValidationError.from_fields(
                {"reason": "is required to archive a project that is neither closed nor killed"}
            )
        if project.archived != archived:
            project.archived = archived
            self.touch(project)
            self.audit(
                s,
                "project",
                project.id,
                project.id,
                "archive" if archived else "restore",
                f"{'Archived' if archived else 'Restored'} project {project.key}"
                + (f": {why}" if why else ""),
                {"archived": [not archived, archived]},
            )
        detach(s, project)
        return project

    @reads
    def project_summaries(self, s: Session, include_archived: bool = False) -> list[ProjectSummary]:
        """Projects with progress, risk counts, readiness, next milestone and overdue count."""
        today = self.today()
        projects = list(s.exec(_projects_query(include_archived)).scalars())
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
                    .where(Card.project_id.in_(ids), Card.status != "done", Card.due_date < today)
                    .group_by(Card.project_id)
                ).all()
            )
        )
        # Open risks only (an occurred risk is an issue now); threats and opportunities
        # are never added up, so the Extreme/High columns count threats.
        levels: dict[int, Counter[risk.Level]] = defaultdict(Counter)
        late_reviews: Counter[int] = Counter()
        for pid, kind, lk, im, review in s.exec(
            select(
                Risk.project_id, Risk.kind, Risk.likelihood, Risk.impact, Risk.next_review_date
            ).where(Risk.project_id.in_(ids), Risk.status.not_in(NOT_OPEN))
        ):
            if kind == risk.RiskKind.THREAT.value:
                levels[pid][risk.level(lk, im)] += 1
            late_reviews[pid] += risk.is_review_overdue(review, today)
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
        readiness, in_progress = readiness_by_project(s, self.bank, ids)
        return [
            ProjectSummary(
                project=p,
                cards_total=totals[p.id],
                cards_done=done[p.id],
                extreme_risks=levels[p.id][risk.Level.EXTREME],
                high_risks=levels[p.id][risk.Level.HIGH],
                readiness=readiness.get(p.id),
                pptf_in_progress=in_progress.get(p.id, 0),
                next_milestone=milestones.get(p.id),
                overdue=overdue[p.id],
                overdue_reviews=late_reviews[p.id],
                suggested=suggestion_for(s, self.bank, p.id, today) if p.id else None,
            )
            for p in projects
        ]
