"""Record payloads to the exact JSON Intuit expects, one module per family behind one registry
keyed by entity type: `to_intuit(entity, payload, names)`.

A record's payload (zera.review.payloads) is already Intuit's shape; what changes on the way
out: money strings become JSON numbers (exact Decimals, never floats), a reference by name alone
gets the Id the push created or found for that name, references keep only what Intuit reads,
and lines QuickBooks computes itself (SubTotalLineDetail) are not sent."""

from zera.qbo.mapping.registry import MAPPINGS, MappingError, NameIds, to_intuit

__all__ = ["MAPPINGS", "MappingError", "NameIds", "to_intuit"]
