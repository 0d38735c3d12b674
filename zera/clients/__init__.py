"""Clients of the firm and per-client access."""

from zera.clients.service import (
    ClientSummary,
    StaffAssignment,
    assign_staff,
    client_by_reference,
    create_client,
    get_client,
    rename_client,
    set_archived,
    staff_assignments,
    visible_clients,
)

__all__ = [
    "ClientSummary",
    "StaffAssignment",
    "assign_staff",
    "client_by_reference",
    "create_client",
    "get_client",
    "rename_client",
    "set_archived",
    "staff_assignments",
    "visible_clients",
]
