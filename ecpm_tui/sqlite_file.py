"""Checks of a SQLite database file and its folder, made before SQLite touches them.

No SQLAlchemy here: ``ecpm`` runs these before its first screen, so a mistyped path
or a file it may not write is refused at once, with the terminal still untouched.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ecpm_tui.errors import StorageError

SQLITE_HEADER = b"SQLite format 3\x00"
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "davfs",
        "fuse.s3fs",
        "fuse.rclone",
    }
)


def filesystem_type(path: Path) -> str | None:
    """The type of the mounted filesystem holding *path* (Linux), or None if unknown."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = path.resolve()
    best: tuple[int, str] | None = None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        try:
            target.relative_to(mount_point)
        except ValueError:
            continue
        if best is None or len(mount_point) > best[0]:
            best = (len(mount_point), parts[2])
    return best[1] if best else None


def _describe_mode(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return ""
    return f" (mode {stat.filemode(st.st_mode)}, owner uid {st.st_uid}, group gid {st.st_gid})"


def prepare_sqlite_file(path: Path, *, create: bool, shared_group: int | None = None) -> None:
    """Check (and if asked, create) a SQLite file and its folder before SQLite touches them.

    A failed open leaves -wal/-shm files behind that can lock every other user out,
    so permissions are checked first and refused with a message saying what to fix.
    """
    directory = path.parent
    if not directory.exists():
        if not create:
            raise StorageError(
                f"No database at {path}: the folder {directory} does not exist "
                f"(a typo?). To create one there: ecpm init --db {path}"
            )
        try:
            directory.mkdir(parents=True, mode=0o700, exist_ok=True)
            if shared_group is not None:
                os.chown(directory, -1, shared_group)
                os.chmod(directory, 0o2770)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the database folder {directory}: {exc.strerror}."
            ) from exc
    if not directory.is_dir():
        raise StorageError(f"Cannot use {path}: {directory} is not a folder.")
    fstype = filesystem_type(directory)
    if fstype in NETWORK_FILESYSTEMS:
        raise StorageError(
            f"{path} is on a network filesystem ({fstype}); SQLite's WAL mode needs a local "
            "disk. Put the database on a local disk or use PostgreSQL (--db postgresql+psycopg://...)."
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StorageError(
            f"Cannot write in the database folder {directory}{_describe_mode(directory)}. "
            "SQLite needs to create its -wal and -shm files there: ask its owner to grant you "
            "write access (or use --db to pick another database)."
        )
    if path.exists():
        if path.is_dir():
            raise StorageError(f"Cannot use {path}: it is a folder, not a database file.")
        if not path.is_file():
            # A device or FIFO: SQLite would hang on it or litter its folder with journals.
            raise StorageError(f"Cannot use {path}: it is not a regular file.")
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
                raise StorageError(
                    f"Cannot write to {candidate}{_describe_mode(candidate)}. Ask its owner to "
                    "grant you read and write access (or use --db to pick another database)."
                )
        try:
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StorageError(f"Cannot read {path}: {exc.strerror}.") from exc
        if header and header != SQLITE_HEADER:
            raise StorageError(
                f"{path} is not an SQLite database (or it is corrupt). Restore it from a "
                "backup, or use --db to pick another file."
            )
        return
    if not create:
        raise StorageError(f"No database at {path}. To create one there: ecpm init --db {path}")
    mode = 0o660 if shared_group is not None else 0o600
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        if shared_group is not None:
            os.chown(path, -1, shared_group)
            os.chmod(path, mode)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StorageError(f"Cannot create the database file {path}: {exc.strerror}.") from exc
