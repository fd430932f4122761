"""Who is calling: a partner (by API key), a user (by personal token) or an ERP connector (by its
token). What each may do and see is decided in `hub.access`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    operator = "operator"
    auditor = "auditor"


@dataclass(frozen=True)
class Principal:
    kind: str  # partner | user | connector
    name: str
    partner_id: int | None = None
    user_id: int | None = None
    role: Role | None = None
    connector_id: int | None = None

    @property
    def actor(self) -> str:
        """How the principal appears in the audit trail."""
        return f"{self.kind}:{self.name}"

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"
