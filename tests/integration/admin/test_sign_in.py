"""Signing in to the admin pages: enrolment link, password then TOTP, no replay, throttling, expiry."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from hub.admin import accounts
from hub.db import new_session
from hub.models import AuditEvent, User
from tests.support.admin import PASSWORD, csrf_of, enrolled_user, next_code, page_token, sign_in


def _first_step(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_of(client.get("/admin/sign-in").get_data(as_text=True))
    answer = client.post("/admin/sign-in", data={"username": username, "password": password,
                                                 "csrf_token": token})
    return answer.status_code, token


def _actions(app: Flask) -> list[tuple[str, str]]:
    with app.app_context(), new_session() as session:
        return [(e.action, e.object_id) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_user_add_prints_a_one_time_enrolment_link_that_shows_the_qr_and_codes_once(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner) -> None:
    out = runner.invoke(args=["hub", "user-add", "ana", "--role", "operator"])
    assert out.exit_code == 0, out.output
    link = out.output.strip().splitlines()[-1]
    path = re.sub(r"^https?://[^/]+", "", link)
    assert path.startswith("/admin/enrol/")
    page = client.get(path)
    assert page.status_code == 200 and "Welcome, ana" in page.get_data(as_text=True)
    token = csrf_of(page.get_data(as_text=True))
    short = client.post(path, data={"password": "short", "confirmation": "short", "csrf_token": token})
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    done = client.post(path, data={"password": PASSWORD, "confirmation": PASSWORD, "csrf_token": token})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "<svg" in html and "<path" in html
    assert len(re.findall(r"<li><code>[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}</code></li>", html)) == 10
    again = client.get(path)
    assert again.status_code == 404 and "used or expired" in again.get_data(as_text=True)
    assert ("user.enrolled", "1") in _actions(app)


def test_password_then_totp_signs_in_and_the_same_code_is_refused_the_second_time(
        app: Flask, client: FlaskClient) -> None:
    user = enrolled_user(app, "alice", "admin")
    assert client.get("/").status_code == 302
    status, token = _first_step(client, "alice", PASSWORD)
    assert status == 302
    code = next_code(app, user)
    ok = client.post("/admin/sign-in/code", data={"code": code, "csrf_token": token})
    assert ok.status_code == 302 and client.get("/").status_code == 200
    client.post("/admin/sign-out", data={"csrf_token": page_token(client)})
    assert client.get("/").status_code == 302
    status, token = _first_step(client, "alice", PASSWORD)
    replay = client.post("/admin/sign-in/code", data={"code": code, "csrf_token": token})
    assert replay.status_code == 401 and "wrong user name, password or code" in replay.get_data(as_text=True)
    assert client.get("/").status_code == 302
    actions = [a for a, _ in _actions(app)]
    assert actions.count("admin.signed_in") == 1 and "admin.sign_in_failed" in actions


def test_a_recovery_code_signs_in_once(app: Flask, client: FlaskClient) -> None:
    user = enrolled_user(app, "alice", "admin")
    for expected in (302, 401):
        _, token = _first_step(client, "alice", PASSWORD)
        answer = client.post("/admin/sign-in/code",
                             data={"code": user.recovery_codes[0], "csrf_token": token})
        assert answer.status_code == expected
        client.post("/admin/sign-out", data={"csrf_token": page_token(client, "/admin/sign-in")})


def test_wrong_passwords_throttle_the_user_even_with_the_right_one_after(app: Flask, client: FlaskClient
                                                                         ) -> None:
    enrolled_user(app, "alice", "admin")
    for _ in range(accounts.MAX_FAILURES_PER_USER):
        assert _first_step(client, "alice", "wrong password!")[0] == 401
    status, _ = _first_step(client, "alice", PASSWORD)
    assert status == 429
    assert "admin.sign_in_throttled" in [a for a, _ in _actions(app)]


def test_failures_from_one_address_throttle_it_for_every_user(app: Flask, client: FlaskClient) -> None:
    enrolled_user(app, "bob", "auditor")
    for i in range(accounts.MAX_FAILURES_PER_ADDRESS):
        assert _first_step(client, f"guess{i}", "whatever")[0] == 401
    assert _first_step(client, "bob", PASSWORD)[0] == 429


def test_an_idle_session_expires(app: Flask, client: FlaskClient) -> None:
    user = enrolled_user(app, "alice", "admin")
    sign_in(client, app, user)
    app.config["HUB_ADMIN_IDLE_SECONDS"] = 0
    answer = client.get("/admin/exchanges")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/sign-in")
    assert "session expired" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_posts_without_the_csrf_token_are_refused(app: Flask, client: FlaskClient) -> None:
    user = enrolled_user(app, "alice", "admin")
    sign_in(client, app, user)
    assert client.post("/admin/audit/verify").status_code == 400
    assert client.post("/admin/audit/verify", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/admin/audit/verify", data={"csrf_token": page_token(client)}).status_code == 302
    assert "audit.verified" in [a for a, _ in _actions(app)]


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app: Flask) -> None:
    plain = app.test_client().get("/admin/sign-in").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = app.test_client().get("/admin/sign-in", base_url="https://hub.example").headers["Set-Cookie"]
    assert "Secure" in secure


def test_after_sign_in_only_a_path_of_this_site_is_followed(app: Flask, client: FlaskClient) -> None:
    user = enrolled_user(app, "alice", "admin")
    token = csrf_of(client.get("/admin/sign-in?next=//evil.example/x").get_data(as_text=True))
    client.post("/admin/sign-in", data={"username": "alice", "password": PASSWORD, "csrf_token": token,
                                        "next": "//evil.example/x"})
    answer = client.post("/admin/sign-in/code", data={"code": next_code(app, user), "csrf_token": token,
                                                      "next": "//evil.example/x"})
    assert answer.headers["Location"] == "/"


def test_the_totp_secret_is_stored_encrypted_when_the_hub_has_a_secret_key(
        app: Flask, client: FlaskClient) -> None:
    app.config["HUB_SETTINGS"].secret_key = "a long random passphrase for the tests"
    user = enrolled_user(app, "alice", "admin")
    with app.app_context(), new_session() as session:
        stored = session.scalars(select(User.totp_secret).where(User.username == "alice")).one()
    assert stored is not None and stored.startswith("enc:") and user.secret not in stored
    sign_in(client, app, user)
    assert client.get("/").status_code == 200


def test_behind_the_local_proxy_each_client_address_is_throttled_on_its_own(
        app: Flask, client: FlaskClient) -> None:
    enrolled_user(app, "bob", "auditor")
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    token = csrf_of(client.get("/admin/sign-in").get_data(as_text=True))
    for i in range(accounts.MAX_FAILURES_PER_ADDRESS):
        answer = client.post("/admin/sign-in", headers=attacker,
                             data={"username": f"guess{i}", "password": "x", "csrf_token": token})
        assert answer.status_code == 401
    assert client.post("/admin/sign-in", headers=attacker, data={
        "username": "bob", "password": PASSWORD, "csrf_token": token}).status_code == 429
    assert client.post("/admin/sign-in", headers={"X-Forwarded-For": "198.51.100.7"}, data={
        "username": "bob", "password": PASSWORD, "csrf_token": token}).status_code == 302
