"""Where a connector may reach, and what of its credentials may show: the guards on every URL and error.

An allow-list of HTTPS hosts; loopback (any scheme) only with `allow_loopback`, for tests; no file://.
Every HTTP request a connector makes (including redirects and the WSDL/XSD loads zeep does) goes
through a `GuardedSession`, which refuses any URL the `UrlPolicy` does not allow. `url_credentials`
finds secrets written into a URL (refused at registration); `scrub` masks credentials in error text.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from hub.domain.errors import ConnectorError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# Query parameters that carry a credential, compared without case, "-" or "_" (api_key = API-Key).
CREDENTIAL_PARAMS = frozenset({
    "key", "apikey", "code", "auth", "token", "accesstoken", "authtoken", "idtoken", "refreshtoken",
    "sessiontoken", "password", "passwd", "pwd", "pass", "secret", "clientsecret", "sig", "signature",
    "xamzsignature", "xamzcredential", "xamzsecuritytoken", "privatetoken", "jwt",
})
CREDENTIAL_SUFFIXES = ("token", "secret", "password", "apikey", "signature")
MASK = "***"
# Credentials in free text (an ERP's error body, a traceback): the value after these is masked.
_CREDENTIAL_TEXT = (
    # Authorization / Proxy-Authorization header values, as a header line, JSON or a Python dict repr
    r"(?P<h>\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?)(?:[a-z]+\s+)?[A-Za-z0-9._~+/=:*-]+",
    # Bearer credentials wherever they appear; Basic ones when they decode to user:password
    r"(?P<s>\bbearer\s+)[A-Za-z0-9._~+/=-]{6,}",
    r"(?P<b>\bbasic\s+)[A-Za-z0-9+/]{4,}={0,2}",
    # user info in any URL
    r"(?P<u>\b[a-z][a-z0-9+.-]*://)[^/\s@\"'<>]+(?=@)",
    # credential parameters of a URL query or a form body
    r"(?P<q>[?&;](?:[a-z0-9_.-]*(?:token|secret|password|passwd|pwd|api[_-]?key|signature|credential)"
    r"|key|code|sig|auth|pass|jwt)=)[^&#\s\"'<>]+",
    # "password": "...", token=..., api_key: ... in JSON, XML-ish or log text
    r"(?P<k>[\"']?\b[a-z0-9_-]*(?:password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)\b[\"']?"
    r"\s*[:=]\s*[\"']?)[^\"'\s&,;}<]+",
)
CREDENTIAL_TEXT = re.compile("|".join(_CREDENTIAL_TEXT), re.IGNORECASE)


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
        if is_loopback(host):
            # Whatever the scheme: the hub's own services listen on loopback, an ERP never does.
            if self.allow_loopback and scheme in ("http", "https"):
                return
            raise ConnectorError(f"loopback URL refused (set the option allow_loopback, for tests only): "
                                 f"{_redact(url)}", retryable=False)
        if scheme == "https" and host in self.https_hosts:
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
    """True for localhost, 127.0.0.0/8, ::1, the unspecified 0.0.0.0 and :: and IPv4-mapped loopback."""
    host = host.strip("[]").rstrip(".").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified  # connecting to 0.0.0.0 reaches this machine


def url_credentials(url: str) -> list[str]:
    """What in `url` looks like a credential ("user info", "query parameter 'api_key'"): names, not values."""
    parts = urlsplit(url)
    found = ["user info"] if parts.username is not None or parts.password is not None else []
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        plain = re.sub(r"[^a-z0-9]", "", name.lower())
        if plain in CREDENTIAL_PARAMS or plain.endswith(CREDENTIAL_SUFFIXES):
            found.append(f"query parameter {name!r}")
    return found


def scrub(text: str, secrets: Iterable[str | None] = (), username: str | None = None) -> str:
    """`text` with the secrets (as is, URL-quoted, in a Basic header) and credential-like values masked."""
    forms: set[str] = set()
    for value in filter(None, secrets):
        forms.update({value, quote(value, safe=""), quote_plus(value)})
        if username:
            forms.add(base64.b64encode(f"{username}:{value}".encode()).decode("ascii"))
    # longest first, so a secret containing another is masked whole; short ones would mask ordinary words
    for form in sorted((f for f in forms if len(f) >= 4), key=len, reverse=True):
        text = text.replace(form, MASK)
    return CREDENTIAL_TEXT.sub(_mask_value, text)


def _mask_value(match: re.Match[str]) -> str:
    prefix = next(group for group in match.groups() if group is not None)
    if match.lastgroup == "b" and not _is_basic_credential(match.group(0)[len(prefix):]):
        return match.group(0)  # "basic validation failed" is prose, not a header
    return prefix + MASK


def _is_basic_credential(value: str) -> bool:
    try:
        return b":" in base64.b64decode(value, validate=True)
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
