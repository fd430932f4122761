"""Sessions for the admin pages: signed cookies (HttpOnly, SameSite=Lax, Secure over HTTPS), idle
expiry, a CSRF token on every form, and the role each page needs, all checked on the server."""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Request, abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from hub import access
from hub.access import Permission
from hub.admin import accounts
from hub.db import get_session
from hub.domain.principals import Principal

P = ParamSpec("P")
R = TypeVar("R")

# the staff roles each kind of page needs, as the one access rule (hub.access) grants them
ALL_STAFF = access.roles_with(Permission.read_all)
OPERATORS = access.roles_with(Permission.operate)
AUDIT_READERS = access.roles_with(Permission.read_audit)
ADMINS = access.roles_with(Permission.administer)


class AdminSessions(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (directly or via the proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or _is_https(request)


def _is_https(req: Request) -> bool:
    return req.is_secure or req.headers.get("X-Forwarded-Proto", "").lower() == "https"


def init_app(app: Flask) -> None:
    """Secret key, cookie flags and idle timeout (HUB_ADMIN_IDLE_MINUTES, default 30)."""
    settings = app.config["HUB_SETTINGS"]
    app.secret_key = settings.session_key or _instance_key(Path(app.instance_path))
    app.session_interface = AdminSessions()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="ponte_session",
                      HUB_ADMIN_IDLE_SECONDS=60 * settings.admin_idle_minutes)


def _instance_key(instance: Path) -> str:
    """A random key kept under instance/, made once, so every worker signs cookies alike."""
    path = instance / "session.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def csrf_token() -> str:
    """The session's CSRF token, made on first use; every form carries it."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


def check_csrf() -> None:
    """Refuse (400) a POST whose form token is missing or is not this session's."""
    if request.method != "POST":
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "the form's security token is missing or stale: reload the page and try again")


def sign_in(principal: Principal) -> None:
    """A fresh session for the user (no fixation: nothing of the anonymous one is kept)."""
    session.clear()
    session["user_id"] = principal.user_id
    session["seen"] = time.time()
    csrf_token()


def current() -> Principal:
    principal: Principal = g.admin_principal
    return principal


def may(permission: Permission) -> bool:
    """Whether the signed-in user may do this (hub.access): pages show or hide their actions by it."""
    return access.may(current(), permission)


def allow(roles: frozenset[str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The page needs a signed-in user with one of `roles`; anonymous users go to the sign-in page."""
    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = _session_principal()
            if principal is None:
                return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
            if principal.role is None or principal.role.value not in roles:
                abort(403, f"this needs the role {' or '.join(sorted(roles))}; you are "
                           f"{principal.role.value if principal.role else 'none'}")
            g.admin_principal = principal
            return view(*args, **kwargs)
        wrapped.admin_roles = roles  # type: ignore[attr-defined]
        return wrapped
    return decorate


def public(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a page that needs no sign-in (the sign-in and enrolment pages)."""
    view.admin_roles = None  # type: ignore[attr-defined]
    return view


def _session_principal() -> Principal | None:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    idle: int = current_app.config["HUB_ADMIN_IDLE_SECONDS"]
    if time.time() - float(session.get("seen", 0)) > idle:
        session.clear()
        session["expired"] = True
        return None
    principal = accounts.signed_in_user(get_session(), int(user_id))
    if principal is None:
        session.clear()
        return None
    session["seen"] = time.time()
    return principal


def template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "me": g.get("admin_principal"),
            "may": lambda permission: access.may(g.get("admin_principal"), Permission(permission))}
