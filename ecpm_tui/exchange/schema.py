"""What an ecpm export file holds: its format marker and the fields of each record."""

from __future__ import annotations

from ecpm_tui import fields

FORMAT = "ecpm-export"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 200 * 1024 * 1024

# version is a per-database lock counter, not content: a fresh import starts it at 1.
TRACKED = ("created_at", "created_by", "updated_at", "updated_by")
PROJECT_FIELDS = (*fields.PROJECT, "risk_seq", "state", "state_reason", *TRACKED)
CARD_FIELDS = (*fields.CARD, "rank", "entered_at", *TRACKED)
RISK_FIELDS = ("ref", *fields.RISK, *TRACKED)
GATE_FIELDS = (
    "phase",
    "criterion_key",
    "text",
    "position",
    "done",
    "done_by",
    "done_at",
    "note",
    "mandatory",
    *TRACKED,
)
TRANSITION_FIELDS = (
    "from_phase",
    "to_phase",
    "by",
    "at",
    "decision",
    "reason",
    "unmet_criteria",
    "approved_by",
    "conditions",
)
ASSESSMENT_FIELDS = (
    "phase",
    "department",
    "interviewer",
    "language",
    "status",
    "started_at",
    "completed_at",
    *TRACKED,
)
ANSWER_FIELDS = ("question_key", "rating", "na", "unknown", "note", "action", *TRACKED)
EVENT_FIELDS = ("at", "user", "entity", "action", "summary", "changes")
