"""CSV from Jira (Filters > Export > CSV) or any spreadsheet, one card per row.

``--columns "title=Summary,phase=Status,assignee=Assignee,due=Due date"`` says which
header holds what; the defaults are Jira's own header names, so a Jira export needs no
option. Jira repeats a header for multi-valued fields (``Labels,Labels,Labels``): every
column of that name is read. Rows are grouped into projects by the project column
(Jira's ``Project key``) unless ``--project`` puts them all in one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecpm_tui import files
from ecpm_tui.errors import ValidationError
from ecpm_tui.importers.common import (
    DraftCard,
    DraftProject,
    norm,
    parse_day,
    status_from_name,
    tag,
    title_and_rest,
)
from ecpm_tui.text import clean

# Our field -> the header Jira writes for it.
DEFAULT_COLUMNS: Mapping[str, str] = {
    "title": "Summary",
    "description": "Description",
    "phase": "Status",
    "status": "Status",
    "assignee": "Assignee",
    "due": "Due date",
    "tags": "Labels",
    "priority": "Priority",
    "estimate": "Custom field (Story Points)",
    "ref": "Issue key",
    "project": "Project key",
    "project_name": "Project name",
}

# Jira's priority names (current and older schemes) -> ecpm priorities.
_PRIORITIES: Mapping[str, str] = {
    "highest": "critical",
    "blocker": "critical",
    "critical": "critical",
    "high": "high",
    "major": "high",
    "medium": "medium",
    "normal": "medium",
    "low": "low",
    "minor": "low",
    "lowest": "low",
    "trivial": "low",
}


@dataclass(frozen=True)
class Columns:
    """Which header positions hold each field (several for a repeated header)."""

    where: Mapping[str, list[int]]

    def values(self, row: Sequence[str], name: str) -> list[str]:
        return [row[i].strip() for i in self.where.get(name, []) if i < len(row) and row[i].strip()]

    def first(self, row: Sequence[str], name: str) -> str:
        found = self.values(row, name)
        return found[0] if found else ""


def noun(spec: str | None) -> str:
    """What a column of this file is called in messages: ``'Status' value``."""
    return f"{parse_columns(spec)['phase'] or 'phase'!r} value"


def parse_columns(spec: str | None) -> dict[str, str]:
    """The ``--columns`` option over the Jira defaults; an empty value drops a default."""
    out = dict(DEFAULT_COLUMNS)
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        name, sep, header = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in DEFAULT_COLUMNS:
            raise ValidationError(
                f"--columns entry {part.strip()!r} must look like field=Header with a field "
                f"from: {', '.join(DEFAULT_COLUMNS)}."
            )
        out[name] = header.strip()
        if name == "phase" and "status=" not in (spec or "").replace(" ", ""):
            # A phase column named alone also says the status (Jira's Status does both).
            out["status"] = header.strip()
    return out


def read(
    path: Path, max_bytes: int, spec: str | None, project_key: str | None
) -> list[DraftProject]:
    """The rows of a CSV file as draft projects (one per project key)."""
    wanted = parse_columns(spec)
    raw = files.read_regular_file(path, max_bytes)
    try:
        text = raw.decode("utf-8-sig")  # Excel and Jira may start with a byte-order mark
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path} is not UTF-8 text (byte {exc.start}).") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    # newline="" lets the csv module keep line breaks inside quoted cells (Jira descriptions).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ValidationError(f"{path} is empty: expected a header row.")
        columns = _locate(header, wanted, spec)
        if "title" not in columns.where:
            raise ValidationError(
                f"{path} has no {wanted['title']!r} column for card titles: pass "
                '--columns "title=<header of your title column>".'
            )
        return _group(path, reader, columns, project_key)
    except csv.Error as exc:
        raise ValidationError(f"{path} line {reader.line_num}: {exc}.") from exc


def _locate(header: Sequence[str], wanted: Mapping[str, str], spec: str | None) -> Columns:
    by_name: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        by_name.setdefault(norm(h), []).append(i)
    given = {p.partition("=")[0].strip().lower() for p in (spec or "").split(",") if "=" in p}
    where: dict[str, list[int]] = {}
    for name, col in wanted.items():
        if not col:
            continue
        if norm(col) in by_name:
            where[name] = by_name[norm(col)]
        elif name in given:
            # A header the user named must exist; a Jira default may be absent.
            raise ValidationError(
                f"--columns {name}={col!r}: no such column (the header has: "
                f"{', '.join(clean(h, 40) for h in header if h.strip())})."
            )
    return Columns(where)


def _group(path: Path, rows: Any, columns: Columns, project_key: str | None) -> list[DraftProject]:
    projects: dict[str, DraftProject] = {}
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        line = rows.line_num
        where = f"{path.name} line {line}"
        key = "" if project_key else columns.first(row, "project")
        draft = projects.get(key)
        if draft is None:
            name = columns.first(row, "project_name") or key or path.stem
            draft = projects[key] = DraftProject(
                source=f"{path.name}" + (f" project {key}" if key else ""),
                name=name,
                key=key or None,
            )
        draft.cards.append(_card(row, columns, where))
    for draft in projects.values():
        draft.columns = sorted({c.column for c in draft.cards})
    return list(projects.values())


def _card(row: Sequence[str], columns: Columns, where: str) -> DraftCard:
    title = columns.first(row, "title")
    if not title:
        raise ValidationError(f"{where}: the title is empty.")
    where = f"{where} ({clean(title, 60)!r})"
    title, description = title_and_rest(title, "\n\n".join(columns.values(row, "description")))
    ref = columns.first(row, "ref")
    if ref:
        # The issue key keeps the way back to the source tracker.
        description = f"{description}\n\nImported from {ref}".strip()
    priority = columns.first(row, "priority")
    estimate = columns.first(row, "estimate")
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "assignee": columns.first(row, "assignee"),
        "tags": ", ".join(tag(t) for t in columns.values(row, "tags")),
        "due_date": parse_day(columns.first(row, "due"), where, "due date"),
        "priority": _PRIORITIES.get(norm(priority), priority) or "medium",
        "estimate": _estimate(estimate, where),
    }
    status = status_from_name(columns.first(row, "status"))
    return DraftCard(where, columns.first(row, "phase"), values, status=status)


def _estimate(value: str, where: str) -> int | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError as exc:
        raise ValidationError(f"{where}: estimate {clean(value, 20)!r} is not a number.") from exc
    if not 0 <= number <= 1000:
        raise ValidationError(f"{where}: estimate {value} is not between 0 and 1000.")
    return round(number)
