"""The risk register: log, assess, respond, close and delete risks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session

from ecpm_tui import fields, risk
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import Answer, Project, Risk
from ecpm_tui.store.base import (
    StoreBase,
    changes,
    created,
    detach,
    fetch_rows,
    reads,
    select_rows,
    writes,
)
from ecpm_tui.store.rows import RiskRow

OPEN_RISK_EXCLUDED = (risk.RiskStatus.CLOSED.value,)
"""Statuses the register hides unless asked (closed risks)."""
NOT_OPEN = tuple(status.value for status in risk.NOT_OPEN_STATUSES)
"""Statuses left out of open-risk counts: closed, and occurred (now an issue)."""


def validate_risk(merged: Mapping[str, Any], *, accountable: bool = True) -> None:
    """Check scales, response, residuals, accountability and closing together.

    Raises one ValidationError naming every field at fault. The accountability rules
    (owner, acceptance) hold for open risks; ``accountable=False`` skips them for
    records restored from a file, which were valid when they were saved.
    """
    response = risk.Response(merged["response"]) if merged.get("response") else None
    kind = risk.RiskKind(merged.get("kind") or "threat")
    errors: dict[str, str] = {}
    try:
        risk.validate_risk_assessment(
            kind=kind,
            likelihood=merged.get("likelihood"),
            impact=merged.get("impact"),
            response=response,
            residual_likelihood=merged.get("residual_likelihood"),
            residual_impact=merged.get("residual_impact"),
        )
    except ValidationError as exc:
        errors.update(exc.errors)
    still_open = risk.is_open(merged.get("status") or "identified")
    if accountable and still_open and "likelihood" not in errors and "impact" not in errors:
        errors.update(
            risk.accountability_errors(
                kind=kind,
                lvl=risk.level(merged["likelihood"], merged["impact"]),
                response=response,
                owner=merged.get("owner") or "",
                acceptance_justification=merged.get("acceptance_justification") or "",
                accepted_by=merged.get("accepted_by") or "",
            )
        )
    if merged.get("status") == risk.RiskStatus.CLOSED.value and not merged.get("closed_reason"):
        errors["closed_reason"] = "is required to close a risk"
    if errors:
        raise ValidationError.from_fields(errors)


def cadence_review(likelihood: int, impact: int, today: date) -> date:
    """The default next review date of a risk assessed at (likelihood, impact)."""
    return risk.default_next_review(risk.level(likelihood, impact), today)


def next_risk_ref(s: Session, project_id: int) -> str:
    """Allocate the project's next risk ref (R-001...) with one atomic UPDATE."""
    seq: int = s.exec(
        update(Project)
        .where(Project.id == project_id)
        .values(risk_seq=Project.risk_seq + 1)
        .returning(Project.risk_seq)
    ).scalar_one()
    return f"R-{seq:03d}"


class RiskOps(StoreBase):
    """Operations on risks."""

    @reads
    def list_risks(
        self, s: Session, project_id: int | None = None, include_closed: bool = True
    ) -> list[RiskRow]:
        """Risks (of one project or all), highest level first, as light rows."""
        q = select_rows(RiskRow, Risk)
        if project_id is not None:
            q = q.where(Risk.project_id == project_id)
        if not include_closed:
            q = q.where(Risk.status.not_in(OPEN_RISK_EXCLUDED))
        rows = fetch_rows(s, RiskRow, q)
        rows.sort(key=lambda r: (risk.sort_key(r.likelihood, r.impact, r.proximity_date), r.ref))
        return rows

    @reads
    def get_risk(self, s: Session, risk_id: int) -> Risk:
        """One risk by id."""
        return self.get(s, Risk, risk_id, "Risk")

    def create_risk(self, project_id: int, values: Mapping[str, Any]) -> Risk:
        """Add a risk with the next per-project ref (R-001...); review date from its level."""
        data = fields.coerce(
            fields.RISK, {"likelihood": 3, "impact": 3, **values}, partial=False, today=self.today()
        )
        validate_risk(data)
        if data.get("next_review_date") is None:
            data["next_review_date"] = cadence_review(
                data["likelihood"], data["impact"], self.today()
            )
        return self._insert_risk(project_id, data)

    @writes
    def _insert_risk(self, s: Session, project_id: int, data: dict[str, Any]) -> Risk:
        self.get(s, Project, project_id, "Project")
        item = Risk(project_id=project_id, ref=next_risk_ref(s, project_id), **data, **self.stamp())
        s.add(item)
        s.flush()
        self.audit(
            s,
            "risk",
            item.id,
            project_id,
            "create",
            f"Logged risk {item.ref} {item.title}",
            created(data),
        )
        detach(s, item)
        return item

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

    @writes
    def update_risk(
        self, s: Session, risk_id: int, expected_version: int | None, values: Mapping[str, Any]
    ) -> Risk:
        """Save an edited risk; scales, responses, residuals and owners are validated together.

        A blanked next review date is set again from the level's cadence.
        """
        data = fields.coerce(fields.RISK, values, partial=True, today=self.today())
        item = self.get(s, Risk, risk_id, "Risk", lock=True)
        self.check_version(s, item, expected_version, f"Risk {item.ref}")
        merged = {name: getattr(item, name) for name in fields.RISK} | data
        if "next_review_date" in data and data["next_review_date"] is None:
            data["next_review_date"] = cadence_review(
                merged["likelihood"], merged["impact"], self.today()
            )
        closing = data.get("status") == "closed" and item.status != "closed"
        action, verb = ("close", "Closed") if closing else ("update", "Edited")
        return self.apply_risk_change(s, item, data, action, f"{verb} risk {item.ref}")

    def apply_risk_change(
        self, s: Session, item: Risk, data: dict[str, Any], action: str, summary: str
    ) -> Risk:
        """Validate *item* with *data* applied, save and audit it (inside a transaction)."""
        validate_risk({name: getattr(item, name) for name in fields.RISK} | data)
        diff = changes(item, data)
        if diff:
            for k, v in data.items():
                setattr(item, k, v)
            self.touch(item)
            self.audit(
                s, "risk", item.id, item.project_id, action, f"{summary}: {', '.join(diff)}", diff
            )
        detach(s, item)
        return item

    def close_risk(self, risk_id: int, expected_version: int | None, reason: str) -> Risk:
        """Close a risk with a mandatory reason."""
        return self.update_risk(
            risk_id, expected_version, {"status": "closed", "closed_reason": reason}
        )

    @writes
    def delete_risk(self, s: Session, risk_id: int, expected_version: int | None) -> None:
        """Delete a risk logged by mistake; interview links to it are cleared."""
        item = self.get(s, Risk, risk_id, "Risk", lock=True)
        self.check_version(s, item, expected_version, f"Risk {item.ref}")
        s.exec(update(Answer).where(Answer.created_risk_id == risk_id).values(created_risk_id=None))
        self.audit(
            s,
            "risk",
            item.id,
            item.project_id,
            "delete",
            f"Deleted risk {item.ref} {item.title}",
            {"title": [item.title, None]},
        )
        s.exec(delete(Risk).where(Risk.id == risk_id))
