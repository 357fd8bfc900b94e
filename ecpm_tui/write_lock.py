"""A queue for SQLite writers: ``flock`` on a sidecar file taken around each write transaction.

SQLite's own busy handler makes a waiting writer sleep 1, 2, 5, 10, 15, 20, 25... ms
between attempts, much longer than a card move holds the lock, so several processes
writing at once spend most of their time asleep with the lock free. Waiting on
``flock`` instead, the kernel wakes the next writer as soon as the lock is released.

The lock is only a hint: SQLite's ``BEGIN IMMEDIATE`` (with ``busy_timeout``) still
guarantees correctness, so every failure here (the sidecar cannot be created or opened,
it is a symbolic link, a holder never lets go) degrades to the busy_timeout path instead
of failing the write. Reads never take it, so a read-only user reads as before.

The sidecar ``<database>.lock`` gets the database file's own permission bits and group
(0660 in a shared 2770 folder), is opened with ``O_NOFOLLOW`` and must be a regular file.
Threads of one process queue on a ``threading`` lock first: an ``flock`` belongs to the
open file, which the threads share.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import queue
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["WriteLock", "lock_path"]


def lock_path(db_path: Path) -> Path:
    """The sidecar lock file of the SQLite database *db_path*."""
    return Path(f"{db_path}.lock")


class WriteLock:
    """Serialises the write transactions of every process using one SQLite file."""

    def __init__(self, db_path: Path | None, timeout: float = 5.0) -> None:
        self.path = lock_path(db_path) if db_path is not None else None
        self.db_path = db_path
        self.timeout = timeout
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._opened = False
        # A waiter thread blocks in flock so that a caller can give up after *timeout*
        # (flock itself has no timeout); it is started on the first contended write.
        # A C-level queue and plain locks: each contended write costs two thread wake-ups,
        # and with a Condition and an Event they were a tenth of a writer's CPU.
        self._requests: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._waiter: threading.Thread | None = None

    @property
    def active(self) -> bool:
        """Whether the sidecar is in use (False: writers rely on busy_timeout alone)."""
        return self._open() is not None

    def disable(self) -> None:
        """Wait in SQLite's busy handler alone from now on (benchmarks compare both)."""
        with self._thread_lock:
            self._opened = True
            if self._fd is not None:
                os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the write lock for the body (re-entrant within a thread).

        Waits at most *timeout* for each of the thread lock and the flock, then goes on
        without them: SQLite's own lock still keeps the write correct.
        """
        if self.path is None or not self._thread_lock.acquire(timeout=self.timeout):
            yield
            return
        try:
            self._depth += 1
            fd = self._open() if self._depth == 1 else None
            locked = fd is not None and self._acquire(fd)
            try:
                yield
            finally:
                if locked and fd is not None:
                    with contextlib.suppress(OSError):
                        fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._depth -= 1
            self._thread_lock.release()

    def close(self) -> None:
        """Close the sidecar and stop the waiter thread."""
        self._requests.put(_STOP)
        waiter = self._waiter
        if waiter is not None:
            waiter.join(self.timeout)
        with self._thread_lock:
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
            self._fd = None

    def _open(self) -> int | None:
        if self._opened:
            return self._fd
        self._opened = True  # one attempt per process: a failure means busy_timeout alone
        if self.path is None or self.db_path is None:
            return None
        try:
            st = os.stat(self.db_path)
        except OSError:
            return None
        mode = stat.S_IMODE(st.st_mode) & 0o666
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, mode)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                return None  # ELOOP: a symbolic link is never followed
            try:
                # flock works on a descriptor open for reading, too.
                fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                return None
        try:
            own = os.fstat(fd)
            if not stat.S_ISREG(own.st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            if own.st_uid == os.geteuid():
                # Created now (or earlier by us): the database's mode and group, whatever
                # the umask, so every member of a shared group can take the lock.
                if own.st_gid != st.st_gid:
                    with contextlib.suppress(OSError):
                        os.fchown(fd, -1, st.st_gid)
                if stat.S_IMODE(own.st_mode) != mode:
                    with contextlib.suppress(OSError):
                        os.fchmod(fd, mode)
        except OSError:
            os.close(fd)
            return None
        self._fd = fd
        return fd

    def _acquire(self, fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except OSError:
            return False
        request = _Request(fd)
        with self._start:
            if self._waiter is None or not self._waiter.is_alive():
                self._waiter = threading.Thread(target=self._wait_loop, daemon=True)
                self._waiter.start()
        self._requests.put(request)
        return request.wait(self.timeout)

    def _wait_loop(self) -> None:
        while True:
            request = self._requests.get()
            if request is _STOP:
                return
            request.run()


class _Request:
    """One blocking flock done by the waiter thread on behalf of a caller."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.done = threading.Lock()  # held until the waiter has an answer
        self.done.acquire()
        self.state = threading.Lock()
        self.granted = False
        self.abandoned = False

    def run(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            got = True
        except OSError:
            got = False
        with self.state:
            if self.abandoned:
                if got:
                    # The caller went on without the lock (SQLite's busy_timeout guards it).
                    with contextlib.suppress(OSError):
                        fcntl.flock(self.fd, fcntl.LOCK_UN)
                return
            self.granted = got
            self.done.release()

    def wait(self, timeout: float) -> bool:
        answered = self.done.acquire(timeout=timeout)
        with self.state:
            # The answer may have come between the timeout and taking the state lock.
            if answered or self.done.acquire(blocking=False):
                return self.granted
            self.abandoned = True
            return False


_STOP = _Request(-1)
