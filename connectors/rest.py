"""REST connector: the canonical document as JSON over HTTPS, `Idempotency-Key` = document id.

Options (all optional):
- `send_path`: path of the POST, default "/documents"
- `fetch_paths`: {kind: path}, default "/" + kind with "_" as "-" (stock_levels -> /stock-levels)
- `health_path`: default "/health"
- `allowed_hosts`: extra HTTPS hosts besides the endpoint's; `allow_loopback`: allow http://127.0.0.1 (tests)
- `verify`: TLS verification (True, or a CA bundle path)
"""

from __future__ import annotations

import base64
import json
import threading
import time
from decimal import Decimal
from typing import Any

import requests

from connectors.base import ConnectorSettings, Delivery, HealthStatus, SendResult, json_ready
from connectors.security import GuardedSession, UrlPolicy, http_error, transport_error
from hub.domain.errors import ConnectorError


class RestConnector:
    """Pushes documents as JSON and fetches records with GET, over a guarded requests session."""

    key = "rest"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings
        opts = settings.options
        self.policy = UrlPolicy.build(
            settings.endpoint, opts.get("allowed_hosts", ()), bool(opts.get("allow_loopback", False))
        )
        self.policy.check_url(settings.endpoint)
        self._local = threading.local()  # one Session per thread: requests does not promise sharing

    def send(self, delivery: Delivery) -> SendResult:
        """POST the document; a 2xx is accepted, 200 with `duplicate` means the ERP already had the key."""
        body = {
            "document_id": delivery.document_id,
            "document_type": delivery.document_type,
            "document": delivery.document,
        }
        if delivery.rendered is not None:
            body["rendered"] = base64.b64encode(delivery.rendered).decode("ascii")
            body["content_type"] = delivery.content_type or "application/octet-stream"
        headers = {"Idempotency-Key": delivery.idempotency_key, "Content-Type": "application/json"}
        path = self._path("send_path", "/documents")
        response = self._request("POST", path, data=json.dumps(body), headers=headers)
        answer = _accepted_answer(response)
        return SendResult(
            remote_reference=_str_or_none(answer.get("receipt_id") or answer.get("id")),
            duplicate=bool(answer.get("duplicate", False)),
            detail=f"HTTP {response.status_code}",
        )

    def fetch(self, kind: str, since: str | None) -> list[dict[str, Any]]:
        """GET the records of `kind`; accepts a JSON list or an object with an `items` list."""
        paths = self.settings.options.get("fetch_paths") or {}
        path = paths.get(kind) or "/" + kind.replace("_", "-")
        params = {"since": since} if since else None
        response = self._request("GET", path, params=params, headers={"Accept": "application/json"})
        answer = _json_body(response, self.settings.endpoint, parse_float=Decimal)
        items = answer.get("items") if isinstance(answer, dict) else answer
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            where = self.settings.endpoint
            raise ConnectorError(f"{kind} from {where} is not a list of objects", retryable=False)
        return [json_ready(i) for i in items]

    def health(self) -> HealthStatus:
        """GET the health path; any 2xx is healthy."""
        started = time.monotonic()
        try:
            response = self._request("GET", self._path("health_path", "/health"))
        except ConnectorError as exc:
            return HealthStatus(False, exc.message, _ms(started))
        return HealthStatus(True, f"HTTP {response.status_code}", _ms(started))

    def close(self) -> None:
        """Close this thread's session."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            del self._local.session

    def _path(self, option: str, default: str) -> str:
        return str(self.settings.options.get(option, default))

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = GuardedSession(self.policy)
            session.verify = self.settings.options.get("verify", True)
            self._local.session = session
        return session

    def _auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        token = self.settings.secret("token")
        if token:
            return {"Authorization": f"Bearer {token}"}, None
        username = self.settings.secret("username")
        if username:
            return {}, (username, self.settings.secret("password") or "")
        return {}, None

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.settings.endpoint.rstrip("/") + "/" + path.lstrip("/")
        auth_headers, basic = self._auth()
        headers = {**kwargs.pop("headers", {}), **auth_headers}
        try:
            response = self._session().request(
                method, url, headers=headers, auth=basic, timeout=self.settings.timeouts,
                allow_redirects=False, **kwargs,
            )
        except requests.RequestException as exc:
            raise transport_error(exc, url) from exc
        if not 200 <= response.status_code < 300:
            raise http_error(response.status_code, response.text, url)
        return response


def _json_body(response: requests.Response, where: str, **loads_kwargs: Any) -> Any:
    if not response.content:
        return {}
    try:
        return json.loads(response.content, **loads_kwargs)
    except ValueError as exc:
        # The ERP accepted (2xx) but answered garbage: a retry would re-send an accepted document.
        raise ConnectorError(f"{where} answered non-JSON: {exc}", retryable=False) from exc


def _accepted_answer(response: requests.Response) -> dict[str, Any]:
    """The ERP's JSON answer to an accepted POST; a 2xx without JSON is still an acceptance."""
    try:
        answer = json.loads(response.content) if response.content else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
