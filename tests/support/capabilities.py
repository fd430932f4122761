"""Which capability a module of hub belongs to, and which capability owns (writes) each table.

Shared by the import check (tests/unit/core/test_capability_boundaries.py) and the write check
(tests/support/ownership.py, on for the whole suite)."""

from __future__ import annotations

# package under hub/ -> the capability it belongs to
CAPABILITY = {name: name for name in (
    "admin", "reconciliation", "retention", "procurement", "invoicing", "exchanges", "erp", "partners",
    "records", "audit", "numbering", "jobruns")} | {"routing": "exchanges"}

# A capability whose tables another writes, and why. hub.records holds only tables (the stored
# exchanges, Idempotency-Keys, documents and lines): it sits below erp so that erp can read the
# documents it hands ERPs, and hub.exchanges.service is their one writer.
WRITTEN_BY = {"records": "exchanges"}


def capability_of(module: str) -> str | None:
    """The capability a module of hub belongs to (None: it belongs to none)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "hub":
        return None
    if parts[1] == "cli":
        return CAPABILITY.get(parts[2]) if len(parts) > 2 else None
    return CAPABILITY.get(parts[1])


def writer_of_tables_in(module: str) -> str | None:
    """The capability that may write the tables a models module defines."""
    capability = capability_of(module)
    return WRITTEN_BY.get(capability, capability) if capability else None
