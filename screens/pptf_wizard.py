"""The PPTF interview wizard: one question at a time, every answer saved at once.

Keys: 0-3 rate, x N/A, u don't know (each saves in one transaction and moves on), tab into
the note and action fields, enter or right next, left back, ctrl+s finish, esc back to the
list (the digits rate here; other global keys work). Saves run in order on one worker
thread: answers typed ahead are all kept; a killed terminal loses nothing already rated.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from ecpm_tui import lifecycle, pptf
from ecpm_tui.errors import Conflict, EcpmError
from ecpm_tui.pptf_text import LANGUAGE_NAMES, dimension_label, phrase, rating_label
from ecpm_tui.resources import css_path
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.screens.pptf_reply import Reply, text_bar
from ecpm_tui.text import one_line

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.store import AssessmentDetail, Store

NOTE_SAVE_DELAY = 0.8  # seconds after the last key typed in a note or action


class WizardScreen(Screen[None]):
    """Answer one interview, question by question, in bank order."""

    CSS_PATH = css_path("pptf_wizard.tcss")
    # Nothing focused: the keys rate. tab moves into the note and action fields.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("0", "rate(0)", "No"),
        Binding("1", "rate(1)", "Partly"),
        Binding("2", "rate(2)", "Defined"),
        Binding("3", "rate(3)", "Evidenced"),
        Binding("x", "not_applicable", "N/A"),
        Binding("u", "dont_know", "Don't know"),
        Binding("tab", "note_fields", "Note/action"),
        Binding("enter,right", "next", "Next"),
        Binding("left", "back", "Back"),
        Binding("ctrl+s", "finish", "Finish", priority=True),
        Binding("escape", "leave", "List"),
        # The app binds 1-5 to screens; here 4-5 (and 6-9) would be a mistyped rating.
        Binding("4,5,6,7,8,9", "not_a_rating", "Not a rating", show=False),
    ]

    def __init__(self, assessment_id: int) -> None:
        super().__init__()
        self.assessment_id = assessment_id
        self.questions: tuple[pptf.Question, ...] = ()
        self.replies: dict[str, Reply] = {}
        self.drafts: dict[str, tuple[str, str]] = {}
        self.index = 0
        self.language = "en"
        self.detail: AssessmentDetail | None = None
        self._deferred: list[Callable[[], None]] = []
        self._jobs: deque[Callable[[], None]] = deque()
        self._lock = threading.Lock()
        self._draining = False
        self._note_timer: Timer | None = None
        # Each answer's version as last seen (loaded, or from our own previous save, set
        # by the save worker in order): only another person's save in between conflicts.
        self.versions: dict[str, int] = {}

    @property
    def ecpm(self) -> EcpmApp:
        return cast("EcpmApp", self.app)

    @property
    def store(self) -> Store:
        return self.ecpm.store

    def compose(self) -> ComposeResult:
        yield FitHeader()
        with Vertical(id="wiz-body"):
            yield Static("Loading the interview...", id="wiz-head")
            yield Static("", id="wiz-progress")
            yield Static("", id="wiz-dims")
            yield Static("", id="wiz-meta")
            yield Static("", id="wiz-question")
            yield Static("", id="wiz-original")
            yield Static("", id="wiz-answer")
            yield Static("", id="wiz-scale")
            with Horizontal(classes="wiz-field"):
                yield Label("Note", id="wiz-note-label")
                yield Input(id="wiz-note")
            with Horizontal(classes="wiz-field"):
                yield Label("Action", id="wiz-action-label")
                yield Input(id="wiz-action")
        yield FitFooter()

    def on_mount(self) -> None:
        self.set_focus(None)
        self.app.run_worker(self._load, thread=True, group="pptf-wizard-load")

    # -- loading ------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            detail = self.store.assessment_detail(self.assessment_id)
        except EcpmError as exc:
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.app.call_from_thread(self._loaded, detail)

    def _load_failed(self, exc: EcpmError) -> None:
        self.app.notify(exc.message, severity="error", timeout=8)
        self.dismiss()

    def _loaded(self, detail: AssessmentDetail) -> None:
        reloading = self.detail is not None
        self.detail = detail
        if not reloading:  # a reload set them on the save worker, in order (_reload)
            self.versions = {key: a.version for key, a in detail.answers.items()}
        self.language = detail.assessment.language
        self.questions = self.store.bank.ordered()
        self.replies = {
            key: Reply(a.rating, a.na, a.unknown, a.note, a.action)
            for key, a in detail.answers.items()
        }
        if not reloading:
            # Resume at the first unanswered question (a reload after a refused save
            # stays on the question shown, now with the answer the database holds).
            self.index = next(
                (i for i, q in enumerate(self.questions) if not self._reply(q.key).given),
                0,
            )
        self.refresh_question()
        deferred, self._deferred = self._deferred, []
        for act in deferred:  # keys typed while the interview was loading
            act()

    def _ready(self, act: Callable[[], None]) -> bool:
        """True when loaded; otherwise keep *act* to replay once loaded (keys typed ahead)."""
        if self.detail is None:
            self._deferred.append(act)
            return False
        return True

    # -- display ------------------------------------------------------------------------

    def _reply(self, key: str) -> Reply:
        return self.replies.get(key, Reply())

    @property
    def question(self) -> pptf.Question:
        return self.questions[self.index]

    def refresh_question(self) -> None:
        """Show the current question, its answer and the progress bars."""
        if self.detail is None or not self.questions:
            return
        lang = self.language
        a, project = self.detail.assessment, self.detail.project
        target = lifecycle.Phase(a.phase).label if a.phase else "milestone"
        self.query_one("#wiz-head", Static).update(
            Content(
                one_line(
                    f"PPTF · {project.key} · {target} · {a.department} · "
                    f"{a.interviewer} · {LANGUAGE_NAMES.get(lang, lang)}",
                    200,
                )
            )
        )
        answered = sum(1 for q in self.questions if self._reply(q.key).given)
        total = len(self.questions)
        self.query_one("#wiz-progress", Static).update(
            Content(
                f"{text_bar(answered, total, 30)} " + phrase("answered", lang, n=answered, m=total)
            )
        )
        dims = []
        bank = self.store.bank
        for d in pptf.Dimension:
            qs = bank.for_dimension(d)
            done = sum(1 for q in qs if self._reply(q.key).given)
            label = dimension_label(d, lang)[:11]
            dims.append(f"{label:<11} {text_bar(done, len(qs), 10)} {done:>2}/{len(qs):<2}")
        self.query_one("#wiz-dims", Static).update(
            Content(f"{dims[0]}   {dims[1]}\n{dims[2]}   {dims[3]}")
        )
        q = self.question
        if len(q.dimensions) > 1:
            section = phrase("general", lang)
            n, m = 1, sum(1 for x in self.questions if len(x.dimensions) > 1)
        else:
            own = [x for x in bank.for_dimension(q.primary_dimension) if len(x.dimensions) == 1]
            section = dimension_label(q.primary_dimension, lang)
            n, m = own.index(q) + 1, len(own)
        self.query_one("#wiz-meta", Static).update(
            Content.assemble(
                (section, "bold"),
                f" · {phrase('question', lang, n=n, m=m)} · {phrase('weight', lang, w=q.weight)}"
                f" · {q.key} · {self.index + 1}/{total}",
            )
        )
        self.query_one("#wiz-question", Static).update(Content(q.text(lang)))
        original = q.original(lang)
        self.query_one("#wiz-original", Static).update(
            Content(f"{phrase('original', lang)}: {original}") if original else Content("")
        )
        reply = self._reply(q.key)
        shown = (f"{reply.rating} " if reply.rating is not None else "") + rating_label(
            reply.rating, lang, reply.na, reply.unknown
        )
        self.query_one("#wiz-answer", Static).update(
            Content.assemble(
                f"{phrase('answer', lang)}: ",
                (shown, "bold") if reply.given else (phrase("unanswered", lang), "italic"),
            )
        )
        scale = "  ".join(f"{i} {rating_label(i, lang)}" for i in range(4))
        self.query_one("#wiz-scale", Static).update(
            Content(
                f"{scale}  x {rating_label(None, lang, na=True)}"
                f"  u {rating_label(None, lang, unknown=True)}"
            )
        )
        note, action = self.drafts.get(q.key, (reply.note, reply.action))
        self.query_one("#wiz-note-label", Label).update(phrase("note", lang))
        self.query_one("#wiz-action-label", Label).update(phrase("action", lang))
        self.query_one("#wiz-note", Input).value = note
        self.query_one("#wiz-action", Input).value = action

    # -- saving -------------------------------------------------------------------------

    def _enqueue(self, job: Callable[[], None]) -> None:
        """Run *job* after every earlier one, on a worker thread (saves stay in order)."""
        with self._lock:
            self._jobs.append(job)
            if self._draining:
                return
            self._draining = True
        # The app owns the worker: leaving the screen must not cancel pending saves.
        self.app.run_worker(self._drain, thread=True, group="pptf-answers")

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._draining = False
                    return
                job = self._jobs.popleft()
            try:
                job()
            except EcpmError as exc:
                self.app.call_from_thread(self._save_failed, exc)

    def _save_failed(self, exc: EcpmError) -> None:
        self.app.notify(exc.message, severity="error", timeout=8)
        if self.is_attached:
            # Show what the database holds rather than what failed to save: queued
            # behind the saves, so no later save of ours is mistaken for a conflict.
            self._enqueue(self._reload)

    def _reload(self) -> None:
        """(save worker) Read the interview again and take its answers' versions."""
        try:
            detail = self.store.assessment_detail(self.assessment_id)
        except EcpmError as exc:
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.versions.update({key: a.version for key, a in detail.answers.items()})
        self.app.call_from_thread(self._loaded, detail)

    def _save(self, key: str, reply: Reply) -> None:
        aid, store = self.assessment_id, self.store
        self.replies[key] = reply
        self.drafts.pop(key, None)

        versions = self.versions

        def job() -> None:
            try:
                saved = store.save_answer(
                    aid,
                    key,
                    reply.rating,
                    reply.na,
                    reply.unknown,
                    reply.note,
                    reply.action,
                    expected_version=versions.get(key, 0),
                )
            except Conflict:
                # Back to the question whose save was refused, to show the answer reloaded.
                self.app.call_from_thread(self._show_question, key)
                raise
            versions[key] = saved.version

        self._enqueue(job)

    def _show_question(self, key: str) -> None:
        self.index = next((i for i, q in enumerate(self.questions) if q.key == key), self.index)

    def _fields(self) -> tuple[str, str]:
        return self.query_one("#wiz-note", Input).value, self.query_one("#wiz-action", Input).value

    def _keep_fields(self) -> None:
        """Save an edited note/action with the question's answer (or keep it as a draft)."""
        if self.detail is None or not self.questions:
            return
        key = self.question.key
        note, action = self._fields()
        reply = self._reply(key)
        if (note, action) == (reply.note, reply.action):
            self.drafts.pop(key, None)
            return
        if reply.given:
            self._save(key, replace(reply, note=note, action=action))
        else:
            self.drafts[key] = (note, action)
            self.notify("Rate the question to save its note and action.", timeout=4)

    def _answer(self, reply: Reply) -> None:
        note, action = self._fields()
        self._save(self.question.key, replace(reply, note=note, action=action))
        self.set_focus(None)
        if self.index < len(self.questions) - 1:
            self.index += 1
        else:
            self.notify("That was the last question: ctrl+s finishes the interview.")
        self.refresh_question()

    # -- actions ------------------------------------------------------------------------

    def action_rate(self, rating: int) -> None:
        if self._ready(lambda: self.action_rate(rating)):
            self._answer(Reply(rating=rating))

    def action_not_applicable(self) -> None:
        if self._ready(self.action_not_applicable):
            self._answer(Reply(na=True))

    def action_dont_know(self) -> None:
        if self._ready(self.action_dont_know):
            self._answer(Reply(unknown=True))

    def action_note_fields(self) -> None:
        """tab: into the note, from the note to the action, from the action to the note."""
        note = self.query_one("#wiz-note", Input)
        (self.query_one("#wiz-action", Input) if self.focused is note else note).focus()

    def action_not_a_rating(self) -> None:
        self.notify("Ratings are 0-3 (x N/A, u don't know); esc returns to the list.")

    def action_next(self) -> None:
        if self._ready(self.action_next):
            self._move(+1)

    def action_back(self) -> None:
        if self._ready(self.action_back):
            self._move(-1)

    def _move(self, step: int) -> None:
        self._keep_fields()
        self.set_focus(None)
        self.index = max(0, min(len(self.questions) - 1, self.index + step))
        self.refresh_question()

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        """Save a note being typed on an answered question a moment after typing stops,
        so even a terminal closed mid-sentence keeps it."""
        if self.detail is None or not event.input.has_focus:
            return  # filled by refresh_question, not typed
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.set_timer(NOTE_SAVE_DELAY, self._save_typed_fields)

    def _save_typed_fields(self) -> None:
        self._note_timer = None
        if self.detail is not None and self._reply(self.question.key).given:
            self._keep_fields()

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "wiz-note":
            self.query_one("#wiz-action", Input).focus()
        else:
            self.action_next()

    def action_leave(self) -> None:
        """Esc: out of a note/action field first, else back to the list."""
        if isinstance(self.focused, Input):
            self._keep_fields()
            self.set_focus(None)
            self.refresh_question()
            return
        if self.detail is not None:
            self._keep_fields()
        app = self.ecpm
        self._enqueue(lambda: app.call_from_thread(app.data_changed))
        self.dismiss()

    def action_finish(self) -> None:
        if not self._ready(self.action_finish):
            return
        self._keep_fields()
        self.set_focus(None)
        missing = sum(1 for q in self.questions if not self._reply(q.key).given)
        total = len(self.questions)
        question = (
            f"{missing} of {total} questions are unanswered (they count in no score). "
            "Finish the interview?"
            if missing
            else f"All {total} questions are answered. Finish the interview?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._complete()

        self.app.push_screen(ConfirmScreen(Content(question), "Finish"), answered)

    def _complete(self) -> None:
        aid, store, app = self.assessment_id, self.store, self.ecpm

        def job() -> None:
            store.complete_assessment(aid)
            app.absorb_own_write()
            app.call_from_thread(self._completed)

        self._enqueue(job)

    def _completed(self) -> None:
        from ecpm_tui.screens.pptf_summary import SummaryScreen

        self.app.notify("Interview completed.")
        if self.is_attached and self.app.screen is self:
            self.app.switch_screen(SummaryScreen(self.assessment_id))
