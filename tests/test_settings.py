"""Settings read from the environment: what a platform or a shell may leave in it."""

from __future__ import annotations

from pathlib import Path

from zera.settings import Settings


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"ZERA_BASE_DIR": str(tmp_path), **env})


def test_an_empty_port_counts_as_unset(tmp_path: Path) -> None:
    """`PORT= zera serve` leaves PORT empty: the default port is used, not a crash."""
    assert _settings(tmp_path, PORT="").port == 8000
    assert _settings(tmp_path, PORT="", ZERA_PORT="8123").port == 8123


def test_the_platforms_port_wins_over_zera_port(tmp_path: Path) -> None:
    assert _settings(tmp_path, PORT="5000", ZERA_PORT="8123").port == 5000
