"""Bearer authentication for the API: partner keys, users' personal tokens and ERP connector tokens,
all read by one parser (`identify`) and checked against the one access rule (`hub.access`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import g, request
from sqlalchemy.orm import Session

from hub.access import NEEDS, Permission, kind_of, may
from hub.db import get_session
from hub.domain.errors import HubError
from hub.domain.principals import Principal

# Who a bearer token names: partners' API keys and staff tokens ("principal"), and ERP connectors'
# tokens ("connector"). Filled at start-up (hub.create_app): the web edge sits below the capabilities
# and imports none of them.
TOKEN_CHECKS: dict[str, Callable[[Session, str], Any]] = {}


def authenticate(session: Session, secret: str) -> Principal | None:
    principal: Principal | None = TOKEN_CHECKS["principal"](session, secret)
    return principal


def authenticate_connector(session: Session, secret: str) -> Any:
    return TOKEN_CHECKS["connector"](session, secret)


P = ParamSpec("P")
R = TypeVar("R")


class Unauthorized(HubError):
    """401, answered with `WWW-Authenticate: Bearer` (and `error="invalid_token"` for a bad one)."""

    code = "UNAUTHORIZED"
    http_status = 401

    def __init__(self, message: str, *, invalid: bool = False) -> None:
        super().__init__(message)
        self.invalid = invalid

    @property
    def challenge(self) -> str:
        return 'Bearer realm="ponte"' + (', error="invalid_token"' if self.invalid else "")


class Forbidden(HubError):
    code = "FORBIDDEN"
    http_status = 403


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def bearer_secret(header: str | None) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` header; None when there is none."""
    scheme, _, secret = (header or "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def identify(session: Session, header: str | None) -> Principal | None:
    """The one bearer-token parser: the partner, user or ERP connector whose token the header
    carries; None when it carries none, or an unknown or revoked one."""
    secret = bearer_secret(header)
    if secret is None:
        return None
    principal = authenticate(session, secret)
    if principal is not None:
        return principal
    connector = authenticate_connector(session, secret)
    if connector is None:
        return None
    return Principal(kind="connector", name=connector.name, connector_id=connector.id)


def request_principal() -> Principal | None:
    """Who this request's bearer token names, if anyone (no refusal)."""
    return identify(get_session(), request.headers.get("Authorization"))


def _authenticate_request(needed: tuple[Permission, ...], what: str) -> Principal:
    header = request.headers.get("Authorization")
    for_erp = needed == (Permission.erp,)
    if bearer_secret(header) is None:
        raise Unauthorized("send the connector token as 'Authorization: Bearer <token>'" if for_erp
                           else "send your API key as 'Authorization: Bearer <key>'")
    principal = identify(get_session(), header)
    if principal is None:
        raise Unauthorized(f"the {'token' if for_erp else 'API key'} is unknown or revoked",
                           invalid=True)
    if not any(may(principal, permission) for permission in needed):
        if for_erp or principal.kind == "connector":
            raise Forbidden(f"this needs {what}; {kind_of(principal)} was sent")
        raise Forbidden(f"this needs {what}")
    return principal


def require(*permissions: Permission, what: str = ""
            ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Authenticate the caller by its bearer token and require one of `permissions` (hub.access;
    none given: `read`). The view keeps them as `.permissions`, for the generated access tests."""
    needed = permissions or (Permission.read,)

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            g.principal = _authenticate_request(needed, what or NEEDS[needed[0]])
            return view(*args, **kwargs)
        wrapped.permissions = needed  # type: ignore[attr-defined]
        return wrapped
    return decorate
