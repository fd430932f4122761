"""The connector interface: what the outbox and the scheduler need from any ERP or transport.

Connectors are pure adapters: no Flask, no SQLAlchemy, no commits. They raise
`hub.domain.errors.ConnectorError` with `retryable` set so the caller can decide between a retry
with backoff and the dead letter.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from connectors.security import scrub as scrub_text
from hub.domain.errors import ConnectorError

ENV_PREFIX = "env:"


@dataclass(frozen=True)
class Delivery:
    """One document to push to an ERP; `document_id` doubles as the idempotency key."""

    document_id: str
    document_type: str
    document: dict[str, Any]  # hub.domain.codec.to_dict output
    rendered: bytes | None = None  # e.g. the EDIFACT or UBL bytes, when the ERP wants the syntax
    content_type: str | None = None

    @property
    def idempotency_key(self) -> str:
        return self.document_id


@dataclass(frozen=True)
class SendResult:
    """What the ERP answered to an accepted delivery."""

    remote_reference: str | None = None  # the ERP's receipt / record id, when it gives one
    duplicate: bool = False  # the ERP already had this idempotency key and answered the original
    detail: str = ""


@dataclass(frozen=True)
class HealthStatus:
    """Whether the ERP answered a cheap call, and how fast."""

    ok: bool
    detail: str = ""
    latency_ms: float | None = None


@dataclass(frozen=True)
class ConnectorSettings:
    """Everything a connector needs; credentials may be `env:NAME` references resolved at call time."""

    endpoint: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line or a traceback
    token: str | None = field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    document_types: tuple[str, ...] = ()  # empty: every document type
    options: dict[str, Any] = field(default_factory=dict)

    def handles(self, document_type: str) -> bool:
        """True when this connector is configured to carry `document_type`."""
        return not self.document_types or document_type in self.document_types

    def secret(self, name: str) -> str | None:
        """The credential `name` (username, password or token), with `env:` references resolved now."""
        return resolve_secret(getattr(self, name))

    def scrub(self, text: str) -> str:
        """`text` with this connector's own credentials, and anything credential-like, masked."""
        values = []
        for name in ("username", "password", "token"):
            try:
                values.append(self.secret(name))
            except ConnectorError:
                values.append(None)  # an unset env reference: nothing of it can have been sent
        username, password, token = values
        return scrub_text(text, (password, token), username=username)

    @property
    def timeouts(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings, as stored in a connector row (credentials as given, never resolved)."""
        data = dataclasses.asdict(self)
        data["document_types"] = list(self.document_types)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConnectorSettings:
        """Settings from a stored row; unknown keys and bad values are configuration errors (final)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConnectorError(f"unknown connector setting(s): {', '.join(unknown)}", retryable=False)
        if not data.get("endpoint"):
            raise ConnectorError("connector setting 'endpoint' is required", retryable=False)
        values = dict(data)
        values["document_types"] = tuple(values.get("document_types") or ())
        values["options"] = dict(values.get("options") or {})
        try:
            for name in ("connect_timeout", "read_timeout"):
                if name in values:
                    values[name] = float(values[name])
        except (TypeError, ValueError) as exc:
            raise ConnectorError(f"connector timeout is not a number: {exc}", retryable=False) from exc
        return cls(**values)


@runtime_checkable
class Connector(Protocol):
    """Push documents to an ERP, pull what it has for the hub, and say whether it is reachable."""

    def send(self, delivery: Delivery) -> SendResult:
        """Deliver one document; raises ConnectorError (retryable or final)."""
        ...

    def fetch(self, kind: str, since: str | None) -> list[dict[str, Any]]:
        """Records of `kind` (stock_levels, invoices_to_issue, payments) changed after `since`."""
        ...

    def health(self) -> HealthStatus:
        """A cheap call to the ERP; never raises for an unreachable ERP."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def resolve_secret(value: str | None) -> str | None:
    """`env:NAME` becomes the value of the environment variable NAME; other values pass through."""
    if value is None or not value.startswith(ENV_PREFIX):
        return value
    name = value[len(ENV_PREFIX) :]
    resolved = os.environ.get(name)
    if resolved is None:
        # A missing secret is configuration, not a network hiccup: retrying will not make it appear.
        raise ConnectorError(f"environment variable {name} (connector credential) unset", retryable=False)
    return resolved


def json_ready(value: Any) -> Any:
    """Plain JSON data: Decimal as string (never float), dates and datetimes in ISO 8601."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value
