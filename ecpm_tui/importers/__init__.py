"""Imports from the tools teams leave: Trello board exports, Jira/spreadsheet CSV and
kanban-tui databases.

Each tool has one module that reads its file into draft projects; :func:`import_from`
maps columns to phases, validates every value, and adds everything in one transaction
through the bulk API, so a bad file changes nothing and a dry run writes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ecpm_tui import lifecycle
from ecpm_tui.errors import ValidationError
from ecpm_tui.importers import csvfile, kanban_tui, trello
from ecpm_tui.importers.common import PhaseMap, build_bundles
from ecpm_tui.store import ProjectBundle, Store
from ecpm_tui.text import clean

TOOLS = ("trello", "csv", "kanban-tui")
MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ToolImportResult:
    """What an import from another tool added (or would add, on a dry run)."""

    lines: list[str]
    projects: list[str]
    cards: int
    skipped: int
    dry_run: bool

    def describe(self) -> str:
        """A summary line, then one line per project (its cards per phase)."""
        verb = "Would import" if self.dry_run else "Imported"
        head = f"{verb} {len(self.projects)} project(s) ({', '.join(self.projects)}): "
        head += f"{self.cards} cards"
        if self.skipped:
            head += f"; left out {self.skipped} archived card(s)"
        return "\n".join([head + ".", *self.lines])


def _describe(bundle: ProjectBundle, source: str) -> str:
    per_phase = Counter(c.phase for c in bundle.cards)
    phases = ", ".join(
        f"{p.label} {per_phase[p.value]}" for p in lifecycle.PHASES if per_phase[p.value]
    )
    p = bundle.project
    return f"  {p.key} {clean(p.name, 60)!r} from {source}: {len(bundle.cards)} cards" + (
        f" ({phases})" if phases else ""
    )


def import_from(
    store: Store,
    tool: str,
    path: Path,
    *,
    mapping: str | None = None,
    columns: str | None = None,
    project_key: str | None = None,
    dry_run: bool = False,
    max_bytes: int = MAX_BYTES,
) -> ToolImportResult:
    """Import *path* written by *tool* (one of :data:`TOOLS`), all-or-nothing."""
    phases = PhaseMap(mapping)
    if columns is not None and tool != "csv":
        raise ValidationError("--columns applies to --from csv only.")
    if tool == "trello":
        drafts, noun = trello.read(path, max_bytes), trello.NOUN
    elif tool == "csv":
        drafts, noun = (
            csvfile.read(path, max_bytes, columns, project_key),
            csvfile.noun(columns),
        )
    elif tool == "kanban-tui":
        drafts, noun = kanban_tui.read(path, phases), kanban_tui.NOUN
    else:
        raise ValidationError(f"Unknown tool {tool!r} (choose from {', '.join(TOOLS)}).")
    bundles = build_bundles(store, drafts, phases, noun, project_key)
    keys = [b.project.key for b in bundles]
    try:
        done = store.create_bundles(
            bundles,
            "import",
            f"Imported {len(keys)} project(s) from {tool}: {', '.join(keys)}",
            dry_run,
        )
    except ValidationError as exc:
        if "already exists" in exc.message:
            raise ValidationError(
                f"{exc.message.rstrip('.')}; pass --project KEY to choose another key."
            ) from exc
        raise
    return ToolImportResult(
        [_describe(b, d.source) for b, d in zip(bundles, drafts, strict=True)],
        done.projects,
        done.cards,
        sum(d.skipped for d in drafts),
        dry_run,
    )


__all__ = ["TOOLS", "ToolImportResult", "import_from"]
