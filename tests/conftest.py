"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when DATABASE_URL is set)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from stdnum import ean

from hub import create_app
from hub.config import Settings, normalise_database_url
from hub.db import Base, new_session
from hub.migrate import upgrade
from hub.partners import credentials
from hub.partners import service as partners
from tests.support import ownership

PG_URL = normalise_database_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = PG_URL.startswith("postgresql")
TEST_AUDIT_KEY = "test-audit-key-0123456789abcdef0123456789"

# property tests judge behaviour, not speed (bench/ measures that): no per-example deadline, which a
# loaded machine trips (a 12-digit GLN check failed once at 200 ms while benches ran beside the suite)
hypothesis_settings.register_profile("hub", deadline=None)
hypothesis_settings.load_profile("hub")

ownership.install()  # every write the suite makes is traced to its capability


@pytest.fixture(autouse=True)
def _tables_are_written_by_their_own_capability() -> Iterator[None]:
    """Fails a test whose code wrote into another capability's table (tests/support/ownership.py)."""
    ownership.take()
    yield
    found = ownership.take()
    assert not found, "a table written by a capability that does not own it:\n" + "\n".join(found)


def pytest_report_header() -> str:
    return f"hub database: {'PostgreSQL ' + PG_URL if ON_POSTGRES else 'SQLite (per test)'}"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per session: a PostgreSQL schema reset, or an SQLite template file."""
    if ON_POSTGRES:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        yield PG_URL
        return
    template = tmp_path_factory.mktemp("db") / "template.db"
    engine = create_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    yield str(template)


def _empty_postgres(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # replica mode skips the append-only trigger, so tests can start from an empty trail
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    """A database URL with the schema in place and no rows."""
    if ON_POSTGRES:
        engine = create_engine(migrated_database)
        _empty_postgres(engine)
        engine.dispose()
        return migrated_database
    db_file = tmp_path / "hub.db"
    shutil.copy(migrated_database, db_file)
    return f"sqlite:///{db_file}"


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.chdir(tmp_path)  # instance/ goes under the test's own folder
    settings = Settings(database_url=database_url, testing=True, max_upload_bytes=1024 * 1024,
                        audit_key=TEST_AUDIT_KEY)
    application = create_app(settings, start_scheduler=False)
    yield application
    application.extensions["hub.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@dataclass
class PartnerHandle:
    id: int
    name: str
    key: str
    edi_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def gln_for(name: str) -> str:
    """A valid GLN (GS1 check digit) derived from a name, in the 40 prefix range."""
    body = f"40{int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**10:010d}"
    return body + ean.calc_check_digit(body)


@pytest.fixture
def make_partner(app: Flask):  # type: ignore[no-untyped-def]
    """Create a partner with one API key: make_partner("acme", edi_id="...", roles=(...)).

    A buyer unless told otherwise: the hub lets only a supplier send invoices, credit notes,
    despatch advices and order responses, so a test posting those gives roles=("supplier",)."""
    def make(name: str = "acme", edi_id: str | None = None, qualifier: str = "14",
             roles: tuple[str, ...] = ("buyer",)) -> PartnerHandle:
        edi = edi_id or gln_for(name)
        with app.app_context(), new_session() as session:
            partner = partners.add_partner(session, name, edi_id=edi, qualifier=qualifier,
                                           roles=list(roles), actor="test")
            _, secret = credentials.issue_partner_key(session, partner, actor="test")
            session.commit()
            return PartnerHandle(partner.id, name, secret, edi)
    return make


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    """Create a user with a role and return the Authorization headers of its token."""
    def make(username: str = "admin", role: str = "admin") -> dict[str, str]:
        with app.app_context(), new_session() as session:
            user = partners.add_user(session, username, role, actor="test")
            _, secret = credentials.issue_user_token(session, user, actor="test")
            session.commit()
        return {"Authorization": f"Bearer {secret}"}
    return make
