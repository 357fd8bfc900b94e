"""A generic record form: validates through the store on save, shows messages next to
fields, and resolves save conflicts by showing both versions (reload or re-apply)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from ecpm_tui.errors import Conflict, EcpmError, NeedsConfirmation, ValidationError
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import safe
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.store import jsonable
from ecpm_tui.text import clean

if TYPE_CHECKING:
    from ecpm_tui.app import EcpmApp

T = TypeVar("T")


@dataclass(frozen=True)
class FieldDef:
    """One form field: ``kind`` is input, select or text (multi-line)."""

    name: str
    label: str
    kind: str = "input"
    options: Sequence[tuple[str, str]] = ()
    placeholder: str = ""


def as_form_value(value: Any) -> str:
    """A stored value as the text a form field shows."""
    if value is None:
        return ""
    return str(jsonable(value))


class FormInput(Input):
    """A one-line field that takes pasted text cleaned and whole, and keeps its text when
    it gets the focus (the cursor goes to the end; nothing is selected)."""

    def __init__(self, value: str | None = None, **kwargs: Any) -> None:
        # Selected on focus, a value was replaced by the first key typed into an edit
        # form right after it opened: the typist lost the title they meant to extend.
        super().__init__(value, select_on_focus=False, **kwargs)

    def on_paste(self, event: events.Paste) -> None:
        # Pasted text is hostile: escape sequences and control characters are dropped
        # (never shown, never acted on) and lines are joined, not cut after the first.
        event.prevent_default()
        event.stop()
        text = " ".join(clean(event.text).replace("\t", " ").splitlines())
        if text:
            self.insert_text_at_cursor(text)


class FormTextArea(TextArea):
    """A multi-line field that takes pasted text cleaned."""

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        text = clean(event.text)
        if text and not self.read_only:
            self.insert(text)


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What a successful save returned (a save that returns nothing still closes the form)."""

    value: T


class FormScreen(ModalScreen[T | None], Generic[T]):
    """Edit a record; ctrl+s saves, Esc or ctrl+g cancels (ctrl+q stays Textual's quit).

    Cancelling with unsaved changes asks before discarding them. A save refused with
    NeedsConfirmation (e.g. a full WIP column) asks the user; on yes ``confirmed`` is set
    and the save runs again, so the save callable can pass it on as ``force``.
    """

    CSS_PATH = css_path("form.tcss")
    # No automatic focus: it went to the fields' scrolling container, and the keys let
    # through right after the one that opened the form were lost there. Until on_mount
    # focuses the first field, keys come to the screen itself (see on_key).
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FieldDef],
        values: Mapping[str, Any],
        save: Callable[[dict[str, str], int | None], T],
        version: int | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.initial = {f.name: as_form_value(values.get(f.name)) for f in self.fields}
        self.save_fn = save
        self.version = version
        self.conflict: Any = None
        self.confirmed = False
        self.baseline: dict[str, str] = {}
        # Text typed before the fields exist (the keys can beat the form's mount).
        self.early_text: list[str] = []
        self.mounted_fields = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(safe(self.title_text), id="form-title")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    yield Label(f.label, classes="field-label")
                    value = self.initial.get(f.name, "")
                    if f.kind == "select":
                        yield Select(
                            list(f.options),
                            value=value if value in {v for _, v in f.options} else Select.NULL,
                            id=f"field-{f.name}",
                            allow_blank=True,
                        )
                    elif f.kind == "text":
                        yield FormTextArea(value, id=f"field-{f.name}", classes="field-text")
                    else:
                        yield FormInput(value, placeholder=f.placeholder, id=f"field-{f.name}")
                    yield Static("", id=f"error-{f.name}", classes="field-error")
            yield Static("", id="form-message")
            with Horizontal(id="conflict-buttons", classes="hidden"):
                yield Button("Reload theirs", id="reload")
                yield Button("Re-apply mine", id="reapply", variant="warning")
            with Horizontal(id="form-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc, ctrl+g)", id="cancel")

    def on_mount(self) -> None:
        # What the widgets show before any typing: selects normalise unknown values, so
        # comparing with the widgets' own first values avoids false "unsaved" prompts.
        self.baseline = self.values()
        self.mounted_fields = True
        if self.fields:
            first = self.query_one(f"#field-{self.fields[0].name}")
            first.focus()
            if self.early_text:
                # The first text field takes it (a form may open on a select).
                inputs = self.query(Input)
                target = first if isinstance(first, Input) else inputs.first() if inputs else None
                if target is not None:
                    target.insert_text_at_cursor("".join(self.early_text))
        self.early_text.clear()

    def on_key(self, event: events.Key) -> None:
        # With nothing focused yet, the app hands keys to the screen itself.
        if self.focused is None and self.type_ahead(event):
            event.stop()
            event.prevent_default()

    def type_ahead(self, event: events.Key) -> bool:
        """Put a key typed before this form had focus into its field; False if not text.

        Such keys were routed to the screen below (or to this screen with nothing
        focused) and used to be dropped: a fast typist lost the start of every name.
        """
        if not event.is_printable or event.character is None or not self.fields:
            return False
        if not self.mounted_fields:
            self.early_text.append(event.character)
            return True
        target = self.focused
        if not isinstance(target, (Input, TextArea)):
            target = self.query_one(f"#field-{self.fields[0].name}")
            target.focus()
        if isinstance(target, Input):
            target.insert_text_at_cursor(event.character)
        elif isinstance(target, TextArea):
            target.insert(event.character)
        else:
            return False
        return True

    @property
    def dirty(self) -> bool:
        """Whether any field differs from what the form opened (or reloaded) with."""
        return self.values() != self.baseline

    def values(self) -> dict[str, str]:
        """The current text of every field."""
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, Select):
                out[f.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                out[f.name] = widget.text
            elif isinstance(widget, Input):
                out[f.name] = widget.value
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Fill the fields (used on reload after a conflict)."""
        for f in self.fields:
            value = as_form_value(values.get(f.name))
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, Select):
                widget.value = value if value in {v for _, v in f.options} else Select.NULL
            elif isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Input):
                widget.value = value

    def show_errors(self, errors: Mapping[str, str], message: str = "") -> None:
        """Show a message under each field named in *errors*; clear the others."""
        for f in self.fields:
            self.query_one(f"#error-{f.name}", Static).update(safe(errors.get(f.name, "")))
        unknown = {k: v for k, v in errors.items() if k not in {f.name for f in self.fields}}
        extra = "; ".join(f"{k}: {v}" for k, v in unknown.items())
        self.query_one("#form-message", Static).update(safe(extra or message))
        first = next((f.name for f in self.fields if f.name in errors), None)
        if first:
            self.query_one(f"#field-{first}").focus()

    def action_save(self) -> None:
        self.query_one("#form-message", Static).update("Saving...")
        self._save(self.values(), self.version)

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(Content("Discard your unsaved changes?"), "Discard"), answered
        )

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#reload")
    def _reload(self) -> None:
        if self.conflict is not None:
            self.set_values({f.name: getattr(self.conflict, f.name, "") for f in self.fields})
            self.version = getattr(self.conflict, "version", self.version)
            self.baseline = self.values()
        self._end_conflict("Reloaded the saved version; your edits were replaced.")

    @on(Button.Pressed, "#reapply")
    def _reapply(self) -> None:
        if self.conflict is not None:
            self.version = getattr(self.conflict, "version", self.version)
        self._end_conflict("")
        self.action_save()

    def _end_conflict(self, message: str) -> None:
        self.conflict = None
        self.query_one("#conflict-buttons").add_class("hidden")
        self.query_one("#form-message", Static).update(safe(message))

    @work(thread=True, exclusive=True, group="form-save")
    def _save(self, values: dict[str, str], version: int | None) -> Saved[T] | None:
        try:
            result = self.save_fn(values, version)
            cast("EcpmApp", self.app).absorb_own_write()
        except ValidationError as exc:
            self.app.call_from_thread(self.show_errors, exc.errors, exc.message)
            return None
        except Conflict as exc:
            self.app.call_from_thread(self._show_conflict, exc, values)
            return None
        except NeedsConfirmation as exc:
            self.app.call_from_thread(self._ask_confirmation, exc, values, version)
            return None
        except EcpmError as exc:
            self.app.call_from_thread(self.show_errors, {}, exc.message)
            return None
        return Saved(result)

    @on(Worker.StateChanged)
    def _save_finished(self, event: Worker.StateChanged) -> None:
        # Dismiss only once the worker has finished: dismissing from inside it removed
        # the screen while its worker was still running, and the save showed as cancelled.
        worker = event.worker
        if worker.group == "form-save" and event.state == WorkerState.SUCCESS:
            saved = worker.result
            if isinstance(saved, Saved):
                self.dismiss(saved.value)

    def _ask_confirmation(
        self, exc: NeedsConfirmation, values: dict[str, str], version: int | None
    ) -> None:
        self.query_one("#form-message", Static).update(safe(exc.message))

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirmed = True
                self._save(values, version)

        self.app.push_screen(ConfirmScreen(Content(clean(exc.message)), "Go ahead"), answered)

    def _show_conflict(self, exc: Conflict, mine: Mapping[str, str]) -> None:
        self.conflict = exc.current
        lines = [exc.message]
        if exc.current is not None:
            for f in self.fields:
                theirs = as_form_value(getattr(exc.current, f.name, ""))
                if clean(theirs).strip() != clean(mine.get(f.name, "")).strip():
                    lines.append(
                        f"{f.label}: theirs {theirs[:60]!r} / yours {mine.get(f.name, '')[:60]!r}"
                    )
        self.query_one("#form-message", Static).update(safe("\n".join(lines)))
        self.query_one("#conflict-buttons").remove_class("hidden")
