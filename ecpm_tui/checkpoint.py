"""WAL checkpoints of an SQLite file, in the background and never under the write lock.

SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: about
16 ms of copying pages and fsync while every other writer queues for the lock (a fifth
of the time the lock was held in a run of card moves). ecpm turns it off on its
connections (``PRAGMA wal_autocheckpoint=0``) and, every :data:`CHECKPOINT_EVERY` write
transactions of a process, wakes a thread that runs a PASSIVE checkpoint on a connection
of its own: it never waits for, nor blocks, readers and writers, and its fsync overlaps
the next writes. Closing checkpoints what is left. Checkpoints only save work: any
failure is ignored, and SQLite checkpoints when the last connection to the file closes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

__all__ = ["CHECKPOINT_EVERY", "Checkpointer"]

CHECKPOINT_EVERY = 100
JOIN_TIMEOUT_S = 5.0


class Checkpointer:
    """Checkpoints the SQLite file *path* after every *every* writes (None: nothing)."""

    def __init__(self, path: Path | None, every: int = CHECKPOINT_EVERY) -> None:
        self.path = path
        self.every = every
        self.done = 0  # checkpoints run (tests and the bench read it)
        self.last: tuple[int, int, int] | None = None  # SQLite's busy, log and copied frames
        self._writes = 0
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._due = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._running = threading.Lock()  # one checkpoint at a time on _conn

    def wrote(self) -> None:
        """Count one committed write transaction; wake the thread when a checkpoint is due."""
        if self.path is None:
            return
        with self._lock:
            self._writes += 1
            if self._writes < self.every or self._stopped:
                return
            self._writes = 0
            self._due = True
            if self._thread is None:
                # Started on the first checkpoint: most processes never write 100 times.
                self._thread = threading.Thread(
                    target=self._run, name="ecpm-checkpoint", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def close(self) -> None:
        """Stop the thread, then checkpoint what this process wrote since the last one."""
        with self._lock:
            self._stopped = True
            pending = self._writes > 0 or self._due
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(JOIN_TIMEOUT_S)  # a checkpoint on a very slow disk is not waited out
        if pending:
            self.checkpoint()
        with self._running:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint now (errors ignored: it is only an optimisation)."""
        if self.path is None:
            return
        with self._lock:
            self._writes = 0  # the next one is due *every* writes from now
        with self._running, contextlib.suppress(sqlite3.Error):
            if self._conn is None:
                # Autocommit: the checkpoint must not run inside a transaction.
                self._conn = sqlite3.connect(
                    str(self.path), check_same_thread=False, isolation_level=None
                )
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.last = (int(row[0]), int(row[1]), int(row[2])) if row else None
            self.done += 1

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._due and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                self._due = False
            self.checkpoint()
