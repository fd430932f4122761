"""Bearer authentication for the API: partner keys and users' personal tokens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import g, request
from sqlalchemy.orm import Session

from hub.db import get_session
from hub.domain.errors import HubError
from hub.domain.principals import Principal

# Who a bearer token names: partners' API keys and staff tokens ("principal"), and ERP connectors'
# tokens ("connector", answered 403 here). Filled at start-up (hub.create_app): the web edge sits below
# the capabilities and imports none of them.
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


def _authenticate_request(expected: str) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
    principal = authenticate(get_session(), secret.strip())
    if principal is None:
        if authenticate_connector(get_session(), secret.strip()) is not None:
            raise Forbidden(f"this needs {expected}; an ERP connector token was sent")
        raise Unauthorized("the API key is unknown or revoked", invalid=True)
    return principal


def require(check: Callable[[Principal], bool] | None = None, *, what: str = ""
            ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Authenticate the caller and, when `check` is given, require it to pass."""
    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = _authenticate_request(what or "a partner API key or a staff token")
            if check is not None and not check(principal):
                raise Forbidden(f"this needs {what}" if what else "not allowed")
            g.principal = principal
            return view(*args, **kwargs)
        return wrapped
    return decorate
