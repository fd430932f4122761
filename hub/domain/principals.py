"""Who is calling: a partner (by API key) or a user (by personal token), and what each may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    operator = "operator"
    auditor = "auditor"


@dataclass(frozen=True)
class Principal:
    kind: str  # partner | user
    name: str
    partner_id: int | None = None
    user_id: int | None = None
    role: Role | None = None

    @property
    def actor(self) -> str:
        """How the principal appears in the audit trail."""
        return f"{self.kind}:{self.name}"

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"

    def can_see_all_exchanges(self) -> bool:
        return self.role in (Role.admin, Role.operator, Role.auditor)

    def can_read_audit(self) -> bool:
        return self.role in (Role.admin, Role.auditor)

    def can_operate(self) -> bool:
        """Reprocess, redeliver and other actions that change what the hub does."""
        return self.role in (Role.admin, Role.operator)
