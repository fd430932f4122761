"""Small deliveries for connector and outbox tests."""

from __future__ import annotations

from typing import Any

from connectors.base import Delivery


def make_delivery(document_id: str = "0b9e6c1e-5d43-4c5e-9a51-3f7f2b0d7a11", **overrides: Any) -> Delivery:
    """A delivery of a small canonical invoice; keyword arguments override its fields."""
    values: dict[str, Any] = {
        "document_id": document_id,
        "document_type": "invoice",
        "document": {"doc_type": "invoice", "number": "INV-1001", "currency": "EUR", "total": "1250.00"},
    }
    values.update(overrides)
    return Delivery(**values)
