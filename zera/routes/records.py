"""Records: the client's records by status and type, one record with its lines, source and
history, and records typed by hand."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
