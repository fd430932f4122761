"""Where a connector may reach: an allow-list of HTTPS hosts, loopback HTTP only for tests, no file://.

Every HTTP request a connector makes (including redirects and the WSDL/XSD loads zeep does) goes
through a `GuardedSession`, which refuses any URL the `UrlPolicy` does not allow.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from hub.domain.errors import ConnectorError

LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class UrlPolicy:
    """Allowed HTTPS hosts, whether loopback HTTP is allowed, and folders local files may come from."""

    https_hosts: frozenset[str] = frozenset()
    allow_loopback: bool = False
    local_folders: tuple[Path, ...] = ()

    @classmethod
    def build(
        cls,
        endpoint: str,
        allowed_hosts: Iterable[str] = (),
        allow_loopback: bool = False,
        local_folders: Iterable[str | Path] = (),
    ) -> UrlPolicy:
        """A policy that allows the endpoint's host plus `allowed_hosts`."""
        hosts = {h.lower() for h in allowed_hosts}
        host = urlsplit(endpoint).hostname
        if host:
            hosts.add(host.lower())
        folders = tuple(Path(f).resolve() for f in local_folders)
        return cls(frozenset(hosts), allow_loopback, folders)

    def check_url(self, url: str) -> None:
        """Raise a final ConnectorError unless `url` is https to an allowed host, or allowed loopback http."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        if scheme == "http" and self.allow_loopback and is_loopback(host):
            return
        if scheme == "https" and host in self.https_hosts:
            return
        if scheme == "https" and self.allow_loopback and is_loopback(host):
            return
        raise ConnectorError(f"URL refused by the connector's allow-list: {_redact(url)}", retryable=False)

    def check_path(self, location: str) -> Path:
        """The resolved local path, if it lies inside an allowed folder; a final ConnectorError otherwise."""
        if "://" in location:
            raise ConnectorError(f"URL scheme refused: {_redact(location)}", retryable=False)
        path = Path(os.path.expanduser(location)).resolve()
        for folder in self.local_folders:
            if path.is_relative_to(folder):
                return path
        raise ConnectorError(f"local file outside the allowed folders refused: {path}", retryable=False)


class GuardedSession(requests.Session):
    """A requests Session that only speaks http(s) and checks every URL, redirects included."""

    def __init__(self, policy: UrlPolicy) -> None:
        super().__init__()
        self.policy = policy
        self.adapters.clear()
        # Only the two schemes we police; requests-file (which zeep mounts) never gets a foot in.
        self.mount("https://", HTTPAdapter())
        self.mount("http://", HTTPAdapter())
        # No proxies or .netrc credentials picked up silently from the environment.
        self.trust_env = False

    def mount(self, prefix: str | bytes, adapter: BaseAdapter) -> None:
        """Mount only http(s) adapters; anything else (file://, ftp://) is ignored on purpose."""
        text = prefix.decode("ascii", "replace") if isinstance(prefix, bytes) else prefix
        if text.lower().startswith(("http://", "https://")):
            super().mount(prefix, adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Check the URL against the policy before anything leaves the process."""
        self.policy.check_url(request.url or "")
        return super().send(request, **kwargs)


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def http_error(status: int, body: str, where: str) -> ConnectorError:
    """A ConnectorError for an HTTP status: 5xx, 408 and 429 are retryable, other 4xx final."""
    retryable = status >= 500 or status in (408, 429)
    snippet = body.strip().replace("\n", " ")[:300]
    return ConnectorError(f"{where} answered HTTP {status}: {snippet}", retryable=retryable)


def transport_error(exc: requests.RequestException, where: str) -> ConnectorError:
    """A ConnectorError for a requests exception: network trouble retryable, a bad request final."""
    if isinstance(exc, requests.Timeout):
        return ConnectorError(f"{where} timed out: {exc}", retryable=True)
    if isinstance(exc, requests.ConnectionError):
        # Refused, reset, DNS, TLS handshake: the ERP or the network may come back.
        return ConnectorError(f"{where} unreachable: {exc}", retryable=True)
    # InvalidURL, MissingSchema, InvalidHeader, TooManyRedirects: retrying cannot fix configuration.
    return ConnectorError(f"{where} request failed: {exc}", retryable=False)


def _redact(url: str) -> str:
    """The URL without user info, so passwords never reach logs or error columns."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    return parts.geturl()
