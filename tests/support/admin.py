"""Admin users for page tests: enrolled through the real service, signed in through the real forms."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pyotp
from flask import Flask

from hub.admin import accounts
from hub.db import new_session, transaction
from hub.models import User

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class AdminUser:
    username: str
    role: str
    password: str
    secret: str
    recovery_codes: list[str]


def enrolled_user(app: Flask, username: str, role: str) -> AdminUser:
    """A user created with `user-add`'s service and enrolled with its one-time link."""
    with app.app_context(), new_session() as session, transaction(session):
        _, token = accounts.create_user(session, username, role, actor="test")
        done = accounts.complete_enrolment(session, token, PASSWORD, PASSWORD,
                                           secret_key=app.config["HUB_SETTINGS"].secret_key)
    return AdminUser(username, role, PASSWORD, done.secret, done.recovery_codes)


def next_code(app: Flask, user: AdminUser) -> str:
    """A code the hub will accept now: of the current step, or the next one if that was used."""
    with app.app_context(), new_session() as session:
        last = session.query(User.totp_last_step).filter(User.username == user.username).scalar()
    totp = pyotp.TOTP(user.secret)
    current = totp.timecode(time.time())
    step = current if last is None or last < current else current + 1
    return totp.generate_otp(step)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: Any, app: Flask, user: AdminUser) -> None:
    """Both steps through the forms, as a browser would."""
    token = csrf_of(client.get("/admin/sign-in").get_data(as_text=True))
    first = client.post("/admin/sign-in", data={"username": user.username, "password": user.password,
                                                "csrf_token": token})
    assert first.status_code == 302, first.get_data(as_text=True)
    second = client.post("/admin/sign-in/code", data={"code": next_code(app, user), "csrf_token": token})
    assert second.status_code == 302 and second.headers["Location"] == "/", second.get_data(as_text=True)


def page_token(client: Any, path: str = "/") -> str:
    """The CSRF token of the signed-in session, read from a page."""
    return csrf_of(client.get(path).get_data(as_text=True))
