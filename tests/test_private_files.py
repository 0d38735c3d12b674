"""Data files are private: `var/` is 0700 and every database file 0600, new or upgraded."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).parents[1]


def _migrate(home: Path, **extra: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ZERA_QUEUE_URL"}},
        "ZERA_BASE_DIR": str(home),
        "ZERA_SANDBOX_SEED_MONTHS": "1",
        "ZERA_LOG_LEVEL": "WARNING",
        **extra,
    }
    subprocess.run(
        [sys.executable, "-m", "zera.cli", "migrate"],
        env=env,
        cwd=PROJECT,
        check=True,
        capture_output=True,
        timeout=180,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private(var: Path) -> None:
    assert _mode(var) == 0o700
    files = [p for p in var.iterdir() if p.is_file()]
    names = {p.name for p in files}
    assert {"zera.db", "queue.db", "qbo-sandbox.db", "secret_key", "token_key"} <= names, names
    loose = {p.name: oct(_mode(p)) for p in files if _mode(p) & 0o077}
    assert not loose, loose


def test_a_new_install_creates_var_and_its_databases_owner_only(tmp_path: Path) -> None:
    """Given an empty folder and a permissive umask, when `zera migrate` runs, then var/ is
    0700 and every file in it (databases, WAL files, secrets) is readable by the owner only."""
    old = os.umask(0o022)
    try:
        _migrate(tmp_path)
    finally:
        os.umask(old)
    _assert_private(tmp_path / "var")


def test_an_existing_install_with_loose_files_is_tightened(tmp_path: Path) -> None:
    """Given a database at 0644 from an older version, when `zera migrate` runs, then it is
    tightened to 0600 like every other data file."""
    var = tmp_path / "var"
    var.mkdir(mode=0o700)
    (var / "zera.db").touch()
    (var / "zera.db").chmod(0o644)
    _migrate(tmp_path)
    _assert_private(var)


def test_a_database_in_a_shared_folder_leaves_the_folder_alone(tmp_path: Path) -> None:
    """Given DATABASE_URL pointing into a world-writable shared folder (as /tmp is), when
    `zera migrate` runs, then the database file is 0600 and the folder keeps its mode."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    _migrate(tmp_path, DATABASE_URL=f"sqlite:///{shared / 'books.db'}")
    assert _mode(shared) == 0o1777
    assert _mode(shared / "books.db") == 0o600
