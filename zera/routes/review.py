"""Review: the editable grid of a document's proposed records (inline edits, splits, approval,
bulk actions) and the type-ahead lists it offers."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
