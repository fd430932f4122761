"""The request size limit at the WSGI edge, for bodies with and without a Content-Length.

Werkzeug caps a streamed body (`Transfer-Encoding: chunked`, no Content-Length) at the limit and
then reports the end of the stream: a larger upload was silently cut and stored. Here such a body
is read through a counting stream that raises 413 as soon as one byte more than the limit comes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import IO, Any

from werkzeug.exceptions import RequestEntityTooLarge

log = logging.getLogger(__name__)

DRAIN_CHUNK = 64 * 1024
_OVER_LIMIT = "hub.body_over_limit"


def too_large_message(limit: int) -> str:
    """What a client whose body is too big is told: the limit, and the setting that holds it."""
    return f"the request body is larger than the limit of {limit} bytes (HUB_MAX_UPLOAD_BYTES)"


def declared_length(environ: dict[str, Any]) -> int | None:
    """The Content-Length as a number; None when absent; -1 when it is not a valid length."""
    raw = environ.get("CONTENT_LENGTH")
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return -1
    return value if value >= 0 else -1


def read_capped(stream: IO[bytes], limit: int) -> bytes | None:
    """The whole stream when it holds at most `limit` bytes; None as soon as it holds more."""
    buf = bytearray()
    while len(buf) <= limit:
        chunk = stream.read(min(DRAIN_CHUNK, limit + 1 - len(buf)))
        if not chunk:
            return bytes(buf)
        buf += chunk
    return None


def drain(stream: IO[bytes], most: int) -> None:
    """Read and drop up to `most` bytes, so a client still sending gets the answer, not a reset."""
    left = most
    try:
        while left > 0:
            chunk = stream.read(min(DRAIN_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
    except OSError:
        return


class CountingInput:
    """A streamed request body that raises 413 once it has more than `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int, environ: dict[str, Any]) -> None:
        self._stream = stream
        self._limit = limit
        self._environ = environ
        self.count = 0

    def read(self, size: int | None = -1) -> bytes:
        room = self._limit - self.count
        want = room if size is None or size < 0 else min(size, room)
        data = self._stream.read(want) if want > 0 else b""
        self.count += len(data)
        # Werkzeug never asks past the limit, so at the limit one byte more is looked for here.
        if self.count >= self._limit:
            self._refuse_if_more()
        return data

    def readline(self, size: int | None = -1) -> bytes:
        return self.read(size if size is not None and size >= 0 else DRAIN_CHUNK)

    def _refuse_if_more(self) -> None:
        if self._stream.read(1):
            self._environ[_OVER_LIMIT] = True
            raise RequestEntityTooLarge(too_large_message(self._limit))


class BodyLimit:
    """WSGI middleware: streamed bodies are counted; any error that escapes still answers JSON."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raw = environ["wsgi.input"]
        if declared_length(environ) is None:
            environ["wsgi.input"] = CountingInput(raw, self.limit, environ)
        try:
            result: Iterable[bytes] = self.app(environ, start_response)
        except Exception:
            log.exception("unhandled error outside the views")
            return _json_500(start_response)
        if environ.get(_OVER_LIMIT):
            drain(raw, self.limit)
        return result


def _json_500(start_response: Any) -> list[bytes]:
    body = json.dumps({"error": {"code": "INTERNAL_ERROR",
                                 "message": "the hub hit an unexpected error; it is logged"}}).encode()
    start_response("500 Internal Server Error", [("Content-Type", "application/json"),
                                                 ("Content-Length", str(len(body)))])
    return [body]
