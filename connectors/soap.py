"""SOAP connector with zeep, hardened against hostile or careless WSDLs.

The WSDL is a local file inside an allowed folder, or an allow-listed HTTPS URL. zeep's own
`forbid_external` only blocks http(s) imports, so the transport re-implements `load`: no file://,
local paths only inside the allowed folders, and every HTTP request checked by the URL policy.

Options:
- `wsdl` (required): local path or HTTPS URL of the ERP's WSDL
- `wsdl_folders`: folders local WSDL/XSD files may come from (default: the WSDL's own folder)
- `binding`: binding QName to bind to the endpoint (default: the WSDL's first binding)
- `send_operation` (default "SubmitDocument"), `send_fields`: {logical name: element name or None}
- `fetch_operations`: {kind: operation}, `since_element` (default "Since")
- `snake_case_keys` (default true): fetched records use snake_case keys (UpdatedAt -> updated_at), so
  SOAP and REST ERPs hand the hub the same shape
- `health_operation` (default "Ping"), `receipt_element` / `duplicate_element` of the send result
- `allowed_hosts`, `allow_loopback` (tests only), `verify`
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import zeep
import zeep.exceptions
import zeep.helpers
from zeep.proxy import ServiceProxy

from connectors.base import ConnectorSettings, Delivery, HealthStatus, SendResult, json_ready
from connectors.security import GuardedSession, UrlPolicy, http_error, transport_error
from hub.domain.errors import ConnectorError

DEFAULT_SEND_FIELDS: dict[str, str | None] = {
    "idempotency_key": "IdempotencyKey",
    "document_type": "DocumentType",
    "payload": "Payload",
    "content_type": "ContentType",
    "content": "Content",
}
DEFAULT_FETCH_OPERATIONS = {
    "stock_levels": "GetStockLevels",
    "invoices_to_issue": "GetInvoicesToIssue",
    "payments": "GetPayments",
}
# SOAP 1.1 "Client" and SOAP 1.2 "Sender" faults say the request itself is wrong: resending won't help.
CLIENT_FAULT_PREFIXES = ("client", "sender")
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def hardened_settings() -> zeep.Settings:
    """zeep parse settings with DTDs, entities, external imports and huge trees all off."""
    return zeep.Settings(
        strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False
    )


class GuardedTransport(zeep.Transport):
    """A zeep Transport that loads only allow-listed URLs and local files inside allowed folders."""

    def __init__(self, policy: UrlPolicy, timeouts: tuple[float, float]) -> None:
        self.policy = policy
        super().__init__(timeout=timeouts, operation_timeout=timeouts, session=GuardedSession(policy))

    def load(self, url: str) -> bytes:
        """Load a WSDL or XSD: http(s) through the policy, a local path only inside the allowed folders."""
        if not url:
            raise ConnectorError("empty WSDL/XSD location", retryable=False)
        if urlsplit(url).scheme.lower() in ("http", "https"):
            self.policy.check_url(url)
            content: bytes = self._load_remote_data(url)
            return content
        return self.policy.check_path(url).read_bytes()


class SoapConnector:
    """Sends documents to, and fetches records from, an ERP's SOAP service."""

    key = "soap"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings
        opts = settings.options
        self.wsdl = str(opts.get("wsdl") or "")
        if not self.wsdl:
            raise ConnectorError("SOAP connector needs the option 'wsdl'", retryable=False)
        folders = opts.get("wsdl_folders") or ([] if "://" in self.wsdl else [Path(self.wsdl).parent])
        self.policy = UrlPolicy.build(
            settings.endpoint, opts.get("allowed_hosts", ()), bool(opts.get("allow_loopback", False)), folders
        )
        self.policy.check_url(settings.endpoint)
        self._local = threading.local()  # one zeep client (and Session) per thread

    def send(self, delivery: Delivery) -> SendResult:
        """Call the send operation with the idempotency key as an element of the request."""
        values: dict[str, Any] = {
            "idempotency_key": delivery.idempotency_key,
            "document_type": delivery.document_type,
            "payload": json.dumps(delivery.document, ensure_ascii=False),
            "content_type": delivery.content_type if delivery.rendered is not None else None,
            "content": delivery.rendered,
        }
        fields = {**DEFAULT_SEND_FIELDS, **self.settings.options.get("send_fields", {})}
        args = {fields[k]: v for k, v in values.items() if fields.get(k) and v is not None}
        result = self._call(str(self.settings.options.get("send_operation", "SubmitDocument")), **args)
        answer = zeep.helpers.serialize_object(result, target_cls=dict)
        if not isinstance(answer, dict):
            return SendResult(detail="accepted")
        receipt = answer.get(self.settings.options.get("receipt_element", "ReceiptId"))
        duplicate = answer.get(self.settings.options.get("duplicate_element", "Duplicate"))
        return SendResult(None if receipt is None else str(receipt), bool(duplicate), "accepted")

    def fetch(self, kind: str, since: str | None) -> list[dict[str, Any]]:
        """Call the fetch operation mapped to `kind`; records come back JSON-ready."""
        operations = {**DEFAULT_FETCH_OPERATIONS, **self.settings.options.get("fetch_operations", {})}
        operation = operations.get(kind)
        if not operation:
            raise ConnectorError(f"SOAP connector has no fetch operation for {kind!r}", retryable=False)
        args = {str(self.settings.options.get("since_element", "Since")): since} if since else {}
        records = _as_list(zeep.helpers.serialize_object(self._call(operation, **args), target_cls=dict))
        if self.settings.options.get("snake_case_keys", True):
            records = [_snake_keys(r) for r in records]
        return [json_ready(r) for r in records]

    def health(self) -> HealthStatus:
        """Call the health operation; any answer is healthy."""
        started = time.monotonic()
        try:
            self._call(str(self.settings.options.get("health_operation", "Ping")))
        except ConnectorError as exc:
            return HealthStatus(False, exc.message, _ms(started))
        return HealthStatus(True, "SOAP service answered", _ms(started))

    def load(self) -> None:
        """Load and check the WSDL now (e.g. when the connector is added); raises ConnectorError."""
        self._service()

    def close(self) -> None:
        """Drop this thread's client and close its session."""
        client: zeep.Client | None = getattr(self._local, "client", None)
        if client is not None:
            client.transport.session.close()
            del self._local.client, self._local.service

    def _service(self) -> ServiceProxy:
        service: ServiceProxy | None = getattr(self._local, "service", None)
        if service is None:
            transport = GuardedTransport(self.policy, self.settings.timeouts)
            transport.session.verify = self.settings.options.get("verify", True)
            client = _guard(lambda: zeep.Client(self.wsdl, transport=transport, settings=hardened_settings()),
                            f"WSDL {self.wsdl}", loading=True)
            binding = self.settings.options.get("binding") or next(iter(client.wsdl.bindings), None)
            if binding is None:
                raise ConnectorError(f"WSDL {self.wsdl} defines no binding", retryable=False)
            service = client.create_service(binding, self.settings.endpoint)
            self._local.client, self._local.service = client, service
        return service

    def _call(self, operation: str, **args: Any) -> Any:
        service = self._service()
        session = self._local.client.transport.session
        self._apply_credentials(session)
        try:
            method = service[operation]
        except (AttributeError, KeyError) as exc:
            raise ConnectorError(f"WSDL {self.wsdl} has no operation {operation!r}", retryable=False) from exc
        return _guard(lambda: method(**args), f"SOAP {operation} at {self.settings.endpoint}")

    def _apply_credentials(self, session: requests.Session) -> None:
        token = self.settings.secret("token")
        username = self.settings.secret("username")
        session.auth = (username, self.settings.secret("password") or "") if username else None
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        else:
            session.headers.pop("Authorization", None)


def _guard(call: Any, where: str, loading: bool = False) -> Any:
    """Run a zeep call, turning every failure into a ConnectorError with the right `retryable`."""
    try:
        return call()
    except ConnectorError:
        raise
    except zeep.exceptions.Fault as exc:
        code = str(exc.code or "").rsplit(":", 1)[-1].lower()
        retryable = not code.startswith(CLIENT_FAULT_PREFIXES)
        raise ConnectorError(f"{where}: SOAP fault {exc.code}: {exc.message}", retryable=retryable) from exc
    except zeep.exceptions.TransportError as exc:
        body = exc.content.decode("utf-8", "replace") if isinstance(exc.content, bytes) else str(exc.content)
        raise http_error(exc.status_code, body, where) from exc
    except requests.HTTPError as exc:  # raised by zeep while loading a WSDL/XSD
        status = exc.response.status_code if exc.response is not None else 0
        raise http_error(status, exc.response.text if exc.response is not None else "", where) from exc
    except requests.RequestException as exc:
        raise transport_error(exc, where) from exc
    except (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden,
            zeep.exceptions.ExternalReferenceForbidden) as exc:
        raise ConnectorError(f"{where} refused: {exc}", retryable=False) from exc
    except (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as exc:
        # A broken WSDL is configuration; a broken answer is the ERP having a bad moment.
        raise ConnectorError(f"{where}: malformed XML: {exc}", retryable=not loading) from exc
    except (zeep.exceptions.Error, OSError, TypeError, ValueError) as exc:
        # Unknown elements, validation of our own request, unreadable local WSDL: retrying won't fix it.
        raise ConnectorError(f"{where}: {type(exc).__name__}: {exc}", retryable=False) from exc


def _as_list(value: Any) -> list[dict[str, Any]]:
    """Records from a fetch answer: a list, a wrapper with one list inside, or nothing."""
    if value is None:
        return []
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
        return _as_list(value)
    if isinstance(value, list):
        return [v if isinstance(v, dict) else {"value": v} for v in value]
    if isinstance(value, dict):
        return [value]
    raise ConnectorError(f"unexpected fetch answer: {type(value).__name__}", retryable=False)


def _snake_keys(value: Any) -> Any:
    """The same data with CamelCase keys as snake_case, nested dicts and lists included."""
    if isinstance(value, dict):
        return {_snake(str(k)): _snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def _snake(name: str) -> str:
    return CAMEL_BOUNDARY.sub("_", name).lower()


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
