"""Dramatiq tasks. Importing this package declares every task Zera runs."""

from zera.tasks import maintenance, qbo

__all__ = ["maintenance", "qbo"]
