"""Sign-in (password, then a TOTP or recovery code), sign-out, and the one-time enrolment page."""

from __future__ import annotations

import io
import time

import qrcode
import qrcode.image.svg
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from hub.admin import accounts, security
from hub.admin.blueprint import Nav
from hub.audit.service import record_event
from hub.db import get_session, transaction
from hub.domain.errors import HubError

# the second step must follow the first within this time, or the user starts again
PENDING_SECONDS = 300


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/sign-in", "sign_in", sign_in, methods=["GET", "POST"])
    bp.add_url_rule("/admin/sign-in/code", "sign_in_code", sign_in_code, methods=["GET", "POST"])
    bp.add_url_rule("/admin/sign-out", "sign_out", sign_out, methods=["POST"])
    bp.add_url_rule("/admin/enrol/<token>", "enrol", enrol, methods=["GET", "POST"])


_LOOPBACK = ("127.0.0.1", "::1")


def _address() -> str:
    """The client's address for throttling: behind the local nginx of deploy/ (the peer is loopback)
    the last X-Forwarded-For entry, which that nginx appends; otherwise the peer itself."""
    peer = request.remote_addr or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in _LOOPBACK and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:100] or peer
    return peer


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.dashboard")


@security.public
def sign_in() -> ResponseReturnValue:
    """Step one: user name and password."""
    expired = session.pop("expired", False)
    if request.method == "GET":
        return render_template("admin/sign_in.html", expired=expired, next=request.args.get("next"))
    username = request.form.get("username", "").strip()
    try:
        with transaction(get_session()):
            user_id = accounts.check_password(get_session(), username, request.form.get("password", ""),
                                              _address())
    except HubError as exc:
        return render_template("admin/sign_in.html", error=str(exc), username=username,
                               next=request.form.get("next")), exc.http_status
    session["pending_user"], session["pending_at"] = user_id, time.time()
    return redirect(url_for("admin.sign_in_code", next=request.form.get("next") or None))


@security.public
def sign_in_code() -> ResponseReturnValue:
    """Step two: the authenticator's code (or a recovery code)."""
    user_id = session.get("pending_user")
    if user_id is None or time.time() - float(session.get("pending_at", 0)) > PENDING_SECONDS:
        session.pop("pending_user", None)
        return redirect(url_for("admin.sign_in"))
    if request.method == "GET":
        return render_template("admin/sign_in_code.html", next=request.args.get("next"))
    try:
        with transaction(get_session()):
            principal = accounts.check_second_factor(get_session(), int(user_id),
                                                     request.form.get("code", ""), _address(),
                                                     secret_key=_secret_key())
    except HubError as exc:
        return render_template("admin/sign_in_code.html", error=str(exc),
                               next=request.form.get("next")), exc.http_status
    security.sign_in(principal)
    return redirect(_safe_next(request.form.get("next")))


@security.public
def sign_out() -> ResponseReturnValue:
    user_id = session.get("user_id")
    if user_id is not None:
        db = get_session()
        with transaction(db):
            principal = accounts.signed_in_user(db, int(user_id))
            record_event(db, actor=principal.actor if principal else f"user-id:{user_id}",
                         action="admin.signed_out", object_type="user", object_id=str(user_id))
    session.clear()
    return redirect(url_for("admin.sign_in"))


@security.public
def enrol(token: str) -> str | tuple[str, int]:
    """The one-time link: set a password, then see the QR code and recovery codes once."""
    db = get_session()
    user = accounts.enrolling_user(db, token)
    if request.method == "GET":
        return render_template("admin/enrol.html", username=user.username)
    try:
        with transaction(db):
            done = accounts.complete_enrolment(db, token, request.form.get("password", ""),
                                               request.form.get("confirmation", ""),
                                               secret_key=_secret_key())
    except HubError as exc:
        return render_template("admin/enrol.html", username=user.username, error=str(exc)), 422
    return render_template("admin/enrolled.html", enrolment=done, qr=_qr_svg(done.uri))


def _secret_key() -> str:
    """Settings.secret_key (HUB_SECRET_KEY): what TOTP secrets are sealed under."""
    return str(current_app.config["HUB_SETTINGS"].secret_key)


def _qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code, drawn here (nothing leaves the hub)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return Markup(svg[svg.index("<svg"):])
