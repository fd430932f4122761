"""Whoever holds the database cannot silently rewrite the audit trail: events are keyed with a
secret outside it, and checkpoints outside the table catch what a keyed chain alone cannot.

On PostgreSQL the hub runs here as an application role that does not own the tables, granted what
the README says; the rewrites are made by the owner (a superuser with the trigger switched off).
"""

from __future__ import annotations

import logging
import secrets
import socket
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub import create_app
from hub.audit import service as audit_service
from hub.audit.anchor import AuditKeyError, anchor_of, seal_and_checkpoint
from hub.audit.service import record_event
from hub.config import Settings
from hub.db import get_engine, new_session
from hub.domain.audit import GENESIS_HASH, KEYED_MARKER_ACTION, legacy_hash
from hub.models import AuditEvent
from tests.conftest import ON_POSTGRES, TEST_AUDIT_KEY

# What the README tells an administrator to grant the hub's role (the owner runs migrations).
APP_ROLE_GRANTS = """
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role};
GRANT UPDATE (seq, prev_hash, hash) ON audit_events TO {role};
"""


@pytest.fixture(scope="module")
def app_role(migrated_database: str) -> Iterator[str | None]:
    """On PostgreSQL, a login role that does not own the schema, granted as documented."""
    if not ON_POSTGRES:
        yield None
        return
    role = f"hub_app_{secrets.token_hex(4)}"
    owner = create_engine(migrated_database)
    with owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        for statement in APP_ROLE_GRANTS.format(role=role).strip().splitlines():
            conn.execute(text(statement))
    try:
        yield role
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


def _settings(url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url, "testing": True, "audit_key": TEST_AUDIT_KEY,
        "audit_checkpoint_file": str(tmp_path / "audit-checkpoints"),
        "audit_checkpoint_seconds": 0.0}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def hub_app(database_url: str, app_role: str | None, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The hub as it runs in production: on PostgreSQL, connected as the application role."""
    monkeypatch.chdir(tmp_path)
    url = database_url
    if app_role:
        url = make_url(database_url).set(username=app_role, password=None) \
            .render_as_string(hide_password=False)
    application = create_app(_settings(url, tmp_path), start_scheduler=False)
    yield application
    application.extensions["hub.engine"].dispose()


def _record(app: Flask, count: int, start: int = 1) -> None:
    with app.app_context(), new_session() as session:
        for n in range(start, start + count):
            record_event(session, actor="partner:acme", action="exchange.received",
                         object_type="exchange", object_id=str(n), details={"n": n})
        session.commit()


def _seal(app: Flask) -> int:
    """What the scheduler's sealing job does every second."""
    return seal_and_checkpoint(lambda: new_session(app), anchor_of(app))


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["hub", "audit-verify"])
    return result.exit_code, result.output


def _as_owner(database_url: str, sql: str, params: dict[str, object] | None = None) -> None:
    """A change made by whoever owns the database, bypassing the append-only trigger."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        if ON_POSTGRES:
            conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(sql), params or {})
    engine.dispose()


@pytest.fixture
def sealed_trail(hub_app: Flask) -> Flask:
    """Six events, sealed and checkpointed by the sealing job."""
    _record(hub_app, 6)
    assert _seal(hub_app) == 6
    return hub_app


def test_an_intact_trail_verifies_against_its_checkpoint(sealed_trail: Flask, tmp_path: Path):
    checkpoints = tmp_path / "audit-checkpoints"
    assert stat.S_IMODE(checkpoints.stat().st_mode) == 0o600
    assert '"count":6' in checkpoints.read_text()
    code, output = _verify(sealed_trail)
    assert code == 0 and "intact: 6 events verified, 1 checkpoints agree" in output
    _record(sealed_trail, 2, start=7)
    code, output = _verify(sealed_trail)  # seals the two, checks, and anchors the new head
    assert code == 0 and "8 events verified" in output
    assert len(checkpoints.read_text().splitlines()) == 2


def test_a_truncated_tail_is_reported(sealed_trail: Flask, database_url: str):
    _as_owner(database_url, "DELETE FROM audit_events WHERE seq > 4")
    code, output = _verify(sealed_trail)
    assert code == 1
    assert "tail truncated:" in output and "recorded 6 events, the chain now has 4" in output


def test_a_truncated_tail_that_grew_again_is_still_reported(sealed_trail: Flask, database_url: str):
    _as_owner(database_url, "DELETE FROM audit_events WHERE seq > 4")
    _record(sealed_trail, 5, start=7)
    _seal(sealed_trail)  # the sealer chains on the cut head and checkpoints it
    code, output = _verify(sealed_trail)
    assert code == 1
    assert "rewritten: the event at seq 6 no longer has the head hash" in output


def test_deleting_every_event_is_reported(sealed_trail: Flask, database_url: str):
    _as_owner(database_url, "DELETE FROM audit_events")
    code, output = _verify(sealed_trail)
    assert code == 1 and "every event is gone" in output and "recorded 6" in output


def test_editing_and_rehashing_with_plain_sha256_is_reported(sealed_trail: Flask,
                                                               database_url: str):
    engine = create_engine(database_url)
    with Session(engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev = GENESIS_HASH
        rewritten = []
        for event in events:
            if event.seq == 3:
                event.actor = "partner:bolt"
            record = audit_service.as_record(event, prev)
            prev = legacy_hash(record)
            rewritten.append((event.id, event.actor, record.prev_hash, prev))
        target = events[2].id
    engine.dispose()
    for event_id, actor, prev_hash, new_hash in rewritten:
        _as_owner(database_url, "UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h "
                  "WHERE id = :i", {"a": actor, "p": prev_hash, "h": new_hash, "i": event_id})
    code, output = _verify(sealed_trail)
    assert code == 1
    assert f"BROKEN at event {events[0].id}: hash is plain SHA-256, not keyed" in output
    assert "rewritten: the event at seq 6" in output
    assert target != events[0].id  # every event was re-hashed, the first is where it shows


def test_a_forged_backdated_insert_is_not_sealed_and_is_reported(sealed_trail: Flask,
                                                                 database_url: str):
    with sealed_trail.app_context(), new_session() as session:
        head_at = session.scalar(select(AuditEvent.at).order_by(AuditEvent.seq.desc()).limit(1))
    assert head_at is not None
    forged_at = head_at - timedelta(days=2)
    _as_owner(database_url, "INSERT INTO audit_events (at, actor, action, object_type, object_id,"
              " details) VALUES (:at, 'partner:acme', 'exchange.received', 'exchange', '999',"
              " '{}')", {"at": forged_at.replace(tzinfo=None) if not ON_POSTGRES else forged_at})
    _record(sealed_trail, 1, start=7)
    assert _seal(sealed_trail) == 1  # the genuine event is sealed, the forged one is not
    code, output = _verify(sealed_trail)
    assert code == 1
    assert "forged insert: event" in output and "a backdated insert" in output


def test_a_forged_event_posing_as_sealed_is_reported(sealed_trail: Flask, database_url: str):
    _as_owner(database_url, "INSERT INTO audit_events (at, actor, action, object_type, object_id,"
              " details, seq, prev_hash, hash) SELECT at, actor, action, object_type, '999',"
              " details, 7, hash, :h FROM audit_events WHERE seq = 6", {"h": "ab" * 32})
    code, output = _verify(sealed_trail)
    assert code == 1 and "content does not match its keyed hash" in output


def test_a_wrong_key_is_reported_and_stops_sealing(sealed_trail: Flask, database_url: str,
                                                   tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture):
    other = create_app(_settings(sealed_trail.config["HUB_SETTINGS"].database_url, tmp_path,
                                 audit_key="another-key-" + "x" * 32), start_scheduler=False)
    try:
        code, output = _verify(other)
        assert code == 1
        assert "wrong audit key: none of the 1 checkpoints" in output
        _record(other, 1, start=7)
        with caplog.at_level(logging.ERROR):
            assert _seal(other) == 0  # not chained under a second key
        assert "does not verify with this audit key" in caplog.text
    finally:
        other.extensions["hub.engine"].dispose()
    assert _seal(sealed_trail) == 1  # the right key seals it


def test_a_wrong_key_without_checkpoints_is_still_reported(hub_app: Flask, tmp_path: Path):
    _record(hub_app, 3)
    with hub_app.app_context(), new_session() as session:
        audit_service.seal_all(session, b"a-key-that-is-not-the-hubs-own-key-at-all")
    code, output = _verify(hub_app)
    assert code == 1
    assert "content does not match its keyed hash" in output


def test_an_edited_checkpoint_line_is_reported(sealed_trail: Flask, tmp_path: Path):
    checkpoints = tmp_path / "audit-checkpoints"
    _record(sealed_trail, 1, start=7)
    _seal(sealed_trail)
    lines = checkpoints.read_text().splitlines()
    checkpoints.write_text(lines[0] + "\n" + lines[1].replace('"count":7', '"count":70') + "\n")
    code, output = _verify(sealed_trail)
    assert code == 1 and "checkpoint line 2 of" in output and "was edited" in output


def _legacy_chain(database_url: str, count: int) -> None:
    """Events sealed as the hub sealed them before keying: plain SHA-256, no checkpoints."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        prev = GENESIS_HASH
        for seq, event in enumerate(session.scalars(select(AuditEvent).order_by(AuditEvent.id)),
                                    start=1):
            record = audit_service.as_record(event, prev)
            prev = legacy_hash(record)
            _as_owner(database_url, "UPDATE audit_events SET seq = :s, prev_hash = :p, hash = :h"
                      " WHERE id = :i", {"s": seq, "p": record.prev_hash, "h": prev, "i": event.id})
        assert seq == count
    engine.dispose()


def test_an_unkeyed_chain_is_checkpointed_at_upgrade_and_continues_keyed(hub_app: Flask,
                                                                         database_url: str):
    _record(hub_app, 4)
    _legacy_chain(database_url, 4)
    _record(hub_app, 2, start=5)
    assert _seal(hub_app) == 3  # the marker, then the two new events, keyed
    with hub_app.app_context(), new_session() as session:
        marker = session.scalars(select(AuditEvent).where(AuditEvent.seq == 5)).one()
        assert marker.action == KEYED_MARKER_ACTION and marker.details["legacy_until_seq"] == 4
    code, output = _verify(hub_app)
    assert code == 0 and "7 events verified, 1 checkpoints agree" in output


def test_after_the_upgrade_a_rehashed_legacy_event_is_reported(hub_app: Flask, database_url: str):
    _record(hub_app, 4)
    _legacy_chain(database_url, 4)
    _seal(hub_app)
    _as_owner(database_url, "UPDATE audit_events SET actor = 'partner:bolt' WHERE seq = 2")
    _legacy_chain(database_url, 5)  # re-hash everything, the marker included, with plain SHA-256
    code, output = _verify(hub_app)
    assert code == 1
    assert "hash is plain SHA-256" in output and "rewritten: the event at seq 5" in output


def test_the_sealer_checkpoints_at_most_once_per_period(database_url: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(_settings(database_url, tmp_path, audit_checkpoint_seconds=3600),
                     start_scheduler=False)
    try:
        for start in (1, 3, 5):
            _record(app, 2, start=start)
            _seal(app)
        assert len((tmp_path / "audit-checkpoints").read_text().splitlines()) == 1
    finally:
        app.extensions["hub.engine"].dispose()


def test_checkpoints_also_go_to_syslog(database_url: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        sink.settimeout(5)
        address = f"udp://127.0.0.1:{sink.getsockname()[1]}"
        app = create_app(_settings(database_url, tmp_path, audit_syslog=address),
                         start_scheduler=False)
        try:
            _record(app, 2)
            _seal(app)
            message = sink.recv(4096).decode()
        finally:
            app.extensions["hub.engine"].dispose()
    line = (tmp_path / "audit-checkpoints").read_text().strip()
    assert "ponte-audit: checkpoint" in message and line in message


def test_the_hub_refuses_to_start_without_a_key_on_postgres_or_in_production(tmp_path: Path):
    pg = "postgresql+psycopg://hub@127.0.0.1:1/hub"  # never connected to: refused before
    with pytest.raises(AuditKeyError, match="HUB_AUDIT_KEY or HUB_AUDIT_KEY_FILE is required"):
        create_app(Settings(database_url=pg), start_scheduler=False)
    sqlite = f"sqlite:///{tmp_path / 'prod.db'}"
    with pytest.raises(AuditKeyError, match="required with PostgreSQL or HUB_ENV=production"):
        create_app(Settings(database_url=sqlite, env="production"), start_scheduler=False)
    assert not (tmp_path / "prod.db.audit-key").exists()
    with pytest.raises(AuditKeyError, match="at least 32 characters"):
        create_app(Settings(database_url=pg, audit_key="short"), start_scheduler=False)
    with pytest.raises(AuditKeyError, match="cannot be read"):
        create_app(Settings(database_url=pg, audit_key_file=str(tmp_path / "missing")),
                   start_scheduler=False)


def test_a_key_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 40 + "\n")
    settings = Settings.from_env({"DATABASE_URL": "postgresql://hub@127.0.0.1:1/hub",
                                  "HUB_AUDIT_KEY_FILE": str(key_file)})
    app = create_app(settings, start_scheduler=False)
    assert anchor_of(app).key == b"k" * 40
    assert anchor_of(app).checkpoint_path == tmp_path / "instance" / "audit-checkpoints-hub"


def test_the_demo_generates_its_key_beside_the_sqlite_file(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with caplog.at_level(logging.WARNING):
        first = create_app(Settings(database_url=url), start_scheduler=False)
    key_file = tmp_path / "demo.db.audit-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert f"generated an audit key at {key_file}" in caplog.text
    second = create_app(Settings(database_url=url), start_scheduler=False)
    assert anchor_of(first).key == anchor_of(second).key == key_file.read_bytes().strip()
    assert anchor_of(first).checkpoint_path == tmp_path / "demo.db.audit-checkpoints"
    assert list(tmp_path.glob(".demo.db.audit-key.*")) == []  # no draft left behind


@pytest.mark.skipif(not ON_POSTGRES, reason="roles and the append-only trigger are PostgreSQL's")
def test_the_application_role_cannot_rewrite_the_trail(sealed_trail: Flask):
    """The hub's own role inserts and seals, and nothing else: no UPDATE, DELETE, TRUNCATE, no
    switching the trigger off, not even re-sealing a sealed event."""
    refused = {
        "UPDATE audit_events SET actor = 'x'": "permission denied",
        "DELETE FROM audit_events": "permission denied",
        "TRUNCATE audit_events": "permission denied",
        "ALTER TABLE audit_events DISABLE TRIGGER USER": "must be owner",
        "SET session_replication_role = replica": "permission denied",
        "UPDATE audit_events SET hash = NULL, seq = NULL": "append-only",
        "UPDATE audit_events SET hash = prev_hash WHERE seq = 6": "append-only",
    }
    for sql, message in refused.items():
        with sealed_trail.app_context(), pytest.raises(DBAPIError, match=message), \
                get_engine().begin() as conn:
            conn.execute(text(sql))
    with sealed_trail.app_context(), get_engine().connect() as conn:
        assert conn.scalar(text("SELECT current_user")).startswith("hub_app_")
    code, output = _verify(sealed_trail)
    assert code == 0 and "6 events verified" in output
