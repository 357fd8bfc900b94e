"""CSV export of cards, risks, PPTF answers or projects, safe to open in a spreadsheet.

Reads go through the store only. Every cell that a spreadsheet would read as a formula
(text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading apostrophe, the OWASP-recommended neutralisation, so a hostile card title can
never run in the sponsor's Excel. Dates are ISO 8601; the output is UTF-8 text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ecpm_tui.errors import ValidationError

if TYPE_CHECKING:
    from ecpm_tui.models import Project
    from ecpm_tui.store import Store

WHAT = ("cards", "risks", "answers", "projects")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CARD_COLUMNS = (
    "project", "id", "title", "phase", "status", "kind", "workstream", "assignee",
    "department", "priority", "due_date", "estimate", "tags", "blocked_reason",
    "acceptance_criteria", "description",
)  # fmt: skip
RISK_COLUMNS = (
    "project", "ref", "title", "kind", "category", "status", "owner", "likelihood", "impact",
    "level", "residual_likelihood", "residual_impact", "response", "pptf_dimension",
    "workstream", "next_review_date", "proximity_date", "trigger", "mitigation",
    "contingency", "cause", "effect", "closed_reason",
)  # fmt: skip
ANSWER_COLUMNS = (
    "project", "assessment_id", "team", "phase", "interviewer", "status", "started_at",
    "completed_at", "question_key", "rating", "na", "unknown", "note", "action",
)  # fmt: skip
PROJECT_COLUMNS = (
    "key", "name", "channel", "phase", "state", "health", "health_note", "sponsor",
    "manager", "start_date", "target_date", "budget", "currency", "archived", "objectives",
    "scope", "description",
)  # fmt: skip


def neutralise(text: str) -> str:
    """*text* made inert for spreadsheets: a formula-like start gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: object) -> str:
    """One value as CSV text: ISO dates, plain numbers, neutralised strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        # Numbers are ours, not user text: a negative number stays a number.
        return str(value)
    return neutralise(str(value))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (header row first, CRLF line ends as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def _projects(store: Store, key: str | None) -> list[Project]:
    if key:
        return [store.get_project_by_key(key)]
    return store.list_projects(include_archived=True)


def _card_rows(store: Store, projects: list[Project]) -> Iterable[list[object]]:
    for p in projects:
        assert p.id is not None
        for c in store.list_cards(p.id):
            yield [
                p.key, c.id, c.title, c.phase, c.status, c.kind, c.workstream, c.assignee,
                c.department, c.priority, c.due_date, c.estimate, c.tags, c.blocked_reason,
                c.acceptance_criteria, c.description,
            ]  # fmt: skip


def _risk_rows(store: Store, projects: list[Project]) -> Iterable[list[object]]:
    from ecpm_tui import risk

    for p in projects:
        assert p.id is not None
        for r in store.list_risks(p.id):
            yield [
                p.key, r.ref, r.title, r.kind, r.category, r.status, r.owner, r.likelihood,
                r.impact, risk.level(r.likelihood, r.impact).value, r.residual_likelihood,
                r.residual_impact, r.response, r.pptf_dimension, r.workstream,
                r.next_review_date, r.proximity_date, r.trigger, r.mitigation, r.contingency,
                r.cause, r.effect, r.closed_reason,
            ]  # fmt: skip


def _answer_rows(store: Store, projects: list[Project]) -> Iterable[list[object]]:
    for p in projects:
        assert p.id is not None
        for a in sorted(store.list_assessments(p.id), key=lambda a: a.id):
            detail = store.assessment_detail(a.id)
            for qkey in sorted(detail.answers):
                ans = detail.answers[qkey]
                yield [
                    p.key, a.id, a.department, a.phase, a.interviewer, a.status, a.started_at,
                    a.completed_at, qkey, ans.rating, ans.na, ans.unknown, ans.note, ans.action,
                ]  # fmt: skip


def _project_rows(projects: list[Project]) -> Iterable[list[object]]:
    for p in projects:
        yield [
            p.key, p.name, p.channel, p.phase, p.state, p.health, p.health_note, p.sponsor,
            p.manager, p.start_date, p.target_date, p.budget, p.currency, p.archived,
            p.objectives, p.scope, p.description,
        ]  # fmt: skip


def export_csv(store: Store, what: str, project_key: str | None = None) -> str:
    """*what* (cards, risks, answers or projects) of one project or all, as CSV text."""
    if what not in WHAT:
        raise ValidationError(f"Cannot export {what!r} as CSV: choose one of {', '.join(WHAT)}.")
    projects = _projects(store, project_key)
    if what == "cards":
        return to_csv(CARD_COLUMNS, _card_rows(store, projects))
    if what == "risks":
        return to_csv(RISK_COLUMNS, _risk_rows(store, projects))
    if what == "answers":
        return to_csv(ANSWER_COLUMNS, _answer_rows(store, projects))
    return to_csv(PROJECT_COLUMNS, _project_rows(projects))
