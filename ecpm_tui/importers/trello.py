"""Trello board export (Board menu > Print, export and share > Export as JSON).

The file is one board object: ``lists``, ``cards``, ``labels``, ``members`` and
``checklists`` arrays, records referring to each other by ``id`` (a card's ``idList``,
``idLabels``, ``idMembers``; a checklist's ``idCard``). Lists become phases through
:class:`~ecpm_tui.importers.common.PhaseMap`; archived (``closed``) cards and the cards
of archived lists are left out and counted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecpm_tui import files
from ecpm_tui.errors import ValidationError
from ecpm_tui.importers.common import (
    DraftCard,
    DraftProject,
    parse_day,
    tag,
    text_value,
    title_and_rest,
)
from ecpm_tui.text import clean

NOUN = "list"


class _Obj:
    """Typed access to one object of the export, naming it in every error."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError(f"{where}: expected an object.")
        self.data = data
        self.where = where

    def text(self, name: str, required: bool = False) -> str:
        if required and name not in self.data:
            raise ValidationError(f"{self.where}: missing {name!r}.")
        if required and self.data[name] is None:
            raise ValidationError(f"{self.where}: {name!r} must be text.")
        return text_value(self.data.get(name), self.where, name)

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValidationError(f"{self.where}: {name!r} must be true or false.")
        return value

    def ids(self, name: str) -> list[str]:
        value = self.data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(f"{self.where}: {name!r} must be a list of ids.")
        return value

    def objects(self, name: str, required: bool = False) -> list[Any]:
        if required and name not in self.data:
            raise ValidationError(f'Not a Trello board export: {self.where} has no "{name}" list.')
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValidationError(f"{self.where}: {name!r} must be a list.")
        return value

    def pos(self) -> float:
        value = self.data.get("pos", 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"{self.where}: 'pos' must be a number.")
        return float(value)


def read(path: Path, max_bytes: int) -> list[DraftProject]:
    """The board of a Trello JSON export as one draft project."""
    raw = files.read_regular_file(path, max_bytes)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path} is not UTF-8 text (byte {exc.start}).") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"Not a Trello board export: JSON error at line {exc.lineno}: {exc.msg}."
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise ValidationError("Not a Trello board export: the JSON cannot be read.") from exc
    if not isinstance(data, Mapping):
        raise ValidationError("Not a Trello board export: expected one board object.")
    return [_board(_Obj(data, "the board"))]


def _board(board: _Obj) -> DraftProject:
    name = board.text("name") or "Trello board"
    draft = DraftProject(
        source=f"Trello board {clean(name, 100)!r}", name=name, description=board.text("desc")
    )
    lists: dict[str, tuple[str, bool, float]] = {}
    for i, raw in enumerate(board.objects("lists", required=True), 1):
        item = _Obj(raw, f"Trello list #{i}")
        lid = item.text("id", required=True)
        lists[lid] = (item.text("name", required=True).strip(), item.flag("closed"), item.pos())
    draft.columns = [n for n, closed, _ in lists.values() if not closed]
    labels = {}
    for i, raw in enumerate(board.objects("labels"), 1):
        item = _Obj(raw, f"Trello label #{i}")
        labels[item.text("id", required=True)] = item.text("name") or item.text("color")
    members = {}
    for i, raw in enumerate(board.objects("members"), 1):
        item = _Obj(raw, f"Trello member #{i}")
        members[item.text("id", required=True)] = item.text("fullName") or item.text("username")
    checklists: dict[str, list[str]] = {}
    for i, raw in enumerate(board.objects("checklists"), 1):
        item = _Obj(raw, f"Trello checklist #{i}")
        checklists.setdefault(item.text("idCard", required=True), []).extend(_checklist(item))

    cards: list[tuple[float, float, DraftCard]] = []
    for i, raw in enumerate(board.objects("cards", required=True), 1):
        item = _Obj(raw, f"Trello card #{i}")
        title = item.text("name", required=True)
        item.where = f"Trello card {clean(title, 60)!r}"
        list_id = item.text("idList", required=True)
        if list_id not in lists:
            raise ValidationError(f"{item.where}: its list {list_id!r} is not in the file.")
        list_name, list_closed, list_pos = lists[list_id]
        if item.flag("closed") or list_closed:
            draft.skipped += 1
            continue
        cards.append(
            (list_pos, item.pos(), _card(item, title, list_name, labels, members, checklists))
        )
    cards.sort(key=lambda c: (c[0], c[1]))
    draft.cards = [c for _, _, c in cards]
    return draft


def _checklist(item: _Obj) -> list[str]:
    heading = item.text("name")
    lines = [f"{heading}:"] if heading else []
    entries = []
    for j, raw in enumerate(item.objects("checkItems"), 1):
        check = _Obj(raw, f"{item.where} item #{j}")
        done = check.text("state") == "complete"
        entries.append((check.pos(), f"- [{'x' if done else ' '}] {check.text('name')}"))
    return lines + [line for _, line in sorted(entries, key=lambda e: e[0])]


def _card(
    item: _Obj,
    title: str,
    list_name: str,
    labels: Mapping[str, str],
    members: Mapping[str, str],
    checklists: Mapping[str, list[str]],
) -> DraftCard:
    names = [members[m] for m in item.ids("idMembers") if m in members]
    title, description = title_and_rest(title, item.text("desc"))
    if len(names) > 1:
        # ecpm has one assignee per card; the others stay readable on the card.
        description = f"{description}\n\nTrello members: {', '.join(names)}".strip()
    tags = [tag(labels[lid]) for lid in item.ids("idLabels") if lid in labels]
    if not tags:  # an export of a single card carries its labels inline only
        tags = [tag(_Obj(lab, item.where).text("name")) for lab in item.objects("labels")]
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "assignee": names[0] if names else "",
        "tags": ", ".join(t for t in tags if t),
        "due_date": parse_day(item.data.get("due"), item.where, "due"),
        "acceptance_criteria": "\n".join(checklists.get(item.text("id"), [])),
    }
    return DraftCard(
        item.where, list_name, values, status="done" if item.flag("dueComplete") else None
    )
