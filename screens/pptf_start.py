"""Start a PPTF interview: project, phase or milestone, team and language; ctrl+s starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Select, Static

from ecpm_tui import lifecycle
from ecpm_tui.errors import EcpmError, ValidationError
from ecpm_tui.pptf_text import LANGUAGE_NAMES
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import safe
from ecpm_tui.store import InterviewChoices

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp

FIELDS = ("project", "phase", "department", "language")


class StartInterviewScreen(ModalScreen[int | None]):
    """The start form; dismisses with the new interview's id (None when cancelled)."""

    CSS_PATH = css_path("pptf_start.tcss")
    # The team field has the cursor from the first frame: the others have defaults, and
    # a user typing `n` then a team name at once must not lose a key.
    AUTO_FOCUS = "#start-department"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start interview", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(self, choices: InterviewChoices, project_id: int | None) -> None:
        super().__init__()
        self.choices = choices
        ids = [p[0] for p in choices.projects]
        # The project last opened on the board (or Projects), else the first active one.
        self.project_id = project_id if project_id in ids else (ids[0] if ids else None)

    def compose(self) -> ComposeResult:
        with Vertical(id="start-box"):
            yield Static("Start a PPTF interview", id="start-title")
            yield Label("Project")
            yield Select(
                [
                    (safe(f"{key}  {name}", 60, single_line=True), str(pid))
                    for pid, key, name, _ in self.choices.projects
                ],
                value=str(self.project_id) if self.project_id is not None else Select.NULL,
                id="start-project",
            )
            yield Static("", id="error-project", classes="field-error")
            yield Label("Phase or milestone it prepares")
            yield Select(
                self._targets(self.project_id),
                value=self._default_target(self.project_id),
                id="start-phase",
            )
            yield Static("", id="error-phase", classes="field-error")
            yield Label("Team interviewed")
            yield Input(
                placeholder="e.g. Logistics",
                id="start-department",
                suggester=SuggestFromList(self.choices.teams, case_sensitive=False),
            )
            yield Static("", id="error-department", classes="field-error")
            yield Label("Language")
            yield Select(
                [(name, code) for code, name in LANGUAGE_NAMES.items()],
                value="en",
                allow_blank=False,
                id="start-language",
            )
            yield Static("", id="error-language", classes="field-error")
            yield Static("ctrl+s start · esc cancel", id="start-message")

    def _targets(self, project_id: int | None) -> list[tuple[Content, str]]:
        # User text (project names, card titles) as literal Content, never markup.
        out = [(Content(p.label), f"phase:{p.value}") for p in lifecycle.PHASES]
        out += [
            (safe(f"◆ {title}", 60, single_line=True), f"card:{cid}")
            for cid, pid, title, _phase in self.choices.milestones
            if pid == project_id
        ]
        return out

    def _default_target(self, project_id: int | None) -> str:
        phase = next((p[3] for p in self.choices.projects if p[0] == project_id), None)
        return f"phase:{phase or lifecycle.Phase.INITIATION.value}"

    @on(Select.Changed, "#start-project")
    def _project_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        pid = int(str(event.value))
        if pid == self.project_id:
            return
        self.project_id = pid
        target = self.query_one("#start-phase", Select)
        target.set_options(self._targets(pid))
        target.value = self._default_target(pid)

    def values(self) -> dict[str, str]:
        """The form's current choices as text."""
        out: dict[str, str] = {}
        for name, selector in (
            ("project", "#start-project"),
            ("phase", "#start-phase"),
            ("language", "#start-language"),
        ):
            value = self.query_one(selector, Select).value
            out[name] = "" if value is Select.NULL else str(value)
        out["department"] = self.query_one("#start-department", Input).value
        return out

    @on(Input.Submitted, "#start-department")
    def _submitted(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        values = self.values()
        if not values["project"]:
            self.show_errors({"project": "choose a project (create one on the Projects screen)"})
            return
        self.query_one("#start-message", Static).update("Starting...")
        self._start(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_errors(self, errors: dict[str, str], message: str = "") -> None:
        """Messages next to the fields; the first field in error gets the cursor."""
        aliases = {"milestone_card_id": "phase"}
        errors = {aliases.get(k, k): v for k, v in errors.items()}
        for name in FIELDS:
            self.query_one(f"#error-{name}", Static).update(safe(errors.get(name, "")))
        other = "; ".join(f"{k}: {v}" for k, v in errors.items() if k not in FIELDS)
        self.query_one("#start-message", Static).update(safe(other or message))
        first = next((n for n in FIELDS if n in errors), None)
        if first:
            self.query_one(f"#start-{first}").focus()

    @work(thread=True, exclusive=True, group="start-interview")
    def _start(self, values: dict[str, str]) -> None:
        app = cast("EcpmApp", self.app)
        kind, _, target = values["phase"].partition(":")
        try:
            a = app.store.start_assessment(
                int(values["project"]),
                values["department"],
                phase=target if kind == "phase" else None,
                milestone_card_id=int(target) if kind == "card" else None,
                language=values["language"] or "en",
            )
            app.absorb_own_write()
        except ValidationError as exc:
            self.app.call_from_thread(self.show_errors, exc.errors, exc.message)
            return
        except EcpmError as exc:
            self.app.call_from_thread(self.show_errors, {}, exc.message)
            return
        assert a.id is not None
        self.app.call_from_thread(self.dismiss, a.id)
