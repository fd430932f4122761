"""The edge against the real server (gunicorn on loopback): chunked uploads and unauthenticated SOAP."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from hub.models import Exchange
from tests.integration.api.test_receive import interchange
from tests.integration.server.hubserver import ROOT, HubServer

pytestmark = pytest.mark.slow

LIMIT = 4 * 1024 * 1024
MARKER = b"PONTE-SOAP-BODY-MARKER"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wsgi.py").write_text((ROOT / "wsgi.py").read_text())
    return tmp_path


@pytest.fixture
def server(database_url: str, workdir: Path) -> Iterator[HubServer]:
    hub = HubServer(database_url, workdir, workers=2,
                    env={"HUB_MAX_UPLOAD_BYTES": str(LIMIT), "HUB_INGEST_WORKERS": "0"})
    try:
        yield hub
    finally:
        if hub.proc.poll() is None:
            hub.kill()  # a graceful stop is not what these tests are about, and it takes seconds


def chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    """A generator body: requests sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def exchanges_stored(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Exchange)) or 0)
    finally:
        engine.dispose()


def test_a_chunked_upload_over_the_limit_is_413_and_not_stored(server, database_url, make_partner):
    partner = make_partner("acme")
    body = interchange(partner.edi_id, "9001")
    over = body + b"\n" * (LIMIT + 1024 * 1024 - len(body))
    resp = requests.post(server.url + "/api/v1/exchanges", data=chunks(over), headers=partner.headers,
                         timeout=30)
    assert resp.status_code == 413, resp.text[:300]
    assert str(LIMIT) in resp.json()["error"]["message"]
    assert exchanges_stored(database_url) == 0
    whole = body + b"\n" * (LIMIT - len(body))  # exactly the limit: taken, every byte
    resp = requests.post(server.url + "/api/v1/exchanges", data=chunks(whole), headers=partner.headers,
                         timeout=30)
    assert resp.status_code == 202, resp.text[:300]
    raw = requests.get(server.url + resp.headers["Location"] + "/raw", headers=partner.headers,
                       timeout=30)
    assert raw.content == whole


def _peak_rss_kib(pids: list[int]) -> int:
    """The workers' peak resident memory (VmHWM) together, from /proc."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total


def _workers(server: HubServer) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server.proc.pid:  # the parent
                pids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def test_unauthenticated_soap_bodies_cost_no_memory_and_no_log(server):
    # Envelopes of 2 MiB of tiny elements: spyne parsed and schema-checked each (~80 MB a worker),
    # and logged the whole of a malformed one (every other one here is cut short) at ERROR.
    head = (b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
            b'<FetchBatch xmlns="urn:ponte:hub:outbox"><m>' + MARKER + b"</m>")
    tail = b"</FetchBatch></e:Body></e:Envelope>"
    body = head + b"<a/>" * ((2 * 1024 * 1024 - 100 - len(head) - len(tail)) // 4) + tail
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "FetchBatch"}

    def post(n: int) -> requests.Response:
        data = body if n % 2 else body[:-len(tail)]
        return requests.post(server.url + "/soap", data=data, headers=headers, timeout=60)

    workers = _workers(server)
    assert len(workers) == 2
    with ThreadPoolExecutor(4) as pool:  # every worker has loaded what it needs
        list(pool.map(lambda _: requests.get(server.url + "/soap?wsdl", timeout=10), range(4)))
    before = _peak_rss_kib(workers)
    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(post, range(24)))
    grown_mib = (_peak_rss_kib(workers) - before) / 1024
    server.kill()
    logged = server.log_path.read_bytes()
    assert grown_mib < 100, f"the workers' peak memory grew by {grown_mib:.0f} MiB"
    assert MARKER not in logged, f"{logged.count(MARKER)} request bodies in the log"
    assert [a.status_code for a in answers] == [401] * 24
    assert all(b"Client.Unauthorized" in a.content for a in answers)
