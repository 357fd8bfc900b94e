"""Confirm or adjust the risk proposed for a PPTF gap before anything is saved.

A small dialog of its own (title, category, likelihood, impact) built on the generic
form, so validation messages appear next to the fields and a conflict loses nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecpm_tui import risk
from ecpm_tui.models import Answer, Risk
from ecpm_tui.screens.form import FieldDef, FormScreen

if TYPE_CHECKING:
    from ecpm_tui.store import Store

GAP_RISK_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("title", "Title"),
    FieldDef("category", "Category", "select", [(c.title(), c) for c in risk.CATEGORIES]),
    FieldDef(
        "likelihood",
        "Likelihood (proposed: 4 for No or Don't know, 3 for Partly)",
        "select",
        [(f"{n} {label}", str(n)) for n, label in risk.LIKELIHOOD_LABELS.items()],
    ),
    FieldDef(
        "impact",
        "Impact (proposed: the question's weight + 1)",
        "select",
        [(f"{n} {label}", str(n)) for n, label in risk.IMPACT_LABELS.items()],
    ),
    FieldDef("owner", "Owner (login; required for a High or Extreme risk)"),
)


def gap_risk_form(
    store: Store, answer: Answer, language: str, team: str, interviewer: str
) -> FormScreen[Risk]:
    """The dialog for the gap of *answer*; ctrl+s creates the risk and links it back."""
    assert answer.id is not None
    answer_id = answer.id

    def save(values: dict[str, str], _version: int | None) -> Risk:
        return store.gap_to_risk(answer_id, values)

    return FormScreen(
        f"Risk from PPTF gap {answer.question_key}: confirm or adjust",
        GAP_RISK_FIELDS,
        store.gap_risk_proposal(answer, language, team, interviewer),
        save,
    )
