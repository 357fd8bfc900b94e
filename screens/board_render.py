"""How the board draws things: card and project lines, column heads, the detail line.

Pure functions of light rows and settings, returning literal Rich ``Text`` / Textual
``Content`` (user text never parsed as markup), so they are cheap to call per visible line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from ecpm_tui import dates, lifecycle
from ecpm_tui.models import Project
from ecpm_tui.screens.card_column import CardColumn
from ecpm_tui.screens.form import FieldDef
from ecpm_tui.store import BoardCard, ColumnSetting, ProjectSummary
from ecpm_tui.store.rows import SUMMARY_CHARS
from ecpm_tui.text import one_line

STATUS_MARK = {"todo": " ", "doing": ">", "blocked": "!", "done": "x"}
STATUS_STYLE = {"todo": "", "doing": "bold", "blocked": "red", "done": "dim"}
STATE_MARK = {"on_hold": "HOLD", "killed": "KILLED", "closed": "CLOSED"}
DATE_HINT = "YYYY-MM-DD, today, +3d, +2w, fri, next mon"

CARD_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("title", "Title"),
    FieldDef("phase", "Phase", "select", [(p.label, p.value) for p in lifecycle.PHASES]),
    FieldDef("status", "Status", "select", [(s.label, s.value) for s in lifecycle.CardStatus]),
    FieldDef("kind", "Kind", "select", [(k.label, k.value) for k in lifecycle.CardKind]),
    FieldDef(
        "workstream", "Workstream", "select", [(w.label, w.value) for w in lifecycle.Workstream]
    ),
    FieldDef("priority", "Priority", "select", [(p.label, p.value) for p in lifecycle.Priority]),
    FieldDef("assignee", "Assignee (login)"),
    FieldDef("department", "Department"),
    FieldDef("due_date", "Due date", placeholder=DATE_HINT),
    FieldDef("estimate", "Estimate (points)"),
    FieldDef("tags", "Tags", placeholder="peak, mvp"),
    FieldDef("description", "Description", "text"),
    FieldDef("acceptance_criteria", "Acceptance criteria", "text"),
    FieldDef("blocked_reason", "Blocked reason (required when blocked)", "text"),
)

SETTING_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("wip_limit", "WIP limit (cards not done; blank: no limit)", placeholder="8"),
    FieldDef("age_limit_days", "Mark cards older than (days; blank: default)", placeholder="14"),
)


@dataclass(frozen=True)
class BoardData:
    """What the board shows: one project's cards, or every project as a card."""

    project: Project | None
    cards: list[BoardCard]
    portfolio: list[ProjectSummary]
    settings: dict[str, ColumnSetting] = field(default_factory=dict)
    today: date = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class LaneHeading:
    """A swimlane heading inside a column: the group's name and how many cards it has."""

    label: str
    count: int


BoardItem = BoardCard | ProjectSummary | LaneHeading

LANES: tuple[str | None, ...] = (None, "workstream", "assignee", "priority")
"""Swimlane groupings, in the order ``s`` cycles through them."""

_WORKSTREAM_ORDER = {w.value: n for n, w in enumerate(lifecycle.Workstream)}
_PRIORITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _lane_of(card: BoardCard, lane: str) -> tuple[tuple[int, str], str]:
    """Sort key and heading label of *card*'s group (blank groups go last)."""
    value = getattr(card, lane)
    if lane == "workstream":
        if not value:
            return (99, ""), "No workstream"
        return (_WORKSTREAM_ORDER.get(value, 50), value), lifecycle.Workstream(value).label
    if lane == "priority":
        return (_PRIORITY_ORDER.get(value, 9), value), f"{str(value).capitalize()} priority"
    if not value:
        return (1, ""), "Unassigned"
    return (0, value.casefold()), f"@{one_line(value, 40)}"


def with_lanes(
    items: list[tuple[str, BoardCard]], lane: str | None, phase: str
) -> list[tuple[str, BoardItem]]:
    """*items* grouped under lane headings (rank order kept inside each group)."""
    if lane is None:
        return list(items)
    groups: dict[tuple[int, str], tuple[str, list[tuple[str, BoardCard]]]] = {}
    for item_id, card in items:
        key, label = _lane_of(card, lane)
        groups.setdefault(key, (label, []))[1].append((item_id, card))
    out: list[tuple[str, BoardItem]] = []
    for key in sorted(groups):
        label, members = groups[key]
        out.append((f"h:{phase}:{key[1]}", LaneHeading(label, len(members))))
        out.extend(members)
    return out


def heading_line(heading: LaneHeading) -> Text:
    """A swimlane heading: a rule with the group name and its card count."""
    return Text(f"── {heading.label} ({heading.count}) ", style="bold reverse", no_wrap=True)


class CardList(CardColumn[BoardItem]):
    """One phase column of the board."""

    def __init__(self, phase: lifecycle.Phase, render: Callable[[BoardItem, int], Text]) -> None:
        super().__init__(render, id=f"col-{phase.value}", classes="card-list")
        self.phase = phase


NARROW = 30
"""Below this many cells a card line drops the brackets, the age count and the assignee
(the detail line shows them): the title gets the room."""


def card_line(card: BoardCard, today: date, age_limit: int, width: int = 10**6) -> Text:
    """One card as a literal line: status, age (``+`` past the column's limit), priority,
    title, assignee, and the blocked reason; compact when the column is *width* < NARROW."""
    style = STATUS_STYLE.get(card.status, "")
    line = Text(no_wrap=True, overflow="ellipsis")
    narrow = width < NARROW
    mark = STATUS_MARK.get(card.status, "?")
    line.append(f"{mark} " if narrow else f"[{mark}] ", style=style)
    age = card.age_days(today)
    if age is not None and card.status != "done":
        if age > age_limit:
            # Marked by a sign, not by colour alone.
            line.append("+" if narrow else f"{age}d+", style="black on yellow")
            line.append(" ")
        elif not narrow:
            line.append(f"{age}d", style="dim")
            line.append(" ")
    if card.priority in ("high", "critical"):
        line.append("!" if card.priority == "high" else "!!", style="red bold")
        line.append(" ")
    line.append(one_line(card.title, 200), style=style)
    if card.assignee and not narrow:
        line.append(f" @{one_line(card.assignee, 20)}", style="cyan")
    if card.status == "blocked" and card.blocked_reason and not narrow:
        line.append(f" blocked: {one_line(card.blocked_reason, 60)}", style="red")
    return line


def project_line(s: ProjectSummary) -> Text:
    """A project as a portfolio card: key, health letter, state (hold...), name."""
    p = s.project
    line = Text(no_wrap=True, overflow="ellipsis")
    colour = {"green": "green", "amber": "yellow", "red": "red"}.get(p.health, "")
    line.append(f"{one_line(p.key)} ", style="bold")
    line.append(f"[{p.health[:1].upper()}] ", style=colour)
    state = STATE_MARK.get(p.state)
    if state:
        line.append(f"{state} ", style="reverse")
    line.append(one_line(p.name, 80))
    return line


SHORT_PHASE = {
    lifecycle.Phase.INITIATION: "Init",
    lifecycle.Phase.PLANNING: "Plan",
    lifecycle.Phase.EXECUTION: "Exec",
    lifecycle.Phase.MONITORING: "M&C",
    lifecycle.Phase.CLOSURE: "Close",
}


@dataclass(frozen=True, slots=True)
class HeadInfo:
    """What a column head says: cards shown (after the filter), total, WIP, done, limit.

    ``projects`` is set instead in portfolio scope (the column counts projects)."""

    phase: lifecycle.Phase
    shown: int = 0
    total: int = 0
    wip: int = 0
    done: int = 0
    limit: int | None = None
    projects: int | None = None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.wip > self.limit


def head_levels(info: HeadInfo) -> list[list[str]]:
    """The column head, one line, at levels from the most to the least spelled out; each
    level lists the text with the full phase name, then with the short one (``M&C``).

    Name first, then WIP (with OVER past the limit), then done/total (total is the card
    count); the shown count when a filter hides cards. All heads of a board use one level
    (the first that fits every column), so they read alike."""
    names = (info.phase.label, SHORT_PHASE[info.phase])
    if info.projects is not None:
        n = info.projects
        noun = "project" if n == 1 else "projects"
        forms = [f"{{}} · {n} {noun}", f"{{}} {n} proj", f"{{}} {n}"]
        return [[f.format(name) for name in names] for f in forms]
    limit = "" if info.limit is None else f"/{info.limit}"
    wip = f"{info.wip}{limit}"
    filtered = info.shown != info.total
    forms = [
        f"{{}} · {f'{info.shown} shown · ' if filtered else ''}WIP {wip}"
        f"{' OVER' if info.over else ''} · done {info.done}/{info.total}",
        f"{{}} {f'{info.shown}sh ' if filtered else ''}WIP {wip}{'!' if info.over else ''} "
        f"✓{info.done}/{info.total}",
        f"{{}} {f'{info.shown}sh ' if filtered else ''}W{wip}{'!' if info.over else ''} "
        f"✓{info.done}/{info.total}",
        f"{{}} W{wip}{'!' if info.over else ''}",
    ]
    return [[f.format(name) for name in names] for f in forms]


def head_level(info: HeadInfo, width: int) -> int:
    """The first level of *info* with a text that fits *width* (the last one else)."""
    levels = head_levels(info)
    for n, level in enumerate(levels):
        if any(len(text) <= width for text in level):
            return n
    return len(levels) - 1


def column_head(info: HeadInfo, width: int, level: int | None = None) -> Content:
    """The head of a column in *width* cells at *level* (its own best level by default):
    the full phase name when it fits, the short one else (then an ellipsis)."""
    levels = head_levels(info)
    texts = levels[head_level(info, width) if level is None else min(level, len(levels) - 1)]
    return Content(next((t for t in texts if len(t) <= width), texts[-1]))


class ColumnHead(Static):
    """A column head that rewrites itself to fit its width (on every resize)."""

    def __init__(self, phase: lifecycle.Phase, *, id: str | None = None) -> None:
        super().__init__(phase.label, id=id, classes="column-head")
        self.info = HeadInfo(phase)
        self.active = False
        self._peers: list[ColumnHead] = []  # every head of the board (fixed once composed)

    def set_active(self, active: bool) -> None:
        """Draw as the head of the active column (reversed), or not."""
        if active != self.active:
            self.active = active
            self.refresh()

    def set_info(self, info: HeadInfo) -> None:
        """Show *info*; sets the over-limit class (the text says OVER or ``!`` as well)."""
        self.info = info
        self.set_class(info.over, "over-limit")
        self.refresh()

    def render(self) -> Content:
        width = self.content_size.width or 10**6
        # One level for every head of the screen, so the columns read alike.
        if not self._peers:
            # Queried once: a query walks the whole screen, and every head drew five.
            self._peers = list(self.screen.query(ColumnHead))
        level = max(head_level(head.info, width) for head in self._peers)
        text = column_head(self.info, width, level)
        # The active column is marked by its head, not by a background over the whole
        # column (which cost a repaint of both columns on every h/l).
        if not self.active:
            return text
        return text.pad_right(max(0, width - text.cell_length)).stylize("reverse")


def card_detail(card: BoardCard, today: date, setting: ColumnSetting | None) -> Content:
    """The detail lines of the selected card in full: title, status, priority, assignee,
    due date, age, tags, blocked reason, description (columns may cut the card line)."""
    who = f" @{one_line(card.assignee, 40)}" if card.assignee else ""
    title = (
        f"{one_line(card.title, 300)} ({lifecycle.label_of(lifecycle.CardStatus, card.status)}, "
        f"{lifecycle.label_of(lifecycle.Priority, card.priority)} priority){who}"
    )
    parts = []
    if card.due_date:
        when = dates.relative(card.due_date, today)
        overdue = " OVERDUE" if card.due_date < today and card.status != "done" else ""
        parts.append(f"due {card.due_date.isoformat()} ({when}){overdue}")
    age = card.age_days(today)
    if age is not None:
        limit = setting.age_limit_days if setting else None
        aged = limit is not None and age > limit and card.status != "done"
        old = f" (over {limit}d)" if aged else ""
        parts.append(f"{age}d in column{old}")
    if card.tags:
        parts.append("#" + one_line(card.tags, 80).replace(", ", " #"))
    if card.blocked_reason:
        parts.append(f"BLOCKED: {one_line(card.blocked_reason, 200)}")
    head = " | ".join(parts) or "no due date, no tags"
    if card.summary:
        # The board holds the description's start; the editor (e) shows it whole.
        description = one_line(card.summary, SUMMARY_CHARS) + ("... (e: all)" if card.more else "")
    else:
        description = "(no description)"
    return Content(f"{title}\n{head} | {description}")


def project_detail(summary: ProjectSummary) -> Content:
    """The detail line of a project in portfolio scope (manual and suggested health)."""
    p = summary.project
    state = lifecycle.ProjectState(p.state)
    health = f"health {p.health}"
    if summary.suggested is not None and summary.suggested.health.value != p.health:
        health += f" (suggested {summary.suggested.health.value})"
    parts = [
        f"{one_line(p.key)}: {lifecycle.Phase(p.phase).label}",
        health,
        f"state {state.label}",
    ]
    if p.sponsor:
        parts.append(f"sponsor {one_line(p.sponsor, 60)}")
    if p.state_reason and state is not lifecycle.ProjectState.ACTIVE:
        parts.append(f"why: {one_line(p.state_reason, 200)}")
    return Content(" | ".join(parts) + "\n" + one_line(p.name, 200))
