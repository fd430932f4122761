"""What `make run` does: the demo key is kept and reused, and printed after Flask's banner, last."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.integration.server.hubserver import ROOT, free_port


def _flask(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=workdir, env=env, text=True,
                          capture_output=True, timeout=120, check=True)


def _serve_until_key(workdir: Path, env: dict[str, str], port: int) -> tuple[list[str], str]:
    """Run the development server as `make run` does; its output lines up to the key, and the key."""
    proc = subprocess.Popen([sys.executable, "-m", "flask", "run", "--host", "127.0.0.1", "--port",
                             str(port), "--no-debugger", "--no-reload"], cwd=workdir, text=True,
                            env={**env, "HUB_DEMO": "1", "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("hpk_"):
                key = line.strip()
                status = requests.get(f"http://127.0.0.1:{port}/api/v1/exchanges",
                                      headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code
                assert status == 200
                return lines, key
        raise AssertionError("no key printed:\n" + "\n".join(lines))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def test_make_run_prints_the_kept_key_after_the_banner(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HUB_DEMO")}
    env.update(FLASK_APP=str(ROOT / "wsgi.py"), PYTHONPATH=str(ROOT), HUB_SCHEDULER="0")
    _flask(tmp_path, env, "hub", "init")
    _flask(tmp_path, env, "hub", "demo", "--quiet")
    kept = (tmp_path / "instance" / "demo.key").read_text().strip()

    lines, key = _serve_until_key(tmp_path, env, free_port())
    assert key == kept
    banner_end = next(i for i, line in enumerate(lines) if "Press CTRL+C to quit" in line)
    assert banner_end < lines.index(key) and "Demo API key" in lines[lines.index(key) - 1]
    assert any(line.startswith("Hub URL: http://127.0.0.1:") for line in lines[banner_end:])

    _flask(tmp_path, env, "hub", "demo", "--quiet")  # the next `make run`: same key, none added
    _, again = _serve_until_key(tmp_path, env, free_port())
    assert again == key
    listing = _flask(tmp_path, env, "hub", "key-list", "demo").stdout
    assert listing.count("\tactive\t") == 1
