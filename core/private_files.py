"""Files only the app's own account may read: uploads, the SQLite database, the var/ folder.
Modes are set explicitly, so a loose umask (022 gives 0644) never exposes them."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create every missing folder of `path` as 0700. With `tighten`, the folder itself is set
    to 0700 even when it already existed: for folders the app alone owns (var/, uploads)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    if not current.is_dir():
        # A file where a folder should be: mkdir(parents=True) would fail here too.
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(current))
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # another worker made it first; its mode is set below all the same
        folder.chmod(FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened
    if tighten and path.stat().st_mode & 0o777 != FOLDER_MODE:
        path.chmod(FOLDER_MODE)
    return path


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to a new file that only the owner can read and write."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)  # an existing file keeps its old mode otherwise
        handle.write(content)


def private_sqlite_file(path: Path) -> None:
    """Make the database file 0600 before SQLite opens it: SQLite gives its -wal, -shm and
    -journal files the mode of the database file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        # A database from before modes were set: tightened too, unless another account owns it.
        for name in (path.name, path.name + "-wal", path.name + "-shm"):
            with contextlib.suppress(FileNotFoundError, PermissionError):
                path.with_name(name).chmod(FILE_MODE)
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
