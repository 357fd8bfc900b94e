"""The risk form: every Risk field, validated by the store with messages next to fields.

It guides as the values change: the response list follows threat or opportunity,
residual values open once a response is chosen, and a line shows the level, the review
cadence and what a High or Extreme risk needs. Editing shows the score history.
Other screens (PPTF gaps) open it with pre-filled ``initial`` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Select, Static

from ecpm_tui import lifecycle, pptf, risk
from ecpm_tui.errors import EcpmError
from ecpm_tui.models import Risk
from ecpm_tui.resources import css_path
from ecpm_tui.screens.form import FieldDef, FormScreen
from ecpm_tui.screens.risk_dialogs import RiskEventsScreen
from ecpm_tui.store import ScorePoint
from ecpm_tui.text import one_line

if TYPE_CHECKING:
    from ecpm_tui.store import Store

DATE_HINT = "YYYY-MM-DD, +2w, fri"
RESIDUAL = ("residual_likelihood", "residual_impact")


def scale_options(labels: Mapping[int, str]) -> list[tuple[str, str]]:
    """Select options for a 1-5 scale, highest first (as the matrix reads)."""
    return [(f"{k} {labels[k]}", str(k)) for k in range(5, 0, -1)]


def response_options(kind: str) -> list[tuple[str, str]]:
    """The responses allowed for a threat or an opportunity."""
    parsed = risk.RiskKind(kind) if kind in {k.value for k in risk.RiskKind} else None
    return [(r.label, r.value) for r in risk.responses_for(parsed or risk.RiskKind.THREAT)]


def risk_fields(kind: str) -> tuple[FieldDef, ...]:
    """The form's fields; the response choices depend on *kind*."""
    return (
        FieldDef("title", "Title"),
        FieldDef(
            "kind", "Threat or opportunity", "select", [(k.label, k.value) for k in risk.RiskKind]
        ),
        FieldDef("category", "Category", "select", [(c.capitalize(), c) for c in risk.CATEGORIES]),
        FieldDef("status", "Status", "select", [(s.label, s.value) for s in risk.RiskStatus]),
        FieldDef("owner", "Owner (required for High and Extreme)"),
        FieldDef("likelihood", "Likelihood", "select", scale_options(risk.LIKELIHOOD_LABELS)),
        FieldDef("impact", "Impact", "select", scale_options(risk.IMPACT_LABELS)),
        FieldDef("response", "Response", "select", response_options(kind)),
        FieldDef(
            "residual_likelihood",
            "Residual likelihood (once a response is chosen)",
            "select",
            scale_options(risk.LIKELIHOOD_LABELS),
        ),
        FieldDef(
            "residual_impact",
            "Residual impact (once a response is chosen)",
            "select",
            scale_options(risk.IMPACT_LABELS),
        ),
        FieldDef(
            "acceptance_justification",
            "Acceptance justification (accepting a High or Extreme threat)",
            "text",
        ),
        FieldDef("accepted_by", "Accepted by (who took the decision)"),
        FieldDef(
            "next_review_date", "Next review", placeholder=f"{DATE_HINT}; blank: level cadence"
        ),
        FieldDef("proximity_date", "Proximity (when it could happen)", placeholder=DATE_HINT),
        FieldDef("cause", "Cause", "text"),
        FieldDef("effect", "Effect", "text"),
        FieldDef("trigger", "Trigger (early warning)", "text"),
        FieldDef("mitigation", "Mitigation", "text"),
        FieldDef("contingency", "Contingency (if it occurs)", "text"),
        FieldDef(
            "workstream", "Workstream", "select", [(w.label, w.value) for w in lifecycle.Workstream]
        ),
        FieldDef(
            "pptf_dimension",
            "PPTF dimension",
            "select",
            [(d.label, d.value) for d in pptf.Dimension],
        ),
        FieldDef("closed_reason", "Closed reason", "text"),
    )


def template_values(t: risk.RiskTemplate) -> dict[str, object]:
    """Form values of a new risk from a built-in template."""
    return {
        "title": t.title,
        "kind": risk.RiskKind.THREAT.value,
        "category": t.category,
        "likelihood": t.likelihood,
        "impact": t.impact,
        "cause": t.cause,
        "effect": t.effect,
        "mitigation": t.mitigation,
        "workstream": t.workstream,
    }


def level_line(kind: str, likelihood: str, impact: str, response: str) -> str:
    """What the current values mean: level, score, review cadence and obligations."""
    if not (likelihood.isdigit() and impact.isdigit()):
        return "Choose a likelihood and an impact."
    lk, im = int(likelihood), int(impact)
    lvl = risk.level(lk, im)
    parts = [
        f"Level {lvl.letter} {lvl.label}, score {risk.score(lk, im)} (L{lk} x I{im})",
        f"review every {risk.REVIEW_CADENCE_DAYS[lvl]} days",
    ]
    if lvl in risk.SERIOUS_LEVELS:
        parts.append("owner required")
        if kind == risk.RiskKind.THREAT.value and response == risk.Response.ACCEPT.value:
            parts.append("accepting needs a justification and who accepted")
    return "; ".join(parts)


def history_text(points: list[ScorePoint]) -> str:
    """The score history as lines: date, L x I, level, who."""
    if not points:
        return "Score history: none recorded."
    lines = ["Score history (ctrl+o: audit entries):"]
    for p in points:
        lvl = p.level
        residual = (
            f", residual L{p.residual_likelihood} x I{p.residual_impact}"
            if p.residual_likelihood and p.residual_impact
            else ""
        )
        lines.append(
            f"  {p.at:%Y-%m-%d}  L{p.likelihood} x I{p.impact}  {lvl.letter} {lvl.label}"
            f"{residual}  ({one_line(p.user, 20)})"
        )
    return "\n".join(lines)


class RiskFormScreen(FormScreen[Risk]):
    """Create (``risk_id`` None) or edit a risk of project ``project_id``."""

    CSS_PATH = [css_path("form.tcss"), css_path("risk_form.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "events", "Audit entries", priority=True),
    ]

    def __init__(
        self,
        store: Store,
        project_id: int,
        initial: Mapping[str, object] | None = None,
        *,
        risk_id: int | None = None,
        version: int | None = None,
    ) -> None:
        values: dict[str, object] = {
            "kind": risk.RiskKind.THREAT.value,
            "category": "scope",
            "status": risk.RiskStatus.IDENTIFIED.value,
            "likelihood": 3,
            "impact": 3,
        }
        values.update({k: v for k, v in (initial or {}).items() if v is not None})
        self.store = store
        self.project_id = project_id
        self.risk_id = risk_id
        self.ref = str(values.get("ref") or "")
        kind = str(values["kind"])
        self.shown_responses = response_options(kind)
        if risk_id is None:
            title = "New risk"
        else:
            title = f"Edit risk {self.ref}: {one_line(values.get('title', ''), 50)}"
        super().__init__(title, risk_fields(kind), values, self.save_risk, version=version)

    def save_risk(self, values: dict[str, str], version: int | None) -> Risk:
        """Create or update through the store (runs in the form's save worker)."""
        if self.risk_id is None:
            return self.store.create_risk(self.project_id, values)
        return self.store.update_risk(self.risk_id, version, values)

    def on_mount(self) -> None:
        super().on_mount()
        fields_box = self.query_one("#form-fields")
        fields_box.mount(Static("", id="risk-level"), before=0)
        if self.risk_id is not None:
            fields_box.mount(Static("Score history: loading...", id="risk-history"), before=0)
            self._load_history()
        self.call_after_refresh(self.sync)

    def values(self) -> dict[str, str]:
        """The field texts; residual values count only once a response is chosen."""
        out = super().values()
        if not out.get("response"):
            for name in RESIDUAL:
                out[name] = ""
        return out

    def select_value(self, name: str) -> str:
        widget = self.query_one(f"#field-{name}", Select)
        return "" if widget.value is Select.NULL else str(widget.value)

    def sync(self) -> None:
        """Follow the values: response choices, residual fields, the level line."""
        kind = self.select_value("kind")
        response_select = self.query_one("#field-response", Select)
        options = response_options(kind)
        current = self.select_value("response")
        if [v for _, v in options] != [v for _, v in self.shown_responses]:
            self.shown_responses = options
            response_select.set_options(options)
            if current in {v for _, v in options}:
                response_select.value = current
        response = self.select_value("response")
        for name in RESIDUAL:
            self.query_one(f"#field-{name}", Select).disabled = not response
        self.query_one("#risk-level", Static).update(
            Content(
                level_line(
                    kind, self.select_value("likelihood"), self.select_value("impact"), response
                )
            )
        )

    @on(Select.Changed)
    def _select_changed(self) -> None:
        if self.is_mounted and self.query("#risk-level"):
            self.sync()

    @work(thread=True, exclusive=True, group="risk-history")
    def _load_history(self) -> None:
        assert self.risk_id is not None
        try:
            points = self.store.risk_history(self.risk_id)
        except EcpmError as exc:
            self.app.call_from_thread(self._show_history, exc.message)
            return
        self.app.call_from_thread(self._show_history, history_text(points))

    def _show_history(self, text: str) -> None:
        self.query_one("#risk-history", Static).update(Content(text))

    def action_events(self) -> None:
        """Show this risk's audit entries."""
        if self.risk_id is None:
            self.notify("A new risk has no audit entries yet.")
            return
        self.app.push_screen(RiskEventsScreen(self.store, self.risk_id, self.ref))
