"""Procurement's settings, read from the environment with the hub's other settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


@dataclass
class ProcurementSettings:
    # HUB_PO_APPROVAL_THRESHOLDS="BRL=50000,EUR=10000": orders above wait for approval; none by default
    approval_thresholds: dict[str, Decimal] = field(default_factory=dict)
    replenish_every_minutes: int = 60  # HUB_REPLENISH_EVERY_MINUTES: the scheduled run's slot length
    replenish_enabled: bool = True  # HUB_REPLENISH=0 turns the scheduled run off
    auto_submit: bool = True  # HUB_PO_AUTO_SUBMIT=0: a run leaves its orders as drafts

    @classmethod
    def from_env(cls, env: dict[str, str]) -> ProcurementSettings:
        return cls(approval_thresholds=parse_thresholds(env.get("HUB_PO_APPROVAL_THRESHOLDS", "")),
                   replenish_every_minutes=int(env.get("HUB_REPLENISH_EVERY_MINUTES", "60")),
                   replenish_enabled=env.get("HUB_REPLENISH", "1") not in ("0", "false", "no"),
                   auto_submit=env.get("HUB_PO_AUTO_SUBMIT", "1") not in ("0", "false", "no"))


def parse_thresholds(text: str) -> dict[str, Decimal]:
    """'BRL=50000,EUR=10000' -> {'BRL': Decimal('50000'), ...}; a malformed entry is refused by name."""
    out: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        currency, _, amount = part.partition("=")
        try:
            out[currency.strip().upper()] = Decimal(amount.strip())
        except InvalidOperation:
            raise ValueError(f"HUB_PO_APPROVAL_THRESHOLDS: {part!r} is not CURRENCY=AMOUNT") from None
        if len(currency.strip()) != 3:
            raise ValueError(f"HUB_PO_APPROVAL_THRESHOLDS: {currency!r} is not an ISO 4217 code")
    return out
