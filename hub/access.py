"""The one access rule: what a principal (a partner, a staff role, an ERP connector) may do and see.

Two questions, answered here and nowhere else:
- `may(principal, permission)`: may it call this at all? (REST `require`, the admin pages' `allow`,
  SOAP's connector check all ask this.) A refusal is 403, since the route itself is no secret.
- `visible(principal, select, Model)`: which rows of an owned table may it see? Staff who read
  everything see every row; a partner sees its own (less what the hub keeps from partners); a
  connector its own outbox; anyone else nothing. A row outside the view answers 404, never 403, so
  that a guessed id tells nothing of another partner's objects (`get_visible`).
The first half is pure; the second only adds WHERE clauses to a SELECT.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import Session

from hub.domain.errors import NotFound
from hub.domain.principals import Principal, Role


class Permission(StrEnum):
    read = "read"  # list and read exchanges and documents (a partner: only its own)
    read_all = "read_all"  # every partner's rows, and staff-only reads (deliveries, invoicing, ...)
    operate = "operate"  # reprocess, redeliver, release, decide: change what the hub does
    read_audit = "read_audit"  # the audit trail
    administer = "administer"  # partners' keys and profiles, routing rules, audit verification
    post_files = "post_files"  # a partner posts its files and takes those the hub has for it
    erp = "erp"  # an ERP connector polls its outbox and posts what the ERP sends


_STAFF_READ = frozenset({Permission.read, Permission.read_all})
GRANTS: dict[str, frozenset[Permission]] = {
    "partner": frozenset({Permission.read, Permission.post_files}),
    "connector": frozenset({Permission.erp}),
    Role.admin.value: _STAFF_READ | {Permission.operate, Permission.read_audit, Permission.administer},
    Role.operator.value: _STAFF_READ | {Permission.operate},
    Role.auditor.value: _STAFF_READ | {Permission.read_audit},
}

# how a refusal names what was needed
NEEDS: dict[Permission, str] = {
    Permission.read: "a partner API key or a staff token",
    Permission.read_all: "an admin, operator or auditor token",
    Permission.operate: "an admin or operator token",
    Permission.read_audit: "an admin or auditor token",
    Permission.administer: "an admin token",
    Permission.post_files: "a partner API key",
    Permission.erp: "an ERP connector token",
}


def grants(principal: Principal) -> frozenset[Permission]:
    """Everything the principal may do: by its kind (partner, connector), a user by its role."""
    if principal.kind == "user":
        return GRANTS.get(principal.role.value, frozenset()) if principal.role else frozenset()
    return GRANTS.get(principal.kind, frozenset())


def may(principal: Principal | None, permission: Permission) -> bool:
    return principal is not None and permission in grants(principal)


def roles_with(permission: Permission) -> frozenset[str]:
    """The staff roles granted `permission` (the admin pages and their navigation use these)."""
    return frozenset(role.value for role in Role if permission in GRANTS[role.value])


def kind_of(principal: Principal) -> str:
    """How a refusal names what was sent instead."""
    return {"partner": "a partner API key", "connector": "an ERP connector token"}.get(
        principal.kind, "a staff token")


# --- rows ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ownership:
    """Whose rows a table holds: the owning partner's column, the owning connector's column, and
    what the hub keeps even from the owning partner."""

    partner: Any = None
    connector: Any = None
    kept_from_partner: Any = None


# Whose rows each owned table holds, declared by the capability that defines the table, next to it
# (`hub.records.models`, `hub.erp.models`): this module sits below every capability and names none.
OWNERSHIP: dict[type, Ownership] = {}


def owned(model: type, ownership: Ownership) -> None:
    """Declare whose rows `model` holds (asking `visible` about a table never declared is an error)."""
    OWNERSHIP[model] = ownership


S = TypeVar("S", bound=Select[Any])
M = TypeVar("M")


def row_filter(principal: Principal, model: type) -> ColumnElement[bool] | None:
    """The WHERE clause limiting `model`'s rows to those the principal may see (None: every row)."""
    if may(principal, Permission.read_all):
        return None
    rule = OWNERSHIP[model]
    if principal.kind == "partner" and rule.partner is not None:
        mine: ColumnElement[bool] = rule.partner == principal.partner_id
        return mine if rule.kept_from_partner is None else mine & ~rule.kept_from_partner
    if principal.kind == "connector" and rule.connector is not None:
        return rule.connector == principal.connector_id
    return false()


def visible(principal: Principal, stmt: S, model: type) -> S:
    """`stmt` (a SELECT over `model`) limited to the rows the principal may see."""
    clause = row_filter(principal, model)
    return stmt if clause is None else stmt.where(clause)


def get_visible(session: Session, model: type[M], ident: object, principal: Principal, *,
                what: str) -> M:
    """The row with primary key `ident` if the principal may see it; NotFound otherwise (no hint
    that it exists)."""
    key = model.id  # type: ignore[attr-defined]
    row = session.scalars(visible(principal, select(model).where(key == ident), model)).first()
    if row is None:
        raise NotFound(f"no {what} {ident}")
    return row
