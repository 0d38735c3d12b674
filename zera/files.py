"""Private data files: `var/` holds statements, password hashes and encrypted tokens.

Directories Zera creates are 0700 and its files 0600, and the files of an existing install
created with looser modes are tightened on the next start. An existing directory is never
changed: a database path may point into a shared folder (/tmp, a home), whose mode is not ours
to decide. SQLite gives its -wal and -shm files the mode of the database file, so making the
database file private first covers them too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) owner-only; an existing directory is left as it is."""
    if not path.is_dir():
        # mkdir's mode applies to the last folder only; the umask may loosen it, so set it after.
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty and owner-only in a private directory, or tighten an existing one."""
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    _tighten(path, FILE_MODE)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    # Only ever remove permissions, and leave files we do not own (a shared mount) alone.
    with contextlib.suppress(PermissionError):
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)
