"""Fixtures for the document tests (helpers live in tests/documents/helpers.py)."""

from tests.documents.helpers import idle_office, office

__all__ = ["idle_office", "office"]
