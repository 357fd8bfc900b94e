"""Reads of the audit trail (writes append to it through ``StoreBase.audit``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from ecpm_tui import audit_chain
from ecpm_tui.models import AuditEvent
from ecpm_tui.store.base import StoreBase, fetch_rows, reads, select_rows
from ecpm_tui.store.rows import EventRow


class ActivityOps(StoreBase):
    """Reads of audit events."""

    @reads
    def list_events(
        self,
        s: Session,
        limit: int = 500,
        user: str | None = None,
        project_id: int | None = None,
        entity: str | None = None,
    ) -> list[EventRow]:
        """Audit events, newest first, optionally filtered."""
        q = select_rows(EventRow, AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if user:
            q = q.where(AuditEvent.user == user)
        if project_id is not None:
            q = q.where(AuditEvent.project_id == project_id)
        if entity:
            q = q.where(AuditEvent.entity == entity)
        return fetch_rows(s, EventRow, q)

    @reads
    def project_events(
        self, s: Session, project_id: int, entities: tuple[str, ...] = ("card", "risk")
    ) -> list[EventRow]:
        """Every audit event of a project about *entities*, oldest first (charts replay it)."""
        q = (
            select_rows(EventRow, AuditEvent)
            .where(AuditEvent.project_id == project_id, AuditEvent.entity.in_(entities))
            .order_by(AuditEvent.id)
        )
        return fetch_rows(s, EventRow, q)

    @reads
    def verify_audit(self, s: Session) -> audit_chain.ChainCheck:
        """Walk the whole audit trail and report the first event whose hash link is broken."""
        query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
        return audit_chain.verify(s.execute(query).scalars())
