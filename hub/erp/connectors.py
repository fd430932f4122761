"""ERP connector rows: create and list them, keep their secrets encrypted, issue their polling tokens.

A secret in a connector row is either a reference to the environment (`env:NAME`, resolved by the
connector at call time) or a literal encrypted with Fernet under a key derived from `HUB_SECRET_KEY`
(`enc:<token>`). Without that key the hub refuses to store a literal secret rather than keep it in clear.
The key is `Settings.secret_key` (read by hub.config), passed by the caller to every function that
seals or opens a secret: nothing here reads the environment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import ENV_PREFIX, Connector, ConnectorSettings
from connectors.registry import CONNECTORS, build_connector
from connectors.security import scrub, url_credentials
from hub.audit.service import record_event
from hub.db import utcnow
from hub.domain.errors import ConnectorError, NotFound, ValidationError
from hub.erp.models import ErpConnector
from hub.partners import service as partners
from hub.partners.models import ApiCredential
from hub.partners.service import hash_secret

POLL_KEY = "poll"  # an ERP that fetches from the hub's own outbox instead of being pushed to
ENC_PREFIX = "enc:"
SECRET_FIELDS = ("password", "token")
SECRET_KEY_ENV = "HUB_SECRET_KEY"  # its name in messages; hub.config reads it into Settings.secret_key


class ConnectorConfigError(ValidationError):
    code = "CONNECTOR_CONFIG"
    http_status = 400


# --- secrets ------------------------------------------------------------------------------------

def _fernet(secret_key: str) -> Fernet | None:
    """Fernet under SHA-256 of the secret key (HUB_SECRET_KEY): any long random passphrase works."""
    if not secret_key:
        return None
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest()))


def seal_secret(value: str | None, *, field: str, secret_key: str) -> str | None:
    """What to store for a secret: `env:` references as they are, literals encrypted (or refused)."""
    if value is None or value == "" or value.startswith(ENV_PREFIX):
        return value or None
    fernet = _fernet(secret_key)
    if fernet is None:
        raise ConnectorConfigError(
            f"refusing to store a literal {field} without {SECRET_KEY_ENV}: set {SECRET_KEY_ENV}, "
            f"or pass env:VARIABLE so the {field} stays in the environment")
    return ENC_PREFIX + fernet.encrypt(value.encode()).decode("ascii")


def open_secret(value: str | None, *, secret_key: str) -> str | None:
    """The stored secret ready for a connector: `enc:` decrypted, `env:` left for the connector."""
    if value is None or not value.startswith(ENC_PREFIX):
        return value
    fernet = _fernet(secret_key)
    if fernet is None:
        raise ConnectorError(f"connector secret is encrypted but {SECRET_KEY_ENV} is unset",
                             retryable=False)
    try:
        return fernet.decrypt(value[len(ENC_PREFIX):].encode("ascii")).decode()
    except InvalidToken as exc:
        raise ConnectorError(f"connector secret cannot be decrypted with this {SECRET_KEY_ENV}",
                             retryable=False) from exc


# --- rows ---------------------------------------------------------------------------------------

@dataclass
class ConnectorSpec:
    """What `flask hub connector-add` collects."""

    name: str
    key: str
    endpoint: str | None = None
    options: dict[str, Any] | None = None
    document_types: tuple[str, ...] = ()
    username: str | None = None
    password: str | None = None
    token: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


def parse_option(text: str) -> tuple[str, Any]:
    """`k=v` with v read as JSON when it is (true, 3, ["a"]), as text otherwise."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise ConnectorConfigError(f"option {text!r} is not NAME=VALUE")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name.strip(), value


def add_connector(session: Session, spec: ConnectorSpec, *, actor: str, secret_key: str) -> ErpConnector:
    """Create a connector row after checking that its key is known and its settings build."""
    if spec.key != POLL_KEY and spec.key not in CONNECTORS:
        raise ConnectorConfigError(f"unknown connector key {spec.key!r}; known: "
                                   f"{', '.join(sorted([*CONNECTORS, POLL_KEY]))}")
    if session.scalar(select(ErpConnector.id).where(ErpConnector.name == spec.name)) is not None:
        raise ConnectorConfigError(f"a connector named {spec.name!r} exists already")
    stored = _stored_settings(spec, secret_key)
    if spec.key != POLL_KEY:
        _check_builds(spec.key, stored, secret_key)
    row = ErpConnector(name=spec.name, key=spec.key, settings=stored,
                       document_types=list(spec.document_types), active=True, poll_seq=0)
    session.add(row)
    session.flush()
    record_event(session, actor=actor, action="connector.added", object_type="connector",
                 object_id=str(row.id), details={"name": row.name, "key": row.key,
                                                 "document_types": row.document_types,
                                                 "endpoint": stored.get("endpoint")})
    return row


def _stored_settings(spec: ConnectorSpec, secret_key: str) -> dict[str, Any]:
    if spec.key != POLL_KEY and not spec.endpoint:
        raise ConnectorConfigError(f"a {spec.key} connector needs --endpoint")
    _refuse_credentials_in_urls(spec)
    settings = ConnectorSettings(
        endpoint=spec.endpoint or "hub-outbox", username=spec.username,
        password=seal_secret(spec.password, field="password", secret_key=secret_key),
        token=seal_secret(spec.token, field="token", secret_key=secret_key),
        connect_timeout=spec.connect_timeout, read_timeout=spec.read_timeout,
        options=dict(spec.options or {}))
    data = settings.to_dict()
    data.pop("document_types")  # the row's column is the one place they live
    return data


def _refuse_credentials_in_urls(spec: ConnectorSpec) -> None:
    """A URL is listed, stored in clear and audited: a credential written into it must come as a secret."""
    urls = {"endpoint": spec.endpoint or ""}
    urls.update({f"option {name}": value for name, value in (spec.options or {}).items()
                 if isinstance(value, str) and "://" in value})
    for where, url in urls.items():
        found = url_credentials(url)
        if found:
            raise ConnectorConfigError(
                f"the {where} URL carries a credential ({', '.join(found)}): remove it and pass it as a "
                f"secret (--token env:VAR, or --username U --password env:VAR), never in the URL")


def _check_builds(key: str, stored: dict[str, Any], secret_key: str) -> None:
    """Build the connector and load what it describes itself with (SOAP: the WSDL), or refuse in one line."""
    settings: ConnectorSettings | None = None
    connector: Connector | None = None
    try:
        settings = runtime_settings(stored, (), secret_key=secret_key)
        connector = build_connector(key, settings)
        load = getattr(connector, "load", None)  # connectors with a service description check it now
        if callable(load):
            load()
    except ConnectorError as exc:
        text = settings.scrub(exc.message) if settings is not None else scrub(exc.message)
        raise ConnectorConfigError(f"connector settings refused: {' '.join(text.split())}") from exc
    finally:
        if connector is not None:
            connector.close()


def runtime_settings(stored: dict[str, Any], document_types: list[str] | tuple[str, ...], *,
                     secret_key: str) -> ConnectorSettings:
    """ConnectorSettings from a row: encrypted secrets opened, env references kept for the connector."""
    data = dict(stored)
    for name in SECRET_FIELDS:
        data[name] = open_secret(data.get(name), secret_key=secret_key)
    data["document_types"] = list(document_types)
    return ConnectorSettings.from_dict(data)


def scrub_error(row: ErpConnector, error: ConnectorError, *, secret_key: str) -> ConnectorError:
    """The error as it may be stored, logged and audited: the connector's secrets masked."""
    return ConnectorError(scrub_text(row, error.message, secret_key=secret_key), retryable=error.retryable)


def scrub_text(row: ErpConnector, text: str, *, secret_key: str) -> str:
    """`text` (an error, a traceback) with the connector's own secrets and credential-like values masked
    (`secret_key` opens the encrypted ones, so that their clear text is masked too)."""
    try:
        settings = runtime_settings(row.settings, row.document_types, secret_key=secret_key)
    except ConnectorError:
        return scrub(text)  # secrets that cannot be opened cannot have been sent either
    return settings.scrub(text)


def find_connector(session: Session, ref: str) -> ErpConnector:
    """A connector by name or id."""
    stmt = select(ErpConnector).where(
        ErpConnector.id == int(ref) if ref.isascii() and ref.isdigit() else ErpConnector.name == ref)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"no connector {ref!r}: give a connector's name or id (see flask hub connector-list)")
    return row


def list_connectors(session: Session) -> list[ErpConnector]:
    return list(session.scalars(select(ErpConnector).order_by(ErpConnector.id)))


def handles(row: ErpConnector, doc_type: str) -> bool:
    """Whether the connector carries documents of `doc_type` (no types listed: all of them)."""
    return not row.document_types or doc_type in row.document_types


# --- ERP polling tokens -------------------------------------------------------------------------

def issue_connector_token(session: Session, row: ErpConnector, *, actor: str, label: str = ""
                          ) -> tuple[ApiCredential, str]:
    """A bearer token the ERP behind `row` polls and posts with (issued by partners, which keeps
    every credential)."""
    return partners.issue_connector_token(session, row.id, row.name, actor=actor, label=label)


def authenticate_connector(session: Session, secret: str) -> ErpConnector | None:
    """The active connector a token belongs to, or None (unknown, revoked, not a connector token)."""
    cred = session.scalars(select(ApiCredential)
                           .where(ApiCredential.secret_hash == hash_secret(secret))).first()
    if cred is None or cred.revoked_at is not None or cred.connector_id is None:
        return None
    row = session.get(ErpConnector, cred.connector_id)
    return row if row is not None and row.active else None


# --- built connectors, cached per row version ----------------------------------------------------

_cache: dict[tuple[int, str, str], Connector] = {}
_cache_lock = threading.Lock()


def connector_for(row: ErpConnector, *, secret_key: str) -> Connector:
    """A built connector for the row, reused while its settings (and the key opening its secrets)
    are unchanged (SOAP loads a WSDL)."""
    version = (row.id, row.updated_at.isoformat() + json.dumps(row.settings, sort_keys=True),
               hashlib.sha256(secret_key.encode()).hexdigest())
    with _cache_lock:
        found = _cache.get(version)
        if found is None:
            found = build_connector(row.key, runtime_settings(row.settings, row.document_types,
                                                              secret_key=secret_key))
            _cache[version] = found
        return found


def touch(row: ErpConnector) -> None:
    row.updated_at = utcnow()
