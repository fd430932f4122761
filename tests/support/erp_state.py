"""What the test ERP remembers and how tests steer it: recording by idempotency key, failure modes.

Both the SOAP and the REST test ERP share this: a `TestErp` records every delivery under its
idempotency key (the first one wins, later ones are counted as duplicates and answered with the
original receipt), serves records for fetches, and misbehaves on request for the next N calls or
until `reset()`. "Refusing" is done by stopping the server (see `servers.ErpServer.stop`).
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

HANG_LIMIT_S = 30.0  # a hung request gives up by itself, so a forgotten reset can't wedge the suite


class Mode(StrEnum):
    ok = "ok"
    error_500 = "error_500"  # plain HTTP 500 before any processing
    error_503 = "error_503"
    error_400 = "error_400"  # plain HTTP 400 before any processing
    error_429 = "error_429"
    hang = "hang"  # holds the request without processing it until reset (or HANG_LIMIT_S)
    slow = "slow"  # processes the request, then waits `delay` seconds before answering
    fault_client = "fault_client"  # SOAP Client fault / REST 422: the ERP rejects the document
    fault_server = "fault_server"  # SOAP Server fault / REST 500 with a JSON error body
    echo_credentials = "echo_credentials"  # SOAP Server fault / REST 500 quoting the credentials received


@dataclass
class Received:
    """One accepted delivery as the ERP stored it."""

    key: str
    document_type: str
    document: dict[str, Any]
    receipt_id: str
    content: bytes | None = None
    content_type: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Misbehaviour:
    mode: Mode
    remaining: int | None  # None: until reset
    delay: float = 0.0


class TestErp:
    """Shared state of one test ERP server: deliveries, attempts, fetchable records, failure mode."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "erp") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._receipts = itertools.count(1)
        self.deliveries: dict[str, Received] = {}
        self.attempts: Counter[str] = Counter()
        self.calls = 0  # every request that reached the ERP, including failed and fetch calls
        self.auth: tuple[str, ...] | None = None  # ("bearer", token) or ("basic", user, password)
        self._misbehaviour: Misbehaviour | None = None
        self.records: dict[str, list[dict[str, Any]]] = default_records()

    # --- steering -------------------------------------------------------------------------------
    def fail(self, mode: Mode | str, times: int | None = None, delay: float = 0.0) -> None:
        """Misbehave in `mode` for the next `times` calls (None: until `reset`)."""
        with self._lock:
            self._release.clear()
            self._misbehaviour = Misbehaviour(Mode(mode), times, delay)

    def reset(self) -> None:
        """Behave again, and let go of any hung request."""
        with self._lock:
            self._misbehaviour = None
            self._release.set()

    def clear(self) -> None:
        """Forget deliveries and counters (keeps the failure mode)."""
        with self._lock:
            self.deliveries.clear()
            self.attempts.clear()
            self.calls = 0

    def take_mode(self) -> tuple[Mode, float]:
        """The behaviour for the call now arriving; counts the call down."""
        with self._lock:
            self.calls += 1
            current = self._misbehaviour
            if current is None:
                return Mode.ok, 0.0
            if current.remaining is not None:
                current.remaining -= 1
                if current.remaining <= 0:
                    self._misbehaviour = None
            return current.mode, current.delay

    def wait_released(self) -> None:
        """Block a hung request until reset (bounded)."""
        self._release.wait(HANG_LIMIT_S)

    # --- business -------------------------------------------------------------------------------
    def accept(
        self, key: str, document_type: str, document: dict[str, Any],
        content: bytes | None = None, content_type: str | None = None,
    ) -> tuple[Received, bool]:
        """Store a delivery once per key; returns (the stored delivery, whether this was a duplicate)."""
        with self._lock:
            self.attempts[key] += 1
            existing = self.deliveries.get(key)
            if existing is not None:
                return existing, True
            received = Received(key, document_type, document, f"{self.name}-{next(self._receipts)}",
                                content, content_type)
            self.deliveries[key] = received
            return received, False

    def fetch(self, kind: str, since: str | None) -> list[dict[str, Any]]:
        """Records of `kind` updated after `since` (ISO 8601 text compares in order for one offset)."""
        with self._lock:
            items = list(self.records.get(kind, []))
        return [r for r in items if since is None or str(r.get("updated_at", "")) > since]

    # --- what tests assert on -------------------------------------------------------------------
    @property
    def unique_count(self) -> int:
        return len(self.deliveries)

    @property
    def duplicate_count(self) -> int:
        return sum(self.attempts.values()) - len(self.attempts)

    def wait_for(self, predicate: Callable[[TestErp], bool], timeout: float = 10.0) -> bool:
        """Poll until `predicate(self)` holds, for tests that deliver in the background."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.02)
        return predicate(self)


def default_records() -> dict[str, list[dict[str, Any]]]:
    """A few stock levels and invoices to issue, as the ERP would hold them."""
    return {
        "stock_levels": [
            {"item": "4000862141404", "location": "WH1", "quantity": "120", "unit": "C62",
             "updated_at": "2025-03-01T08:00:00+00:00"},
            {"item": "4000862141411", "location": "WH1", "quantity": "7.5", "unit": "KGM",
             "updated_at": "2025-03-02T08:00:00+00:00"},
        ],
        "invoices_to_issue": [
            {"id": "INV-REQ-1", "order_number": "PO-1001", "customer": "5412345000013",
             "amount": "1250.00", "currency": "EUR", "updated_at": "2025-03-02T09:30:00+00:00"},
        ],
    }


def echoed_credentials(header: str | None) -> str:
    """What a careless ERP puts in its error: the Authorization header and the credential in clear."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() == "basic":
        value = base64.b64decode(value).decode()
    return f"credential {value} refused (Authorization: {header})"


def check_auth(expected: tuple[str, ...] | None, header: str | None) -> bool:
    """Whether an Authorization header satisfies the ERP's configured credentials."""
    if expected is None:
        return True
    if not header:
        return False
    if expected[0] == "bearer":
        return header == f"Bearer {expected[1]}"
    token = base64.b64encode(f"{expected[1]}:{expected[2]}".encode()).decode()
    return header == f"Basic {token}"


Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class ControlMiddleware:
    """Applies the ERP's failure mode and credentials check in front of the real app."""

    def __init__(self, erp: TestErp, app: WsgiApp, exempt: Callable[[Environ], bool]) -> None:
        self.erp, self.app, self.exempt = erp, app, exempt

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self.exempt(environ):
            return self.app(environ, start_response)
        if not check_auth(self.erp.auth, environ.get("HTTP_AUTHORIZATION")):
            return _plain(start_response, "401 Unauthorized", b"bad credentials")
        mode, delay = self.erp.take_mode()
        environ["test_erp.mode"] = mode
        if mode is Mode.hang:
            self.erp.wait_released()
            return _plain(start_response, "504 Gateway Timeout", b"hung request released")
        plain = {Mode.error_500: "500 Internal Server Error", Mode.error_503: "503 Service Unavailable",
                 Mode.error_400: "400 Bad Request", Mode.error_429: "429 Too Many Requests"}
        if mode in plain:
            return _plain(start_response, plain[mode], f"test ERP told to fail: {mode}".encode())
        body = b"".join(self.app(environ, start_response))
        if mode is Mode.slow:
            time.sleep(delay)
        return [body]


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
