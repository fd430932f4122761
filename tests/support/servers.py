"""Start a WSGI app on a loopback port in a background thread; stop it to make the ERP refuse."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.support.erp_state import TestErp, WsgiApp


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class ErpServer:
    """A threaded werkzeug server on 127.0.0.1 that can be stopped and restarted on the same port."""

    def __init__(self, app: WsgiApp, port: int = 0) -> None:
        self.app = app
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Listen (again) on the same port."""
        if self._server is not None:
            return
        server = make_server("127.0.0.1", self.port, self.app, threaded=True, request_handler=QuietHandler)
        self.port = server.port
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"test-erp-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket: new connections are refused until `start`."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.server_close()
        thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> ErpServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def running_soap_erp(erp: TestErp | None = None) -> Iterator[tuple[TestErp, ErpServer]]:
    """The SOAP test ERP on loopback; yields its state and server (`server.url` is the endpoint)."""
    from tests.support.soap_erp import soap_app

    erp = erp or TestErp("soap-erp")
    server = ErpServer(soap_app(erp))
    with server:
        try:
            yield erp, server
        finally:
            erp.reset()  # let hung requests go before the server stops


@contextmanager
def running_rest_erp(erp: TestErp | None = None) -> Iterator[tuple[TestErp, ErpServer]]:
    """The REST test ERP on loopback; yields its state and server (`server.url` is the endpoint)."""
    from tests.support.rest_erp import rest_app

    erp = erp or TestErp("rest-erp")
    server = ErpServer(rest_app(erp))
    with server:
        try:
            yield erp, server
        finally:
            erp.reset()
