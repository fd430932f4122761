"""The documented production setup (deploy/): slow clients cannot stall it, over-limit bodies stop at nginx.

gunicorn runs with 4 sync workers and deploy/gunicorn.conf.py; nginx, started here as an unprivileged
master in a temporary prefix, serves the shipped site file deploy/nginx/ponte.conf pointed at it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from hub.config import Settings
from hub.db import new_session
from hub.models import Exchange
from tests.integration.api.test_receive import interchange
from tests.integration.server.hubserver import ROOT, HubServer, free_port

pytestmark = pytest.mark.slow

SITE = ROOT / "deploy" / "nginx" / "ponte.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MAIN_CONF = """worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    include {site};
}}
"""
ATTACK_SECONDS = 6.0  # under client_header_timeout (10 s): the slow connections stay open throughout


def _pointed_at(site: str, upstream: int, port: int) -> str:
    """The shipped site with this test's gunicorn and port; fails if the shipped lines moved."""
    for old, new in (("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                     ("listen 80;", f"listen 127.0.0.1:{port};")):
        assert site.count(old) == 1, f"{SITE} no longer has {old!r}"
        site = site.replace(old, new)
    return site


class Nginx:
    """nginx in the foreground in a temporary prefix; run as `nobody` when the suite runs as root."""

    def __init__(self, upstream_port: int) -> None:
        if not os.path.exists(NGINX):
            pytest.skip("nginx is not installed (.ci/run installs nginx-light)")
        self.port = free_port()
        self.prefix = Path(tempfile.mkdtemp(prefix="ponte-nginx-"))
        (self.prefix / "ponte.conf").write_text(_pointed_at(SITE.read_text(), upstream_port, self.port))
        (self.prefix / "nginx.conf").write_text(MAIN_CONF.format(site=self.prefix / "ponte.conf"))
        user = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
        if user is not None:
            os.chown(self.prefix, user.pw_uid, user.pw_gid)
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
            user=user.pw_uid if user else None, group=user.pw_gid if user else None)
        self._wait_listening()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_listening(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                error = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"nginx exited: {error}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not listen")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # nginx's fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.prefix, ignore_errors=True)


@pytest.fixture
def production(database_url: str, tmp_path: Path) -> Iterator[tuple[HubServer, Nginx]]:
    """gunicorn -w 4 (sync) with deploy/gunicorn.conf.py, behind nginx with deploy/nginx/ponte.conf."""
    (tmp_path / "wsgi.py").write_text((ROOT / "wsgi.py").read_text())
    hub = HubServer(database_url, tmp_path, workers=4,
                    env={"GUNICORN_CMD_ARGS": f"--config {GUNICORN_CONF}"})
    try:
        nginx = Nginx(hub.port)
        try:
            yield hub, nginx
        finally:
            nginx.stop()
    finally:
        hub.stop()


def _connect(port: int, head: bytes) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(head)
    return conn


def _slow_clients(port: int, key: str) -> list[socket.socket]:
    """16 slowloris headers, 4 slow SOAP bodies and 4 slow uploads, each started but far from complete."""
    loris = [_connect(port, b"GET /healthz HTTP/1.1\r\nHost: hub\r\n") for _ in range(16)]
    soap_head = (b"POST /soap HTTP/1.1\r\nHost: hub\r\nContent-Type: text/xml\r\n"
                 b"SOAPAction: \"FetchBatch\"\r\nContent-Length: 200000\r\n\r\n<soap")
    upload_head = (f"POST /api/v1/exchanges HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {key}\r\n"
                   f"Content-Length: 1000000\r\n\r\nUNA:+.? '").encode()
    soap = [_connect(port, soap_head) for _ in range(4)]
    upload = [_connect(port, upload_head) for _ in range(4)]
    return loris + soap + upload


def _trickle(conns: list[socket.socket], stop: threading.Event) -> None:
    """One byte a second on every connection (a header byte or a body byte), until told to stop."""
    while not stop.wait(1.0):
        for conn in conns:
            with contextlib.suppress(OSError):  # nginx may have given up on one: keep the others going
                conn.send(b"X")


def _health_latencies(url: str, seconds: float) -> list[float]:
    """GET /healthz every 0.25 s for `seconds`; each must answer 200 within a second."""
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        answer = requests.get(url + "/healthz", timeout=1.0)
        assert answer.status_code == 200, answer.text
        latencies.append(time.monotonic() - started)
        time.sleep(0.25)
    return latencies


def test_slow_clients_stall_gunicorn_alone_but_not_behind_nginx(
        production: tuple[HubServer, Nginx], make_partner) -> None:
    hub, nginx = production
    _assert_slow_headers_stall(hub)  # the control: the attack works on gunicorn's sync workers
    acme = make_partner("acme")
    conns = _slow_clients(nginx.port, acme.key)
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(conns, stop), daemon=True)
    trickler.start()
    try:
        latencies = _health_latencies(nginx.url, ATTACK_SECONDS)
    finally:
        stop.set()
        trickler.join(5)
    assert len(latencies) >= 10 and max(latencies) < 1.0
    # the slow connections were still being held by nginx the whole time
    open_now = sum(1 for c in conns if _still_open(c))
    for conn in conns:
        conn.close()
    assert open_now == len(conns)


def _assert_slow_headers_stall(hub: HubServer) -> None:
    """Without nginx, a few slow headers hold every sync worker: the health check times out."""
    conns = [_connect(hub.port, b"GET /healthz HTTP/1.1\r\nHost: hub\r\n") for _ in range(8)]
    try:
        time.sleep(0.5)  # the workers pick them up
        with pytest.raises(requests.Timeout):
            requests.get(hub.url + "/healthz", timeout=1.0)
    finally:
        for conn in conns:
            conn.close()
    assert requests.get(hub.url + "/healthz", timeout=5).status_code == 200


def _still_open(conn: socket.socket) -> bool:
    """True unless the peer has closed or answered (a 408 or a reset)."""
    conn.setblocking(False)
    try:
        conn.recv(1)  # an answer (a 408) or b"" (closed)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        conn.setblocking(True)


def _raw_answer(port: int, head: bytes, body_chunks: Iterable[bytes] = ()) -> tuple[int, bytes]:
    """Send a request (the body may be cut short by the server) and read the status and body of its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head)
        try:
            for chunk in body_chunks:
                conn.sendall(chunk)
        except OSError:
            pass  # nginx refused and closed its reading side: the answer is waiting
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head_part, body = data.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"(?im)^content-length: *(\d+)", head_part).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            body += conn.recv(65536)
    return int(head_part.split(b" ", 2)[1]), body


def _chunked(total: int, size: int = 1 << 20) -> Iterator[bytes]:
    block = b"A" * size
    sent = 0
    while sent < total:
        yield b"%x\r\n%s\r\n" % (size, block)
        sent += size
    yield b"0\r\n\r\n"


def test_an_over_limit_body_gets_413_from_nginx_and_nothing_is_stored(
        app: Flask, production: tuple[HubServer, Nginx], make_partner) -> None:
    nginx = production[1]
    acme = make_partner("acme")
    limit = Settings().max_upload_bytes
    declared = (f"POST /api/v1/exchanges HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {acme.key}\r\n"
                f"Content-Length: {limit + 1}\r\nConnection: close\r\n\r\n").encode()
    status, body = _raw_answer(nginx.port, declared, [b"A" * 65536])
    assert status == 413 and b'"REQUEST_ENTITY_TOO_LARGE"' in body
    chunked = (f"POST /api/v1/exchanges HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {acme.key}\r\n"
               f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    status, body = _raw_answer(nginx.port, chunked, _chunked(limit + (1 << 20)))
    assert status == 413 and b'"REQUEST_ENTITY_TOO_LARGE"' in body
    soap = (f"POST /soap HTTP/1.1\r\nHost: hub\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {limit + 1}\r\nConnection: close\r\n\r\n").encode()
    status, body = _raw_answer(nginx.port, soap)
    assert status == 413 and b"<faultcode>soap11env:Client.RequestTooLarge</faultcode>" in body
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(Exchange)) == 0

    # a chunked upload under the limit reaches the hub whole, and is acknowledged for what it holds
    good = interchange(acme.edi_id, "77001")
    answer = requests.post(nginx.url + "/api/v1/exchanges", data=iter([good[:50], good[50:]]),
                           headers={**acme.headers, "Content-Type": "application/edifact"}, timeout=10)
    assert answer.status_code == 202, answer.text
    raw = requests.get(f"{nginx.url}/api/v1/exchanges/{answer.json()['id']}/raw", headers=acme.headers,
                       timeout=10)
    assert raw.content == good


def test_the_shipped_body_limit_is_the_hubs_default_upload_limit() -> None:
    size = re.search(r"^\s*client_max_body_size (\d+)m;", SITE.read_text(), re.MULTILINE)
    assert size is not None and int(size.group(1)) * 1024 * 1024 == Settings().max_upload_bytes
