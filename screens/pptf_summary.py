"""The summary of one PPTF interview: dimension scores, overall readiness and gaps.

On a gap, `c` makes an action card and `r` opens the risk dialog with proposed values;
each gap is turned into each kind of item at most once, and the items made are shown
beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ecpm_tui import lifecycle, pptf
from ecpm_tui.errors import EcpmError
from ecpm_tui.models import Card, Risk
from ecpm_tui.pptf_text import LANGUAGE_NAMES, dimension_label, phrase, rating_label
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import DataChanged, add_fixed_columns, cell
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.screens.pptf_gap_risk import gap_risk_form
from ecpm_tui.screens.pptf_reply import text_bar
from ecpm_tui.text import clean, one_line

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.store import AssessmentSummary, Store

RAG_STYLE = {"green": "green", "amber": "yellow", "red": "red"}
BAR_NONE = "·"
T = TypeVar("T")


def score_line(label: str, value: float | None, width: int = 30) -> Content:
    """`label  ███░░  67% A`: bar, percent and RAG letter, coloured by RAG."""
    if value is None:
        return Content.assemble(f"{label:<20} ", (BAR_NONE * width, "dim"), "    - (no answers)")
    band = pptf.rag(value)
    return Content.assemble(
        f"{label:<20} ",
        (text_bar(round(value), 100, width), RAG_STYLE[band.value]),
        (f" {value:3.0f}% {band.value[0].upper()} {band.label}", RAG_STYLE[band.value]),
    )


class SummaryScreen(Screen[None]):
    """Scores and gaps of one interview; turn gaps into action cards and risks."""

    CSS_PATH = css_path("pptf_summary.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "gap_card", "Gap -> card"),
        Binding("r", "gap_risk", "Gap -> risk"),
        Binding("w", "answers", "Answers (wizard)"),
        Binding("escape", "leave", "List"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, assessment_id: int) -> None:
        super().__init__()
        self.assessment_id = assessment_id
        self.summary: AssessmentSummary | None = None

    @property
    def ecpm(self) -> EcpmApp:
        return cast("EcpmApp", self.app)

    @property
    def store(self) -> Store:
        return self.ecpm.store

    def compose(self) -> ComposeResult:
        yield FitHeader()
        yield Static("Loading...", id="sum-head")
        yield Static("", id="sum-scores")
        yield Static("", id="sum-gaps-title")
        yield DataTable(id="sum-gaps", cursor_type="row", zebra_stripes=True)
        yield FitFooter()

    def on_mount(self) -> None:
        # The question takes what the other columns leave (the Risk column stays in view
        # at 80 columns).
        question_width = max(20, min(60, self.app.size.width - 54))
        add_fixed_columns(
            self.query_one("#sum-gaps", DataTable),
            [
                ("Key", 3),
                ("Answer", 14),
                ("W", 1),
                ("Question", question_width),
                ("Card", 16),
                ("Risk", 5),
            ],
        )
        self.query_one("#sum-gaps", DataTable).focus()
        self.reload()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the summary in a worker and show it."""
        self.app.run_worker(self._load, thread=True, group="pptf-summary", exclusive=True)

    def _load(self) -> None:
        try:
            summary = self.store.assessment_summary(self.assessment_id)
        except EcpmError as exc:
            self.app.call_from_thread(self.app.notify, exc.message, severity="error")
            return
        self.app.call_from_thread(self.show, summary)

    def show(self, summary: AssessmentSummary) -> None:
        """Put the scores and gaps on screen."""
        self.summary = summary
        detail = summary.detail
        a, project = detail.assessment, detail.project
        lang = a.language
        target = lifecycle.Phase(a.phase).label if a.phase else "milestone"
        status = (
            f"completed {a.completed_at.date().isoformat()}" if a.completed_at else "in progress"
        )
        self.query_one("#sum-head", Static).update(
            Content(
                one_line(
                    f"PPTF summary · {project.key} · {target} · {a.department} · "
                    f"{a.interviewer} · {status} · {LANGUAGE_NAMES.get(lang, lang)}",
                    200,
                )
            )
        )
        lines = [
            score_line(dimension_label(d, lang), summary.scores.get(d)) for d in pptf.Dimension
        ]
        lines.append(score_line(phrase("overall", lang), summary.overall))
        self.query_one("#sum-scores", Static).update(Content("\n").join(lines))
        self.query_one("#sum-gaps-title", Static).update(
            f"{phrase('gaps', lang)} ({len(summary.gaps)}): rating 0-1 or don't know, weight 2+;"
            " c action card, r risk"
        )
        table = self.query_one("#sum-gaps", DataTable)
        row = table.cursor_row
        table.clear()
        for gap in summary.gaps:
            q, v = gap.question, gap.answer
            ans = detail.answers[q.key]
            card = detail.card_titles.get(ans.created_card_id or 0)
            risk_ref = detail.risk_refs.get(ans.created_risk_id or 0)
            table.add_row(
                cell(q.key),
                cell(
                    (f"{v.rating} " if v.rating is not None else "")
                    + rating_label(v.rating, lang, v.na, v.unknown)
                ),
                cell(q.weight),
                cell(q.text(lang), 200),
                cell(f"#{ans.created_card_id} {card}" if card else "-", 60),
                cell(risk_ref or "-", style="bold" if risk_ref else ""),
                key=q.key,
            )
        if summary.gaps:
            table.move_cursor(row=min(max(row, 0), len(summary.gaps) - 1))

    def selected(self) -> pptf.Gap | None:
        """The gap under the cursor."""
        table = self.query_one("#sum-gaps", DataTable)
        if self.summary is None or not 0 <= table.cursor_row < len(self.summary.gaps):
            return None
        return self.summary.gaps[table.cursor_row]

    def action_cursor_down(self) -> None:
        self.query_one("#sum-gaps", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#sum-gaps", DataTable).action_cursor_up()

    def action_gap_card(self) -> None:
        gap = self.selected()
        if gap is None or self.summary is None:
            self.notify("No gap selected.")
            return
        ans = self.summary.detail.answers[gap.question.key]
        if ans.created_card_id is not None:
            self.notify(f"Gap {gap.question.key} already has action card #{ans.created_card_id}.")
            return
        assert ans.id is not None
        answer_id = ans.id
        self._write(lambda: self.store.gap_to_card(answer_id), self._card_made)

    def _card_made(self, card: Card) -> None:
        self.notify(f"Action card #{card.id} created: {clean(card.title, 80)}", markup=False)

    def action_gap_risk(self) -> None:
        gap = self.selected()
        if gap is None or self.summary is None:
            self.notify("No gap selected.")
            return
        detail = self.summary.detail
        ans = detail.answers[gap.question.key]
        if ans.created_risk_id is not None:
            ref = detail.risk_refs.get(ans.created_risk_id, f"#{ans.created_risk_id}")
            self.notify(f"Gap {gap.question.key} already has risk {ref}.")
            return
        a = detail.assessment
        form = gap_risk_form(self.store, ans, a.project_id, a.language, a.department, a.interviewer)
        self.app.push_screen(form, self._risk_made)

    def _risk_made(self, item: Risk | None) -> None:
        if item is not None:
            self.notify(f"Risk {item.ref} created: {clean(item.title, 80)}", markup=False)
            self.ecpm.data_changed()
            self.reload()

    def _write(self, action: Callable[[], T], done: Callable[[T], None]) -> None:
        """Run one store action in a worker, then report and reload."""

        def run() -> None:
            try:
                result = action()
                self.ecpm.absorb_own_write()
            except EcpmError as exc:
                self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=8)
                self.app.call_from_thread(self.reload)
                return
            self.app.call_from_thread(done, result)
            self.app.call_from_thread(self.reload)

        self.app.run_worker(run, thread=True, group="pptf-summary-write")

    def action_answers(self) -> None:
        from ecpm_tui.screens.pptf_wizard import WizardScreen

        self.app.switch_screen(WizardScreen(self.assessment_id))

    def action_leave(self) -> None:
        self.dismiss()
