"""Dramatiq tasks. Importing this package declares every task Zera runs."""

from zera.tasks import extract, maintenance, qbo

__all__ = ["extract", "maintenance", "qbo"]
