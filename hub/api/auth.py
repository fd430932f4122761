"""Bearer authentication for the API: partner keys and users' personal tokens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from hub.auth import Principal
from hub.db import get_session
from hub.domain.errors import HubError
from hub.services.credentials import authenticate

P = ParamSpec("P")
R = TypeVar("R")


class Unauthorized(HubError):
    code = "UNAUTHORIZED"
    http_status = 401


class Forbidden(HubError):
    code = "FORBIDDEN"
    http_status = 403


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def _authenticate_request() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
    principal = authenticate(get_session(), secret.strip())
    if principal is None:
        raise Unauthorized("the API key is unknown or revoked")
    return principal


def require(check: Callable[[Principal], bool] | None = None, *, what: str = ""
            ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Authenticate the caller and, when `check` is given, require it to pass."""
    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = _authenticate_request()
            if check is not None and not check(principal):
                raise Forbidden(f"this needs {what}" if what else "not allowed")
            g.principal = principal
            return view(*args, **kwargs)
        return wrapped
    return decorate
