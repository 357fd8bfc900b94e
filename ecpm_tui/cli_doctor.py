"""`ecpm doctor`: what a person checks first when ecpm will not start or misbehaves."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from ecpm_tui import __version__
from ecpm_tui.config import resolve_database, site_config_path, user_config_path
from ecpm_tui.errors import EcpmError


def run(args: argparse.Namespace) -> int:
    """`ecpm doctor`: paths, permissions, schema, question bank and terminal; 1 on a problem."""
    from ecpm_tui.db import filesystem_type, open_database, schema_revisions

    problems = 0

    def line(label: str, value: str, ok: bool = True) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        print(f"{'ok ' if ok else 'BAD'} {label:<18} {value}")

    print(f"ecpm {__version__}")
    for label, config in (("user config", user_config_path()), ("site config", site_config_path())):
        line(label, f"{config} ({'present' if config.exists() else 'absent'})")
    target = resolve_database(getattr(args, "db", None))
    line("database", f"{target.display()} (chosen by {target.source})")
    path = target.sqlite_path
    if path is not None:
        fstype = filesystem_type(path.parent if path.parent.exists() else Path("/"))
        from ecpm_tui.db import NETWORK_FILESYSTEMS

        line("filesystem", fstype or "unknown", fstype not in NETWORK_FILESYSTEMS)
        if path.exists():
            st = path.stat()
            mode = stat.S_IMODE(st.st_mode)
            line(
                "file mode",
                f"{stat.filemode(st.st_mode)} ({mode:o})",
                os.access(path, os.R_OK | os.W_OK),
            )
            dmode = path.parent.stat().st_mode
            line(
                "folder mode",
                f"{stat.filemode(dmode)} ({stat.S_IMODE(dmode):o})",
                os.access(path.parent, os.W_OK | os.X_OK),
            )
        else:
            line("file", "does not exist yet (run 'ecpm init')", True)
    if path is None or path.exists():
        try:
            db = open_database(target, create=False)
        except EcpmError as exc:
            line("open", exc.message, False)
        else:
            current, heads = schema_revisions(db.engine)
            line(
                "schema",
                f"{', '.join(sorted(current)) or 'none'} (app head {', '.join(sorted(heads))})",
                current == heads,
            )
            if db.is_sqlite:
                with db.engine.connect() as conn:
                    journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                    check = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                line("journal mode", str(journal), str(journal).lower() == "wal")
                line("integrity", str(check), check == "ok")
            if args.verify_audit:
                from ecpm_tui.store import Store

                result = Store(db).verify_audit()
                line(
                    "audit chain",
                    f"{result.checked:,} events, every link intact"
                    if result.ok
                    else f"broken at event {result.broken_id} (edited, inserted or deleted "
                    "outside ecpm; events before it are intact)",
                    result.ok,
                )
            db.close()
    from ecpm_tui.pptf_custom import describe, installed_bank

    bank = installed_bank()
    line("pptf questions", describe(bank), not bank.problems)
    term = os.environ.get("TERM", "")
    line(
        "terminal",
        f"TERM={term or 'unset'} COLORTERM={os.environ.get('COLORTERM', 'unset')}",
        bool(term) and term != "dumb",
    )
    size = os.get_terminal_size() if sys.stdout.isatty() else None
    line(
        "size",
        f"{size.columns}x{size.lines}" if size else "not a terminal",
        size is None or (size.columns >= 80 and size.lines >= 24),
    )
    enc = (sys.stdout.encoding or "").lower()
    line("encoding", enc or "unknown", "utf" in enc)
    if os.environ.get("TMUX"):
        line("tmux", "inside tmux: set 'escape-time 10' for a snappy Esc")
    print("All checks passed." if not problems else f"{problems} problem(s) found.")
    return 0 if not problems else 1
