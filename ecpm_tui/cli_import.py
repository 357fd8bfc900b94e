"""``ecpm import --from trello|csv|kanban-tui``: the options and the command.

Kept beside :mod:`ecpm_tui.cli` so the command line module stays one screenful per
concern; nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ecpm_tui import progress
from ecpm_tui.errors import ValidationError

if TYPE_CHECKING:
    from ecpm_tui.store import Store


def add_options(parser: argparse.ArgumentParser) -> None:
    """Options of ``import --from``: files written by other tools."""
    parser.add_argument(
        "--from",
        dest="source",
        choices=("trello", "csv", "kanban-tui"),
        default=None,
        help="FILE comes from another tool: a Trello board JSON export, a Jira or "
        "spreadsheet CSV, or kanban-tui's database (default: an ecpm export)",
    )
    parser.add_argument(
        "--map",
        metavar="LIST=PHASE,...",
        help='which phase each list/column/status goes to, e.g. "To Do=Planning,'
        'Doing=Execution/doing,*=Execution" (default: lists named like a phase)',
    )
    parser.add_argument(
        "--columns",
        metavar="FIELD=HEADER,...",
        help='with --from csv: which header holds what, e.g. "title=Summary,phase=Status,'
        "assignee=Assignee,due=Due date\" (default: Jira's header names)",
    )
    parser.add_argument(
        "--project",
        metavar="KEY",
        help="key of the new project (default: made from the board or Jira project)",
    )


def refuse_options(args: argparse.Namespace) -> None:
    """An ecpm export carries its own keys and phases: the --from options do not apply."""
    if args.map or args.columns or args.project:
        raise ValidationError("--map, --columns and --project apply with --from only.")


def run(args: argparse.Namespace, store: Store) -> int:
    """Import args.file written by args.source into *store*; print what was (or would be)
    added."""
    from ecpm_tui.importers import MAX_BYTES, import_from

    with progress.Bar("Checking" if args.dry_run else "Importing"):
        result = import_from(
            store,
            args.source,
            Path(args.file),
            mapping=args.map,
            columns=args.columns,
            project_key=args.project,
            dry_run=args.dry_run,
            max_bytes=args.max_bytes or MAX_BYTES,
        )
    print(result.describe())
    return 0
