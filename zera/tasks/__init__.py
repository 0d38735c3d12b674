"""Dramatiq tasks. Importing this package declares every task Zera runs."""

from zera.tasks import maintenance

__all__ = ["maintenance"]
