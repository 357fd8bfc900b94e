"""What every importer shares: drafts, the list-to-phase mapping, values and bundles.

An importer reads its tool's file into :class:`DraftProject` objects (plain values, no
database); :func:`build_bundles` then maps each card's column (a Trello list, a Jira
status, a kanban-tui column) to a lifecycle phase, validates every value with the same
field rules as the forms, and builds the :class:`ProjectBundle` objects that the bulk API
writes in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ecpm_tui import fields, lifecycle
from ecpm_tui.errors import ValidationError
from ecpm_tui.models import AuditEvent, Card, Project
from ecpm_tui.store import EventSpec, ProjectBundle, Store, default_gate_checks
from ecpm_tui.text import clean

PHASE_NAMES = ", ".join(p.label for p in lifecycle.PHASES)

# Column names that say a card's status rather than its phase (Trello's and kanban-tui's
# default lists, Jira's default workflow). Compared case- and space-insensitively.
_STATUS_WORDS: Mapping[str, str] = {
    **dict.fromkeys(
        ("to do", "todo", "backlog", "ready", "open", "new", "selected for development"), "todo"
    ),
    **dict.fromkeys(
        ("doing", "in progress", "in review", "review", "testing", "started", "wip"), "doing"
    ),
    **dict.fromkeys(("blocked", "on hold", "waiting", "impeded"), "blocked"),
    **dict.fromkeys(
        ("done", "closed", "resolved", "complete", "completed", "finished", "archive"), "done"
    ),
}


def norm(text: str) -> str:
    """A name compared case- and whitespace-insensitively."""
    return " ".join(str(text).split()).casefold()


def status_from_name(name: str) -> str | None:
    """The card status a column or status name implies (``Doing`` -> doing), if any."""
    return _STATUS_WORDS.get(norm(name))


@dataclass(frozen=True)
class Target:
    """Where the cards of one source column go: a phase and, optionally, a status."""

    phase: str
    status: str | None = None


def _target(text: str, where: str) -> Target:
    phase_text, _, status_text = text.partition("/")
    try:
        phase = lifecycle.parse_phase(phase_text.strip()).value
    except ValidationError as exc:
        raise ValidationError(
            f"{where}: {phase_text.strip()!r} is not a phase (phases: {PHASE_NAMES})."
        ) from exc
    status: str | None = None
    if status_text.strip():
        try:
            status = lifecycle.parse_enum(lifecycle.CardStatus, status_text.strip(), "status")
        except ValidationError as exc:
            raise ValidationError(
                f"{where}: {status_text.strip()!r} is not a card status "
                "(todo, doing, blocked, done)."
            ) from exc
    return Target(phase, status)


class PhaseMap:
    """The ``--map "To Do=Planning,Doing=Execution/doing,*=Execution"`` option.

    A source column goes to the phase the map names for it; else, when its name is a phase
    name (``Planning``), to that phase; else to the ``*`` entry. A ``/status`` suffix also
    sets the status of its cards.
    """

    def __init__(self, spec: str | None = None) -> None:
        self.explicit: dict[str, tuple[str, Target]] = {}
        self.default: Target | None = None
        for part in (spec or "").split(","):
            if not part.strip():
                continue
            name, sep, value = part.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise ValidationError(
                    f'--map entry {part.strip()!r} must look like "List name=Phase".'
                )
            target = _target(value, f"--map {name.strip()!r}")
            if name.strip() == "*":
                self.default = target
            else:
                self.explicit[norm(name)] = (name.strip(), target)

    def names(self, column: str) -> bool:
        """Whether the map names this column explicitly."""
        return norm(column) in self.explicit

    def target(self, column: str) -> Target | None:
        """Where cards of *column* go, or None when nothing says."""
        if norm(column) in self.explicit:
            return self.explicit[norm(column)][1]
        try:
            return Target(lifecycle.parse_phase(column.strip()).value)
        except ValidationError:
            return self.default

    def check_known(self, columns: Iterable[str], noun: str) -> None:
        """Refuse map entries that name no column of the file (a typo would be silent)."""
        known = {norm(c) for c in columns}
        unknown = [shown for key, (shown, _) in self.explicit.items() if key not in known]
        if unknown:
            found = (
                ", ".join(sorted({clean(c, 40) for c in columns if c}, key=str.casefold)) or "none"
            )
            raise ValidationError(
                f"--map names {', '.join(repr(u) for u in unknown)}, which is not a {noun} "
                f"in the file ({noun}s found: {found})."
            )


@dataclass
class DraftCard:
    """A card read from another tool, before its column is mapped to a phase."""

    where: str
    """How to name the card in an error (``Trello card "Fix checkout"``)."""
    column: str
    values: dict[str, Any]
    """Raw values of :data:`fields.CARD` fields (not phase/status)."""
    status: str | None = None
    """A status the source says outright (a completed due date, a finish column)."""


@dataclass
class DraftProject:
    """A board (or a Jira project) read from another tool."""

    source: str
    """Where it came from, for the audit trail (``Trello board "Relaunch"``)."""
    name: str
    key: str | None = None
    description: str = ""
    cards: list[DraftCard] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    """Every column of the source, even empty ones (``--map`` may name them)."""
    skipped: int = 0
    """Archived cards (and cards of archived lists) left out."""


def tag(name: str) -> str:
    """A label as one ecpm tag: ``Needs review`` -> ``needs-review``."""
    return "-".join(re.sub(r"[,#]", " ", clean(name)).lower().split())


def text_value(value: Any, where: str, name: str) -> str:
    """Optional text from a file: None is empty, anything but text is an error."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{where}: {name!r} must be text.")
    return value


_JIRA_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%y", "%d/%b/%Y %I:%M %p", "%d/%b/%Y")


def parse_day(value: Any, where: str, name: str) -> date | None:
    """A due date as ISO (``2026-03-01``, ``2026-03-01T10:00:00.000Z``) or as Jira writes
    it (``21/Mar/26 10:00 AM``); blank is None."""
    text = text_value(value, where, name).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for fmt in _JIRA_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        f"{where}: {name} {clean(text, 40)!r} is not a date like 2026-03-01 or 21/Mar/26."
    )


def _key_from(name: str) -> str:
    """A project key proposed from a board name: its letters and digits, upper case."""
    letters = re.sub(r"[^A-Z0-9]", "", clean(name).upper())
    words = re.findall(r"[A-Z0-9]+", clean(name).upper())
    # Several words read better as initials plus a number (Website Relaunch 2026 -> WR2026).
    if len(words) > 1:
        initials = "".join(w if w.isdigit() else w[0] for w in words)
        if len(initials) >= 2:
            letters = initials
    return (letters or "IMPORT")[:10].ljust(2, "X")


def _unique(key: str, taken: set[str]) -> str:
    out, n = key, 2
    while out in taken:
        out = f"{key[: 10 - len(str(n))]}{n}"
        n += 1
    taken.add(out)
    return out


def _keys(drafts: Sequence[DraftProject], override: str | None) -> list[str]:
    if override is not None:
        if len(drafts) != 1:
            raise ValidationError(
                f"--project names one project, but the file holds {len(drafts)} "
                f"({', '.join(clean(d.name, 40) for d in drafts[:5])})."
            )
        if not _valid(override):
            raise ValidationError(
                f"--project {clean(override, 20)!r}: a key is 2 to 10 letters or digits (A-Z, 0-9)."
            )
        return [override.strip().upper()]
    taken: set[str] = set()
    keys = []
    for d in drafts:
        proposed = d.key.upper() if d.key and _valid(d.key) else _key_from(d.name)
        keys.append(_unique(proposed, taken))
    return keys


def _valid(key: str) -> bool:
    return bool(lifecycle.PROJECT_KEY_RE.fullmatch(key.strip().upper()))


def resolve_targets(drafts: Sequence[DraftProject], phases: PhaseMap, noun: str) -> None:
    """Check that every card's column has a phase, naming all unmapped ones in one line."""
    phases.check_known((c for d in drafts for c in d.columns), noun)
    missing: list[str] = []
    for d in drafts:
        for card in d.cards:
            if phases.target(card.column) is None and card.column not in missing:
                missing.append(card.column)
    if missing:
        # Names from the file reach the terminal: no control characters, no endless names.
        shown = [clean(m, 40) or "(blank)" for m in missing]
        example = ",".join(
            f"{m}={'Planning' if status_from_name(m) in (None, 'todo') else 'Execution'}"
            for m in shown[:3]
        )
        listed = ", ".join(repr(m) for m in shown[:10])
        if len(shown) > 10:
            listed += f" and {len(shown) - 10} more"
        raise ValidationError(
            f"No phase for {noun}{'s' if len(shown) > 1 else ''} {listed}: pass "
            f'--map "{example}" (or "*=Planning" for all; phases: {PHASE_NAMES}).'
        )


def build_bundles(
    store: Store,
    drafts: Sequence[DraftProject],
    phases: PhaseMap,
    noun: str,
    project_key: str | None = None,
) -> list[ProjectBundle]:
    """Validated, unsaved projects for the bulk API; any bad value raises one clear error."""
    if not drafts:
        raise ValidationError("The file holds no board or project to import.")
    resolve_targets(drafts, phases, noun)
    keys = _keys(drafts, project_key)
    stamp = store.stamp()
    bundles = []
    for draft, key in zip(drafts, keys, strict=True):
        try:
            values = fields.coerce(
                fields.PROJECT,
                {"key": key, "name": clean(draft.name, fields.SHORT) or key, **_desc(draft)},
                partial=False,
            )
        except ValidationError as exc:
            raise ValidationError(f"{draft.source}: {exc.message}") from exc
        bundle = ProjectBundle(Project(**values, **stamp), gate_checks=default_gate_checks(stamp))
        ranks: dict[str, int] = {}
        for card in draft.cards:
            target = phases.target(card.column)
            assert target is not None  # resolve_targets checked every column
            status = target.status or card.status or status_from_name(card.column) or "todo"
            raw = {**card.values, "phase": target.phase, "status": status}
            if status != "blocked":
                raw["blocked_reason"] = ""
            elif not raw.get("blocked_reason"):
                # ecpm asks why a card is blocked; the source only said that it is.
                raw["blocked_reason"] = f"Blocked when imported (from {card.column!r})"
            try:
                data = fields.coerce(fields.CARD, raw, partial=False)
            except ValidationError as exc:
                raise ValidationError(f"{card.where}: {exc.message}") from exc
            ranks[target.phase] = ranks.get(target.phase, 0) + 1
            bundle.cards.append(Card(rank=ranks[target.phase], **data, **stamp))
        bundle.events.append(
            EventSpec(
                AuditEvent(
                    user=store.user,
                    entity="project",
                    action="import",
                    summary=clean(f"Imported {key} from {draft.source}", 2000),
                    changes="{}",
                ),
                bundle.project,
            )
        )
        bundles.append(bundle)
    return bundles


def _desc(draft: DraftProject) -> dict[str, str]:
    return {"description": clean(draft.description, fields.LONG)} if draft.description else {}


def title_and_rest(name: str, description: str) -> tuple[str, str]:
    """A card title within the limit; a longer one is cut and kept whole in the description."""
    title = clean(name).strip()
    if len(title) <= fields.TITLE:
        return title, description
    return clean(title, fields.TITLE), f"{title}\n\n{description}".strip()
