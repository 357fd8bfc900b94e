"""How the risk register draws a risk: its matrix cell, status text and detail line."""

from __future__ import annotations

from ecpm_tui import risk
from ecpm_tui.store import RiskRow
from ecpm_tui.text import one_line


def cell_of(item: RiskRow, residual: bool) -> tuple[int, int]:
    """The matrix cell a risk is shown in (residual view: inherent when not set)."""
    return risk.matrix_cell(
        item.likelihood, item.impact, item.residual_likelihood, item.residual_impact, residual
    )[0]


def register_key(item: RiskRow, residual: bool) -> tuple[object, ...]:
    """Register order: level, score, impact, nearest proximity, then ref."""
    likelihood, impact = cell_of(item, residual)
    return (risk.sort_key(likelihood, impact, item.proximity_date), item.ref)


def risk_detail(item: RiskRow, residual: bool, keys: dict[int, str]) -> str:
    """One risk in full for the detail line: ref, level, title, owner, status, response,
    review and proximity dates."""
    lk, im = cell_of(item, residual)
    lvl = risk.level(lk, im)
    ref = f"{one_line(keys.get(item.project_id, '?'))}/{item.ref}"
    parts = [
        f"{ref} {lvl.label} {risk.score(lk, im)} ({lk}x{im}) {one_line(item.title, 200)}",
        f"owner {one_line(item.owner, 40) or '-'}",
        status_text(item),
        f"response {item.response or '-'}",
        f"review {item.next_review_date or '-'}",
    ]
    if item.proximity_date:
        parts.append(f"proximity {item.proximity_date}")
    return " | ".join(parts)


def status_text(item: RiskRow) -> str:
    """The status column: occurred risks are issues, shown with their board card."""
    if item.status == risk.RiskStatus.OCCURRED.value:
        return f"ISSUE #{item.occurred_card_id}" if item.occurred_card_id else "ISSUE"
    return item.status.replace("_", " ")
