"""The risk form opened from a PPTF gap: every Risk field, pre-filled with the proposal.

The user confirms or adjusts before anything is saved; saving creates the risk and links
it to the gap in one transaction, so a gap never becomes two risks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecpm_tui.models import Answer, Risk
from ecpm_tui.screens.risk_form import RiskFormScreen

if TYPE_CHECKING:
    from ecpm_tui.store import Store


class GapRiskFormScreen(RiskFormScreen):
    """The risk form for the gap of one answer; ctrl+s creates the risk and links it."""

    def __init__(
        self, store: Store, project_id: int, answer_id: int, initial: dict[str, str], key: str
    ) -> None:
        super().__init__(store, project_id, initial)
        self.answer_id = answer_id
        self.title_text = f"Risk from PPTF gap {key}: confirm or adjust"

    def save_risk(self, values: dict[str, str], version: int | None) -> Risk:
        """Create the risk from the gap (runs in the form's save worker)."""
        return self.store.gap_to_risk(self.answer_id, values)


def gap_risk_form(
    store: Store, answer: Answer, project_id: int, language: str, team: str, interviewer: str
) -> GapRiskFormScreen:
    """The risk form for the gap of *answer*, pre-filled with the proposed values."""
    assert answer.id is not None
    initial = store.gap_risk_values(answer, language, team, interviewer)
    return GapRiskFormScreen(store, project_id, answer.id, initial, answer.question_key)
