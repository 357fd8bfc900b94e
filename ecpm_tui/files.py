"""Writing output files safely in folders other people can write to.

A predictable temporary name beside the target (``.name.tmp``) lets anyone who can
write in that folder plant a symbolic link there and make us overwrite any file we can
write. Temporaries here get an unpredictable name created with ``O_EXCL`` (so a
planted link is never followed) and replace the target atomically.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ecpm_tui.errors import StorageError, ValidationError


def output_path(path: Path, *, follow_symlinks: bool, overwrite: bool = True) -> Path:
    """The file to write for *path*: refuse a symbolic link unless asked to follow it.

    Following resolves the link, so the file it points to is replaced, never the link.
    Anything that exists and is not a regular file (a folder, a device, a FIFO) is refused,
    and so is an existing file unless *overwrite*.
    """
    if path.is_symlink():
        if not follow_symlinks:
            raise ValidationError(
                f"{path} is a symbolic link; refusing to write through it "
                "(give --follow-symlinks to replace the file it points to)."
            )
        path = path.resolve()
    try:
        st = path.stat()
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise StorageError(f"Cannot use {path}: {exc.strerror}.") from exc
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(f"Cannot write {path}: it is not a regular file.")
    if not overwrite:
        raise ValidationError(f"{path} already exists; give --force to replace it.")
    return path


@contextlib.contextmanager
def replacing(path: Path, mode: int) -> Iterator[tuple[int, Path]]:
    """Yield ``(fd, tmp)``: a fresh temporary file beside *path*, open for writing.

    On success the temporary replaces *path* atomically; on any error it is removed and
    the target is left as it was. Its permissions are *mode* (an existing target keeps
    its own). Write through *fd* where possible: in a shared folder another member could
    swap the temporary's name, but never the open descriptor. The caller closes *fd*.
    """
    folder = path.parent
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(f"Cannot write in {folder}: {exc.strerror}.") from exc
    tmp = Path(name)
    try:
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(path.stat().st_mode)
        os.fchmod(fd, mode)
        yield fd, tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(
    path: Path,
    text: str,
    *,
    follow_symlinks: bool = False,
    overwrite: bool = True,
    mode: int | None = None,
) -> Path:
    """Write *text* to *path* (UTF-8) through :func:`replacing`; returns the file written.

    A new file gets *mode* (default: the umask's); a replaced file keeps its own."""
    target = output_path(path, follow_symlinks=follow_symlinks, overwrite=overwrite)
    chosen = 0o666 & ~_umask() if mode is None else mode
    try:
        with (
            replacing(target, chosen) as (fd, _tmp),
            os.fdopen(fd, "wb") as fh,
        ):
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StorageError(f"Cannot write {path}: {exc.strerror}.") from exc
    return target


def database_mode(path: Path | None) -> int:
    """The mode for files holding a copy of the database's data: the database file's own
    read/write bits (0600 personal, 0660 shared), 0600 when there is no file (PostgreSQL)."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        st = None
    return stat.S_IMODE(st.st_mode) & 0o660 if st is not None else 0o600


def _umask() -> int:
    # os.umask can only be read by setting it; put it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of *path*, which must be a regular file of at most *max_bytes*.

    Opened without blocking and checked on the open descriptor before reading, so a FIFO
    never hangs the reader and ``/dev/zero`` is refused instead of filling memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError as exc:
        raise ValidationError(f"No such file: {path}") from exc
    except IsADirectoryError as exc:
        raise ValidationError(f"{path} is a folder, not a file.") from exc
    except PermissionError as exc:
        raise ValidationError(f"Cannot read {path}: permission denied.") from exc
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ValidationError(f"{path} is a folder, not a file.")
        if not stat.S_ISREG(st.st_mode):
            raise ValidationError(f"Cannot read {path}: it is not a regular file.")
        if st.st_size > max_bytes:
            raise ValidationError(
                f"{path} is too large ({st.st_size:,} bytes; the limit is {max_bytes:,})."
            )
        # The file may grow after the check: never read more than the limit allows.
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"{path} is too large (over the limit of {max_bytes:,} bytes).")
    return data
