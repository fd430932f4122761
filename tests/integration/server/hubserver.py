"""Start the real hub under gunicorn on a loopback port, for tests that need a separate process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import TEST_AUDIT_KEY

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubServer:
    def __init__(self, database_url: str, workdir: Path, *, workers: int = 1,
                 scheduler: bool = False, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "HUB_SCHEDULER": "1" if scheduler else "0",
               "HUB_WORKER_POLL_SECONDS": "0.2", "PYTHONPATH": str(ROOT),
               "HUB_AUDIT_KEY": TEST_AUDIT_KEY, **(env or {})}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--chdir",
             str(workdir), "wsgi:app"], env=env, stdout=self.log, stderr=subprocess.STDOUT,
            cwd=workdir, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.proc.returncode}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not come up")

    def descendants(self) -> list[str]:
        """The command lines of every process the server started (its session)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.proc.pid:  # the session id
                    found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                                 .decode(errors="replace"))
            except (OSError, IndexError, ValueError):
                continue
        return found

    def kill(self) -> None:
        """SIGKILL the whole process group: no graceful shutdown, no chance to flush anything."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self.log.closed:
            self.log.close()
