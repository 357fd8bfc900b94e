"""Command line: ``ecpm`` starts the app; subcommands manage the database.

Exit codes: 0 ok, 1 user error (one clear line on stderr, no traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# Only what every invocation needs: ``--version`` and ``--help`` cost little more than
# the interpreter, and each command imports what it uses (config, files, SQLite, ...).
from ecpm_tui import __version__, cli_import, gc_policy, progress
from ecpm_tui.errors import EcpmError, StorageError, ValidationError

if TYPE_CHECKING:
    from ecpm_tui.config import DbTarget
    from ecpm_tui.store import Store


def _add_db(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        default=None if top else argparse.SUPPRESS,
        help="database file or URL (postgresql+psycopg://...); overrides ECPM_DB and config",
    )


def _add_follow(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="if FILE is a symbolic link, replace the file it points to (refused otherwise)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (refused otherwise)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and help)."""
    parser = argparse.ArgumentParser(
        prog="ecpm",
        description="Run e-commerce projects: lifecycle board, PPTF interviews, risk matrix.",
    )
    parser.add_argument("--version", action="version", version=f"ecpm {__version__}")
    _add_db(parser, top=True)
    parser.add_argument("--no-mouse", action="store_true", help="start with mouse reporting off")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create the database and print where it is")
    _add_db(p, top=False)
    p.add_argument(
        "--shared-group",
        metavar="GROUP",
        help="make a shared database: setgid 2770 folder and 0660 files for GROUP",
    )
    p.add_argument(
        "--pg-roles",
        action="store_true",
        help="PostgreSQL: owner and users roles; users may not change or delete audit events",
    )

    p = sub.add_parser("demo", help="add realistic demo data")
    _add_db(p, top=False)
    p.add_argument("--projects", type=int, default=5, metavar="N")
    p.add_argument("--cards", type=int, default=120, metavar="N", help="cards per project")
    p.add_argument("--risks", type=int, default=30, metavar="N", help="risks per project")
    p.add_argument("--seed", type=int, default=7, metavar="N")

    p = sub.add_parser("export", help="export projects")
    _add_db(p, top=False)
    p.add_argument("--project", metavar="KEY")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument(
        "--what",
        choices=("cards", "risks", "answers", "projects"),
        default=None,
        help="with --format csv: which table to write (one CSV per table)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _add_follow(p)

    p = sub.add_parser("report", help="status report of a project (or --all: the portfolio)")
    _add_db(p, top=False)
    p.add_argument("key", metavar="KEY", nargs="?", help="project key")
    p.add_argument("--all", action="store_true", help="portfolio: one line per project")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("--since", metavar="DATE", help="cards done since DATE (default: a week ago)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _add_follow(p)

    p = sub.add_parser("import", help="import an export file (all-or-nothing)")
    _add_db(p, top=False)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="validate only; change nothing")
    p.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        metavar="N",
        help="refuse files larger than N bytes (default 200 MiB)",
    )
    cli_import.add_options(p)

    p = sub.add_parser("backup", help="consistent copy of the database while others write")
    _add_db(p, top=False)
    p.add_argument("file", metavar="FILE")
    _add_follow(p)

    p = sub.add_parser("doctor", help="check paths, permissions, schema and terminal")
    _add_db(p, top=False)
    p.add_argument(
        "--verify-audit",
        action="store_true",
        help="also check every audit event's hash link (reads the whole trail)",
    )

    p = sub.add_parser("serve", help="the app in a browser on 127.0.0.1 (every tab acts as you)")
    _add_db(p, top=False)
    p.add_argument("--port", type=int, default=8000, metavar="N", help="port (default 8000)")
    p.add_argument("--no-mouse", action="store_true", help="start with mouse reporting off")
    return parser


def _target(args: argparse.Namespace) -> DbTarget:
    from ecpm_tui.config import resolve_database

    return resolve_database(getattr(args, "db", None))


def _store(args: argparse.Namespace, *, create: bool | None = None) -> Store:
    """The store of the chosen database.

    Only ``init`` and the default personal database create one: a mistyped ``--db`` path
    must say there is no database there, not quietly start an empty one.
    """
    from ecpm_tui.db import open_database
    from ecpm_tui.store import Store

    target = _target(args)
    if create is None:
        create = target.source == "default"
    return Store(open_database(target, create=create))


def _positive(value: int, name: str, high: int) -> None:
    if not 0 <= value <= high:
        raise ValidationError(f"--{name} must be between 0 and {high:,}.")


def cmd_init(args: argparse.Namespace) -> int:
    import grp

    from ecpm_tui.db import open_database

    target = _target(args)
    gid: int | None = None
    if args.shared_group:
        try:
            gid = grp.getgrnam(args.shared_group).gr_gid
        except KeyError as exc:
            raise ValidationError(f"No such group: {args.shared_group}") from exc
        path = target.sqlite_path
        if path is None:
            raise ValidationError("--shared-group only applies to a SQLite database file.")
        if path.parent.exists():
            try:
                os.chown(path.parent, -1, gid)
                os.chmod(path.parent, 0o2770)
            except OSError as exc:
                raise StorageError(
                    f"Cannot share {path.parent} with {args.shared_group}: {exc.strerror}."
                ) from exc
    if args.pg_roles and target.is_sqlite:
        raise ValidationError(
            "--pg-roles only applies to a PostgreSQL database (--db postgresql+psycopg://...)."
        )
    db = open_database(target, create=True, shared_group=gid)
    try:
        roles: list[str] = []
        if args.pg_roles:
            from ecpm_tui.pg_roles import apply_roles

            roles = apply_roles(db)
    finally:
        db.close()
    print(f"Database ready: {db.display} (chosen by {target.source})")
    for line in roles:
        print(line)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ecpm_tui.demo import generate

    _positive(args.projects, "projects", 1000)
    _positive(args.cards, "cards", 100_000)
    _positive(args.risks, "risks", 10_000)
    store = _store(args)
    big = args.projects * (args.cards + args.risks) >= progress.LARGE
    bar = progress.Bar("Generating demo data", args.projects, large=big, then="Writing demo data")
    with bar:
        result = generate(store, args.projects, args.cards, args.risks, args.seed, bar.advance)
    print(
        f"Added {len(result.projects)} demo projects ({', '.join(result.projects)}): "
        f"{result.cards} cards, {result.risks} risks, {result.assessments} PPTF interviews "
        f"in {store.db.display}"
    )
    return 0


def _emit(args: argparse.Namespace, text: str, label: str) -> int:
    """Write *text* to ``-o FILE`` (symlink-safe, ``--force`` to replace, the database's
    own file mode) and say where, or print it to stdout."""
    from ecpm_tui import files

    if not args.output:
        sys.stdout.write(text)
        return 0
    out = files.write_text(
        Path(args.output),
        text,
        follow_symlinks=args.follow_symlinks,
        overwrite=args.force,
        mode=files.database_mode(_target(args).sqlite_path),
    )
    print(f"{label} {out}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "csv":
        from ecpm_tui.csvexport import export_csv

        if args.what is None:
            raise ValidationError("--format csv needs --what cards|risks|answers|projects.")
        with progress.Bar("Exporting"):
            text = export_csv(_store(args, create=False), args.what, args.project)
    else:
        from ecpm_tui.exchange import export_json

        if args.what is not None:
            raise ValidationError("--what only applies to --format csv.")
        with progress.Bar("Exporting"):
            text = export_json(_store(args, create=False), args.project)
    return _emit(args, text, "Exported to")


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from ecpm_tui import report

    if bool(args.all) == bool(args.key):
        raise ValidationError("Give a project KEY or --all (not both).")
    since: date | None = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError as exc:
            raise ValidationError(
                f"--since must be a date like 2026-03-01, not {args.since!r}."
            ) from exc
    store = _store(args, create=False)
    if args.all:
        if since is not None:
            raise ValidationError("--since applies to one project's report, not to --all.")
        with progress.Bar("Writing the portfolio report"):
            text = report.portfolio(store, args.format)
    else:
        with progress.Bar(f"Writing the report of {args.key}"):
            data = report.collect(store, args.key, since)
            if args.format == "html":
                from ecpm_tui.report_html import html_report

                text = html_report(data)
            else:
                text = report.markdown(data)
    return _emit(args, text, "Report written to")


def cmd_import(args: argparse.Namespace) -> int:
    from ecpm_tui.exchange import MAX_IMPORT_BYTES, import_data, read_import_file

    if args.max_bytes is not None and args.max_bytes < 1:
        raise ValidationError("--max-bytes must be at least 1.")
    if args.source is not None:
        return cli_import.run(args, _store(args))
    cli_import.refuse_options(args)
    with progress.Bar("Checking" if args.dry_run else "Importing"):
        data = read_import_file(Path(args.file), args.max_bytes or MAX_IMPORT_BYTES)
        result = import_data(_store(args), data, dry_run=args.dry_run)
    print(result.describe())
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    import sqlite3

    from ecpm_tui import files

    target = _target(args)
    source = target.sqlite_path
    if source is None:
        raise ValidationError("backup copies a SQLite file; for PostgreSQL use pg_dump.")
    if not source.exists():
        raise ValidationError(f"No database at {source}.")
    _store(args, create=False).db.close()  # refuses corrupt or too-new files first
    wanted = Path(args.file)
    if wanted.exists() and wanted.resolve() == source.resolve():
        raise ValidationError("The backup file must differ from the database file.")
    dest = files.output_path(wanted, follow_symlinks=args.follow_symlinks, overwrite=args.force)
    try:
        # A new copy gets the database's own mode (0600 personal, 0660 shared).
        with files.replacing(dest, files.database_mode(source)) as (fd, tmp):
            os.close(fd)
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=10)
            dst = sqlite3.connect(str(tmp))
            try:
                src.backup(dst)  # SQLite's online backup: a consistent snapshot despite writers
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
                src.close()
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise StorageError(f"Backup to {dest} failed: {reason}.") from exc
    print(f"Backed up {source} to {dest}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Start the app: its first screen paints while the database opens in a worker."""
    from ecpm_tui.app import EcpmApp
    from ecpm_tui.sqlite_file import prepare_sqlite_file

    target = _target(args)
    create = target.source == "default"
    if target.is_sqlite and target.sqlite_path is not None:
        # A wrong path is refused here, before the terminal is taken over.
        prepare_sqlite_file(target.sqlite_path, create=create)
    warnings: list[str] = []

    def open_store() -> Store:
        # In the app's worker, after the first paint: the question bank's files are
        # read and checked there too (the app shows their problems once it starts).
        from ecpm_tui.pptf_custom import installed_bank

        warnings.extend(installed_bank().problems)
        return _store(args, create=create)

    app = EcpmApp(startup_warnings=warnings, open_store=open_store)
    gc_policy.apply()  # after Textual and the app are loaded: those stay for good
    app.run(mouse=not args.no_mouse)
    if hasattr(app, "store"):
        app.store.db.close()
    if app.start_error is not None:
        raise app.start_error
    return int(app.return_code or 0)


def cmd_serve(args: argparse.Namespace) -> int:
    from ecpm_tui import serve

    serve.check_port(args.port)
    # Checked (and the default personal database created) once, before any tab opens it:
    # a mistyped --db fails here with one line, not in every browser tab.
    store = _store(args)
    store.db.close()
    serve.serve(store.db.target.url, args.port, args.no_mouse)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from ecpm_tui import cli_doctor

    return cli_doctor.run(args)


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "export": cmd_export,
    "report": cmd_report,
    "import": cmd_import,
    "backup": cmd_backup,
    "doctor": cmd_doctor,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ecpm`` console script."""
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # What argparse would print, without building the parser of every command
        # (a fifth of the cost of ``ecpm --version``, which scripts call often).
        print(f"ecpm {__version__}")
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS.get(args.command or "", cmd_run)
    try:
        return handler(args)
    except EcpmError as exc:
        print(f"ecpm: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ecpm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            sys.stdout.close()
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
